"""``symcost analyze DAG``: closed-form runtime, critical path, branches."""

from __future__ import annotations

import argparse
import json

from .. import __version__
from ..analysis import AnalysisResult, analyze
from ..loader import load
from ..picture import draw
from ..render import render
from ..report import report_context
from ._dagopts import add_dag_options, load_options
from ._output import write_output

FORMATS = ("text", "json", "md", "tex", "dot", "svg", "png")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="closed-form runtime of a DAG in the batch size B",
                       description="Closed-form runtime of a DAG in the batch size B.")
    p.add_argument("dag", help="DAG file: .yaml/.yml/.json spec or .dot/.gv Graphviz")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument("--concurrency", choices=("device", "dag"), default="device",
                   help="device: one operation at a time per GPU (default); dag: DAG edges only")
    p.add_argument("--assume", action="append", default=[], metavar="CONSTRAINT",
                   help="bound on a symbol, e.g. 'B>=8' (repeatable)")
    p.add_argument("--no-comm", action="store_true",
                   help="communication costs zero in the runtime too")
    p.add_argument("--fragment", action="store_true",
                   help="with --format tex: a fragment to \\input, not a complete document")
    add_dag_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    dag = load(args.dag, **load_options(args))
    result = analyze(dag, args.concurrency, args.assume, communication=not args.no_comm)
    text = format_result(result, args.format, source=args.dag, fragment=args.fragment)
    write_output(text, args.output)
    return 0


def format_result(result: AnalysisResult, fmt: str, source: str | None = None,
                  fragment: bool = False) -> str | bytes:
    """``result`` in one of :data:`FORMATS` (what ``symcost analyze --format`` writes)."""
    data = result.to_dict()
    if fmt == "json":
        return json.dumps(data, indent=2)
    if fmt in ("md", "tex"):
        ctx = report_context(result, source=source)
        return render(f"analysis.{fmt}.j2", fragment=fragment, **ctx)
    if fmt in ("dot", "svg", "png"):
        return draw(result, fmt, source=source)
    ctx = {"r": data, "version": __version__, "source": source or result.dag.source,
           "description": result.dag.meta.get("description", ""),
           "devices": _ranges(result.dag.devices()),
           "undecided": sum(s["undecided"] for s in data["critical_path_costs"])}
    return render("analysis.txt.j2", **ctx)


def _ranges(devs: list[int]) -> str:
    if not devs:
        return "none"
    out, start, prev = [], devs[0], devs[0]
    for d in devs[1:] + [None]:  # type: ignore[list-item]
        if d is not None and d == prev + 1:
            prev = d
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if d is not None:
            start = prev = d
    return ", ".join(out)
