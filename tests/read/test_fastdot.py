"""The fast DOT reader against Graphviz: same nodes, attributes, edges and subgraphs.

Oracle: pygraphviz (Graphviz's own parser) read through ``from_agraph``. Every file the
fast reader accepts must give exactly what Graphviz gives; everything outside its
subset must be left to Graphviz (``parse_fast`` returns None).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pygraphviz
import pytest

from symcost.read.dot.fastdot import MAX_CHAIN, parse_fast
from symcost.read.dot.graphviz import from_agraph, read_text
from symcost.read.dot.parsed import ParsedSubgraph

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SYMCOST_CORPUS") or ROOT.parent / "shared" / "corpus")


def _graphviz(text: str):
    return from_agraph(pygraphviz.AGraph(string=text))


def _tree(subs: list[ParsedSubgraph]) -> list:
    return [(s.name, s.label, s.members, _tree(s.children)) for s in subs]


def _same(text: str) -> None:
    fast = parse_fast(text)
    assert fast is not None, "expected the fast reader to read this"
    gv = _graphviz(text)
    assert fast.name == gv.name
    assert fast.nodes == gv.nodes
    # an unset label reads as "" or, once Graphviz's process-wide defaults are set (a
    # layout or picture earlier in the process), as "\\N": the reader takes both as none
    assert [x if x != "\\N" else "" for x in fast.labels] == \
        [x if x != "\\N" else "" for x in gv.labels]
    assert fast.shapes == gv.shapes
    assert fast.edges == gv.edges
    assert _tree(fast.subgraphs) == _tree(gv.subgraphs)
    assert fast.directed and gv.directed


def _files() -> list[Path]:
    out = sorted((ROOT / "tests" / "fixtures" / "dot").glob("*.dot"))
    out += sorted((ROOT / "tests" / "fuzz" / "crashers").glob("*.dot"))
    out += sorted(CORPUS.glob("*.dot")) if CORPUS.is_dir() else []
    return out


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_files_read_as_graphviz_reads_them(path: Path) -> None:
    try:
        text = read_text(path, str(path))
    except Exception:  # noqa: BLE001 - unreadable files never reach a parser
        pytest.skip("not readable as text")
    fast = parse_fast(text)
    if fast is None:  # outside the subset (or broken): Graphviz decides
        return
    _same(text)


def test_most_corpus_files_take_the_fast_path() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    files = sorted(CORPUS.glob("*.dot"))
    fast = [f for f in files if parse_fast(read_text(f, str(f))) is not None]
    assert len(fast) >= len(files) // 2


def test_generated_deployment() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmarks' generator
    from deployments import deployment_dot

    _same(deployment_dot(2, 4))


SAME = {
    "defaults_apply_to_later_nodes": 'digraph { a; node [shape=box]; b; subgraph s { '
                                     'node [shape=circle]; c; a; } d }',
    "subgraph_label_inherited": 'digraph { label="top"; subgraph cluster_a { a } '
                                'label="late"; subgraph cluster_b { b } }',
    "label_declared_late": 'digraph { subgraph cluster_a { a } label="late" }',
    "nested_label": 'digraph { subgraph cluster_a { label="A"; subgraph cluster_b { b } '
                    'c } }',
    "graph_attr_stmt": 'digraph G { graph [label="x"]; subgraph c1 { graph [label=y]; a } }',
    "escapes": 'digraph { a [label="q\\"x\\\\y\\n\\lz"]; b [label="line\\\ncont"]; '
               'c [label="x\\\\\\"y"] }',
    "crlf": 'digraph {\r\n a [label="x\\\r\ny"];\r\n a -> b;\r\n}\r\n',
    "edge_order": 'digraph { z; b -> c [label=1]; b -> a [label=2]; b -> c [label=3]; '
                  'a; c -> b; b -> z [label=4]; b -> b }',
    "edge_defaults": 'digraph { edge [style=dashed]; a -> b; subgraph x { '
                     'edge [style=bold]; c -> d; a -> b } e -> f [style=dotted] }',
    "quoted_ids": 'digraph "my \\"g" { "a b" -> "c\\"d"; -1.5 -> 2; 01 -> .5; 1.50 }',
    "chains": 'digraph { a -> b -> c -> a [label="e"]; c -> d\n -> e; }',
    "anonymous": 'digraph { { rank=same; a b } subgraph { c } {d -> e} }',
    "several_attr_lists": 'digraph { a [label=x] [shape=y]; b [ ]; c [label=1, shape=2;] }',
    "comments": '/* head */ digraph { // c\n a /* x */ ; b -> c; /* multi\nline */ }\n// end',
    "unicode": 'digraph { ä -> "ö ü" [label="→ 8×[4]"]; é\u00a0x; }',
    "case_keywords": 'Digraph G { NODE [shape=box]; a; SubGraph cluster_x { b } }',
    "members_from_edges": 'digraph { subgraph cluster_a { x -> y } subgraph cluster_b '
                          '{ y; subgraph cluster_c { z -> x } } }',
    "semicolons": 'digraph { a; b -> c; subgraph s { d; }; label=x; }',
    "node_label_default": 'digraph { node [label="\\N"]; a; b [label="B"]; }',
}


@pytest.mark.parametrize("name", list(SAME))
def test_constructs_read_as_graphviz_reads_them(name: str) -> None:
    _same(SAME[name])


OUTSIDE = {
    "port": 'digraph { a:p -> b }',
    "strict": 'strict digraph { a -> b; a -> b }',
    "undirected": 'graph { a -- b }',
    "html": 'digraph { a [label=<<b>x</b>>] }',
    "concat": 'digraph { a [label="x" + "y"] }',
    "no_value": 'digraph { a [filled] }',
    "key": 'digraph { a -> b [key=k1] }',
    "subgraph_end": 'digraph { a -> { b c } }',
    "reopened": 'digraph { subgraph s { a } subgraph s { b } }',
    "keyword_id": 'digraph { node -> b }',
    "keyword_value": 'digraph { a [shape=node] }',
    "hash_line": 'digraph {\n# 3 "x.dot"\n a }',
    "badly_delimited": 'digraph { 1a }',
    "double_semicolon": 'digraph { a;; b }',
    "leading_semicolon": 'digraph { ; a }',
    "syntax_error": 'digraph { a -> ; }',
    "unclosed": 'digraph { a -> b ',
    "second_graph": 'digraph { a } digraph { b }',
    "layout_in_subgraph": 'digraph { subgraph s { layout=dot; a } }',
    "comment_inside": 'digraph { a /* x */ -> b }',
    "long_chain": "digraph { " + " -> ".join(f"n{i}" for i in range(MAX_CHAIN + 1)) + " }",
    "empty_quoted_subgraph": 'digraph { subgraph "" { a } }',
    "long_label": 'digraph { a [label="' + "x" * 20_000 + '"]; a -> b }',
    "long_first_line": 'digraph { ' + "a; " * 2000 + "}",
    "long_comment": 'digraph {\n a -> b // ' + "c" * 20_000 + "\n}",
}


@pytest.mark.parametrize("body", ["x" * 16_381, "é" * 8_190, ("x" * 10_000 + "\n") * 3])
def test_long_labels_graphviz_accepts_are_read_alike(body: str) -> None:
    text = f'digraph {{\n a [label="{body}"];\n a -> b\n}}'
    if parse_fast(text) is not None:  # a line this long is left to Graphviz
        _same(text)
    assert _graphviz(text).labels[0] == body


@pytest.mark.parametrize("name", list(OUTSIDE))
def test_outside_the_subset_is_left_to_graphviz(name: str) -> None:
    assert parse_fast(OUTSIDE[name]) is None


def _random_dot(rng: random.Random) -> str:
    """A random graph in the subset: nodes, chains, defaults, (nested) subgraphs."""
    ids = [f"n{i}" for i in range(8)] + ['"q x"', '"a\\"b"', "7", "-2.5"]
    vals = ['"x"', 'box', '"L\\nGPU: 1"', '""', '"\\N"', "3"]
    out = ["digraph g {"]
    depth = 0

    def attrs(keys: list[str]) -> str:
        pairs = [f"{rng.choice(keys)}={rng.choice(vals)}" for _ in range(rng.randint(0, 3))]
        return "[" + rng.choice([", ", "; ", " "]).join(pairs) + "]"

    for _ in range(rng.randint(1, 30)):
        r = rng.random()
        if r < 0.25:
            out.append(f"{rng.choice(ids)} {attrs(['label', 'shape', 'color'])};")
        elif r < 0.5:
            chain = " -> ".join(rng.choice(ids) for _ in range(rng.randint(2, 4)))
            out.append(chain + (f" {attrs(['label', 'style'])}" if rng.random() < 0.5 else ""))
        elif r < 0.6:
            out.append(f"node {attrs(['label', 'shape'])}")
        elif r < 0.67:
            out.append(f"edge {attrs(['label', 'style'])}")
        elif r < 0.74:
            out.append(f"label={rng.choice(vals)}")
        elif r < 0.87 and depth < 3:
            out.append(rng.choice([f"subgraph cluster_{len(out)} {{", "{",
                                   f"subgraph s{len(out)} {{"]))
            depth += 1
        elif depth:
            out.append("}")
            depth -= 1
        else:
            out.append(rng.choice(ids))
    out += ["}"] * depth + ["}"]
    return "\n".join(out)


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_read_as_graphviz_reads_them(seed: int) -> None:
    _same(_random_dot(random.Random(seed)))
