"""GPU placement written in DAG labels, node names, cluster labels and node ids.

Forms understood (see the corpus CONVENTIONS): ``GPU: 3``, ``GPU 0``, ``GPU0``,
``GPUs: 0-7``, ``GPU: GPU0-3``, ``GPU: [0,1,2,3] TP=4``, ``All GPUs 0-11``,
``All 16 GPUs``, ``all GPUs`` (every GPU of the DAG), transfers ``0-7 -> 8-15`` (both
sides), ``(GPU-0,1)`` in an operation name, ``node_0.gpu_0-7``, ``GPU: Host``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_GPUS = 1 << 16


@dataclass(frozen=True)
class GpuSpec:
    """Where a node runs. ``all_gpus``: every GPU of the DAG (resolved by the reader)."""

    devices: frozenset[int] = frozenset()
    all_gpus: bool = False
    host: bool = False
    transfer: bool = False
    text: str = ""

    @property
    def known(self) -> bool:
        return bool(self.devices) or self.all_gpus or self.host


_ARROW = re.compile(r"(?i)\s*(?:→|->|=>|⇒|↔|<->)\s*|\s+to\s+(?=(?:gpus?\s*)?\d)")
_HOST = re.compile(r"(?i)\b(host|cpu)\b")
_ALL_N = re.compile(r"(?i)\ball\s+(\d+)\s+(?:\w+\s+)?gpus?\b")
_ALL = re.compile(r"(?i)\ball\b|\beach gpu\b")
_NOISE = re.compile(r"(?i)\bnode_?\d+\s*\.|\b[a-z]+\s*=\s*\d+|(?<![a-z])(?:gpus?|devices?|ranks?)_?"
                    r"|\b(?:all|each|pool|cards?|ids?|on|and|across|over)\b|[\[\](){}:]|\b(?:gets|with|for|holds|shards?|of)\b.*$")
_LEFT = re.compile(r"^[\d\s,\-–]*$")
_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)|(\d+)")
_GPU_LINE = re.compile(r"(?i)^\s*(?:(?:all|each)\s+(?:\d+\s+)?(?:\w+\s+)?gpus?\b|gpus?\b|"
                       r"devices?\s*[:=]|devices?\s+\d|gpu\d|"
                       r"(?:tp|pp|ep|dp|cp)\s*=\s*\d+\s+(?:across|over|on)\s+gpus?\b)")
#: a parenthesised comment in a GPU line: ``GPU: 0-7 (tensor parallel)``
_COMMENT = re.compile(r"\([^()]*[A-Za-z]{3,}[^()]*\)")
_SUFFIX = re.compile(r"(?i)[\s_\-]+(gpu[-_ ]?\d+)\s*$")
_IN_NAME = re.compile(r"(?i)\(\s*gpus?[-\s:]*([\d,\s\-–]+)\)")
_PREFIX = re.compile(r"(?i)^\s*(gpus?\s*\d+(?:\s*[-–]\s*\d+)?)\s*:\s*(?=\S)")
_CLUSTER = re.compile(r"(?i)\bgpus?\s*[:#]?\s*(\d+(?:\s*[-–]\s*\d+)?(?:\s*,\s*\d+(?:\s*[-–]\s*\d+)?)*)")
_ID = re.compile(r"(?i)(?:^|_)gpu_?(\d+)(?:_?-_?(\d+))?(?:_|$)")


def _ids(text: str) -> frozenset[int] | None:
    """Ids in ``text`` once GPU words are removed; None when something else remains."""
    rest = _NOISE.sub(" ", text)
    if not _LEFT.match(rest) or not re.search(r"\d", rest):
        return None
    out: set[int] = set()
    for m in _RANGE.finditer(rest):
        if m.group(3) is not None:
            out.add(int(m.group(3)))
        else:
            lo, hi = sorted((int(m.group(1)), int(m.group(2))))
            if hi - lo > MAX_GPUS:
                return None
            out.update(range(lo, hi + 1))
    return frozenset(out)


def parse_gpu_text(text: str) -> GpuSpec | None:
    """Parse the text of a GPU line (``"GPU: 0-7"``); None when it is not understood."""
    t = _COMMENT.sub(" ", text).strip()
    if not t:
        return None
    sides = [s for s in _ARROW.split(t) if s.strip()]
    if len(sides) > 1:
        specs = [parse_gpu_text(s) for s in sides]
        if all(s is not None for s in specs):
            devs = frozenset().union(*(s.devices for s in specs if s))
            return GpuSpec(devs, any(s.all_gpus for s in specs if s),
                           all(s.host for s in specs if s), True, t)
        return None
    m = _ALL_N.search(t)
    if m and not re.search(r"\d+\s*[-–,]\s*\d+", t):
        n = int(m.group(1))
        return GpuSpec(frozenset(range(min(n, MAX_GPUS))), text=t)
    ids = _ids(t)
    if ids is not None:
        return GpuSpec(ids, text=t)
    if _HOST.search(t):
        return GpuSpec(host=True, text=t)
    if _ALL.search(t) and not re.search(r"\d", t):
        return GpuSpec(all_gpus=True, text=t)
    return None


def is_gpu_line(line: str) -> bool:
    """True when a label line is a GPU placement line (``GPU: 3``, ``All GPUs``...)."""
    return bool(_GPU_LINE.match(line))


def gpu_in_name(name: str) -> tuple[GpuSpec | None, str]:
    """A ``(GPU-0,1)`` group or ``GPU0:`` prefix in an operation name, and the name without it."""
    m = _IN_NAME.search(name)
    if m:
        spec = parse_gpu_text(m.group(1))
        return spec, (name[: m.start()] + name[m.end():]).strip()
    m = _PREFIX.match(name)
    if m:
        return parse_gpu_text(m.group(1)), name[m.end():].strip()
    m = _SUFFIX.search(name)
    if m and m.start() > 0:  # "Attention Head GPU3": the node's own GPU
        return parse_gpu_text(m.group(1)), name[: m.start()].strip()
    return None, name


def has_gpu_prefix(line: str) -> bool:
    """True for ``GPU0: Q Linear`` (a GPU prefix before an operation name)."""
    return bool(_PREFIX.match(line))


def gpu_in_cluster_label(label: str) -> GpuSpec | None:
    """GPU ids in a cluster label such as ``"Pipeline Stage 0: GPUs 0-7 (Layers 0-22)"``."""
    m = _CLUSTER.search(label)
    return parse_gpu_text(m.group(1)) if m else None


def gpu_in_id(node_id: str) -> GpuSpec | None:
    """A GPU id in a node id such as ``layer0_qkv_gpu3``."""
    m = _ID.search(node_id)
    if not m:
        return None
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    return GpuSpec(frozenset(range(lo, hi + 1)), text=node_id) if hi - lo < MAX_GPUS else None
