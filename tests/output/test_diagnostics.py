"""Grouping diagnostics by cause: counts, every node of a group, examples vs --verbose."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symcost.core.diagnostics import Diagnostic, Level, info, warning
from symcost.output.diagnostics import EXAMPLES, diagnostics_report, group_diagnostics
from symcost.solve.completeness import Completeness

UNKNOWN = [warning(f"operation 'Op{i}' not recognised", node=f"n{i}", code="unknown-op")
           for i in range(7)]
SYMBOL = info("inner width not in the label: symbol F (3 node(s))", node="m0",
              nodes=("m0", "m1", "m2"), code="symbol")
ERROR = Diagnostic(Level.ERROR, "bad", node="e", code="bad")


def test_groups_by_code_with_counts_and_all_nodes() -> None:
    groups = group_diagnostics([SYMBOL, *UNKNOWN, ERROR])
    by = {g["code"]: g for g in groups}
    assert [g["code"] for g in groups] == ["bad", "unknown-op", "symbol"]  # severity first
    assert by["unknown-op"]["count"] == 7 and by["unknown-op"]["level"] == "warning"
    assert by["unknown-op"]["nodes"] == [f"n{i}" for i in range(7)]
    assert len(by["unknown-op"]["messages"]) == 7
    assert by["symbol"]["count"] == 1 and by["symbol"]["nodes"] == ["m0", "m1", "m2"]


def test_group_level_is_the_most_severe_member() -> None:
    mixed = [info("x", node="a", code="c"), warning("y", node="b", code="c")]
    (g,) = group_diagnostics(mixed)
    assert g["level"] == "warning" and g["nodes"] == ["a", "b"] and g["count"] == 2


def test_without_code_grouped_by_message() -> None:
    groups = group_diagnostics([info("same"), info("same"), info("other")])
    assert sorted(g["count"] for g in groups) == [1, 2]


@pytest.mark.parametrize("verbose", [False, True])
def test_report_one_line_per_group_completeness_first(verbose: bool) -> None:
    comp = Completeness(nodes=9, unknown_op_nodes=tuple(f"n{i}" for i in range(7)))
    text = diagnostics_report([SYMBOL, *UNKNOWN], comp, verbose=verbose, file="f.dot")
    lines = text.splitlines()
    assert lines[0] == "f.dot: " + comp.summary()
    group = next(line for line in lines if "[unknown-op]" in line)
    assert group.startswith("warning [unknown-op] x7:") and "7 node(s)" in group
    shown = [f"n{i}" for i in range(7) if f"n{i}" in group]
    if verbose:
        assert len(shown) == 7 and "--verbose" not in group
        assert sum("    operation" in line for line in lines) == 7  # every message
    else:
        assert len(shown) == EXAMPLES and "--verbose lists all" in group
        assert len(lines) == 3  # completeness + two groups


def test_report_empty_when_nothing_to_say() -> None:
    assert diagnostics_report([]) == ""


_diag = st.builds(
    lambda level, code, node, nodes: Diagnostic(level, f"m{code}", node=node, code=code,
                                                 nodes=tuple(nodes)),
    st.sampled_from(list(Level)), st.sampled_from(["a", "b", "c"]),
    st.one_of(st.none(), st.sampled_from(["n0", "n1", "n2", "n3"])),
    st.lists(st.sampled_from(["n0", "n1", "n2", "n3", "n4"]), max_size=4))


@settings(max_examples=60, deadline=None)
@given(st.lists(_diag, max_size=30))
def test_grouping_keeps_every_diagnostic_and_node(diags) -> None:
    groups = group_diagnostics(diags)
    assert sum(g["count"] for g in groups) == len(diags)
    for g in groups:
        members = [d for d in diags if d.code == g["code"]]
        want = {n for d in members for n in (*d.nodes, *([d.node] if d.node else []))}
        assert set(g["nodes"]) == want and len(g["nodes"]) == len(want)
        rank = {"info": 0, "warning": 1, "error": 2}
        assert rank[g["level"]] == max(rank[str(d.level)] for d in members)
