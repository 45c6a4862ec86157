"""Crossovers: the batch sizes where the dominant branch of a ``Max`` changes.

The order engine leaves a ``Max(a, b, ...)`` in the runtime when no argument dominates
for every cost function; a concrete machine decides it for each ``B``. A crossover is
found in three steps:

1. the winning argument is evaluated at every requested batch size (numpy);
2. where it differs between two consecutive batch sizes ``b1 < b2`` more than one apart,
   integer bisection narrows the change to ``[b, b + 1]`` (one crossing is reported per
   change of winner between sampled batch sizes: sample densely enough to see others);
3. when every atom has an exact model (roofline, alpha-beta; not measured tables), the
   difference ``after - before`` becomes a piecewise polynomial in ``B``: each inner
   ``Max`` is resolved to its active piece at ``b`` and at ``b + 1``, each piece is
   solved for a root in ``[b, b + 1]``, and a root is accepted only if the unresolved
   difference is exactly zero there. Otherwise the crossover stays bracketed.

``below`` is the last integer where ``before`` wins, ``above`` the first where ``after``
does (ties go to the first argument).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from symcost.core.symbols import B, is_atom
from symcost.models import Machine

#: Largest inlined difference (sympy ``count_ops``) that exact solving attempts.
MAX_EXACT_OPS = 5000


@dataclass
class Crossover:
    """A change of winner between ``below`` and ``above = below + 1``."""

    branch: int | None          # index of the Max (None: between two deployments)
    before: int | str           # argument index (or deployment name) winning at below
    after: int | str            # ... winning at above
    below: int
    above: int
    exact: sympy.Expr | None = None   # exact B where both are equal, if solved
    label: str = ""

    @property
    def method(self) -> str:
        return "exact" if self.exact is not None else "bracket"

    @property
    def value(self) -> float | None:
        """The crossing point as a float (None when only bracketed)."""
        return None if self.exact is None else float(self.exact)

    @property
    def first_integer(self) -> int:
        """The first integer batch size at which the new branch wins (``B`` is an
        integer: ``ceil(exact)``, where an integer crossing is a tie counted for the new
        winner, as the evaluation does; ``above`` when only bracketed).

        >>> Crossover(0, 0, 1, 3, 4, sympy.Rational(5851251, 1519709)).first_integer
        4
        """
        if self.exact is None:
            return int(self.above)
        return int(sympy.ceiling(self.exact))

    def where(self) -> str:
        """``B = 4 (exact crossing at 5851251/1519709 ~ 3.85)`` in words."""
        if self.exact is None:
            return f"B = {self.above} (bracketed: between B = {self.below} and {self.above})"
        if self.exact.is_Integer:
            return f"B = {self.first_integer} (an exact crossing: both equal there)"
        return (f"B = {self.first_integer} (exact crossing at B = {self.exact} "
                f"~ {self.value:.6g})")

    def to_dict(self) -> dict[str, Any]:
        return {"branch": self.branch, "label": self.label, "before": self.before,
                "after": self.after, "below": self.below, "above": self.above,
                "first_integer": self.first_integer, "method": self.method,
                "exact": None if self.exact is None else str(self.exact),
                "value": self.value}

    def __str__(self) -> str:
        return f"{self.label}: {self.before} -> {self.after} at {self.where()}"


def bracket_changes(labels_at: Callable[[np.ndarray], np.ndarray], batches: np.ndarray,
                    labels: np.ndarray) -> list[tuple[int, int, int, int]]:
    """``(below, above, before, after)`` for each change of ``labels`` along ``batches``.

    ``labels_at(array_of_B)`` gives the label at arbitrary integer batch sizes; gaps
    between consecutive ``batches`` are bisected (all gaps at once) down to 1.
    """
    idx = np.flatnonzero(labels[1:] != labels[:-1])
    lo = batches[idx].astype(np.int64)
    hi = batches[idx + 1].astype(np.int64)
    before = labels[idx].astype(np.int64)
    after = labels[idx + 1].astype(np.int64)
    while True:
        open_ = np.flatnonzero(hi - lo > 1)
        if len(open_) == 0:
            break
        mid = (lo[open_] + hi[open_]) // 2
        lab = np.asarray(labels_at(mid))
        same = lab == before[open_]
        lo[open_[same]] = mid[same]
        hi[open_[~same]] = mid[~same]
        after[open_[~same]] = lab[~same]
    return [(int(a), int(b), int(c), int(d)) for a, b, c, d in zip(lo, hi, before, after)]


def branch_crossovers(evaluator: Any, evaluation: Any) -> list[Crossover]:
    """Crossovers of every ``Max``/``Min`` of an evaluated runtime (see module doc)."""
    branches = evaluation.branches
    if not branches:
        return []
    out: list[Crossover] = []
    cache: dict[tuple[int, ...], list[np.ndarray]] = {}

    def choices_at(points: np.ndarray) -> list[np.ndarray]:
        key = tuple(int(p) for p in points)
        if key not in cache:
            cache[key] = evaluator(points)[2]
        return cache[key]

    for br in branches:
        changes = bracket_changes(lambda pts, j=br.index: choices_at(pts)[j],
                                  evaluation.batches, br.choice)
        for below, above, before, after in changes:
            diff = br.args[after] - br.args[before]
            if br.kind == "Min":
                diff = -diff
            root = exact_crossing(diff, evaluator.machine, below, above,
                                  evaluator.definitions)
            out.append(Crossover(br.index, before, after, below, above, root,
                                 label=f"{br.kind} #{br.index + 1}"
                                 + ("" if br.defined_in == "runtime" else
                                    f" (in {br.defined_in})")))
    return out


def inline(expr: sympy.Expr, definitions: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """``expr`` with the definition symbols it uses replaced by their expressions."""
    if not definitions:
        return expr
    for sym in reversed(list(definitions)):
        if sym in expr.free_symbols:
            expr = expr.xreplace({sym: definitions[sym]})
    return expr


def exact_crossing(diff: sympy.Expr, machine: Machine, below: int, above: int,
                   definitions: Mapping[sympy.Symbol, sympy.Expr] | None = None
                   ) -> sympy.Expr | None:
    """The exact ``B`` in ``[below, above]`` where ``diff`` (in atoms) is zero, or None.

    ``diff`` is increasing through zero there under ``machine``. None when an atom has
    no exact model, the expression is too large, or no verified root exists.
    """
    expr = inline(sympy.sympify(diff), definitions or {})
    if sympy.count_ops(expr) > MAX_EXACT_OPS:
        return None
    missing = []

    def model(atom: sympy.Basic) -> sympy.Basic:
        sym = machine.symbolic(atom)
        if sym is None:
            missing.append(atom)
            return atom
        return sym

    expr = expr.replace(is_atom, model)
    if missing:
        return None
    x = sympy.Symbol("x", positive=True)
    expr = expr.xreplace({B: x})
    roots: list[sympy.Expr] = []
    for point in (below, above):
        piece = _resolve(expr, x, sympy.Integer(point))
        for r in _roots_in(piece, x, below, above):
            if r not in roots and _is_zero(expr.xreplace({x: r})):
                roots.append(r)
    if not roots:
        return None
    return min(roots, key=lambda r: float(r))


def _resolve(expr: sympy.Expr, x: sympy.Symbol, point: sympy.Expr) -> sympy.Expr:
    """``expr`` with every Max/Min replaced by its active argument at ``x = point``."""
    def pick(e: sympy.Basic) -> sympy.Basic:
        vals = [a.xreplace({x: point}) for a in e.args]
        best = max(vals) if isinstance(e, sympy.Max) else min(vals)
        return e.args[vals.index(best)]

    return expr.replace(lambda e: isinstance(e, (sympy.Max, sympy.Min)), pick)


def _roots_in(piece: sympy.Expr, x: sympy.Symbol, lo: int, hi: int) -> list[sympy.Expr]:
    try:
        poly = sympy.Poly(sympy.together(piece).as_numer_denom()[0], x)
    except sympy.PolynomialError:
        return []
    if poly.degree() < 1 or poly.degree() > 4:
        return []
    found = []
    for r in sympy.roots(poly, x):
        if r.is_real and lo <= r <= hi:
            found.append(sympy.nsimplify(r) if r.is_Float else r)
    return found


def _is_zero(value: sympy.Expr) -> bool:
    if value.is_Number:
        return value == 0
    num = sympy.N(value, 50)
    return bool(num.is_Number and abs(num) < sympy.Float("1e-40", 50))


def compare_labels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """0 where ``a`` is faster or equal (smaller runtime), 1 where ``b`` is faster."""
    return (b < a * (1 - 1e-9)).astype(np.int64)


def deployment_crossovers(eval_a: Callable[[np.ndarray], np.ndarray],
                          eval_b: Callable[[np.ndarray], np.ndarray],
                          batches: np.ndarray, times_a: np.ndarray, times_b: np.ndarray,
                          *, names: Sequence[str] = ("A", "B"),
                          exact_diff: sympy.Expr | None = None,
                          machine: Machine | None = None) -> list[Crossover]:
    """Batch sizes where the faster of two deployments changes.

    ``exact_diff`` (optional) is ``runtime_A - runtime_B`` in atoms, definitions
    inlined, for exact solving under ``machine``.
    """
    labels = compare_labels(times_a, times_b)
    changes = bracket_changes(lambda pts: compare_labels(eval_a(pts), eval_b(pts)),
                              batches, labels)
    out = []
    for below, above, before, after in changes:
        root = None
        if exact_diff is not None and machine is not None:
            # faster deployment changes from `before` to `after`: solve for the tie,
            # with the difference oriented to increase through zero
            d = exact_diff if after == 1 else -exact_diff
            root = exact_crossing(d, machine, below, above)
        out.append(Crossover(None, names[before], names[after], below, above, root,
                             label="faster deployment"))
    return out
