"""Results in every output format: the text summary, JSON, Markdown and LaTeX reports,
and critical-path pictures (what ``symcost analyze --format`` writes)."""

from __future__ import annotations

import json

from symcost.core.describe import ranges
from symcost.core.version import __version__
from symcost.output.context import report_context
from symcost.output.diagnostics import group_diagnostics
from symcost.output.picture import draw
from symcost.output.render import render
from symcost.solve.analysis import AnalysisResult

#: The formats of :func:`report`.
FORMATS = ("text", "json", "md", "tex", "dot", "svg", "png")


def report_data(result: AnalysisResult, crossovers: dict | None = None) -> dict:
    """The data of ``--format json`` (also each record's ``result`` in batch runs)."""
    data = result.to_dict()
    data["diagnostic_groups"] = group_diagnostics(result.diagnostics)
    if crossovers is not None:
        data["crossovers"] = {"model": crossovers["model"],
                              "batch_range": crossovers["batch_range"],
                              "items": crossovers["data"]}
    return data


def report(result: AnalysisResult, format: str = "text", *, source: str | None = None,
           fragment: bool = False, crossovers: dict | None = None) -> str | bytes:
    """``result`` in one of :data:`FORMATS` (what ``symcost analyze --format`` writes):
    ``str`` for text formats, ``bytes`` for ``png``.

    >>> import symcost
    >>> r = symcost.analyze(symcost.DagBuilder().node("a", cost="Get_Time(B, 1, 1)").build())
    >>> symcost.report(r, "json").startswith("{")
    True


    ``crossovers`` (from :func:`symcost.output.crossovers.model_crossovers`) adds a crossover section to md/tex and
    a ``crossovers`` key to json."""
    if format == "json":
        return json.dumps(report_data(result, crossovers), indent=2)
    data = result.to_dict()
    if format in ("md", "tex"):
        ctx = report_context(result, source=source)
        return render(f"analysis.{format}.j2", fragment=fragment,
                      crossovers=None if crossovers is None else crossovers["items"],
                      model=None if crossovers is None else crossovers["model"],
                      batch_range=None if crossovers is None else crossovers["batch_range"],
                      **ctx)
    if format in ("dot", "svg", "png"):
        return draw(result, format, source=source)
    ctx = {"r": data, "version": __version__, "source": source or result.dag.source,
           "description": result.dag.meta.get("description", ""),
           "devices": ranges(result.dag.devices()),
           "undecided": sum(s["undecided"] for s in data["critical_path_costs"])}
    return render("analysis.txt.j2", **ctx)
