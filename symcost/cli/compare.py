"""``symcost compare A B``: order of two cost expressions, or of two deployments.

With two expressions: the order engine's verdict with certificate or counterexample.
With two DAG files (a baseline and a proposal): the symbolic verdict on their runtimes,
then, under a cost model (``--hw``/``--table``), the speedup per batch size and the
crossovers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from symcost.algebra.order import compare
from symcost.cli.dagopts import add_dag_options, finish, load_options
from symcost.cli.outputs import add_output_options, emit, resolve_format
from symcost.core.errors import SymcostError
from symcost.core.exitcodes import OK, VERDICT
from symcost.core.jsontext import dumps as json_text
from symcost.core.symbols import used_names
from symcost.output.render import render
from symcost.read.loader import load, readers
from symcost.solve.completeness import require_runtime


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
    add_output_options(p, ("text", "json"), "text")
    g = p.add_argument_group("deployments (two DAG files)")
    g.add_argument("--concurrency", choices=("device", "dag"), default="device",
                   help="device: one operation at a time per GPU; dag: DAG edges only")
    g.add_argument("--compute-only", action="store_true",
                   help="compare the compute-only runtimes")
    g.add_argument("--hw", default="h100", help="hardware preset for the numbers")
    g.add_argument("--table", metavar="FILE.csv", help="measured GEMM table instead of --hw")
    g.add_argument("--link", help="link preset (default: the hardware's own)")
    g.add_argument("--dtype", default="bf16", help="element type of the cost model")
    g.add_argument("--batch", default="1:4096", metavar="RANGE",
                   help="batch sizes: LO:HI, LO:HI:STEP, LO:HI@COUNT or a list")
    g.add_argument("--plot", metavar="FILE", help="write runtimes and speedup vs B (png/svg)")
    add_dag_options(p)
    p.set_defaults(run=run)


def _completeness(result) -> dict | None:
    return None if result.completeness is None else result.completeness.to_dict()


#: Verdicts for which ``compare A B`` exits 0: A >= B is proved for every monotone cost
#: (for two DAG files: the first deployment is never faster than the second).
SUCCESS = (">=", "==")


def _is_dag_file(text: str) -> bool:
    return Path(text).suffix.lower() in readers() and Path(text).is_file()


def run(args: argparse.Namespace) -> int:
    a_file, b_file = _is_dag_file(args.a), _is_dag_file(args.b)
    if a_file != b_file:
        raise SymcostError("compare takes two expressions or two DAG files, not one of each")
    if a_file:
        data, (ra, rb) = _deployments(args)
        data = {"symcost": 1, "kind": "deployments", **data}
        text = json_text(data, indent=2) if resolve_format(args) == "json" else \
            render("compare_deployments.txt.j2", d=data)
        verdict = data["symbolic"].get("verdict")
    else:
        cmp = compare(args.a, args.b, args.assume)
        data = {"symcost": 1, "kind": "comparison", **cmp.to_dict(),
                **used_names(cmp.left, cmp.right)}
        text = json_text(data, indent=2) if resolve_format(args) == "json" else \
            render("compare.txt.j2", c=data)
        verdict = data["verdict"]
    emit(text, args)
    if a_file and args.plot:  # only once the main output is written
        from symcost.output.plot import plot_comparison

        plot_comparison(data["numeric"], args.plot)
    status = OK if verdict in SUCCESS else VERDICT
    if a_file:
        reading = finish(args, [(args.a, ra.diagnostics, ra.completeness),
                                (args.b, rb.diagnostics, rb.completeness)])
        if reading != OK:  # --strict on an incomplete reading wins over the verdict
            return reading
    return status


def deployment_names(ra, rb, a: str, b: str) -> tuple[str, str]:
    """The deployments' own names (their DAG names) for legends and tables; the file
    names when the DAGs are called the same."""
    na, nb = ra.dag.name or Path(a).stem, rb.dag.name or Path(b).stem
    if na == nb:
        na, nb = Path(a).name, Path(b).name
    return (na, nb) if na != nb else (a, b)


def _deployments(args: argparse.Namespace) -> tuple[dict, tuple]:
    """The comparison's data, and the two analysis results."""
    from symcost.models import Machine
    from symcost.models.deployments import compare_deployments
    from symcost.models.evaluate import parse_batches
    from symcost.solve.analysis import analyze

    opts = load_options(args)
    ra = analyze(load(args.a, **opts), args.concurrency, args.assume)
    require_runtime(ra.completeness, args.a)
    rb = analyze(load(args.b, **opts), args.concurrency, args.assume)
    require_runtime(rb.completeness, args.b)
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
                                  names=deployment_names(ra, rb, args.a, args.b), compute_only=args.compute_only)
    if notes and isinstance(numeric, dict):
        numeric.setdefault("notes", []).extend(notes)
    return {"a": args.a, "b": args.b, "concurrency": args.concurrency,
            "completeness": {"a": _completeness(ra), "b": _completeness(rb)},
            "compute_only": args.compute_only, "symbolic": symbolic,
            "numeric": numeric}, (ra, rb)
