"""Regression files of minimal crashers: each one is a one-line error with exit status 2.

``crashers/<kind>__<what>.<ext>``; the kind says how the file is used:
``analyze`` (the file is the DAG), ``table`` (``eval --table FILE``), ``rules``
(``analyze --rules FILE`` on a DOT example), ``batch`` (the text is ``eval --batch``),
``compare`` (two lines: the expressions), ``output`` (the text is the ``-o`` path,
``TMP/`` a temporary folder), ``args`` (one argument per line; ``DOT``/``YAML`` stand
for the examples, ``TMP`` for a temporary folder). Found by the fuzz suite and the issue's fuzzer; before the
fixes each gave a traceback, a hang, a memory blow-up or exit 0 on a truncated graph.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from symcost.core import exitcodes

from fuzzkit import ROOT, run_main

CRASHERS = sorted((Path(__file__).parent / "crashers").iterdir())
YAML = str(ROOT / "examples" / "ma_separation.yaml")
DOT = str(ROOT / "examples" / "ma_separation.dot")


def _argv(path: Path, tmp: str) -> list[str]:
    kind = path.name.split("__", 1)[0]
    text = path.read_text(errors="replace") if kind in ("batch", "compare", "output", "args") \
        else ""
    out = str(Path(tmp) / "out.json")
    if kind == "analyze":
        return ["analyze", str(path), "--format", "json", "-o", out]
    if kind == "table":
        return ["eval", YAML, "--table", str(path), "-o", out]
    if kind == "rules":
        return ["analyze", DOT, "--rules", str(path), "-o", out]
    if kind == "batch":
        return ["eval", YAML, "--batch", text.strip(), "-o", out]
    if kind == "compare":
        a, b = text.splitlines()[:2]
        return ["compare", a, b, "-o", out]
    if kind == "output":
        return ["analyze", YAML, "-o", text.strip().replace("TMP", tmp)]
    if kind == "args":
        names = {"DOT": DOT, "YAML": YAML}
        return [names.get(a, a.replace("TMP", tmp)) for a in text.splitlines()]
    raise AssertionError(f"unknown crasher kind {kind!r} ({path.name})")


@pytest.mark.parametrize("path", CRASHERS, ids=[p.name for p in CRASHERS])
def test_crasher_is_a_one_line_error(path):
    with tempfile.TemporaryDirectory() as tmp:
        status, out, err = run_main(_argv(path, tmp))
        assert status == exitcodes.BAD_INPUT, err
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("symcost: error: "), err
        assert "Traceback" not in err and not out
        assert list(Path(tmp).iterdir()) == []  # nothing written, no temp file
