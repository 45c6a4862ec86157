"""Results in every output format: the text summary, JSON, Markdown and LaTeX reports,
and critical-path pictures (what ``symcost analyze --format`` writes)."""

from __future__ import annotations

from symcost.algebra.printing import LATEX_MACROS
from symcost.core.describe import ranges
from symcost.core.jsontext import dumps as json_text
from symcost.core.version import __version__
from symcost.output.context import WIDTH, report_context
from symcost.output.diagnostics import group_diagnostics
from symcost.output.picture import draw
from symcost.output.render import render
from symcost.solve.analysis import AnalysisResult

#: The formats of :func:`report`.
FORMATS = ("text", "json", "md", "tex", "dot", "svg", "png")
#: Formats that are bytes, not text (never written to a terminal).
BINARY_FORMATS = ("png",)
#: LaTeX sectioning commands, outermost first (``section_level`` picks the top one).
SECTION_LEVELS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph",
                  "subparagraph")
#: Rows of one table in a LaTeX report (tables are split there, so pages can break).
ROWS_PER_TABLE = 16


def _sections(level: str, starred: bool) -> list[str]:
    if level not in SECTION_LEVELS:
        raise ValueError(f"section level {level!r}: expected one of {', '.join(SECTION_LEVELS)}")
    i = SECTION_LEVELS.index(level)
    cmds = list(SECTION_LEVELS[i:]) + ["subparagraph"] * 3
    return [c + "*" if starred else c for c in cmds[:3]]


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
           fragment: bool = False, crossovers: dict | None = None,
           section_level: str | None = None, figure: str | None = None,
           plot: str | None = None) -> str | bytes:
    """``result`` in one of :data:`FORMATS` (what ``symcost analyze --format`` writes):
    ``str`` for text formats, ``bytes`` for ``png``.

    LaTeX: a complete document, or with ``fragment`` a piece to ``\\input`` into a paper
    (one or two columns; its top headings are ``\\subsection*`` unless ``section_level``
    says otherwise, e.g. ``"section"``). ``figure`` (the critical-path picture, PDF/PNG)
    and ``plot`` (runtime against B) are embedded when given; Markdown links ``figure``.

    >>> import symcost
    >>> r = symcost.analyze(symcost.DagBuilder().node("a", cost=symcost.Get_Time(symcost.B, 1, 1)).build())
    >>> symcost.report(r, "json").startswith("{")
    True


    ``crossovers`` (from :func:`symcost.output.crossovers.model_crossovers`) adds a crossover section to md/tex and
    a ``crossovers`` key to json."""
    if format == "json":
        return json_text(report_data(result, crossovers), indent=2)
    if format in ("md", "tex"):
        width = WIDTH["md" if format == "md" else "fragment" if fragment else "document"]
        ctx = report_context(result, source=source, width=width)
        level = section_level or ("subsection" if fragment else "section")
        return render(f"analysis.{format}.j2", fragment=fragment,
                      sec=_sections(level, starred=fragment), figure=figure, plot=plot,
                      macros=list(LATEX_MACROS.values()), rows_per_table=ROWS_PER_TABLE,
                      crossovers=None if crossovers is None else crossovers["items"],
                      model=None if crossovers is None else crossovers["model"],
                      batch_range=None if crossovers is None else crossovers["batch_range"],
                      **ctx)
    if format in ("dot", "svg", "png"):
        return draw(result, format, source=source)
    data = result.to_dict()
    ctx = {"r": data, "version": __version__, "source": source or result.dag.source,
           "description": result.dag.meta.get("description", ""),
           "devices": ranges(result.dag.devices()),
           "undecided": sum(s["undecided"] for s in data["critical_path_costs"])}
    return render("analysis.txt.j2", **ctx)
