"""``symcost analyze DAG``: closed-form runtime, critical path, branches."""

from __future__ import annotations

import argparse

from symcost.cli.dagopts import add_dag_options, load_options
from symcost.core.files import write_output
from symcost.output.crossovers import model_crossovers
from symcost.output.formats import FORMATS, report
from symcost.read.loader import load
from symcost.solve.analysis import analyze


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="closed-form runtime of a DAG in the batch size B",
                       description="Closed-form runtime of a DAG in the batch size B.")
    p.add_argument("dag", help="DAG file: .yaml/.yml/.json spec or .dot/.gv Graphviz")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument("--concurrency", choices=("device", "dag", "overlap"), default="device",
                   help="device: one operation at a time per GPU (default); dag: DAG edges "
                   "only; overlap: a compute and a communication stream per GPU")
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
    text = report(result, args.format, source=args.dag, fragment=args.fragment,
                  crossovers=crossovers)
    write_output(text, args.output)
    return 0
