"""``symcost check DAG --claim EXPR``: is a hand-written runtime claim right?

Exit status: 0 when the claim equals the derived runtime, 1 when it does not (or cannot
be decided), 2 on bad input, 3 with ``--strict`` when the derived runtime is incomplete
(that wins over 1: the comparison is then with a formula that misses something).
"""

from __future__ import annotations

import argparse

from symcost.cli.dagopts import add_dag_options, finish, load_options
from symcost.cli.outputs import add_output_options, emit, resolve_format
from symcost.cli.symbols import check_assumptions
from symcost.core.exitcodes import OK, VERDICT
from symcost.core.jsontext import dumps as json_text
from symcost.output.render import render
from symcost.read.loader import load
from symcost.solve.analysis import analyze
from symcost.solve.claims import check_claim
from symcost.solve.completeness import require_runtime


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="check a hand-written runtime claim against a DAG",
                       description="Compare a runtime claim with the runtime derived from "
                       "a DAG, for every monotone Get_Time: equal, underestimates, "
                       "overestimates or incomparable, with the terms it misses or adds. "
                       "Exit status 0 when equal, 1 otherwise.")
    p.add_argument("dag", help="DAG file: .yaml/.yml/.json spec or .dot/.gv Graphviz")
    p.add_argument("--claim", required=True, metavar="EXPR",
                   help="the claimed runtime, e.g. '4*(Get_Time(B*2048, 4096, 16384) + ...)'")
    p.add_argument("--with-comm", action="store_true",
                   help="compare with the runtime including communication "
                   "(default: compute only)")
    add_output_options(p, ("text", "json"), "text")
    p.add_argument("--concurrency", choices=("device", "dag"), default="device",
                   help="device: one operation at a time per GPU (default); dag: DAG edges only")
    p.add_argument("--assume", action="append", default=[], metavar="CONSTRAINT",
                   help="bound on a symbol, e.g. 'B>=8' (repeatable)")
    add_dag_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    dag = load(args.dag, **load_options(args))
    check_assumptions(dag, args.assume)
    result = analyze(dag, args.concurrency, args.assume)
    require_runtime(result.completeness, args.dag)
    chk = check_claim(result, args.claim, with_comm=args.with_comm, assume=args.assume)
    data = chk.to_dict()
    data["dag"] = args.dag
    data["concurrency"] = args.concurrency
    if result.completeness is not None:
        data["completeness"] = result.completeness.to_dict()
    if resolve_format(args) == "json":
        text = json_text(data, indent=2)
    else:
        text = render("check.txt.j2", c=data)
    emit(text, args)
    status = finish(args, [(args.dag, result.diagnostics, result.completeness)])
    return status if status != OK else (OK if chk.ok else VERDICT)
