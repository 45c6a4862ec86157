"""``symcost eval DAG``: runtime per batch size under a concrete machine.

Analyses the DAG, prices its cost atoms with a roofline (``--hw``) or measured
(``--table``) matmul model and an alpha-beta link model (``--link``), and reports the
runtime at every batch size of ``--batch``, its breakdown by operation kind, the
winning branch of each undecided ``Max`` and the crossovers between them.
"""

from __future__ import annotations

import argparse
import csv
import io

import numpy as np
import sympy

from symcost.cli import batchopts
from symcost.cli.outputs import add_output_options, emit, resolve_format
from symcost.cli.symbols import check_assumptions, check_settings
from symcost.core.errors import InputError
from symcost.core.jsontext import dumps as json_text
from symcost.models import Machine, hardware_presets, link_presets
from symcost.models.comm import ALGORITHMS
from symcost.models.evaluate import (
    Evaluation,
    parse_batches,
)
from symcost.output.evaluation import evaluate_dag


def finite_number(text: str) -> float:
    """An option value: a finite, non-negative number (symcost.core.limits)."""
    from symcost.core.errors import InputError
    from symcost.core.limits import check_time

    try:
        return check_time(text, "value")
    except InputError as err:
        raise argparse.ArgumentTypeError(err.message) from None


#: Largest number of rows the ``table`` format prints without ``--all-rows``.
TABLE_ROWS = 24


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval", help="runtime per batch size under a hardware model",
        description="Runtime of a DAG per batch size under a roofline or measured GEMM "
        "model and an alpha-beta link model, with the breakdown by operation kind, the "
        "winning branch of each undecided Max and the crossovers.")
    p.add_argument("dag", nargs="+", help=batchopts.DAG_HELP)
    p.add_argument("--hw", default="h100",
                   help=f"hardware preset ({', '.join(hardware_presets())}; default h100); "
                   "a comma list (h100,h200) sweeps every preset in one batch run")
    p.add_argument("--table", metavar="FILE.csv",
                   help="measured GEMM times m,k,n,seconds[,dtype][,batch], or a bundled "
                   "table (h100-openxla); replaces the roofline")
    p.add_argument("--link", help=f"link preset ({', '.join(link_presets())}; default: the "
                   "hardware's own)")
    p.add_argument("--dtype", default="bf16", help="element type (fp32, tf32, bf16, fp16, fp8)")
    p.add_argument("--batch", default="1:4096", metavar="RANGE",
                   help="LO:HI (every integer), LO:HI:STEP, LO:HI@COUNT (log-spaced) or "
                   "a comma list (default 1:4096); several ranges separated by ';' sweep "
                   "each in one batch run")
    p.add_argument("--efficiency", type=finite_number, default=None,
                   help="fraction of peak FLOP/s and bandwidth reached (default: the "
                   "preset's calibration, else 1)")
    p.add_argument("--launch-overhead", type=finite_number, default=None, metavar="SECONDS",
                   help="seconds added to every matmul (default: the preset's "
                   "calibration, else 0)")
    p.add_argument("--gpus-per-node", type=int, metavar="N",
                   help="second link class: collectives over more than N GPUs use the "
                   "across-node link (--node-link)")
    p.add_argument("--node-link", help="across-node link preset (default: the hardware's "
                   "node_link)")
    p.add_argument("--algorithm", choices=ALGORITHMS, default="ring",
                   help="collective algorithm for all-reduce and broadcast (default ring)")
    p.add_argument("--alpha", type=finite_number, metavar="SECONDS",
                   help="per-step link latency (default: the link preset's)")
    p.add_argument("--compute-only", action="store_true",
                   help="evaluate the compute-only runtime (communication at zero cost)")
    p.add_argument("--concurrency", choices=("device", "dag", "overlap"), default="device",
                   help="device: one operation at a time per GPU; dag: DAG edges only; "
                   "overlap: a compute and a communication stream per GPU")
    p.add_argument("--assume", action="append", default=[], metavar="CONSTRAINT",
                   help="bound on a symbol for the analysis, e.g. 'B>=8' (repeatable)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="give a symbolic dimension a value, e.g. S=2048 (repeatable)")
    add_output_options(p, ("table", "csv", "json"), "table")
    p.add_argument("--all-rows", action="store_true",
                   help="table format: print every batch size, not a sample")
    p.add_argument("--plot", metavar="FILE", help="also write a PNG/SVG/PDF plot")
    try:
        from symcost.cli.dagopts import add_dag_options

        add_dag_options(p)
    except ImportError:  # pragma: no cover - older trees without shared DAG options
        pass
    batchopts.add_batch_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from symcost.read.loader import load
    from symcost.solve.analysis import analyze

    hws = [h.strip() for h in args.hw.split(",") if h.strip()] or [args.hw]
    ranges = [b.strip() for b in args.batch.split(";") if b.strip()] or [args.batch]
    if batchopts.is_batch(args, extra_tasks=len(hws) * len(ranges) > 1):
        return _run_batch(args, hws, ranges)
    args.dag = args.dag[0]
    batch_notes: list[str] = []
    batches = parse_batches(args.batch, batch_notes)
    machine = Machine.from_options(
        hw=args.hw, table=args.table, link=args.link, dtype=args.dtype,
        efficiency=args.efficiency, launch_overhead=args.launch_overhead,
        gpus_per_node=args.gpus_per_node, node_link=args.node_link,
        algorithm=args.algorithm, alpha=args.alpha, no_comm=args.compute_only)
    try:
        from symcost.cli.dagopts import load_options

        options = load_options(args)
    except ImportError:  # pragma: no cover
        options = {}
    dag = load(args.dag, **options)
    check_assumptions(dag, args.assume)
    result = analyze(dag, args.concurrency, args.assume)
    taken = {str(p.get("name")) for p in dag.meta.get("parameters", []) or []
             if p.get("source") == "--set"}  # model parameters the DOT reader applied
    check_settings(dag, args.set, skip=taken)
    from symcost.cli.dagopts import finish

    run_ = evaluate_dag(args.dag, dag, result, machine, batches,
                        concurrency=args.concurrency, compute_only=args.compute_only,
                        sets=args.set, efficiency_given=args.efficiency, table=args.table,
                        notes=batch_notes)
    ev, comp, info = run_.evaluation, run_.completeness, run_.info
    fmt = resolve_format(args)
    if fmt == "json":
        text = json_text(run_.to_dict(), indent=1)
    elif fmt == "csv":
        text = _csv(ev, info["efficiency"])
    else:
        text = _table(ev, info, machine, all_rows=args.all_rows,
                      arg_names=branch_names(result, ev))
    emit(text, args)
    if args.plot:  # only once the main output is written
        from symcost.output.plot import plot_evaluation

        name = dag.name or args.dag
        plot_evaluation(ev, args.plot, title=f"{name}: runtime vs batch size "
                        f"({args.concurrency} concurrency)",
                        subtitle=f"{machine.label}, {_eff(info['efficiency'])}",
                        arg_names=branch_names(result, ev))
    return finish(args, [(args.dag, result.diagnostics, comp)])


def _run_batch(args: argparse.Namespace, hws: list[str], ranges: list[str]) -> int:
    """Every file x hardware preset x batch range as one task (a design sweep)."""
    from symcost.cli.dagopts import load_options

    if args.format == "csv" or args.plot:
        raise InputError("--format csv and --plot need one DAG, one --hw and one --batch; "
                         "a batch run writes JSON Lines (one --format json record per task)")
    for r in ranges:
        parse_batches(r)  # a bad range is the command line's error, not every task's
    loads = load_options(args)
    tasks = []
    for f in batchopts.files(args):
        for hw in hws:
            for batch in ranges:
                machine = {"hw": hw, "table": args.table, "link": args.link,
                           "dtype": args.dtype, "efficiency": args.efficiency,
                           "launch_overhead": args.launch_overhead,
                           "algorithm": args.algorithm, "alpha": args.alpha,
                           "gpus_per_node": args.gpus_per_node, "node_link": args.node_link,
                           "no_comm": args.compute_only}
                tasks.append(batchopts.Task("eval", f, loads, {
                    "machine": machine, "hw": hw, "table": args.table, "batch": batch,
                    "concurrency": args.concurrency, "assume": list(args.assume),
                    "compute_only": args.compute_only, "set": list(args.set),
                    "efficiency_given": args.efficiency}))
    return batchopts.run_tasks(args, tasks)


def branch_names(result, ev: Evaluation) -> dict[int, dict[int, str]]:
    """For each undecided ``Max`` of the evaluation, its arguments named by the source
    node of the fork-join branch they come from (``branch from attn_0``)."""
    fjs = [f for f in result.full.branches + result.compute.branches if f.term is not None]
    out: dict[int, dict[int, str]] = {}
    for br in ev.branches:
        names: dict[int, str] = {}
        for f in fjs:
            kept = {b.residual: b.pred for b in f.branches if b.kept}
            args = set(br.args)
            if not args <= set(kept) and sympy.Max(*kept) != sympy.Max(*br.args):
                continue
            for j, a in enumerate(br.args):
                if a in kept:
                    names[j] = f"branch from {kept[a]}"
            if names:
                break
        out[br.index] = names
    return out


def _arg_name(branch: int | None, arg: int | str, names: dict[int, dict[int, str]]) -> str:
    if branch is None or not isinstance(arg, int):
        return str(arg)
    return names.get(branch, {}).get(arg, f"argument {arg}")


def _eff(efficiency: float | None) -> str:
    return "measured" if efficiency is None else f"{efficiency:.0%} of peak"


def _csv(ev: Evaluation, efficiency: float | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names = list(ev.breakdown)
    w.writerow(["B", "runtime_s", *[f"{n}_s" for n in names],
                *[f"{b.kind.lower()}{b.index + 1}_argument" for b in ev.branches],
                "efficiency"])
    cols = [ev.breakdown[n] for n in names]
    eff = "measured" if efficiency is None else repr(float(efficiency))
    for i, b in enumerate(ev.batches):
        w.writerow([int(b), repr(float(ev.runtime[i])), *[repr(float(c[i])) for c in cols],
                    *[int(br.choice[i]) for br in ev.branches], eff])
    return buf.getvalue()


def _sample(ev: Evaluation) -> list[int]:
    """Indices to show: ends, powers of two, and both sides of each crossover."""
    bs = ev.batches
    want = {int(bs[0]), int(bs[-1])}
    p = 1
    while p <= bs[-1]:
        want.add(p)
        p *= 2
    for c in ev.crossovers:
        want.update((c.below, c.above))
    idx = sorted({int(i) for i in np.searchsorted(bs, sorted(want)) if i < len(bs)
                  and int(bs[i]) in want})
    if len(idx) > TABLE_ROWS:
        keep = set(np.linspace(0, len(idx) - 1, TABLE_ROWS).astype(int))
        extra = {i for i in idx if int(bs[i]) in {c.below for c in ev.crossovers}
                 | {c.above for c in ev.crossovers}}
        idx = sorted({idx[k] for k in keep} | extra)
    return idx


def _table(ev: Evaluation, info: dict, machine: Machine, *, all_rows: bool,
           arg_names: dict[int, dict[int, str]] | None = None) -> str:
    arg_names = arg_names or {}
    scale, unit = _unit(ev.runtime)
    names = list(ev.breakdown)
    lines = [f"machine: {machine.label}"]
    for key, model in (("matmul", machine.matmul), ("comm", machine.comm)):
        if model is not None:
            d = model.describe()
            lines.append(f"  {key}: " + ", ".join(f"{k}={v}" for k, v in d.items()
                                                  if k not in ("model", "name")))
    lines.append(f"dag: {info['dag']} ({info['concurrency']} concurrency"
                 + (", compute only" if info["compute_only"] else "") + ")")
    bs = ev.batches
    lines.append(f"batch sizes: {len(bs)} from {bs[0]} to {bs[-1]}")
    lines.append(f"reading: {info['completeness']['summary']}")
    eff = _eff(info.get("efficiency"))
    lines.append(f"efficiency: {eff} ({info.get('efficiency_source')}); every time below "
                 "assumes it")
    lines.append("")
    head = ["B", f"runtime [{unit}, {eff}]", *[f"{n} [{unit}]" for n in names]]
    rows = range(len(bs)) if all_rows or len(bs) <= TABLE_ROWS else _sample(ev)
    body = [[str(int(bs[i])), f"{ev.runtime[i] / scale:.6g}",
             *[f"{ev.breakdown[n][i] / scale:.6g}" for n in names]] for i in rows]
    widths = [max(len(h), *(len(r[j]) for r in body)) for j, h in enumerate(head)]
    lines.append("  ".join(h.rjust(w) for h, w in zip(head, widths)))
    lines.extend("  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in body)
    if not all_rows and len(bs) > len(list(rows)):
        lines.append(f"({len(list(rows))} of {len(bs)} batch sizes shown; --format csv or "
                     "--all-rows for every one)")
    lines.append("")
    path = info["critical_path"]
    lines.append(f"critical path ({len(path)} nodes): " + " -> ".join(path[:12])
                 + (" -> ..." if len(path) > 12 else ""))
    if ev.branches:
        lines.append("undecided branches (Max/Min left by the order engine), winner per B:")
        for br in ev.branches:
            segs = ", ".join(f"{_arg_name(br.index, s['argument'], arg_names)} for B "
                             f"{s['from']}..{s['to']}" for s in br.segments(bs))
            lines.append(f"  {br.kind} #{br.index + 1}"
                         + ("" if br.defined_in == "runtime" else f" (in {br.defined_in})")
                         + f": {segs}")
            for j, a in enumerate(br.args):
                text = str(a)
                lines.append(f"    {_arg_name(br.index, j, arg_names)}: {text[:160]}"
                             f"{'...' if len(text) > 160 else ''}")
        if ev.crossovers:
            lines.append("crossovers (the critical path changes there):")
            for c in ev.crossovers:
                lines.append(f"  {c.label}: {_arg_name(c.branch, c.before, arg_names)} -> "
                             f"{_arg_name(c.branch, c.after, arg_names)} at {c.where()}")
        else:
            lines.append("no crossover in this batch range: the critical path is the same "
                         "for every B shown")
    else:
        lines.append("no undecided branch: the critical path is the same for every B")
    lines.extend(f"note: {n}" for n in ev.notes)
    return "\n".join(lines) + "\n"


def _unit(values: np.ndarray) -> tuple[float, str]:
    top = float(np.max(values)) if len(values) else 1.0
    for scale, name in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")):
        if top >= scale:
            return scale, name
    return 1e-9, "ns"
