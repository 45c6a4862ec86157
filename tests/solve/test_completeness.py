"""Completeness of a reading and its runtime, on hand-made DAGs whose gaps are known by
construction (each fixture's comment says what it leaves open)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

from symcost import report
from symcost.core.dag import DagBuilder, Kind
from symcost.core.symbols import B, Get_Time, declare_atom
from symcost.read.dot.reader import read_dot
from symcost.solve.analysis import analyze
from symcost.solve.completeness import completeness

FIX = Path(__file__).parents[1] / "fixtures" / "dot"


def test_complete_dot_file() -> None:
    c = completeness(read_dot(FIX / "pipeline.dot"))
    assert c.complete and c.reasons() == []
    assert c.summary().startswith("complete:") and "11 nodes" in c.summary()


def test_each_gap_is_named_with_its_nodes() -> None:
    dag = read_dot(FIX / "incomplete.dot")
    c = completeness(dag)
    assert not c.complete
    assert c.symbol_nodes == ("mlp",) and c.symbols == ("F",)
    assert c.unknown_op_nodes == ("frob",)
    # an attention node without sizes keeps an explicit unknown-cost atom (not a zero)
    assert c.unknown_cost_nodes == ("attn",) and c.zero_cost_nodes == ()
    assert c.parts == 2 and not c.edgeless and not c.salvaged
    s = c.summary()
    assert s.startswith("INCOMPLETE:")
    for part in ("1 node(s) keep symbols", "(F)", "1 unknown operation(s) costed 0",
                 "2 disconnected parts"):
        assert part in s


def test_cloned_layers_are_stated_but_complete() -> None:
    c = completeness(read_dot(FIX / "repeat_same_as.dot"))
    assert c.complete and c.cloned
    assert sum(x["count"] for x in c.cloned) == 3
    assert "3 layer(s) cloned" in c.summary()


def test_unapplied_elision_is_incomplete() -> None:
    c = completeness(read_dot(FIX / "repeat_edge.dot"))
    assert c.elided == ("more",) and not c.complete
    assert [x["at"] for x in c.cloned] == ["layer0_down->layer9_up"]


def test_user_symbol_is_not_an_unknown_size() -> None:
    dag = read_dot(FIX / "split_attention.dot", symbols={"seq_len": "S"})
    assert "S" in {str(s) for n in dag.nodes for s in n.cost.free_symbols}
    assert completeness(dag).symbol_nodes == ()
    # ... and a symbol bound later (symcost eval --set) is not one either
    plain = read_dot(FIX / "incomplete.dot")
    assert completeness(plain, given=["F"]).symbol_nodes == ()


def test_unknown_cost_atoms_counted() -> None:
    atom = declare_atom("Unknown_QProj", 1)
    b = DagBuilder("u")
    b.node("q", cost=atom(B), unknown_cost="Q projection without shapes")
    b.node("k", cost=Get_Time(B, 4, 4))
    c = completeness(b.chain("q", "k").build())
    assert c.unknown_cost_nodes == ("q",) and c.unknown_atoms == ("Unknown_QProj",)
    assert not c.complete


def test_builder_symbols_are_the_users_own() -> None:
    s = sympy.Symbol("S", positive=True, integer=True)
    b = DagBuilder("b").node("a", cost=Get_Time(B * s, 4, 4)).node("z", kind="io")
    assert completeness(b.chain("a", "z").build()).complete


@pytest.mark.parametrize("kind", ["compute", "attention", "unknown"])
def test_zero_runtime_with_costly_nodes(kind: str) -> None:
    dag = DagBuilder("z").node("x", kind=kind).build()
    result = analyze(dag)
    assert result.runtime_compute_only == 0
    assert result.completeness.zero_runtime and not result.completeness.complete
    assert "runtime 0" in result.completeness.summary()


def test_zero_runtime_without_compute_is_fine() -> None:
    dag = DagBuilder("z").node("x", kind=Kind.ELEMENTWISE).build()
    assert analyze(dag).completeness.complete


@pytest.mark.parametrize("fmt", ["text", "json", "md", "tex"])
def test_every_format_says_it_beside_the_formula(fmt: str) -> None:
    result = analyze(read_dot(FIX / "incomplete.dot"))
    out = report(result, fmt)
    summary = result.completeness.summary()
    if fmt == "json":
        data = json.loads(out)
        assert data["completeness"]["summary"] == summary
        assert data["completeness"]["complete"] is False
        assert data["completeness"]["symbol_nodes"] == ["mlp"]
        return
    if fmt == "tex":  # symbols in math, ids breakable: compare the text TeX shows
        out = out.replace("\\_\\allowbreak{}", "_").replace("$", "")
    assert summary in out
    # right beside the runtime: within a few lines of it
    lines = out.splitlines()
    at = [i for i, line in enumerate(lines) if summary in line]
    runtime_lines = [i for i, line in enumerate(lines)
                     if "Get_Time" in line or "T_{\\mathrm{compute}}" in line]
    assert min(abs(a - i) for a in at for i in runtime_lines) <= 4


EDGELESS_X = Get_Time(8 * B, 1024, 2048)   # a on GPU 0
EDGELESS_Y = Get_Time(8 * B, 2048, 1024)   # b on GPU 0, after a (file order)
EDGELESS_Z = Get_Time(8 * B, 2048, 2048)   # c on GPU 1


@pytest.mark.parametrize("mode, want", [
    # device: GPU 0 runs a then b; GPU 1 runs c alongside; neither dominates the other
    ("device", sympy.Max(EDGELESS_X + EDGELESS_Y, EDGELESS_Z)),
    # dag: nothing orders them; c dominates a and b argument by argument
    ("dag", EDGELESS_Z),
])
def test_edgeless_graph_runtime(mode: str, want: sympy.Expr) -> None:
    dag = read_dot(FIX / "edgeless.dot")
    result = analyze(dag, mode)
    assert sympy.simplify(result.runtime_compute_only - want) == 0
    assert result.completeness.edgeless and result.completeness.parts == 3
    codes = [d.code for d in result.diagnostics]
    assert "no-edges" in codes and "edgeless-order" in codes
    note = next(d for d in result.diagnostics if d.code == "edgeless-order")
    assert ("file order" in note.message) == (mode == "device")
