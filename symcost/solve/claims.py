"""Checking a hand-written runtime claim against the runtime derived from a DAG.

:func:`check_claim` parses the claim with the whitelist parser (never ``eval``), compares
it with the derived runtime through the order engine (:func:`symcost.compare`) and, when
neither side has a ``Max``, lists the terms the claim misses or adds (the term-wise
difference of the two linear forms), each with the DAG nodes whose cost contains it.

Verdicts: ``equal``; ``underestimates`` (claim <= derived for every monotone cost, not
equal); ``overestimates``; ``incomparable`` (each side is larger for some monotone cost);
``unknown`` (the engine found neither proof nor counterexample).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sympy

from symcost.algebra.exprparse import parse_constraint, parse_expr
from symcost.algebra.order import Comparison, Counterexample, compare
from symcost.algebra.printing import to_latex, to_text
from symcost.core.describe import operation_name, ranges
from symcost.core.display import Displayable
from symcost.core.errors import SymcostError
from symcost.core.symbols import used_names
from symcost.solve.analysis import AnalysisResult

_VERDICTS = {"==": "equal", "<=": "underestimates", ">=": "overestimates",
             "incomparable": "incomparable", "unknown": "unknown"}
#: Node ids listed per missing term (the rest are counted).
MAX_NODES_SHOWN = 6


@dataclass
class TermDiff:
    """A term the claim misses (``coefficient > 0``) or adds (``< 0``), with its nodes."""

    atom: sympy.Expr
    coefficient: sympy.Rational
    nodes: list[str] = field(default_factory=list)        # ids, critical path first
    node_count: int = 0
    operations: list[str] = field(default_factory=list)   # operation names of those nodes
    gpus: str = "none"

    def to_dict(self) -> dict[str, object]:
        return {"term": to_text(self.atom), "coefficient": str(self.coefficient),
                "amount": to_text(abs(self.coefficient) * self.atom),
                "latex": to_latex(abs(self.coefficient) * self.atom),
                "nodes": self.nodes, "node_count": self.node_count,
                "operations": self.operations, "gpus": self.gpus}


@dataclass
class ClaimCheck(Displayable):
    """What :func:`check_claim` returns."""

    verdict: str
    claim: sympy.Expr
    derived: sympy.Expr
    which: str                         # "runtime_compute_only" or "runtime"
    comparison: Comparison
    missing: list[TermDiff]
    extra: list[TermDiff]
    termwise: bool                     # False when a Max made the difference meaningless

    @property
    def ok(self) -> bool:
        return self.verdict == "equal"

    def to_dict(self) -> dict[str, object]:
        cx = self.comparison.ge_counterexample if self.verdict in ("underestimates",
                                                                   "incomparable") else None
        cx2 = self.comparison.le_counterexample if self.verdict in ("overestimates",
                                                                    "incomparable") else None
        return {"symcost": 1, "kind": "check",
                "verdict": self.verdict, "claim": to_text(self.claim),
                "derived": to_text(self.derived), "against": self.which,
                "claim_latex": to_latex(self.claim), "derived_latex": to_latex(self.derived),
                "termwise": self.termwise,
                "missing": [t.to_dict() for t in self.missing],
                "extra": [t.to_dict() for t in self.extra],
                "derived_larger_when": _cx(cx), "claim_larger_when": _cx(cx2),
                "assumptions": list(self.comparison.assumptions),
                **used_names(self.claim, self.derived)}


def _cx(cx: Counterexample | None) -> dict[str, object] | None:
    if cx is None:
        return None
    return {"point": ", ".join(f"{k}={v}" for k, v in sorted(cx.point.items(), key=str)),
            "values": [{"atom": to_text(k), "value": str(v)}
                       for k, v in sorted(cx.values.items(), key=lambda kv: str(kv[0]))],
            "claim": str(cx.left), "derived": str(cx.right)}


def _linear(expr: sympy.Expr) -> dict[sympy.Expr, sympy.Rational] | None:
    """Atom -> coefficient of a Max-free sum of atoms (None when not of that form)."""
    if expr.has(sympy.Max) or expr.has(sympy.Min):
        return None
    out: dict[sympy.Expr, sympy.Rational] = defaultdict(lambda: sympy.S.Zero)
    for term in sympy.Add.make_args(sympy.expand(expr)):
        coeff, atom = term.as_coeff_Mul()
        if atom == 1:
            out[sympy.S.One] += coeff
            continue
        if not isinstance(atom, sympy.Function):
            return None
        out[atom] += coeff
    return {k: v for k, v in out.items() if v != 0}


def _nodes_for(result: AnalysisResult, atom: sympy.Expr) -> tuple[list[str], int, list[str], str]:
    dag = result.dag
    on_path = {s.node for s in result.compute.critical_path} | \
        {s.node for s in result.full.critical_path}
    hits = [n for n in dag.nodes if atom != 1 and n.cost.has(atom)]
    hits.sort(key=lambda n: (n.id not in on_path, n.position))
    ops: list[str] = []
    devs: set[int] = set()
    for n in hits:
        name = operation_name(n)
        if name not in ops:
            ops.append(name)
        devs.update(n.devices)
    return [n.id for n in hits[:MAX_NODES_SHOWN]], len(hits), ops[:4], ranges(devs)


def check_claim(result: AnalysisResult, claim: str | sympy.Expr, *,
                with_comm: bool = False, assume: Iterable[str] = ()) -> ClaimCheck:
    """Compare a runtime claim with the runtime derived in ``result``.

    Parameters
    ----------
    result : AnalysisResult
        From :func:`symcost.analyze`.
    claim : str or sympy expression
        Text is read by :func:`symcost.parse_expr` (whitelist parser, no ``eval``).
    with_comm : bool
        Compare with ``runtime`` (communication included) instead of
        ``runtime_compute_only``.
    assume : iterable of str
        Bounds on symbols for the order engine; default: those of the analysis.

    >>> import symcost
    >>> r = symcost.analyze(symcost.DagBuilder().node("a", cost=symcost.Get_Time(symcost.B, 1, 1)).build())
    >>> symcost.check_claim(r, "Get_Time(B, 1, 1)").verdict
    'equal'
    """
    claim_expr = parse_expr(claim) if isinstance(claim, str) else sympy.sympify(claim)
    rt = result.full if with_comm else result.compute
    if rt.nested:
        raise SymcostError(
            f"{result.dag.source or result.dag.name}: the derived runtime is kept in nested "
            f"form ({len(rt.definitions)} named terms, too large to inline); a claim can "
            "only be checked against a runtime that inlines")
    derived = rt.expr
    assume = list(assume) or [a for a in result.assumptions]
    cmp = compare(claim_expr, derived, _user_assumptions(assume))
    verdict = _VERDICTS.get(cmp.verdict, cmp.verdict)
    # the term diff under the assumptions: a symbol pinned to a value (B==1024) is
    # substituted on both sides, so terms equal under it are not "missed" and "added"
    pins = pinned_symbols(assume)
    lc = _linear(claim_expr.xreplace(pins))
    ld = _linear(derived.xreplace(pins))
    back = {a.xreplace(pins): a for a in derived.atoms(sympy.core.function.AppliedUndef)}
    missing: list[TermDiff] = []
    extra: list[TermDiff] = []
    termwise = lc is not None and ld is not None
    if termwise:
        atoms = sorted(set(lc) | set(ld), key=sympy.default_sort_key)  # type: ignore[arg-type]
        for atom in atoms:
            diff = ld.get(atom, 0) - lc.get(atom, 0)  # type: ignore[union-attr]
            if diff == 0:
                continue
            nodes, count, ops, gpus = _nodes_for(result, back.get(atom, atom))
            td = TermDiff(atom, sympy.Rational(diff), nodes, count, ops, gpus)
            (missing if diff > 0 else extra).append(td)
    return ClaimCheck(verdict, claim_expr, derived,
                      "runtime" if with_comm else "runtime_compute_only", cmp,
                      missing, extra, termwise)


def pinned_symbols(assume: Iterable[str]) -> dict[sympy.Symbol, sympy.Rational]:
    """Symbols the constraints fix to one value (``B==1024``, or ``B>=8`` with ``B<=8``).

    >>> pinned_symbols(["B==1024", "1 <= S <= 1"])
    {B: 1024, S: 1}
    """
    lo: dict[sympy.Symbol, sympy.Rational] = {}
    hi: dict[sympy.Symbol, sympy.Rational] = {}
    for text in assume:
        for sym, op, value in parse_constraint(text):
            if op in (">=", "=="):
                lo[sym] = max(lo.get(sym, value), value)
            if op in ("<=", "=="):
                hi[sym] = min(hi.get(sym, value), value)
    return {s: v for s, v in lo.items() if hi.get(s) == v}


def _user_assumptions(described: list[str]) -> list[str]:
    """The analysis' assumptions minus the implicit ``B >= 1``."""
    return [a for a in described if a.replace(" ", "") not in ("B>=1",)]


__all__ = ["check_claim", "ClaimCheck", "TermDiff"]
