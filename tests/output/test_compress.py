"""Repeated blocks of critical-path steps (cloned layers) are shown once with their count."""

from __future__ import annotations

import pytest

from symcost.output.context import compress_steps


def _steps(pattern: str) -> list[dict]:
    """One step per letter; equal letters are equal steps (operation, kind, cost)."""
    return [{"node": f"n{i}", "operation": ch, "kind": "compute", "cost": {"text": ch},
             "serialized_on": None, "undecided": False} for i, ch in enumerate(pattern)]


def _expand(rows: list[dict]) -> str:
    return "".join(s["operation"] * 1 for r in rows for _ in range(r["count"])
                   for s in r["steps"])


@pytest.mark.parametrize("pattern, shape", [
    ("xabcabcabcabcy", [("x", 1), ("abc", 4), ("y", 1)]),
    ("aaaa", [("a", 4)]),
    ("aab", [("a", 1), ("a", 1), ("b", 1)]),          # 2 x 1 step saves one row: listed
    ("abcd", [("a", 1), ("b", 1), ("c", 1), ("d", 1)]),
    ("ab" * 125 + "z", [("ab", 125), ("z", 1)]),
])
def test_blocks(pattern, shape):
    rows = compress_steps(_steps(pattern))
    assert [("".join(s["operation"] for s in r["steps"]), r["count"]) for r in rows] == shape
    assert _expand(rows) == pattern                     # nothing lost, order kept
    assert [r["index"] for r in rows] == [1] + [r["end"] + 1 for r in rows[:-1]]


def test_a_layer_cloned_125_times_gives_few_rows():
    layer = "qkvsaorgud" + "m"                          # 11 operations
    rows = compress_steps(_steps("i" + layer * 125 + "o"))
    assert sum(len(r["steps"]) for r in rows) <= 13
    assert any(r["count"] == 125 for r in rows)
