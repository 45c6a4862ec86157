"""``symcost explain DAG [NODE...]``: how each node was read, so a user can check it.

For each node (every node when none is named): the label, the words and shapes read, the
operation rule and why it won (and the candidates that lost), the GPUs and where they came
from, shapes inferred from neighbours, sizes assumed, the matmuls and cost terms, and the
diagnostics naming the node. An unknown node id is a one-line error naming close matches.
"""

from __future__ import annotations

import argparse

from symcost.cli.dagopts import add_dag_options, finish, load_options
from symcost.cli.outputs import add_output_options, emit, resolve_format
from symcost.core.jsontext import dumps as json_text
from symcost.output.explain import explain_nodes, explain_text
from symcost.read.loader import load
from symcost.solve.completeness import completeness


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explain", help="how each node of a DAG was read: words, shapes, "
                       "rule, GPUs, inferred shapes, cost terms",
                       description="For each node (all when none is named): the words and "
                       "shapes read from its label, the rule and why it won, the candidates "
                       "that lost, its GPUs and where they came from, shapes inferred from "
                       "neighbours, and its cost terms.")
    p.add_argument("dag", help="DAG file: .yaml/.yml/.json spec or .dot/.gv Graphviz")
    p.add_argument("nodes", nargs="*", metavar="NODE", help="node ids (default: every node)")
    add_output_options(p, ("text", "json"), "text")
    add_dag_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    dag = load(args.dag, allow_no_edges=True, **load_options(args))
    entries = explain_nodes(dag, args.nodes)
    comp = completeness(dag)
    if resolve_format(args) == "json":
        text = json_text({"symcost": 1, "dag": args.dag, "completeness": comp.to_dict(),
                           "nodes": entries}, indent=2)
    else:
        text = explain_text(entries, file=args.dag)
    emit(text, args)
    return finish(args, [(args.dag, dag.diagnostics, comp)])
