"""``symcost compare A B``: order of two cost expressions (or two deployments)."""

from __future__ import annotations

import argparse
import json

from ..order import compare
from ..render import render
from ._output import write_output


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="decide A >= B for every monotone cost function",
                       description="Decide how two cost expressions compare for every cost "
                       "function that is non-negative and non-decreasing in each argument.")
    p.add_argument("a", help="expression, e.g. '2*Get_Time(B, 4096, 512)'")
    p.add_argument("b", help="expression")
    p.add_argument("--assume", action="append", default=[], metavar="CONSTRAINT",
                   help="bound on a symbol, e.g. 'B>=8' (repeatable; B>=1 always holds)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    result = compare(args.a, args.b, args.assume)
    data = result.to_dict()
    if args.format == "json":
        text = json.dumps(data, indent=2)
    else:
        text = render("compare.txt.j2", c=data)
    write_output(text, args.output)
    return 0
