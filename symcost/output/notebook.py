"""Notebook representations of results, DAGs, comparisons and claim checks, registered in
:mod:`symcost.core.display` (imported by ``symcost``). Short by default: a formula longer
than :data:`MAX_CHARS` is cut, with ``symcost.report(result, "md")`` for the whole."""

from __future__ import annotations

from symcost.algebra.order import Comparison
from symcost.algebra.printing import to_latex, to_text
from symcost.core.dag import Dag
from symcost.core.describe import ranges
from symcost.core.display import register
from symcost.solve.analysis import AnalysisResult
from symcost.solve.claims import ClaimCheck

#: Longest formula shown inline in a notebook (characters of its plain text).
MAX_CHARS = 600


def _math(expr) -> str:
    """``$$...$$`` of ``expr`` when short, else its plain text cut, in a code span."""
    text = to_text(expr)
    if len(text) <= MAX_CHARS:
        return f"$$\n{to_latex(expr)}\n$$"
    return f"`{text[:MAX_CHARS]} ...` ({len(text)} characters; `symcost.report(result, 'md')`)"


def dag_text(dag: Dag) -> str:
    """``<Dag 'name': 406 nodes, 585 edges, GPUs 0-15>``."""
    return (f"<Dag {dag.name!r}: {len(dag.nodes)} nodes, {dag.num_edges} edges, "
            f"GPUs {ranges(dag.devices()) or 'none'}>")


def dag_markdown(dag: Dag) -> str:
    kinds: dict[str, int] = {}
    for n in dag.nodes:
        kinds[n.kind.value] = kinds.get(n.kind.value, 0) + 1
    counts = ", ".join(f"{k} {v}" for k, v in kinds.items())
    return (f"**DAG `{dag.name}`**: {len(dag.nodes)} nodes, {dag.num_edges} edges, GPUs "
            f"{ranges(dag.devices()) or 'none'}; {counts}. `symcost.dag_info(dag)` for more.")


def result_markdown(r: AnalysisResult) -> str:
    warnings = sum(1 for d in r.diagnostics if getattr(d.level, "value", d.level) == "warning")
    completeness = getattr(getattr(r, "completeness", None), "summary", None)
    lines = [f"**{r.dag.name}** ({r.concurrency} concurrency): compute-only runtime",
             "", _math(r.runtime_compute_only), ""]
    if r.runtime != r.runtime_compute_only:
        lines += ["with communication", "", _math(r.runtime), ""]
    lines.append(f"Critical path: {len(r.compute.critical_path)} steps; "
                 f"{len(r.compute.branches)} fork-joins compared; {warnings} warnings."
                 + (f" {completeness}" if completeness else ""))
    return "\n".join(lines)


def result_latex(r: AnalysisResult) -> str | None:
    if len(to_text(r.runtime_compute_only)) > MAX_CHARS:
        return None
    return f"$$T_{{\\mathrm{{compute}}}}(B) = {to_latex(r.runtime_compute_only)}$$"


def comparison_markdown(c: Comparison) -> str:
    return f"**{c.verdict}**: `{to_text(c.left)}` versus `{to_text(c.right)}`"


def claim_markdown(c: ClaimCheck) -> str:
    lines = [f"**Claim {c.verdict}** (against `{c.which}`)"]
    for t in c.missing[:10]:
        lines.append(f"- misses `{to_text(abs(t.coefficient) * t.atom)}`"
                     + (f" ({', '.join(t.operations)})" if t.operations else ""))
    for t in c.extra[:10]:
        lines.append(f"- adds `{to_text(abs(t.coefficient) * t.atom)}`")
    more = len(c.missing) + len(c.extra) - min(len(c.missing), 10) - min(len(c.extra), 10)
    if more > 0:
        lines.append(f"- ... and {more} more terms")
    return "\n".join(lines)


register("Dag", "text", dag_text)
register("Dag", "markdown", dag_markdown)
register("AnalysisResult", "markdown", result_markdown)
register("AnalysisResult", "latex", result_latex)
register("Comparison", "markdown", comparison_markdown)
register("ClaimCheck", "markdown", claim_markdown)
