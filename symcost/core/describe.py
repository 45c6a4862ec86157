"""Plain words for DAG parts, shared by every layer: GPU id ranges, operation names."""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def operation_name(node: Node) -> str:
    """A node's name without its layer, GPU and instance numbers ("Expert up-projection")."""
    name = node.name or node.id
    name = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", name)
    name = re.sub(r",\s*\d+\s+\w+\s*$", "", name.strip())  # "Router gate, 16 experts"
    name = re.sub(r"\b[LlGg]\d+\b", " ", name)
    name = re.sub(r"\b\d+\b", " ", name)
    name = re.sub(r"\s+", " ", name).strip(" ,;:-")
    name = re.sub(r"\s+,", ",", name)
    return name or node.id
