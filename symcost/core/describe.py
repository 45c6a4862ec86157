"""Plain words for DAG parts, shared by every layer: GPU id ranges, operation names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from symcost.core.dag import Node


def ranges(ids: Iterable[int]) -> str:
    """``[0, 1, 2, 5]`` -> ``"0-2, 5"`` (``"none"`` when empty)."""
    devs = sorted(set(ids))
    if not devs:
        return "none"
    out: list[str] = []
    start = prev = devs[0]
    for d in devs[1:] + [None]:  # type: ignore[list-item]
        if d is not None and d == prev + 1:
            prev = d
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if d is not None:
            start = prev = d
    return ", ".join(out)


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_COUNT_TAIL = re.compile(r",\s*\d+\s+\w+\s*$")  # "Router gate, 16 experts"
_LAYER_GPU = re.compile(r"\b[LlGg]\d+\b")
_NUMBER = re.compile(r"\b\d+\b")
_SPACES = re.compile(r"\s+")
_SPACE_COMMA = re.compile(r"\s+,")


def operation_name(node: Node) -> str:
    """A node's name without its layer, GPU and instance numbers ("Expert up-projection").

    >>> operation_name(Node("L3.g5.q", "Q projection (L3, GPU 5)"))
    'Q projection'
    """
    return _operation_name(node.name or node.id) or node.id


@lru_cache(maxsize=1 << 17)  # reports ask for every node's name, several times
def _operation_name(name: str) -> str:
    name = _BRACKETS.sub(" ", name)
    name = _COUNT_TAIL.sub("", name.strip())
    name = _LAYER_GPU.sub(" ", name)
    name = _NUMBER.sub(" ", name)
    name = _SPACES.sub(" ", name).strip(" ,;:-")
    return _SPACE_COMMA.sub(",", name)
