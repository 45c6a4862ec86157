"""Node labels of deployment DAGs: normalise the text and pull out name, dims and GPUs.

Handles the forms counted in the corpus CONVENTIONS: ``\\n``/``\\l``/``\\r`` escapes,
literal newlines, HTML-like labels (``<br/>``, tags, entities), ``Input:``/``Output:``
keys and their variants (``In:``, ``INPUT:``, ``Input Q:``, ``Input1:``), bare bracket
groups, the arrow form ``[..]→[..]``, multiplicities (``8×[..]``, ``[..]×2``), compact
``B=128, L=100000`` pairs and ``32 heads`` phrases. Everything is regular expressions
applied once per line, so parsing is linear in the label length.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import sympy

from symcost.labels.dims import ALIASES, Dim, Tensor, parse_tensor, parse_value
from symcost.labels.gpus import (
    GpuSpec,
    gpu_in_name,
    has_gpu_prefix,
    is_gpu_line,
    parse_gpu_text,
)

_BR = re.compile(r"(?i)<br\s*/?\s*[^<>]*>|</t[dr]>|</?table[^<>]*>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ESC = re.compile(r"\\[nlr]")
_KEY = re.compile(
    r"(?<![A-Za-z])(?P<key>INPUTS?|Inputs?|inputs?|IN|In|in|OUTPUTS?|Outputs?|outputs?|OUT|Out|out"
    r"|Weights?|WEIGHTS?|weights?|Each GPU|Size|Shape|Dim|Seq len)"
    r"(?:\s*(?P<qual>[A-Z]\w{0,3}(?:/\w{1,3})?|\d))?\s*:\s*")
_TENSOR = re.compile(r"(?:(?P<pre>\d+)\s*[×x*]\s*)?\[(?P<body>[^\[\]]*)\](?:\s*[×x*]\s*(?P<post>\d+))?")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_CHAIN = re.compile(r"\[[^\[\]]*\](?:\s*(?:→|->|=>)\s*\[[^\[\]]*\])+")
_PARAM = re.compile(r"(?<![\w\[])([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\?|~?\d+(?:\s*[×x*]\s*\d+)*)(?![\w])")
_PHRASE = re.compile(r"(?i)\b(\d+)\s+(heads|experts|kv heads|dim per head)\b")
_LAYER_ONLY = re.compile(r"(?i)^layer\s*\d+$")

MAX_LINE = 4096
#: ``Local Q:``, ``Global K/V:`` (context parallel attention): inputs Q and K/V
_QKV_KEY = re.compile(r"(?i)^\s*(?:local|global|full|gathered|sharded)\s+(q|k/v|kv|k|v)\s*:")


@dataclass
class LabelInfo:
    """What a label says: operation name, tensors by role, GPU placement."""

    text: str
    name: str
    inputs: dict[str, Tensor] = field(default_factory=dict)
    outputs: dict[str, Tensor] = field(default_factory=dict)
    bare: list[Tensor] = field(default_factory=list)
    chain: list[Tensor] = field(default_factory=list)
    extras: dict[str, Tensor] = field(default_factory=dict)
    params: dict[str, Dim] = field(default_factory=dict)
    gpu: GpuSpec | None = None
    gpu_text: str | None = None
    #: the operation words of every line (dims and GPU lines removed), name line first
    words: list[str] = field(default_factory=list)
    key: str = ""  # everything cost formulas read (tensors, params), for caching

    @property
    def input(self) -> Tensor | None:
        """The main input tensor (keyed input, first of a chain, first of two bare groups)."""
        if self.inputs:
            return self.inputs.get("") or next(iter(self.inputs.values()))
        if self.chain:
            return self.chain[0]
        if len(self.bare) >= 2:
            return self.bare[0]
        return None

    @property
    def output(self) -> Tensor | None:
        """The main output tensor (keyed output, last of a chain, last bare group)."""
        if self.outputs:
            return self.outputs.get("") or next(iter(self.outputs.values()))
        if self.chain:
            return self.chain[-1]
        if self.bare:
            return self.bare[-1]
        return None

    def tensors(self) -> list[Tensor]:
        """Every tensor of the label."""
        return [*self.inputs.values(), *self.outputs.values(), *self.chain, *self.bare,
                *self.extras.values()]

    def find(self, role: str) -> Dim | None:
        """The first entry with ``role`` anywhere in the label (tensors, then params)."""
        for t in self.tensors():
            d = t.get(role)
            if d is not None and d.value is not None:
                return d
        return self.params.get(role)


def normalize(label: str, node_id: str = "", graph_name: str = "") -> str:
    """The label as plain text with ``\\n`` line breaks (HTML, escapes, ``\\N`` resolved)."""
    s = label
    if "\\N" in s or "\\G" in s:
        s = s.replace("\\N", node_id).replace("\\G", graph_name)
    if "<" in s and ">" in s:
        s = _BR.sub("\n", s)
        s = _TAG.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    if "\\" in s:
        s = s.replace("\\\r\n", "").replace("\\\n", "")
        s = _ESC.sub("\n", s).replace('\\"', '"')
    return s.replace("\r", "\n")


def _tensor(m: re.Match[str]) -> Tensor:
    mult = int(m.group("pre") or 1) * int(m.group("post") or 1)
    return parse_tensor(m.group("body").strip(), mult)


@lru_cache(maxsize=16384)
def _parse_line(line: str) -> tuple[tuple[tuple[str, str, Tensor], ...], tuple[Tensor, ...],
                                    tuple[Tensor, ...], str]:
    """Keyed tensors (key, qualifier, tensor), chain, bare groups and the rest of a line."""
    keyed: list[tuple[str, str, Tensor]] = []
    chain: list[Tensor] = []
    spans: list[tuple[int, int]] = []
    for m in _KEY.finditer(line):
        t = _TENSOR.match(line, m.end())
        if t is None:
            continue
        keyed.append((m.group("key").lower(), (m.group("qual") or "").upper(), _tensor(t)))
        spans.append((m.start(), t.end()))
    rest = line
    for a, b in reversed(spans):
        rest = rest[:a] + " " + rest[b:]
    cm = _CHAIN.search(rest)
    if cm:
        chain = [parse_tensor(b.strip()) for b in _BRACKET.findall(cm.group(0))]
        rest = rest[: cm.start()] + " " + rest[cm.end():]
    bare = tuple(_tensor(m) for m in _TENSOR.finditer(rest))
    rest = _TENSOR.sub(" ", rest)
    return tuple(keyed), tuple(chain), bare, rest


def parse_label(text: str) -> LabelInfo:
    """Parse normalised label text (see :func:`normalize`)."""
    base, gpu, gpu_text = split_label(text)
    if gpu is None and gpu_text is None:
        return base
    return replace(base, text=text, gpu=gpu or base.gpu, gpu_text=gpu_text)


def split_label(text: str) -> tuple[LabelInfo, GpuSpec | None, str | None]:
    """The label without its GPU lines (shared between labels that differ only by GPU),
    the GPU placement of those lines, and the first GPU line not understood."""
    body: list[str] = []
    gpu: GpuSpec | None = None
    gpu_text: str | None = None
    for ln in text.split("\n"):
        ln = ln.strip()[:MAX_LINE]
        if not ln:
            continue
        is_body, spec = _line_kind(ln)
        if is_body:
            body.append(ln)
        elif spec is not None:
            if gpu is None:
                gpu = spec
        elif gpu_text is None:
            gpu_text = ln
    return _parse_body(tuple(body)), gpu, gpu_text


@lru_cache(maxsize=65536)
def _line_kind(line: str) -> tuple[bool, GpuSpec | None]:
    """``(True, None)`` for a line of the label's body, else ``(False, placement)`` for a
    GPU line (placement None when not understood); cached: lines repeat across labels."""
    if not is_gpu_line(line):
        return True, None
    spec = _gpu_line(line)
    if spec is None and has_gpu_prefix(line):  # "GPU0: Q Linear": a name line
        return True, None
    return False, spec


@lru_cache(maxsize=4096)
def _gpu_line(line: str) -> GpuSpec | None:
    return parse_gpu_text(line)


@lru_cache(maxsize=16384)
def _parse_body(lines: tuple[str, ...]) -> LabelInfo:
    """The label without its GPU lines (cached: labels differ mostly by GPU)."""
    info = LabelInfo(text="\n".join(lines), name="")
    names: list[str] = []
    for line in lines:
        line = _QKV_KEY.sub(lambda m: f"Input {m.group(1).upper()}:", line)
        keyed, chain, bare, rest = _parse_line(line)
        for key, qual, t in keyed:
            if key.startswith("in"):
                info.inputs.setdefault(qual, t)
            elif key.startswith("out"):
                info.outputs.setdefault(qual, t)
            else:
                info.extras.setdefault(key + (" " + qual if qual else ""), t)
        if chain and not info.chain:
            info.chain = list(chain)
        info.bare.extend(bare)
        for m in _PARAM.finditer(rest):
            role = ALIASES.get(m.group(1).lower())
            if role is not None and role not in info.params:
                value, note = parse_value(m.group(2), role)
                info.params[role] = Dim(role, m.group(1), m.group(0), value, note)
        for m in _PHRASE.finditer(rest):
            role = {"heads": "heads", "experts": "experts", "kv heads": "kv_heads",
                    "dim per head": "head_dim"}[m.group(2).lower()]
            info.params.setdefault(role, Dim(role, None, m.group(0),
                                             sympy.Integer(int(m.group(1)))))
        text = " ".join(rest.split()).strip(" :,-→")
        if text:
            info.words.append(text)
        if not keyed and not chain and not bare:
            names.append(rest.strip())
        elif not names and rest.strip(" :,-→"):
            names.append(rest.strip(" :,"))
    if names and _LAYER_ONLY.match(names[0]) and len(names) > 1:
        names = [names[0] + " " + names[1]] + names[2:]
    name = names[0] if names else ""
    spec, name = gpu_in_name(name)
    if spec is not None and info.gpu is None:
        info.gpu = spec
    info.name = " ".join(name.split())
    if info.words and names and info.words[0] != info.name:
        info.words = [info.name, *[w for w in info.words if w != " ".join(names[0].split())]]
    if (not info.tensors()) and any(r in info.params for r in ("batch", "seq", "tokens")):
        dims = tuple(info.params.values())
        info.bare.append(Tensor(", ".join(d.raw for d in dims), dims, 1,
                                {d.role: d for d in dims if d.role}))
    info.key = repr((
        [(q, t.raw, t.multiplicity) for q, t in info.inputs.items()],
        [(q, t.raw, t.multiplicity) for q, t in info.outputs.items()],
        [t.raw for t in info.chain], [(t.raw, t.multiplicity) for t in info.bare],
        [(k, t.raw) for k, t in info.extras.items()],
        [(r, d.raw) for r, d in info.params.items()]))
    return info
