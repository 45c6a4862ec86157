"""``symcost compare A B``: order of two cost expressions, or of two deployments.

With two expressions: the order engine's verdict with certificate or counterexample.
With two DAG files (a baseline and a proposal): the symbolic verdict on their runtimes,
then, under a cost model (``--hw``/``--table``), the speedup per batch size and the
crossovers.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from symcost.algebra.order import compare
from symcost.cli.dagopts import add_dag_options, load_options
from symcost.core.errors import SymcostError
from symcost.core.files import write_output
from symcost.output.render import render
from symcost.read.loader import load, readers


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="decide A >= B for every monotone cost function, "
                       "or compare two deployments",
                       description="Decide how two cost expressions compare for every cost "
                       "function that is non-negative and non-decreasing in each argument; "
                       "given two DAG files, compare the deployments symbolically and under "
                       "a cost model.")
    p.add_argument("a", help="expression, e.g. '2*Get_Time(B, 4096, 512)', or a DAG file")
    p.add_argument("b", help="expression, or a DAG file")
    p.add_argument("--assume", action="append", default=[], metavar="CONSTRAINT",
                   help="bound on a symbol, e.g. 'B>=8' (repeatable; B>=1 always holds)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    g = p.add_argument_group("deployments (two DAG files)")
    g.add_argument("--concurrency", choices=("device", "dag"), default="device")
    g.add_argument("--compute-only", action="store_true",
                   help="compare the compute-only runtimes")
    g.add_argument("--hw", default="h100", help="hardware preset for the numbers")
    g.add_argument("--table", metavar="FILE.csv", help="measured GEMM table instead of --hw")
    g.add_argument("--link", help="link preset (default: the hardware's own)")
    g.add_argument("--dtype", default="bf16")
    g.add_argument("--batch", default="1:4096", metavar="RANGE",
                   help="batch sizes: LO:HI, LO:HI:STEP, LO:HI@COUNT or a list")
    g.add_argument("--plot", metavar="FILE", help="write runtimes and speedup vs B (png/svg)")
    add_dag_options(p)
    p.set_defaults(run=run)


def _is_dag_file(text: str) -> bool:
    return Path(text).suffix.lower() in readers() and Path(text).is_file()


def run(args: argparse.Namespace) -> int:
    a_file, b_file = _is_dag_file(args.a), _is_dag_file(args.b)
    if a_file != b_file:
        raise SymcostError("compare takes two expressions or two DAG files, not one of each")
    if a_file:
        data = _deployments(args)
        text = json.dumps(data, indent=2) if args.format == "json" else \
            render("compare_deployments.txt.j2", d=data)
    else:
        data = compare(args.a, args.b, args.assume).to_dict()
        text = json.dumps(data, indent=2) if args.format == "json" else \
            render("compare.txt.j2", c=data)
    write_output(text, args.output)
    if a_file and args.plot:  # only once the main output is written
        from symcost.output.plot import plot_comparison

        plot_comparison(data["numeric"], args.plot)
    return 0


def _deployments(args: argparse.Namespace) -> dict:
    from symcost.models import Machine
    from symcost.models.deployments import compare_deployments
    from symcost.models.evaluate import parse_batches
    from symcost.solve.analysis import analyze

    opts = load_options(args)
    ra = analyze(load(args.a, **opts), args.concurrency, args.assume)
    rb = analyze(load(args.b, **opts), args.concurrency, args.assume)
    ea = ra.runtime_compute_only if args.compute_only else ra.runtime
    eb = rb.runtime_compute_only if args.compute_only else rb.runtime
    if ra.nested or rb.nested:
        symbolic = {"verdict": "unknown", "left": str(ea), "right": str(eb),
                    "note": "a runtime is kept in nested form; compared numerically only"}
    else:
        symbolic = compare(ea, eb, args.assume).to_dict()
    machine = Machine.from_options(hw=None if args.table else args.hw, table=args.table,
                                   link=args.link, dtype=args.dtype)
    notes: list[str] = []
    numeric = compare_deployments(ra, rb, machine, parse_batches(args.batch, notes),
                                  names=(args.a, args.b), compute_only=args.compute_only)
    if notes and isinstance(numeric, dict):
        numeric.setdefault("notes", []).extend(notes)
    return {"a": args.a, "b": args.b, "concurrency": args.concurrency,
            "compute_only": args.compute_only, "symbolic": symbolic, "numeric": numeric}
