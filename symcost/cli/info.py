"""``symcost info DAG``: what is in a DAG (nodes, kinds, GPUs, layers, matmuls, diagnostics)."""

from __future__ import annotations

import argparse
import json

from symcost.cli.dagopts import add_dag_options, load_options
from symcost.cli.outputs import add_output_options, emit, resolve_format
from symcost.core.exitcodes import OK
from symcost.output.info import dag_info, format_info
from symcost.read.loader import load


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="what is in a DAG: counts per kind and GPU, layers, "
                       "matmuls, diagnostics",
                       description="Counts per kind and GPU, layers and stages, every matmul "
                       "with its shapes and term, and the diagnostics of reading the DAG.")
    p.add_argument("dag", help="DAG file: .yaml/.yml/.json spec or .dot/.gv Graphviz")
    add_output_options(p, ("text", "json"), "text")
    add_dag_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    dag = load(args.dag, **load_options(args))
    data = dag_info(dag)
    text = json.dumps(data, indent=2) if resolve_format(args) == "json" else format_info(data)
    emit(text, args)
    return OK
