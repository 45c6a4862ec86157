"""``symcost info DAG``: what is in a DAG (nodes, kinds, GPUs, layers, matmuls, diagnostics)."""

from __future__ import annotations

import argparse
import json

from symcost.cli.dagopts import add_dag_options, load_options
from symcost.core.files import write_output
from symcost.output.info import dag_info, format_info
from symcost.read.loader import load


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="what is in a DAG: counts per kind and GPU, layers, "
                       "matmuls, diagnostics",
                       description="Counts per kind and GPU, layers and stages, every matmul "
                       "with its shapes and term, and the diagnostics of reading the DAG.")
    p.add_argument("dag", help="DAG file: .yaml/.yml/.json spec or .dot/.gv Graphviz")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    add_dag_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    options = load_options(args)
    if str(args.dag).lower().endswith((".dot", ".gv")):
        options["allow_no_edges"] = True  # info shows the reading even without data flow
    dag = load(args.dag, **options)
    data = dag_info(dag)
    text = json.dumps(data, indent=2) if args.format == "json" else format_info(data)
    write_output(text, args.output)
    return 0
