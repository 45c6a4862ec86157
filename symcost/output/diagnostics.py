"""Diagnostics a person can read: grouped by cause, one line per group, completeness first.

:func:`group_diagnostics` groups diagnostics by their ``code`` (the cause) into JSON-ready
dicts that list every node of the group; :func:`diagnostics_report` renders the
completeness line and one line per group (a count and a few example nodes; ``verbose``
lists every node and every message) through ``templates/diagnostics.txt.j2``. The
command line writes that report on stderr whatever the output format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from symcost.core.diagnostics import Diagnostic, Level
from symcost.output.render import render
from symcost.solve.completeness import Completeness

#: Example nodes a group line shows without ``--verbose``.
EXAMPLES = 3

_RANK = {Level.ERROR: 2, Level.WARNING: 1, Level.INFO: 0}


def _nodes_of(d: Diagnostic) -> list[str]:
    nodes = list(d.nodes)
    if d.node is not None and d.node not in nodes:
        nodes.insert(0, d.node)
    return nodes


def group_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[dict[str, object]]:
    """Diagnostics grouped by ``code`` (those without one by their message), in order of
    first appearance, most severe level first.

    Each group: ``code``, ``level`` (the most severe of its members), ``count`` (its
    diagnostics), ``message`` (the first one), ``messages`` (every distinct one),
    ``nodes`` (every node any member names, in order) and ``lines``.
    """
    groups: dict[str, dict[str, object]] = {}
    seen: dict[str, tuple[set[str], set[str]]] = {}  # messages and nodes already listed
    for d in diagnostics:
        key = d.code or f"{d.level}:{d.message}"
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"code": d.code or "other", "level": d.level, "count": 0,
                               "message": d.message, "messages": [], "nodes": [],
                               "lines": []}
            seen[key] = (set(), set())
        msgs_seen, nodes_seen = seen[key]
        g["count"] = int(g["count"]) + 1  # type: ignore[call-overload]
        if _RANK[Level(d.level)] > _RANK[Level(g["level"])]:  # type: ignore[arg-type]
            g["level"] = d.level
        if d.message not in msgs_seen:
            msgs_seen.add(d.message)
            g["messages"].append(d.message)  # type: ignore[attr-defined]
        for n in _nodes_of(d):
            if n not in nodes_seen:
                nodes_seen.add(n)
                g["nodes"].append(n)  # type: ignore[attr-defined]
        if d.line is not None:
            g["lines"].append(d.line)  # type: ignore[attr-defined]
    out = list(groups.values())
    out.sort(key=lambda g: -_RANK[Level(g["level"])])  # type: ignore[arg-type]
    for g in out:
        g["level"] = str(g["level"])
    return out


def diagnostics_report(diagnostics: Sequence[Diagnostic],
                       completeness: Completeness | None = None, *, verbose: bool = False,
                       file: str | None = None) -> str:
    """The completeness line, then one line per group of ``diagnostics`` (all nodes and
    messages when ``verbose``); empty when there is nothing to say."""
    groups = group_diagnostics(diagnostics)
    if not groups and completeness is None:
        return ""
    return render("diagnostics.txt.j2", groups=groups, verbose=verbose, examples=EXAMPLES,
                  completeness=None if completeness is None else completeness.to_dict(),
                  file=file)


__all__ = ["group_diagnostics", "diagnostics_report", "EXAMPLES"]
