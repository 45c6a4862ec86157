"""``symcost strategies MODEL --gpus N``: the layouts that can win, with certificates."""

from __future__ import annotations

import argparse

from symcost.algebra.costclasses import COST_CLASSES, strongest
from symcost.cli.generate import add_layout_options
from symcost.core.files import write_output
from symcost.core.jsontext import dumps as json_text
from symcost.models import Machine
from symcost.models.base import find_preset
from symcost.models.config import load_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("strategies", help="every valid parallel layout of a model on N GPUs: "
                       "closed forms, provably dominated ones, memory, winner per batch",
                       description="Enumerates the valid TP x PP x EP x DP layouts (and the "
                       "reference's separation layouts) of a model on N GPUs, derives each "
                       "closed form, prunes those a surviving layout provably never loses "
                       "to under the chosen cost classes (each pruned one with its "
                       "certificate), marks those that do not fit in memory, and names the "
                       "winner per batch range under a hardware model.")
    p.add_argument("model", help="model preset name or config.json file")
    p.add_argument("--gpus", type=int, required=True, metavar="N",
                   help="number of GPUs to factor into TP x PP x EP x DP layouts")
    add_layout_options(p)
    p.set_defaults(seq=2048, kv_len=2048)
    p.add_argument("--classes", default="monotone,subadditive",
                   help=f"cost classes to prune under, comma-separated ({', '.join(COST_CLASSES)}"
                   "; 'none' for no pruning; default monotone,subadditive). Each is an "
                   "assumption the certificates cite: monotone (DESIGN.md's), subadditive "
                   "(batching never hurts), flops (a GEMM's time depends on m*k*n alone: "
                   "strong, false for memory-bound shapes)")
    p.add_argument("--hw", default="h100", help="hardware preset for memory and numbers")
    p.add_argument("--dtype", default="bf16",
                   help="element type (default bf16): the preset's peak for it (fp8 on "
                   "h100, h200, b200, mi300x; refused where the hardware has none, e.g. "
                   "a100) and its bytes for the memory per GPU")
    p.add_argument("--batch", default="1:4096@64", metavar="RANGE",
                   help="batch sizes for the winner (default 1:4096@64)")
    p.add_argument("--no-separation", action="store_true",
                   help="leave out the attention/expert separation layouts")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="output format (default text)")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from symcost.cli.eval import parse_batches
    from symcost.models.strategies import analyse_strategies, winners

    classes = tuple(c.strip() for c in args.classes.split(",") if c.strip()
                    and c.strip() != "none")
    cfg = load_model(args.model)
    mem = float(find_preset("hardware.yaml", args.hw)[1].get("memory_gb"))
    # the hardware model first: a dtype the preset has no peak for (fp8 on a100) is
    # refused in one line before the search
    machine = Machine.from_options(hw=args.hw, dtype=args.dtype)
    batches = parse_batches(args.batch)
    rep = analyse_strategies(cfg, args.gpus, phase=args.phase, seq=args.seq,
                             kv_len=args.kv_len, classes=classes, memory_gb=mem,
                             dtype=args.dtype, separation=not args.no_separation,
                             load=args.load)
    rep.winners = winners(rep, machine, batches)
    rep.machine = machine.label
    if args.format == "json":
        write_output(json_text(rep.to_dict(), indent=2), args.output)
        return 0
    write_output(_text(rep, mem), args.output)
    return 0


def _text(rep, mem: float) -> str:
    lines = [f"{rep.model} on {rep.gpus} GPUs, {rep.phase}: {len(rep.strategies)} valid "
             f"layouts ({len(rep.invalid)} factorizations invalid) in {rep.seconds:.1f} s"]
    fitting = sum(s.max_batch > 0 for s in rep.strategies)
    for c in rep.classes:
        lines.append(f"  class {c}: prunes {rep.pruned_counts()[c]} of {fitting} layouts "
                     f"that fit, limits {rep.limited_counts()[c]} more to large batches "
                     f"(assumption: {COST_CLASSES[c]})")
    lines.append("")
    lines.append("surviving layouts:")
    for s in rep.survivors():
        if s.max_batch == 0:
            continue
        fit = "fits any B" if s.max_batch == float("inf") else f"fits B <= {int(s.max_batch)}"
        lines.append(f"  {s.label:<24} {fit:<16} {s.runtime}")
    nofit = [s for s in rep.survivors() if s.max_batch == 0]
    if nofit:
        lines.append("")
        lines.append("do not fit in memory (weights alone): "
                     + ", ".join(f"{s.label} ({s.weights_bytes / 1e9:.0f} GB)" for s in nofit))
    pruned = [s for s in rep.strategies if s.pruned_by]
    if pruned:
        lines.append("")
        lines.append("pruned (certificates):")
        for s in pruned:
            c = rep.classes[[c in s.pruned_by for c in rep.classes].index(True)]
            by, cert = s.pruned_by[c]
            lines.append(f"  {s.label}: {cert.text(by, s.label)}")
    best = strongest(rep.classes)
    limited = [s for s in rep.survivors() if best in s.limited_by]
    if limited:
        lines.append("")
        lines.append(f"can win only at large batches (class {best}; the layout named is "
                     "never slower and fits up to the bound):")
        for s in limited:
            by, bound, _cert = s.limited_by[best]
            lines.append(f"  {s.label}: only for B > {bound} ({by})")
    if rep.invalid:
        lines.append("")
        lines.append("invalid: " + "; ".join(f"{lay.label} ({why})" for lay, why in rep.invalid))
    lines.append("")
    lines.append(f"winner per batch range under {rep.machine} ({mem:g} GB per GPU):")
    for w in rep.winners:
        note = f" (pruned under {', '.join(w['pruned_under'])}: the hardware model is " \
            "outside that class here)" if w.get("pruned_under") else ""
        lines.append(f"  B {w['from']}..{w['to']}: {w['strategy']}{note}")
    return "\n".join(lines)
