"""``symcost analyze DAG``: closed-form runtime, critical path, branches."""

from __future__ import annotations

import argparse
import json

from .. import __version__
from ..analysis import AnalysisResult, analyze
from ..loader import load
from ..picture import draw
from ..render import render
from ..report import ranges, report_context
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
    m = p.add_argument_group("crossovers under a cost model (md, tex, json)")
    m.add_argument("--hw", help="hardware preset (h100, h200, a100, b200, mi300x): adds the "
                   "batch sizes where an undecided Max changes its dominant branch")
    m.add_argument("--table", metavar="FILE.csv", help="measured GEMM table instead of --hw")
    m.add_argument("--dtype", default="bf16")
    m.add_argument("--batch", default="1:4096", metavar="RANGE",
                   help="batch sizes searched for crossovers (default 1:4096)")
    add_dag_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    dag = load(args.dag, **load_options(args))
    result = analyze(dag, args.concurrency, args.assume, communication=not args.no_comm)
    crossovers = None
    if args.hw or args.table:
        crossovers = model_crossovers(result, hw=args.hw, table=args.table, dtype=args.dtype,
                                      batch=args.batch)
    text = format_result(result, args.format, source=args.dag, fragment=args.fragment,
                         crossovers=crossovers)
    write_output(text, args.output)
    return 0


def model_crossovers(result: AnalysisResult, *, hw: str | None, table: str | None,
                     dtype: str, batch: str) -> dict:
    """Crossovers of the undecided ``Max`` terms under a cost model, as plain data."""
    from ..costmodels import Machine
    from ..evaluate import evaluate_result, parse_batches

    machine = Machine.from_options(hw=None if table else hw, table=table, dtype=dtype)
    ev = evaluate_result(result, machine, parse_batches(batch))
    desc = ev.machine
    name = desc.get("matmul", {}).get("name", "") if isinstance(desc, dict) else str(desc)
    if isinstance(desc, dict) and desc.get("comm"):
        name += " + " + desc["comm"].get("name", "")
    args = {b.index: b.args for b in ev.branches}
    items = []
    for c in ev.crossovers:
        where = (f"B = {c.exact}" + ("" if c.exact.is_Integer else f" (about {c.value:.6g})")
                 if c.exact is not None else f"between B = {c.below} and B = {c.above}")
        branch_args = args.get(c.branch, [])
        if isinstance(c.before, int) and isinstance(c.after, int) and branch_args:
            items.append(f"{c.label}: the longest branch changes from "
                         f"{branch_args[c.before]} to {branch_args[c.after]} at {where}")
        else:
            items.append(f"{c.label}: {c.before} -> {c.after} at {where}")
    return {"model": name, "batch_range": batch, "items": items,
            "data": [c.to_dict() for c in ev.crossovers]}


def format_result(result: AnalysisResult, fmt: str, source: str | None = None,
                  fragment: bool = False, crossovers: dict | None = None) -> str | bytes:
    """``result`` in one of :data:`FORMATS` (what ``symcost analyze --format`` writes).

    ``crossovers`` (from :func:`model_crossovers`) adds a crossover section to md/tex and
    a ``crossovers`` key to json."""
    data = result.to_dict()
    if fmt == "json":
        if crossovers is not None:
            data["crossovers"] = {"model": crossovers["model"],
                                  "batch_range": crossovers["batch_range"],
                                  "items": crossovers["data"]}
        return json.dumps(data, indent=2)
    if fmt in ("md", "tex"):
        ctx = report_context(result, source=source)
        return render(f"analysis.{fmt}.j2", fragment=fragment,
                      crossovers=None if crossovers is None else crossovers["items"],
                      model=None if crossovers is None else crossovers["model"],
                      batch_range=None if crossovers is None else crossovers["batch_range"],
                      **ctx)
    if fmt in ("dot", "svg", "png"):
        return draw(result, fmt, source=source)
    ctx = {"r": data, "version": __version__, "source": source or result.dag.source,
           "description": result.dag.meta.get("description", ""),
           "devices": ranges(result.dag.devices()),
           "undecided": sum(s["undecided"] for s in data["critical_path_costs"])}
    return render("analysis.txt.j2", **ctx)
