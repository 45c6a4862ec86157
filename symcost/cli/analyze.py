"""``symcost analyze DAG``: closed-form runtime, critical path, branches."""

from __future__ import annotations

import argparse

from symcost.cli import batchopts
from symcost.cli.dagopts import add_dag_options, finish, load_options
from symcost.cli.outputs import add_output_options, emit, resolve_format
from symcost.cli.symbols import check_assumptions
from symcost.core.errors import InputError
from symcost.output.crossovers import model_crossovers
from symcost.output.formats import FORMATS, SECTION_LEVELS, report
from symcost.read.loader import load
from symcost.solve.analysis import analyze
from symcost.solve.completeness import require_runtime


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="closed-form runtime of a DAG in the batch size B",
                       description="Closed-form runtime of a DAG in the batch size B.")
    p.add_argument("dag", nargs="+", help=batchopts.DAG_HELP)
    add_output_options(p, FORMATS, "text")
    p.add_argument("--concurrency", choices=("device", "dag", "overlap"), default="device",
                   help="device: one operation at a time per GPU (default); dag: DAG edges "
                   "only; overlap: a compute and a communication stream per GPU")
    p.add_argument("--assume", action="append", default=[], metavar="CONSTRAINT",
                   help="bound on a symbol, e.g. 'B>=8' (repeatable)")
    p.add_argument("--no-comm", action="store_true",
                   help="communication costs zero in the runtime too")
    p.add_argument("--fragment", action="store_true",
                   help="with tex: a fragment to \\input into a paper (one or two columns), "
                   "not a complete document")
    p.add_argument("--section-level", choices=SECTION_LEVELS, default=None,
                   help="with tex: the sectioning command of the report's top headings "
                   "(default: subsection* in a fragment, section in a document)")
    p.add_argument("--figure", metavar="FILE",
                   help="critical-path picture to embed (tex: a PDF/PNG file, md: linked)")
    p.add_argument("--runtime-plot", metavar="FILE",
                   help="runtime-vs-B plot to embed in tex (e.g. from symcost eval --plot)")
    m = p.add_argument_group("crossovers under a cost model (md, tex, json)")
    m.add_argument("--hw", help="hardware preset (h100, h200, a100, b200, mi300x): adds the "
                   "batch sizes where an undecided Max changes its dominant branch")
    m.add_argument("--table", metavar="FILE.csv", help="measured GEMM table instead of --hw")
    m.add_argument("--dtype", default="bf16", help="element type of the cost model")
    m.add_argument("--batch", default="1:4096", metavar="RANGE",
                   help="batch sizes searched for crossovers (default 1:4096)")
    add_dag_options(p)
    batchopts.add_batch_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if batchopts.is_batch(args):
        return _run_batch(args)
    args.dag = args.dag[0]
    dag = load(args.dag, **load_options(args))
    check_assumptions(dag, args.assume)
    result = analyze(dag, args.concurrency, args.assume, communication=not args.no_comm)
    require_runtime(result.completeness, args.dag)
    crossovers = None
    if args.hw or args.table:
        crossovers = model_crossovers(result, hw=args.hw, table=args.table, dtype=args.dtype,
                                      batch=args.batch)
    text = report(result, resolve_format(args), source=args.dag, fragment=args.fragment,
                  crossovers=crossovers, section_level=args.section_level,
                  figure=args.figure, plot=args.runtime_plot)
    emit(text, args)
    return finish(args, [(args.dag, result.diagnostics, result.completeness)])


def _run_batch(args: argparse.Namespace) -> int:
    if args.format not in (None, "text", "json"):
        raise InputError(f"--format {args.format} needs one DAG file; a batch run writes "
                         "JSON Lines (one --format json record per file)")
    options = {"concurrency": args.concurrency, "assume": list(args.assume),
               "no_comm": args.no_comm, "hw": args.hw, "table": args.table,
               "dtype": args.dtype, "batch": args.batch}
    loads = load_options(args)
    tasks = [batchopts.Task("analyze", f, loads, options) for f in batchopts.files(args)]
    return batchopts.run_tasks(args, tasks)
