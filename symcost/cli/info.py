"""``symcost info DAG``: what is in a DAG (nodes, kinds, GPUs, layers, matmuls, diagnostics)."""

from __future__ import annotations

import argparse

from symcost.cli import batchopts
from symcost.cli.dagopts import add_dag_options, finish, load_options
from symcost.cli.outputs import add_output_options, emit, resolve_format
from symcost.core.jsontext import dumps as json_text
from symcost.output.info import dag_info, format_info
from symcost.read.loader import load
from symcost.solve.completeness import completeness


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="what is in a DAG: counts per kind and GPU, layers, "
                       "matmuls, diagnostics",
                       description="Counts per kind and GPU, layers and stages, every matmul "
                       "with its shapes and term, and the diagnostics of reading the DAG.")
    p.add_argument("dag", nargs="+", help=batchopts.DAG_HELP)
    add_output_options(p, ("text", "json"), "text")
    add_dag_options(p)
    batchopts.add_batch_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if batchopts.is_batch(args):
        loads = {**load_options(args), "allow_no_edges": True}
        return batchopts.run_tasks(args, [batchopts.Task("info", f, loads)
                                          for f in batchopts.files(args)])
    args.dag = args.dag[0]
    dag = load(args.dag, allow_no_edges=True, **load_options(args))
    data = dag_info(dag)
    text = json_text(data, indent=2) if resolve_format(args) == "json" else format_info(data)
    emit(text, args)
    return finish(args, [(args.dag, dag.diagnostics, completeness(dag))])
