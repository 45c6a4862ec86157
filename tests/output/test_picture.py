"""Critical-path pictures (symcost analyze --format dot|svg|png)."""

from __future__ import annotations

import pygraphviz
import pytest

import symcost
from symcost.core.symbols import Get_Time
from symcost.output.picture import MAX_NODES, draw

from conftest import ROOT, run_cli

B = symcost.B


@pytest.fixture(scope="module")
def small():
    b = symcost.DagBuilder("small")
    b.node("s", kind="io")
    b.node("a", cost=Get_Time(B, 8, 8), devices=[0])
    b.node("b", cost=Get_Time(B, 8, 8), devices=[0])   # same GPU as a: serialized
    b.node("c", cost=Get_Time(B, 4, 4), devices=[1])
    b.node("t", kind="io")
    b.edge("s", "a").edge("s", "b").edge("s", "c")
    b.edge("a", "t").edge("b", "t").edge("c", "t")
    return symcost.analyze(b.build())


def _graph(text: str) -> pygraphviz.AGraph:
    return pygraphviz.AGraph(string=text)


def test_dot_marks_the_path_and_terms(small):
    g = _graph(draw(small, "dot", source="small.yaml"))
    path = [s.node for s in small.compute.critical_path]
    assert path == ["s", "a", "b", "t"]
    assert set(g.nodes()) == {"s", "a", "b", "c", "t"}
    for n in path:
        assert g.get_node(n).attr["penwidth"] == "2.5"
    assert g.get_node("c").attr["penwidth"] in (None, "")
    assert "Get_Time(B, 4, 4)" in g.get_node("c").attr["label"]
    # a -> b is not a DAG edge: the path uses the same-GPU order, drawn dashed
    e = g.get_edge("a", "b")
    assert e.attr["style"] == "dashed" and e.attr["label"] == "same GPU"
    assert g.get_edge("s", "a").attr["penwidth"] == "2.5"
    assert "from small.yaml" in g.graph_attr["label"]


def test_svg_and_png(small):
    svg = draw(small, "svg")
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    png = draw(small, "png")
    assert isinstance(png, bytes) and png[:8] == b"\x89PNG\r\n\x1a\n"


def test_big_dag_draws_one_layer_and_says_so():
    res = symcost.analyze(symcost.load(str(ROOT / "examples" / "ma_separation.yaml")))
    assert len(res.dag.nodes) > MAX_NODES
    g = _graph(draw(res, "dot"))
    layers = {res.dag.node(n).layer for n in g.nodes()}
    assert layers == {0}
    assert "layer 0 only" in g.graph_attr["label"]
    assert g.get_node("L0.gate").attr["penwidth"] == "2.5"


def test_big_dag_without_layers_draws_the_path():
    b = symcost.DagBuilder("flat")
    prev = None
    for i in range(MAX_NODES + 20):
        b.node(f"n{i}", cost=Get_Time(B, 1, 1), devices=[i % 4])
        if prev:
            b.edge(prev, f"n{i}")
        prev = f"n{i}"
    res = symcost.analyze(b.build())
    g = _graph(draw(res, "dot"))
    assert len(g.nodes()) <= MAX_NODES
    assert "critical path only" in g.graph_attr["label"]


def test_cli_svg(tmp_path):
    out = tmp_path / "p.svg"
    p = run_cli("analyze", "examples/ma_separation.yaml", "--format", "svg", "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert "L0.g0.qk" in out.read_text()
