"""Regenerate reports/ for every bundled example (``make reports``).

For each ``examples/*.yaml``, ``examples/*.dot`` (and .yml/.json/.gv) this writes the
Markdown and LaTeX reports, the JSON of ``symcost analyze --format json`` and the
critical-path picture (SVG) into ``reports/``. A YAML/JSON spec keeps its stem
(``reports/ma_separation.md``); other inputs add their extension
(``reports/ma_separation_dot.md``). Paths are printed relative to the repository root,
so the output is the same on every machine; ``tests/test_reports_fresh.py`` checks that
the checked-in reports are up to date.

Usage: python scripts/make_reports.py [--out DIR] [--png]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_GLOBS = ("*.yaml", "*.yml", "*.json", "*.dot", "*.gv")
FORMATS = ("md", "tex", "json", "svg")


def examples(root: Path = ROOT) -> list[str]:
    """Bundled example paths relative to ``root``, sorted."""
    found = {p for g in EXAMPLE_GLOBS for p in (root / "examples").glob(g)}
    return sorted(p.relative_to(root).as_posix() for p in found)


def report_name(example: str) -> str:
    path = Path(example)
    ext = path.suffix.lstrip(".")
    return path.stem if ext in ("yaml", "yml", "json") else f"{path.stem}_{ext}"


def outputs(example: str, formats=FORMATS) -> dict[str, str | bytes]:
    """``{file name: content}`` of every report of one example (the path as given)."""
    from symcost import report as format_result
    from symcost.read.loader import load
    from symcost.solve.analysis import analyze

    result = analyze(load(example), "device")
    name = report_name(example)
    # the Markdown report links the picture written beside it
    figure = {"md": f"{name}.svg"} if "svg" in formats else {}
    return {f"{name}.{fmt}": format_result(result, fmt, source=example,
                                           **({"figure": figure[fmt]} if fmt in figure else {}))
            for fmt in formats}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="reports", help="output folder (default reports/)")
    ap.add_argument("--png", action="store_true", help="also write PNG pictures")
    args = ap.parse_args(argv)
    import os

    out = Path(args.out).resolve()
    os.chdir(ROOT)  # example paths are relative to the repository root
    out.mkdir(parents=True, exist_ok=True)
    formats = FORMATS + (("png",) if args.png else ())
    for example in examples():
        for fname, content in outputs(example, formats).items():
            data = content.encode() if isinstance(content, str) else content
            (out / fname).write_bytes(data)
            print(f"wrote {os.path.relpath(out / fname)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
