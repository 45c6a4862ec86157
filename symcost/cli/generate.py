"""``symcost generate MODEL --tp T --pp P --ep E --dp D ...``: a deployment DAG from a model."""

from __future__ import annotations

import argparse

from symcost.core.files import write_output
from symcost.models.config import load_model, model_presets
from symcost.models.dagtext import to_dot, to_spec_yaml
from symcost.models.generate import LOADS, PHASES, Layout, generate


def _length(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def add_layout_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``generate`` and ``strategies``: phase, lengths, expert load."""
    p.add_argument("--phase", choices=PHASES, default="prefill",
                   help="prefill (the sequence length) or decode (one new token per sequence)")
    p.add_argument("--seq", type=_length, default="S", metavar="N|SYMBOL",
                   help="prefill sequence length (default: the symbol S)")
    p.add_argument("--kv-len", type=_length, default="L", metavar="N|SYMBOL",
                   help="decode KV length (default: the symbol L)")
    p.add_argument("--load", choices=LOADS, default="balanced",
                   help="expert load: balanced routing (tokens*top_k/E per expert) or "
                   "'all' (every expert sees all tokens of its group, the reference's)")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="write the deployment DAG of a model under a "
                       "parallel layout (DOT or YAML)",
                       description="Deployment DAG of a model (a preset: "
                       f"{', '.join(model_presets())}; or a config.json) under tensor, "
                       "pipeline, expert and data parallelism, in DOT (corpus conventions) "
                       "or the YAML spec; both read back to the same formula.")
    p.add_argument("model", help="model preset name or config.json file")
    for name, what in (("tp", "tensor"), ("pp", "pipeline"), ("ep", "expert"),
                       ("dp", "data")):
        p.add_argument(f"--{name}", type=int, default=1, help=f"{what}-parallel degree")
    p.add_argument("--sp", action="store_true",
                   help="sequence parallelism: reduce-scatter + all-gather for all-reduce")
    p.add_argument("--microbatches", type=int, default=1, metavar="M",
                   help="pipeline microbatches per replica (forward only, fill and drain)")
    p.add_argument("--separate-attention", type=int, default=0, metavar="A",
                   help="the reference's layout: attention on GPUs 0..A-1 ...")
    p.add_argument("--experts-on", type=int, default=0, metavar="M",
                   help="... and the experts on the next M GPUs")
    add_layout_options(p)
    p.add_argument("--no-lm-head", action="store_true", help="leave out the LM head")
    p.add_argument("--format", choices=("dot", "yaml"), default=None,
                   help="default: from the -o suffix, else dot")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_model(args.model)
    lay = Layout(tp=args.tp, pp=args.pp, ep=args.ep, dp=args.dp, sp=args.sp,
                 microbatches=args.microbatches, separate_attention=args.separate_attention,
                 experts_on=args.experts_on)
    dag = generate(cfg, lay, phase=args.phase, seq=args.seq, kv_len=args.kv_len,
                   load=args.load, lm_head=not args.no_lm_head)
    fmt = args.format or ("yaml" if (args.output or "").endswith((".yaml", ".yml")) else "dot")
    text = to_spec_yaml(dag) if fmt == "yaml" else to_dot(dag)
    write_output(text, args.output)
    return 0
