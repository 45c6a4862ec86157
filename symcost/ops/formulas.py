"""Cost formulas: a node's label dimensions to matmuls and communication atoms.

Each rule of the table names one of :data:`FORMULAS`; they follow the conventions of
DESIGN.md (linear layers, attention, MLPs, routers, collectives).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy

from symcost.core.dag import Matmul
from symcost.core.symbols import COLLECTIVES, Get_Time
from symcost.labels.dims import Scale, Tensor
from symcost.labels.label import LabelInfo
from symcost.ops.rule import Rule


@dataclass(frozen=True)
class CostResult:
    """Cost of one node: sympy cost, its matmuls, and a problem when dims were missing."""

    cost: sympy.Expr = sympy.S.Zero
    matmuls: tuple[Matmul, ...] = ()
    problem: str | None = None
    #: what was assumed for sizes the label does not give: (key, message) pairs, e.g.
    #: ``("symbol:F_expert", "...")``, ``("param:ffn_expert", "...")``, ``("count:E", ...)``
    assumed: tuple[tuple[str, str], ...] = ()
    #: the operation is known but its sizes are not: the reader puts an explicit
    #: unknown-cost atom in place of the cost (never 0)
    unknown: bool = False
    #: one line about a choice the shapes forced against the words (a warning)
    overruled: str | None = None


@dataclass(frozen=True)
class Context:
    """What a cost formula sees: the label, the input inherited from a predecessor,
    the scaling of dims, and the number of devices (communication group size)."""

    info: LabelInfo
    scale: Scale
    inherited: Tensor | None = None
    group: int = 0
    rule: Rule | None = None
    #: model parameters by role (``ffn``, ``ffn_expert``, ``experts``, ``hidden``, ...):
    #: (value, source) pairs from ``--set`` / ``--params``
    params: dict[str, tuple[sympy.Expr, str]] = field(default_factory=dict)
    #: experts the graph shows behind a router gate, and how they were counted, or None
    experts_seen: tuple[int, str] | None = None
    #: output taken from a neighbour when the label has none (or writes ``[same]``)
    inferred_output: Tensor | None = None
    #: a successor computes ``scores x V`` (so a scores node is ``QK^T`` only)
    av_follows: bool = False
    #: the model width a width-preserving block (MoE) has when its own tensors give
    #: none: (value, where it was read), from the nodes it feeds or a drawn replica
    width_hint: tuple[sympy.Expr, str] | None = None

    @property
    def input(self) -> Tensor | None:
        return self.inherited if self.inherited is not None else self.info.input

    @property
    def output(self) -> Tensor | None:
        if self.inferred_output is not None:
            return self.inferred_output
        return self.info.output


def _positive(*vals: sympy.Expr | None) -> bool:
    return all(v is not None and not (v.is_number and v <= 0) for v in vals)


def _first(*vals: sympy.Expr | None) -> sympy.Expr | None:
    return next((v for v in vals if v is not None), None)


def _mm(m, k, n, count: int = 1, label: str = "") -> Matmul:
    return Matmul(m, k, n, count, label)


def _result(mms: list[Matmul], assumed: tuple[tuple[str, str], ...] = ()) -> CostResult:
    return CostResult(sympy.Add(*[mm.count * Get_Time(mm.m, mm.k, mm.n) for mm in mms]),
                      tuple(mms), assumed=assumed)


#: Symbol for a size no label gives, by role: never a guessed number.
UNKNOWN_SIZE_SYMBOL = {"ffn_expert": "F_expert", "ffn": "F", "experts": "E", "hidden": "H",
                       "heads": "NH", "tokens_expert": "T_expert", "seq": "S",
                       "seq_kv": "S_kv", "head_dim": "D_head"}
_ROLE_TEXT = {"ffn_expert": "expert inner width", "ffn": "MLP inner width",
              "experts": "expert count", "hidden": "hidden size", "heads": "head count",
              "tokens_expert": "tokens per expert", "seq": "sequence length",
              "seq_kv": "key length of a sequence block", "head_dim": "head size"}


def _unknown_size(ctx: Context, role: str) -> tuple[sympy.Expr, tuple[str, str]]:
    """A size the label lacks: the model parameter for ``role`` when given, else its
    named symbol. Returns the value and what was assumed (key, message)."""
    from symcost.core.symbols import declare_symbol

    what = _ROLE_TEXT.get(role, role)
    if role in ctx.params:
        value, source = ctx.params[role]
        return value, (f"param:{role}", f"{what} not in the label: {value} from {source}")
    name = UNKNOWN_SIZE_SYMBOL[role]
    return declare_symbol(name), (f"symbol:{name}",
                                  f"{what} not in the label: symbol {name} (give it with "
                                  f"--set {_SET_NAME[role]}=N or --params FILE)")


_SET_NAME = {"ffn_expert": "expert_hidden", "ffn": "ffn_hidden", "experts": "num_experts",
             "hidden": "hidden_size", "heads": "num_heads",
             "tokens_expert": "tokens_per_expert", "seq": "seq_len",
             "seq_kv": "S_kv", "head_dim": "head_dim"}
EXPERT_WORDS = re.compile(r"(?i)\bexperts?\b|\bmoe\b")


def _missing(what: str, **vals: sympy.Expr | None) -> CostResult:
    absent = [k for k, v in vals.items() if v is None]
    bad = [k for k, v in vals.items() if v is not None and v.is_number and v <= 0]
    detail = ", ".join(([f"no {', '.join(absent)}"] if absent else [])
                       + ([f"{', '.join(bad)} not positive"] if bad else []))
    return CostResult(problem=f"cannot derive {what} from the label ({detail}); kept as an "
                              "unknown-cost atom", unknown=True)


def f_zero(ctx: Context) -> CostResult:
    return CostResult()


def f_linear(ctx: Context) -> CostResult:
    sc, tin, tout = ctx.scale, ctx.input, ctx.output
    count = ctx.rule.count if ctx.rule else 1
    m = _first(sc.tokens(tout), sc.tokens(tin))
    # the input width of a linear layer is a model width, never an expert count or top-k
    k = _first(sc.width(tin), sc.value(tin.get("head_dim")) if tin is not None else None)
    n = sc.feature(tout)
    if count > 1 and k is not None and n is not None and n == count * k:
        n = k  # output written as the concatenation of the fused projections
    assumed: tuple[tuple[str, str], ...] = ()
    name = ctx.rule.name if ctx.rule else "linear"
    if m is not None:
        # a width not given: a symbol of this operation in its own slot
        if k is None:
            k, note = _width_symbol(name, "in")
            assumed += (note,)
        if n is None:
            n, note = _width_symbol(name, "out")
            assumed += (note,)
    if not _positive(m, k, n):
        return _missing("a linear layer [M, K] x [K, N]", M=m, K=k, N=n)
    return _result([_mm(m, k, n, count, name)], assumed)


def _width_symbol(rule: str, side: str) -> tuple[sympy.Symbol, tuple[str, str]]:
    """The symbol of a linear layer's missing input (``in``) or output (``out``) width,
    and what was assumed (key, message)."""
    from symcost.core.symbols import declare_symbol

    name = f"D_{side}_{re.sub(r'[^A-Za-z0-9]', '_', rule)}"
    text = "input" if side == "in" else "output"
    return declare_symbol(name), (f"symbol:{name}", f"{text} width of {rule} not in the "
                                  f"label: symbol {name} (give it with --set {name}=N or "
                                  "--params FILE)")


def _hinted_width(ctx: Context) -> tuple[sympy.Expr, tuple[str, str]] | None:
    """The model width the reader found for a block (or gate) whose own tensors give
    none, and what was assumed; None when it found none."""
    if ctx.width_hint is None:
        return None
    h, where = ctx.width_hint
    return h, (f"width:{h}", f"hidden size not in the label: {h}, {where}")


def _ffn(ctx: Context, hidden: sympy.Expr | None) -> sympy.Expr | None:
    sc = ctx.scale
    d = ctx.info.find("ffn")
    if d is not None:
        return sc.value(d)
    if len(ctx.info.chain) >= 3:
        return sc.feature(ctx.info.chain[1])
    for t in ctx.info.extras.values():
        f = sc.feature(t)
        if f is not None and f != hidden:
            return f
    return None


def _mlp(ctx: Context, ups: int) -> CostResult:
    sc, tin, tout = ctx.scale, ctx.input, ctx.output
    m = _first(sc.tokens(tin), sc.tokens(tout))
    h = _first(sc.width(tin), sc.width(tout))
    h_out = _first(sc.width(tout), h)
    f = _ffn(ctx, h)
    if (f is None and h is not None and h_out is not None and h != h_out
            and h.is_number and h_out.is_number and len(ctx.info.chain) < 3):
        # an MLP maps the hidden state to itself: a width change is one linear layer
        res = f_linear(ctx)
        why = (f"words say MLP but the shapes change the width {h} -> {h_out}: "
               "costed as one linear layer")
        return CostResult(res.cost, res.matmuls, res.problem, res.assumed, res.unknown, why)
    assumed: tuple[tuple[str, str], ...] = ()
    if f is None and _positive(m, h):
        role = "ffn_expert" if EXPERT_WORDS.search(ctx.info.name or "") else "ffn"
        f, note = _unknown_size(ctx, role)
        assumed = (note,)
    if not _positive(m, h, f, h_out):
        return _missing("an MLP (up [M, H] x [H, F], down [M, F] x [F, H])", M=m, H=h, F=f)
    return _result([_mm(m, h, f, ups, "up"), _mm(m, f, h_out, 1, "down")], assumed)


def f_mlp(ctx: Context) -> CostResult:
    return _mlp(ctx, 1)


def f_gated_mlp(ctx: Context) -> CostResult:
    return _mlp(ctx, 2)


def _attention_dims(ctx: Context, full: bool = True, parts: str = "sv"):
    """(b*h*s_q, d, s_kv) for attention, or a problem text."""
    sc, info = ctx.scale, ctx.info
    q = info.inputs.get("Q")
    kv = info.inputs.get("K/V") or info.inputs.get("KV") or info.inputs.get("K")
    # heads from what this node itself writes (its output, then its own tensors) before
    # an input inherited from a neighbour (which may be the gathered, unsharded tensor)
    cands = [t for t in (q, ctx.info.output if ctx.info.outputs else None, info.input,
                         *info.tensors(), ctx.input, ctx.output, ctx.inherited)
             if t is not None]
    t = next((c for c in cands if (c.get("heads") or c.get("kv_heads")) is not None
              and c.get("seq") is not None), None)
    t = t or next((c for c in cands if c.get("seq") is not None), None)
    if t is None:
        return None, "no sequence length"
    hd = t.get("heads") or t.get("kv_heads") or info.params.get("heads")
    h = sc.value(hd)
    d = sc.value(t.get("head_dim") or info.find("head_dim"))
    if d is None:  # a garbled head dim ("d_k Lav32"): the size another tensor gives
        d = next((sc.value(c.get("head_dim")) for c in cands
                  if c.get("head_dim") is not None and c.get("head_dim").value is not None), None)
    assumed: tuple[tuple[str, str], ...] = ()
    if h is None and d is None and t.get("hidden") is not None and full:
        h, note = _unknown_size(ctx, "heads")
        assumed = (note,)
    elif h is None and d is None and t.get("hidden") is None and t.get("seq") is not None:
        # only the tokens are known (from a projection of unknown width): the head count
        # and the head size are symbols in their own slots
        h, note_h = _unknown_size(ctx, "heads")
        d, note_d = _unknown_size(ctx, "head_dim")
        assumed = (note_h, note_d)
    if d is None and h is not None:
        hidden = sc.value(t.get("hidden"))
        d = hidden / h if hidden is not None else None
    s_q = sc.value(t.get("seq"))
    s_kv = sc.value(kv.get("seq")) if kv is not None and kv.get("seq") is not None else s_q
    if kv is None and (sc.is_tile(t.get("seq")) or s_q == 1):
        # a query block of a tiled sequence, or one decode token, attends to keys
        # beyond itself (the KV cache): the key length is not the query length
        s_kv, note = _unknown_size(ctx, "seq_kv")
        assumed = (*assumed, note)
    b = sc.value(t.get("batch")) if t.get("batch") is not None else sc.value(t.get("tokens"))
    b = b if b is not None else sympy.Integer(1)
    if not _positive(h, d, s_q, s_kv) or (d is not None and d.is_integer is False):
        missing = [n for n, v in (("heads", h), ("head dim", d), ("sequence", s_q)) if v is None]
        return None, ", ".join(missing) or "a size is not a positive integer"
    return (b * h * s_q, d, s_kv, assumed), ""


def _attention(ctx: Context, parts: str) -> CostResult:
    dims, why = _attention_dims(ctx, parts == "sv", parts)
    if dims is None:
        return CostResult(problem=f"cannot derive attention matmuls from the label ({why}); "
                                  "kept as an unknown-cost atom", unknown=True)
    m, d, s_kv, assumed = dims
    mms = []
    if "s" in parts:
        mms.append(_mm(m, d, s_kv, 1, "QK^T"))
    if "v" in parts:
        mms.append(_mm(m, s_kv, d, 1, "AV"))
    return _result(mms, assumed)


def f_attention(ctx: Context) -> CostResult:
    return _attention(ctx, "sv")


def f_attention_scores(ctx: Context) -> CostResult:
    """``Q x K^T``; when the node's output is the per-head context (``[.., heads,
    head_dim]``, not a score matrix) it is the whole attention core (``QK^T`` + ``AV``)."""
    tout = ctx.info.output if ctx.info.outputs else None
    if tout is not None and tout.get("head_dim") is not None and not ctx.av_follows:
        return _attention(ctx, "sv")
    return _attention(ctx, "s")


def f_attention_values(ctx: Context) -> CostResult:
    return _attention(ctx, "v")


def f_attention_output(ctx: Context) -> CostResult:
    """``scores x V``, unless the output is ``[..., hidden]`` from ``[..., heads, d_k]``."""
    tin, tout = ctx.input, ctx.output
    if (tin is not None and tout is not None and tin.get("head_dim") is not None
            and tout.get("head_dim") is None and tout.get("hidden") is not None):
        return f_linear(ctx)
    if not any(t is not None and (t.get("heads") or t.get("head_dim") or t.get("kv_heads"))
               for t in (tin, tout, *ctx.info.tensors())) and "heads" not in ctx.info.params:
        if ctx.info.input is None and ctx.info.output is not None:
            return f_linear(ctx)  # writes [.., hidden] from unknown heads: a projection
        return CostResult()  # the block's output tensor [.., hidden]: no matmul
    return _attention(ctx, "v")


def f_router(ctx: Context) -> CostResult:
    sc, tin, tout = ctx.scale, ctx.input, ctx.output
    m = _first(sc.tokens(tin), sc.tokens(tout))
    h = sc.width(tin)
    e_dim = ctx.info.find("experts")
    e = sc.value(e_dim) if e_dim is not None else None
    if e is None and tout is not None and tout.get("top_k") is None:
        e = sc.feature(tout)
    assumed: tuple[tuple[str, str], ...] = ()
    seen = ctx.experts_seen
    if e is not None and e.is_Integer and seen and seen[0] > e and e_dim is not None:
        # fewer gate outputs than experts behind the gate: the label's count is the top-k
        assumed = (("count:E", f"the label's {e_dim.raw!r} is fewer than the {seen[0]} "
                               f"experts the graph routes to ({seen[1]}): read as the top-k "
                               f"selection; E = {seen[0]}"),)
        e = sympy.Integer(seen[0])
    if (e is None or e == h) and _positive(m, h):
        if "experts" in ctx.params:
            e, note = _unknown_size(ctx, "experts")
        elif ctx.experts_seen:
            e = sympy.Integer(ctx.experts_seen[0])
            note = ("count:E", f"expert count not in the label: E = {ctx.experts_seen[0]}, "
                               f"counted from the graph ({ctx.experts_seen[1]})")
        else:
            e, note = _unknown_size(ctx, "experts")
        assumed = (note,)
    if h is None and (hinted := _hinted_width(ctx)) is not None:
        h, note = hinted
        assumed = (*assumed, note)
    if h is None and _positive(m, e):
        h, note = _unknown_size(ctx, "hidden")
        assumed = (*assumed, note)
    if not _positive(m, h, e) or h == e:
        return _missing("a router gate [M, H] x [H, E]", M=m, H=h, E=e if h != e else None)
    return _result([_mm(m, h, e, 1, "router")], assumed)


_LOCAL_EXPERTS = re.compile(r"(?i)\bE(\d+)\s*[-–]\s*E?(\d+)\b|\bexperts?\s+(\d+)\s*[-–]\s*(\d+)\b"
                            r"|\b(\d+)\s+experts?\b|\bexperts?\s*\(\s*(\d+)\s*/\s*\d+\s*\)")


_SHARE = re.compile(r"(?i)\bexperts?\s*\(\s*(\d+)\s*/\s*\d+\s*\)")


_TOTAL = re.compile(r"(?i)\bexperts?\s*\(\s*\d+\s*/\s*(\d+)\s*\)|\b\d+\s*(?:of|/)\s*(\d+)\s+experts\b")


def total_experts(text: str) -> int | None:
    """The model's expert count a node's label states beside its share: ``Experts (4/16)``
    and ``4 of 16 experts`` give 16; None when the label states no total.

    >>> total_experts("Layer 0 Experts (4/16)"), total_experts("Expert 3")
    (16, None)
    """
    m = _TOTAL.search(text)
    if m is None:
        return None
    n = int(m.group(1) or m.group(2))
    return n if n > 1 else None


def local_experts(text: str) -> int | None:
    """Experts a node says it holds: ``E0-1`` (2), ``experts 4-7`` (4), ``8 Experts``,
    ``Experts (4/16)`` (4 of 16)."""
    share = _SHARE.search(text)
    if share:
        return int(share.group(1)) or None
    found = [m for m in _LOCAL_EXPERTS.finditer(text)
             if not (m.group(5) and re.search(r"(?i)\b(?:layer|stage|l)\s*$", text[: m.start()]))]
    m = next((x for x in found if x.group(6)), found[0] if found else None)
    if m is None:
        return None
    if m.group(5) or m.group(6):
        return int(m.group(5) or m.group(6)) or None
    a, b = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(3)),
                                                                  int(m.group(4)))
    return abs(b - a) + 1


def f_moe(ctx: Context) -> CostResult:
    """A mixture-of-experts block: per local expert an MLP (up + down) on the tokens
    routed to it. Tokens per expert and the expert width are symbols unless given
    (``T_expert``, ``F_expert``); the local expert count comes from ``E0-1`` /
    ``8 Experts`` on a single-GPU node (``ctx.group`` is its GPU count), else 1."""
    sc, tin, tout = ctx.scale, ctx.input, ctx.output
    h = _first(sc.width(tin), sc.width(tout))
    own = [t for t in ctx.info.tensors() if sc.width(t) is not None]
    if not own and tin is not None and tin.get("hidden") is None:
        h = None  # only a neighbour's heads x head_dim (maybe a TP shard): not the width
    notes = []
    if h is None and (hinted := _hinted_width(ctx)) is not None:
        h, note = hinted  # the block maps the hidden state to itself: what it feeds takes
        notes.append(note)
    if h is None or not _positive(h):
        return _missing("a mixture of experts (per expert [T, H] x [H, F], [T, F] x [F, H])",
                        H=h)
    f = _ffn(ctx, h)
    if f is None:
        f, note = _unknown_size(ctx, "ffn_expert")
        notes.append(note)
    m = None
    for t in (tin, tout):
        d = t.get("tokens") if t is not None else None
        if d is not None and t.get("batch") is None and t.get("seq") is None:
            m = sc.value(d)
            break
    if m is None:
        m, note = _unknown_size(ctx, "tokens_expert")
        notes.append(note)
    n = local_experts(ctx.info.text) if ctx.group <= 1 else None
    n = n or 1
    return _result([_mm(m, h, f, n, "expert up"), _mm(m, f, h, n, "expert down")],
                   tuple(notes))


def f_comm(ctx: Context) -> CostResult:
    sc = ctx.scale
    name = ctx.rule.collective if ctx.rule and ctx.rule.collective else "send_recv"
    atom = COLLECTIVES[name]
    n_in, n_out = sc.elements(ctx.input), sc.elements(ctx.output)
    n = _first(n_in, n_out)
    group0 = max(ctx.group, 2 if name == "send_recv" else 1)
    clash = None
    if n_in is not None and n_out is not None and not _counts_agree(name, n_in, n_out, group0):
        clash = (f"{name.replace('_', '-')} input has {n_in} elements but its output "
                 f"{n_out}; the input's count is used")
    if n is None:
        tin = ctx.input or ctx.output
        tok, feat = sc.tokens(tin), sc.feature(tin)
        n = tok * feat if tok is not None and feat is not None else None
    group = max(ctx.group, 2 if name == "send_recv" else 1)
    if n is None:
        from symcost.core.symbols import declare_symbol

        sym = f"msg_{name}_{group}"
        return CostResult(atom(declare_symbol(sym), group), assumed=(
            (f"symbol:{sym}", f"message size of a {name.replace('_', '-')} over {group} "
                              f"GPU(s) not in the label: symbol {sym} (give it with --set "
                              f"{sym}=N or --params FILE)"),))
    return CostResult(atom(n, group), problem=clash)


def _counts_agree(name: str, n_in: sympy.Expr, n_out: sympy.Expr, group: int) -> bool:
    """Input and output element counts a collective should have: equal, except an
    all-gather (out = in x group) and a reduce-scatter (in = out x group)."""
    ratio = sympy.simplify(n_out / n_in)
    if name == "all_gather":
        return ratio in (1, group)
    if name == "reduce_scatter":
        return ratio in (1, sympy.Rational(1, group))
    return ratio == 1


def f_unknown(ctx: Context) -> CostResult:
    """An operation that costs something no formula derives (a whole stage or layer
    drawn as one node): an explicit unknown-cost atom."""
    return CostResult(unknown=True)


Formula = Callable[[Context], CostResult]
FORMULAS: dict[str, Formula] = {
    "zero": f_zero, "linear": f_linear, "mlp": f_mlp, "gated_mlp": f_gated_mlp,
    "attention": f_attention, "attention_scores": f_attention_scores,
    "attention_values": f_attention_values, "attention_output": f_attention_output,
    "router": f_router, "comm": f_comm, "moe": f_moe, "unknown": f_unknown,
}
