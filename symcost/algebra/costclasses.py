"""Named cost classes: extra axioms under which one runtime provably never exceeds another.

The order engine (:mod:`symcost.algebra.order`) decides ``a >= b`` for every cost function
that is non-negative and non-decreasing in each argument. Comparing parallel strategies
needs more, so users opt into named classes; each is an assumption a certificate cites:

``monotone``
    DESIGN.md's own assumption, nothing more: an atom is non-decreasing in each argument,
    so ``f(x) <= f(y)`` when ``x <= y`` argument by argument (for all ``B, S, L >= 1``).
``subadditive``
    ``monotone`` and subadditive in each size argument: one GEMM of ``m1 + m2`` rows never
    costs more than two of ``m1`` and ``m2`` (batching never hurts), likewise in ``k`` and
    ``n``, and a collective over ``n1 + n2`` elements never more than two (same group).
    Hence ``f(c*x) <= ceil(c) * f(x)`` in each such argument. Group sizes are only monotone.

:func:`prove_le` certifies ``y <= x`` by covering every term of ``y`` with terms of ``x``:
a transport problem (a linear program) in which one unit of an ``x`` atom covers ``1/w`` of
a ``y`` atom that the class bounds by ``w`` times it. ``Max`` in ``y`` is bounded above by
the sum of its arguments and ``Max`` in ``x`` below by each argument (all are tried when
few). The answer is a :class:`Certificate` or None (not proved; never "false").
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy.core.function import AppliedUndef

#: The classes a user can opt into, with the assumption each one states.
COST_CLASSES: dict[str, str] = {
    "monotone": "every cost atom is non-decreasing in each argument (DESIGN.md)",
    "subadditive": "monotone, and subadditive in each size argument: one operation on "
                   "m1 + m2 never costs more than two on m1 and m2 (batching never hurts)",
}

#: Argument positions that are sizes (splittable) for the subadditive class.
_SIZE_ARGS = {"Get_Time": (0, 1, 2)}
_COMM_SIZE_ARGS = (0,)

_MAX_CHOICES = 64


@dataclass(frozen=True)
class Certificate:
    """Why ``y <= x``: the class and, per term of ``y``, the ``x`` terms that cover it."""

    cost_class: str
    cover: tuple[tuple[str, str, float, int], ...]   # (y atom, x atom, amount, factor)

    def text(self, y_name: str, x_name: str) -> str:
        """One line: ``y is never slower than x because ...``."""
        parts = []
        for ya, xa, _amount, w in self.cover[:3]:
            rel = "<=" if w == 1 else f"<= {w} *"
            parts.append(f"{ya} {rel} {xa}")
        more = f" (+{len(self.cover) - 3} more)" if len(self.cover) > 3 else ""
        return (f"{y_name} is never slower than {x_name} for every cost function that is "
                f"{self.cost_class}: " + "; ".join(parts) + more)


def _check_class(cost_class: str) -> None:
    if cost_class not in COST_CLASSES:
        raise ValueError(f"unknown cost class {cost_class!r}; known: {', '.join(COST_CLASSES)}")


def _nonneg_poly(expr: sympy.Expr) -> bool:
    """True when ``expr >= 0`` for all symbols >= 1: a polynomial in ``s - 1`` with
    non-negative coefficients (a sufficient test)."""
    expr = sympy.expand(expr)
    if expr.is_number:
        return bool(expr >= 0)
    syms = sorted(expr.free_symbols, key=str)
    shifted = sympy.expand(expr.subs({s: s + 1 for s in syms}, simultaneous=True))
    try:
        poly = sympy.Poly(shifted, *syms)
    except sympy.PolynomialError:
        return False
    return all(c >= 0 for c in poly.coeffs())


@lru_cache(maxsize=200_000)
def _factor(y: sympy.Basic, x: sympy.Basic, cost_class: str) -> int | None:
    """Smallest integer ``w`` with ``y <= w * x`` under the class, or None."""
    if y.func != x.func or len(y.args) != len(x.args):
        return None
    name = y.func.__name__
    sizes = _SIZE_ARGS.get(name, _COMM_SIZE_ARGS)
    w = 1
    for i, (a, b) in enumerate(zip(y.args, x.args)):
        if a == b:
            continue
        ratio = sympy.simplify(a / b)
        if ratio.is_number:
            if ratio <= 1:
                continue
            if cost_class == "subadditive" and i in sizes:
                w *= math.ceil(ratio)
                continue
            return None
        if _nonneg_poly(b - a):
            continue
        return None
    return w


@lru_cache(maxsize=4096)
def _terms_cached(expr: sympy.Expr) -> tuple[tuple[sympy.Basic, sympy.Expr], ...]:
    return tuple(_terms(expr).items())


def _terms(expr: sympy.Expr) -> dict[sympy.Basic, sympy.Expr]:
    out: dict[sympy.Basic, sympy.Expr] = {}
    for t in sympy.Add.make_args(sympy.expand(expr)):
        if t == 0:
            continue
        c, rest = t.as_coeff_Mul()
        out[rest] = out.get(rest, 0) + c
    return out


def _upper(expr: sympy.Expr) -> sympy.Expr:
    """An upper bound without Max/Min: Max(a, b) <= a + b; Min(a, b) <= a."""
    return expr.replace(lambda e: isinstance(e, sympy.Max), lambda e: sympy.Add(*e.args)) \
               .replace(lambda e: isinstance(e, sympy.Min), lambda e: e.args[0])


def _lowers(expr: sympy.Expr) -> list[sympy.Expr]:
    """Lower bounds without Max: each choice of one argument per Max (a few at most)."""
    maxes = sorted(expr.atoms(sympy.Max), key=sympy.count_ops)
    if not maxes:
        return [expr]
    choices = list(itertools.islice(itertools.product(*(m.args for m in maxes)),
                                    _MAX_CHOICES))
    out = []
    for pick in choices:
        e = expr
        for m, a in zip(maxes, pick):
            e = e.xreplace({m: a})
        if not e.atoms(sympy.Max):
            out.append(e)
    return out


def prove_le(y: sympy.Expr, x: sympy.Expr, cost_class: str = "monotone") -> Certificate | None:
    """A certificate that ``y <= x`` for every cost function of ``cost_class``, or None."""
    from scipy.optimize import linprog

    _check_class(cost_class)
    yt = dict(_terms_cached(_upper(sympy.sympify(y))))
    if any(not (c.is_number and c > 0) for c in yt.values()):
        return None
    if not yt:
        return Certificate(cost_class, ())
    for low in _lowers(sympy.sympify(x)):
        xt = dict(_terms_cached(low))
        if any(not (c.is_number and c > 0) for c in xt.values()):
            continue
        ya, xa = list(yt), list(xt)
        if {a.func for a in ya} - {b.func for b in xa}:
            return None      # a family of y that x does not have: nothing can cover it
        pairs = [(i, j, w) for i, a in enumerate(ya) for j, b in enumerate(xa)
                 if (w := _factor(a, b, cost_class)) is not None]
        if {i for i, _, _ in pairs} != set(range(len(ya))):
            continue
        # variables f_p >= 0 (amount of y-term i covered by x-term j)
        a_eq = [[1.0 if p[0] == i else 0.0 for p in pairs] for i in range(len(ya))]
        b_eq = [float(yt[a]) for a in ya]
        a_ub = [[float(p[2]) if p[1] == j else 0.0 for p in pairs] for j in range(len(xa))]
        b_ub = [float(xt[b]) for b in xa]
        res = linprog([p[2] for p in pairs], A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                      bounds=(0, None), method="highs")
        if res.status == 0 and _exact_check(res.x, pairs, ya, xa, yt, xt):
            cover = tuple((str(ya[i]), str(xa[j]), float(f), int(w))
                          for (i, j, w), f in zip(pairs, res.x) if f > 1e-12)
            return Certificate(cost_class, cover)
    return None


def _exact_check(f, pairs, ya, xa, yt, xt) -> bool:
    """Re-check the LP solution exactly in rationals (the LP is floating point): each
    y-term's amounts are rescaled to cover it exactly, then every x-term's capacity must
    hold with no tolerance. A near miss is "not proved", never a false certificate."""
    fr = [max(sympy.Rational(float(v)).limit_denominator(10**9), sympy.Integer(0)) for v in f]
    need = {i: sympy.Integer(0) for i in range(len(ya))}
    for (i, _, _), v in zip(pairs, fr):
        need[i] += v
    if any(need[i] == 0 for i in need):
        return False
    used = {j: sympy.Integer(0) for j in range(len(xa))}
    for (i, j, w), v in zip(pairs, fr):
        used[j] += w * v * sympy.Rational(yt[ya[i]]) / need[i]
    return all(used[j] <= xt[xa[j]] for j in used)


def atom_count(expr: sympy.Expr) -> int:
    """Number of distinct cost atoms of ``expr`` (for reports)."""
    return len(sympy.sympify(expr).atoms(AppliedUndef))
