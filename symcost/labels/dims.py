"""Tensor dimensions written in DAG labels: ``[batch_size=128, seq_len=2048, hidden=4096]``.

A bracket group is parsed into :class:`Dim` entries, keyed (``key=value``, with the key
names of the corpus mapped to a canonical role) or positional (``[1024, 2048, 4096]``).
Values stay *raw* here (numbers, symbols, unknowns); :class:`Scale` applies the batch rule
(``B * v / v0``) and user symbols when a cost needs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import sympy

from symcost.core.limits import check_dim_text
from symcost.core.symbols import B, declare_symbol

#: Canonical role of each key name seen in the corpus (lower-cased).
ALIASES: dict[str, str] = {}
for _role, _names in {
    "batch": "batch_size batch bs b micro_batch micro_batch_size mbs batch_per_gpu",
    "seq": "seq_len seq s l seq_length sequence sequence_length context_len ctx_len",
    "tokens": "tokens num_tokens n_tokens token_count",
    "hidden": "hidden hidden_dim hidden_size d_model d token_dim dim model_dim embed_dim "
              "embedding_dim h",
    "heads": "heads num_heads n_heads head num_attention_heads",
    "kv_heads": "kv_heads num_kv_heads n_kv_heads",
    "head_dim": "d_k d_head head_dim d_v dk dv head_size",
    "experts": "experts num_experts n_experts e expert_count",
    "top_k": "top_k topk k_experts",
    "ffn": "ffn_dim expert_hidden ffn_hidden ffn intermediate intermediate_size d_ff "
           "mlp_hidden ffn_hidden_size mlp_dim ffn_size expert_dim",
    "vocab": "vocab_size vocab",
}.items():
    for _n in _names.split():
        ALIASES[_n] = _role

#: Roles whose product is the ``M`` (token) dimension of a linear layer.
TOKEN_ROLES = ("batch", "seq", "tokens")
#: Symbol used for an unknown value (``?``) of each role.
UNKNOWN_SYMBOL = {"batch": "B", "seq": "S", "tokens": "T", "hidden": "H", "ffn": "F",
                  "experts": "E", "vocab": "V", "heads": "NH", "kv_heads": "NKV",
                  "head_dim": "DH", "top_k": "TOPK"}
_POSITIONAL = {2: ("tokens", "hidden"), 3: ("batch", "seq", "hidden"),
               4: ("batch", "seq", "heads", "head_dim")}

_INT = re.compile(r"^\d+$")
_PRODUCT = re.compile(r"^\d+(?:\s*[×x*]\s*\d+)+$")
_RANGE = re.compile(r"^(\d+)\s*[-–~]\s*(\d+)$")
_APPROX = re.compile(r"^(?:[~≈≤<]|<=|up to)\s*(\d+)$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KV = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(.*)$", re.S)
#: ``32 heads``, ``128 experts``: a count written before its key
_NUM_KEY = re.compile(r"^(\d+)\s+([A-Za-z_][A-Za-z0-9_ ]*?)\s*$")
_TIMES_LIST = re.compile(r"^\d+(?:\s*×\s*\d+)+$")
_SPACED = re.compile(r"^(?:\d+|\?|[A-Z])(?:\s+(?:\d+|\?|[A-Z]))+$")
_SHORT_SYMBOL = re.compile(r"^[A-Z][A-Za-z]?\d{0,3}$")
_UNKNOWN = {"?", "??", "n/a", "var", "variable", "dynamic", "unknown"}


@dataclass(frozen=True)
class Dim:
    """One entry of a bracket group: a role (canonical key or None), raw text and value.

    ``value`` is a sympy integer, a symbol, or None when the text is not a size.
    ``note`` says what was assumed (a range's maximum, an unknown made symbolic).
    """

    role: str | None
    key: str | None
    raw: str
    value: sympy.Expr | None
    note: str = ""


@dataclass(frozen=True)
class Tensor:
    """A parsed bracket group: its dims and the multiplicity written around it (``8×[..]``)."""

    raw: str
    dims: tuple[Dim, ...]
    multiplicity: int = 1
    roles: dict[str, Dim] = field(default_factory=dict, compare=False, hash=False)

    @property
    def complete(self) -> bool:
        """True when every entry has a value."""
        return bool(self.dims) and all(d.value is not None for d in self.dims)

    def get(self, role: str) -> Dim | None:
        """The entry playing ``role`` (first one), or None."""
        return self.roles.get(role)


def _split_entries(body: str) -> list[str]:
    body = body.strip()
    if "," in body or ";" in body:
        parts = re.split(r"[,;]", body)
    elif "=" in body:  # key=value pairs separated by spaces
        parts = re.findall(r"[A-Za-z_][A-Za-z0-9_]*\s*=\s*\S+", body) or [body]
    elif _TIMES_LIST.match(body):
        parts = body.split("×")
    elif _SPACED.match(body):
        parts = body.split()
    else:
        parts = [body]
    return [p.strip() for p in parts if p.strip()]


@lru_cache(maxsize=4096)
def parse_value(text: str, role: str | None) -> tuple[sympy.Expr | None, str]:
    """The value of one size and a note about an assumption (empty when none)."""
    t = text.strip().strip("()").strip()
    check_dim_text(t, role if role in UNKNOWN_SYMBOL else None)  # symcost.core.limits
    if _INT.match(t):
        return sympy.Integer(int(t)), ""
    if _PRODUCT.match(t):
        prod = 1
        for p in re.split(r"\s*[×x*]\s*", t):
            prod *= int(p)
        return sympy.Integer(prod), ""
    m = _APPROX.match(t)
    if m:
        return sympy.Integer(int(m.group(1))), f"{text} taken as {m.group(1)}"
    m = _RANGE.match(t)
    if m:
        hi = max(int(m.group(1)), int(m.group(2)))
        return sympy.Integer(hi), f"range {text} taken at its maximum {hi}"
    low = t.lower()
    if role is not None and (low in _UNKNOWN or low == role or ALIASES.get(low) == role):
        name = UNKNOWN_SYMBOL.get(role, role)
        return _symbol(name), "" if t == name else f"unknown {text!r} kept as symbol {name}"
    if role in TOKEN_ROLES and _IDENT.match(t) and len(t) <= 40 and low not in _UNKNOWN:
        # a token count written as a word (``tokens_per_expert``): a symbol of that name
        return _symbol(t), f"token count {t!r} kept as a symbol"
    if _SHORT_SYMBOL.match(t):
        sym = _symbol(t)
        return sym, "" if t in ("B", "S") else f"{t!r} kept as a symbol"
    return None, ""


def _symbol(name: str) -> sympy.Expr:
    if name == "B":
        return B
    try:
        return declare_symbol(name)
    except Exception:  # noqa: BLE001 - name clashes with an atom
        return declare_symbol(name + "_")


#: a size name, then text with a digit that is not written as its value ("d_k Lav32")
_GARBLED = re.compile(r"([A-Za-z_]\w*)\s+(\S*\d.*)$")


@lru_cache(maxsize=8192)
def parse_tensor(body: str, multiplicity: int = 1) -> Tensor:
    """Parse the inside of one bracket group (without the brackets)."""
    raw_entries = _split_entries(body)
    dims: list[Dim] = []
    positional: list[int] = []
    for entry in raw_entries:
        m = _KV.match(entry)
        nk = _NUM_KEY.match(entry)
        if nk and ALIASES.get(nk.group(2).lower().replace(" ", "_")) is not None:
            key = nk.group(2)
            role = ALIASES[key.lower().replace(" ", "_")]
            dims.append(Dim(role, key, entry, sympy.Integer(int(nk.group(1)))))
        elif m and m.group(2).strip():
            key = m.group(1)
            role = ALIASES.get(key.lower())
            value, note = parse_value(m.group(2), role or key.lower())
            dims.append(Dim(role, key, entry, value, note))
        elif (g := _GARBLED.match(entry)) and ALIASES.get(g.group(1).lower()) is not None:
            # "d_k Lav32": a known size name followed by text that is not its value
            key = g.group(1)
            role = ALIASES[key.lower()]
            value, note = parse_value(g.group(2), role)
            if value is None or not value.is_number:
                value, note = None, f"{entry!r} is garbled: read as {role}, size unknown"
            dims.append(Dim(role, key, entry, value, note))
        else:
            low = entry.lower()
            role = ALIASES.get(low) if _IDENT.match(entry) and len(entry) > 1 else None
            if entry in ("B",):
                role = "batch"
            elif entry in ("S", "L"):
                role = "seq"
            value, note = parse_value(entry, role)
            if role is None:
                positional.append(len(dims))
            dims.append(Dim(role, None, entry, value, note))
    keyed = any(d.key is not None for d in dims)
    if dims and not keyed:
        roles = _POSITIONAL.get(len(dims))
        if roles is None and len(dims) > 4:
            roles = ("batch", "seq") + ("hidden",) * (len(dims) - 2)
        if roles is not None:
            dims = [Dim(r, None, d.raw, d.value if d.value is not None
                        else parse_value(d.raw, r)[0], d.note) for r, d in zip(roles, dims)]
    elif positional:
        # mixed: a lone positional word among keyed entries counts as a token dim
        for i in positional:
            d = dims[i]
            if d.value is not None and not d.value.is_number:
                dims[i] = Dim("tokens", None, d.raw, d.value, d.note)
            elif d.value is None and _IDENT.match(d.raw):
                value, note = parse_value(d.raw, "tokens")
                dims[i] = Dim("tokens", None, d.raw, value, note)
    roles_map: dict[str, Dim] = {}
    for d in dims:
        if d.role is not None and d.role not in roles_map:
            roles_map[d.role] = d
    return Tensor(body, tuple(dims), multiplicity, roles_map)


def seq_range(dim: Dim) -> tuple[int, int] | None:
    """``(a, b)`` when ``dim`` is written as a range ``a-b``, else None."""
    m = _RANGE.match(dim.raw.rsplit("=", 1)[-1].strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


class Scale:
    """Turns raw dimension values into cost arguments: the batch rule and user symbols.

    A ``batch`` value ``v`` becomes ``B * v / v0`` with ``v0`` the entry's batch value
    (``B`` when the entry gives none); a role listed in ``symbols`` (``{"seq": S}``)
    becomes ``S * v / v0`` the same way.
    """

    def __init__(self, entry: dict[str, sympy.Expr] | None = None,
                 symbols: dict[str, sympy.Symbol] | None = None) -> None:
        self.entry = dict(entry or {})
        self.symbols = {"batch": B, **(symbols or {})}
        self._cache: dict[tuple[str | None, sympy.Expr], sympy.Expr] = {}
        self._tokens: dict[str, sympy.Expr | None] = {}
        #: sequence ranges that tile a sequence (``0-820``, ``820-1640``, ...): token
        #: positions of a block, so a block holds ``b - a`` tokens, not ``b``
        self.tiles: frozenset[tuple[int, int]] = frozenset()

    def set_tiles(self, ranges: set[tuple[int, int]]) -> None:
        """Mark the ranges that chain (one ends where another starts) as position tiles."""
        starts = {a for a, _ in ranges}
        ends = {b for _, b in ranges}
        self.tiles = frozenset((a, b) for a, b in ranges if b in starts or a in ends)
        self._cache.clear()
        self._tokens.clear()

    def value(self, dim: Dim | None) -> sympy.Expr | None:
        """The scaled value of ``dim`` (None when it has none)."""
        if dim is None or dim.value is None:
            return None
        if self.tiles and dim.role == "seq":
            r = seq_range(dim)
            if r in self.tiles:
                return self._scale("seq", sympy.Integer(r[1] - r[0]))
        key = (dim.role, dim.value)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._scale(dim.role, dim.value)
            self._cache[key] = hit
        return hit

    def _scale(self, role: str | None, v: sympy.Expr) -> sympy.Expr:
        given = self.entry.get("seq_value")
        if role == "seq" and v.is_Symbol and "seq" not in self.symbols:
            if given is not None:
                return given  # ``S`` in a label: the sequence length the entry gives
            if self.tiles and min(a for a, _ in self.tiles) == 0:
                # blocks 0-a, a-b, ..., y-N tile the sequence: an unknown length is N
                return sympy.Integer(max(b for _, b in self.tiles))
        sym = self.symbols.get(role or "")
        if sym is None:
            return v
        v0 = self.entry.get(role or "")
        if not v.is_Integer:
            return sym if v == B or v.free_symbols else v
        if v0 is None or not v0.is_Integer:
            return sym
        return sym * v / v0

    def tokens(self, t: Tensor | None) -> sympy.Expr | None:
        """Product of the token dims (batch, sequence, tokens) of ``t``, or None."""
        if t is None:
            return None
        if t.raw in self._tokens:
            return self._tokens[t.raw]
        vals = [self.value(t.get(r)) for r in TOKEN_ROLES if t.get(r) is not None]
        out = None if not vals or any(v is None for v in vals) else sympy.Mul(*vals)
        self._tokens[t.raw] = out
        return out

    def feature(self, t: Tensor | None, prefer: tuple[str, ...] = ()) -> sympy.Expr | None:
        """The feature (last) dimension of ``t``: ``hidden``, ``heads*head_dim``, ..."""
        if t is None:
            return None
        for role in prefer + ("vocab", "experts", "ffn"):
            if t.get(role) is not None:
                return self.value(t.get(role))
        heads = t.get("heads") or t.get("kv_heads")
        if heads is not None and t.get("head_dim") is not None:
            h, d = self.value(heads), self.value(t.get("head_dim"))
            return None if h is None or d is None else h * d
        if t.get("hidden") is not None:
            return self.value(t.get("hidden"))
        if t.get("head_dim") is not None:
            return self.value(t.get("head_dim"))
        return None

    def is_tile(self, dim: Dim | None) -> bool:
        """True when ``dim`` is a sequence block of a tiled sequence (``820-1640``)."""
        return dim is not None and bool(self.tiles) and seq_range(dim) in self.tiles

    def width(self, t: Tensor | None) -> sympy.Expr | None:
        """The model width of ``t``: ``hidden``, else ``heads*head_dim``, else ``ffn``
        (never an expert count, a top-k or a vocabulary)."""
        if t is None:
            return None
        if t.get("hidden") is not None:
            return self.value(t.get("hidden"))
        heads = t.get("heads") or t.get("kv_heads")
        if heads is not None and t.get("head_dim") is not None:
            h, d = self.value(heads), self.value(t.get("head_dim"))
            return None if h is None or d is None else h * d
        return self.value(t.get("ffn")) if t.get("ffn") is not None else None

    def elements(self, t: Tensor | None) -> sympy.Expr | None:
        """Number of elements of ``t`` (product of all entries), or None."""
        if t is None or not t.complete:
            return None
        vals = [self.value(d) for d in t.dims if d.role not in ("experts", "top_k")]
        if any(v is None for v in vals) or not vals:
            return None
        return sympy.Mul(*vals) * t.multiplicity
