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
    Hence ``f(c*x) <= ceil(c) * f(x)`` in each such argument. Group sizes are only monotone
    (a collective never gets cheaper on a larger group at the same bytes per GPU: that is
    already ``monotone``).
``flops``
    ``subadditive``, and a GEMM's time is a function of its FLOP count ``m*k*n`` alone,
    non-decreasing and subadditive in it (``a + c*m*k*n``, compute-bound kernels at one
    efficiency with a launch term, is one): ``Get_Time(2m, k, n/2) == Get_Time(m, k, n)``.
    False for memory-bound shapes (decode at small ``m``), where splitting the weights
    matters: a strong assumption, for "which layouts win when compute dominates".

:func:`prove_le` certifies ``y <= x`` by covering every term of ``y`` with terms of ``x``:
a transport problem (a linear program) in which one unit of an ``x`` atom covers ``1/w`` of
a ``y`` atom that the class bounds by ``w`` times it. ``Max`` in ``y`` is split into its
choices (``y`` is, pointwise, one of them: each must be covered; past 64 choices a ``Max``
is bounded by the sum of its arguments) and ``Max`` in ``x`` is bounded below by each
argument (all choices are tried when few). The answer is a :class:`Certificate` or None
(not proved; never "false"). :func:`prepare` turns a formula into these terms once, so
comparing many pairs (:func:`prove_le_prepared`) does no symbolic work per pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy
from sympy.core.function import AppliedUndef

#: The classes a user can opt into, with the assumption each one states.
COST_CLASSES: dict[str, str] = {
    "monotone": "every cost atom is non-decreasing in each argument (DESIGN.md)",
    "subadditive": "monotone, and subadditive in each size argument: one operation on "
                   "m1 + m2 never costs more than two on m1 and m2 (batching never hurts)",
    "flops": "subadditive, and a GEMM's time depends only on its FLOP count m*k*n "
             "(compute-bound kernels at one efficiency; false for memory-bound shapes "
             "such as decode at small m)",
}

#: Classes whose members are also members of each class named (for "stronger than").
_IMPLIES = {"monotone": ("monotone",), "subadditive": ("monotone", "subadditive"),
            "flops": ("monotone", "subadditive", "flops")}

#: Argument positions that are sizes (splittable) for the subadditive class.
_SIZE_ARGS = {"Get_Time": (0, 1, 2)}
_COMM_SIZE_ARGS = (0,)

_MAX_CHOICES = 64


@dataclass(frozen=True)
class Certificate:
    """Why ``y <= x``: the class and, per term of ``y``, the ``x`` terms that cover it."""

    cost_class: str
    #: (y atom, x atom, amount, factor): ``amount`` of the y atom is paid by the x atom,
    #: which the class bounds by ``factor`` times it
    cover: tuple[tuple[sympy.Basic, sympy.Basic, float, int], ...]

    def text(self, y_name: str, x_name: str) -> str:
        """One line: ``y is never slower than x because ...``."""
        parts = []
        for ya, xa, _amount, w in self.cover[:3]:
            rel = "<=" if w == 1 else f"<= {w} *"
            parts.append(f"{ya} {rel} {xa}")
        more = f" (+{len(self.cover) - 3} more)" if len(self.cover) > 3 else ""
        return (f"{y_name} is never slower than {x_name} for every cost function that is "
                f"{self.cost_class}: " + "; ".join(parts) + more)


def strongest(classes) -> str | None:
    """The class among ``classes`` with the most assumptions (its survivors are fewest).

    >>> strongest(["subadditive", "monotone"])
    'subadditive'
    """
    known = [c for c in classes if c in COST_CLASSES]
    return max(known, key=lambda c: len(_IMPLIES[c])) if known else None


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
    if cost_class == "flops" and name == "Get_Time" and len(y.args) == 3:
        return _flops_factor(y, x)
    sizes = _SIZE_ARGS.get(name, _COMM_SIZE_ARGS)
    w = 1
    for i, (a, b) in enumerate(zip(y.args, x.args)):
        if a == b:
            continue
        ratio = _ratio(a, b)
        if ratio.is_number:
            if ratio <= 1:
                continue
            if cost_class in ("subadditive", "flops") and i in sizes:
                w *= int(math.ceil(ratio))
                continue
            return None
        if _nonneg_poly(b - a):
            continue
        return None
    return w


def _ratio(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """``a / b``, cheaply when both are a number times the same monomial."""
    ca, ma = a.as_coeff_Mul()
    cb, mb = b.as_coeff_Mul()
    if ma == mb and cb != 0:
        return ca / cb
    return sympy.simplify(a / b)


def _flops_factor(y: sympy.Basic, x: sympy.Basic) -> int | None:
    """``w`` with ``G(y) <= w * G(x)`` when G depends on ``m*k*n`` alone (non-decreasing
    and subadditive in it): ``ceil`` of the FLOP ratio when it is a number, 1 when the
    FLOPs of ``x`` are at least those of ``y`` for all symbols >= 1, else None."""
    fy, fx = sympy.Mul(*y.args), sympy.Mul(*x.args)
    ratio = _ratio(fy, fx)
    if ratio.is_number:
        return 1 if ratio <= 1 else int(math.ceil(ratio))
    return 1 if _nonneg_poly(fx - fy) else None


#: A sum of atoms: ``((atom id, coefficient), ...)``; ids index :data:`_ATOMS`.
Terms = tuple[tuple[int, Fraction], ...]

_ATOMS: list[sympy.Basic] = []
_ATOM_ID: dict[sympy.Basic, int] = {}
_FAMILY: list[int] = []
_FAMILY_ID: dict[str, int] = {}
_FACTORS: dict[tuple[int, int, str], int | None] = {}


def _intern(atom: sympy.Basic) -> int:
    """A small integer for ``atom`` (atoms are hashed once, not per comparison)."""
    i = _ATOM_ID.get(atom)
    if i is None:
        i = _ATOM_ID[atom] = len(_ATOMS)
        _ATOMS.append(atom)
        name = f"{atom.func}/{len(atom.args)}"
        _FAMILY.append(_FAMILY_ID.setdefault(name, len(_FAMILY_ID)))
    return i


def _factor_id(i: int, j: int, cost_class: str) -> int | None:
    key = (i, j, cost_class)
    w = _FACTORS.get(key, -1)
    if w == -1:
        w = _FACTORS[key] = _factor(_ATOMS[i], _ATOMS[j], cost_class)
    return w


@dataclass(frozen=True)
class Prepared:
    """A formula as the terms :func:`prove_le` compares: ``uppers`` (the formula is,
    pointwise, at most one of them: one per choice of ``Max`` arguments) and ``lowers``
    (each is a lower bound: one per choice, a few at most). ``ok`` is False when the
    formula is not a non-negative combination of atoms (then nothing is proved)."""

    uppers: tuple[Terms, ...]
    lowers: tuple[Terms, ...]
    ok: bool = True


def _flat_terms(expr: sympy.Expr) -> list[tuple[sympy.Expr, sympy.Basic]] | None:
    """``[(coefficient, atom or Max)]`` of a sum, or None when a term is anything else."""
    out = []
    for t in sympy.Add.make_args(expr):
        if t == 0:
            continue
        c, rest = t.as_coeff_Mul()
        if not (isinstance(rest, (AppliedUndef, sympy.Max)) or rest == 1):
            return None
        out.append((c, rest))
    return out


def _choices(expr: sympy.Expr, limit: int) -> list[dict[sympy.Basic, sympy.Expr]] | None:
    """Every way to replace each ``Max`` by one argument (recursively), as term dicts;
    None past ``limit`` choices or when ``expr`` is not a sum of atoms and ``Max``."""
    terms = _flat_terms(expr)
    if terms is None:
        terms = _flat_terms(sympy.expand(expr))
        if terms is None:
            return None
    out: list[dict[sympy.Basic, sympy.Expr]] = [{}]
    for c, rest in terms:
        if isinstance(rest, sympy.Max):
            opts = []
            for a in rest.args:
                sub = _choices(a, limit)
                if sub is None:
                    return None
                opts.extend(sub)
            if len(out) * len(opts) > limit:
                return None
            out = [_add_terms(o, p, c) for o in out for p in opts]
        else:
            for o in out:
                o[rest] = o.get(rest, 0) + c
    return out


def _add_terms(base: dict, more: dict, c: sympy.Expr) -> dict:
    out = dict(base)
    for k, v in more.items():
        out[k] = out.get(k, 0) + c * v
    return out


def _freeze(d: dict) -> Terms:
    return tuple((_intern(a), _fraction(c)) for a, c in d.items())


def _upper(expr: sympy.Expr) -> sympy.Expr:
    """An upper bound without Max/Min: Max(a, b) <= a + b; Min(a, b) <= a."""
    return expr.replace(lambda e: isinstance(e, sympy.Max), lambda e: sympy.Add(*e.args)) \
               .replace(lambda e: isinstance(e, sympy.Min), lambda e: e.args[0])


def prepare(expr: sympy.Expr) -> Prepared:
    """The terms of ``expr`` for :func:`prove_le_prepared` (work done once per formula).

    >>> from symcost.core.symbols import B, Get_Time
    >>> p = prepare(Get_Time(B, 8, 8) + sympy.Max(Get_Time(2*B, 8, 8), Get_Time(B, 8, 16)))
    >>> len(p.uppers), len(p.lowers)
    (2, 2)
    """
    expr = sympy.sympify(expr)
    has_min = bool(expr.atoms(sympy.Min))
    up = _upper_min(expr)
    ups = _choices(up, _MAX_CHOICES)
    if ups is None:          # too many choices: Max(a, b) <= a + b
        ups = _choices(_upper(up), 1)
        if ups is None:
            return Prepared((), (), ok=False)
    lows = [] if has_min else (_choices(expr, _MAX_CHOICES) or [])
    ok = all(c.is_number and c > 0 for d in ups for c in d.values())
    lows = [d for d in lows if all(c.is_number and c > 0 for c in d.values())]
    if not ok:
        return Prepared((), tuple(_freeze(d) for d in lows), ok=False)
    return Prepared(tuple(_freeze(d) for d in ups), tuple(_freeze(d) for d in lows), ok)


def _upper_min(expr: sympy.Expr) -> sympy.Expr:
    """``Min(a, b) <= a``: drop Min for the upper bounds (Max is split into choices)."""
    if not expr.atoms(sympy.Min):
        return expr
    return expr.replace(lambda e: isinstance(e, sympy.Min), lambda e: e.args[0])


def prove_le(y: sympy.Expr, x: sympy.Expr, cost_class: str = "monotone") -> Certificate | None:
    """A certificate that ``y <= x`` for every cost function of ``cost_class``, or None.

    >>> from symcost.core.symbols import B, Get_Time
    >>> prove_le(Get_Time(2*B, 8, 8), 2*Get_Time(B, 8, 8), "monotone") is None
    True
    >>> prove_le(Get_Time(2*B, 8, 8), 2*Get_Time(B, 8, 8), "subadditive").cost_class
    'subadditive'
    """
    return prove_le_prepared(prepare(y), prepare(x), cost_class)


def prove_le_prepared(y: Prepared, x: Prepared, cost_class: str = "monotone"
                      ) -> Certificate | None:
    """:func:`prove_le` on prepared formulas: every choice of ``y`` must be covered by
    some lower bound of ``x``; the certificate joins the covers.

    >>> from symcost.core.symbols import AllReduce, B
    >>> prove_le_prepared(prepare(AllReduce(B, 4)), prepare(AllReduce(B, 8))) is not None
    True
    """
    _check_class(cost_class)
    if not y.ok:
        return None
    cover: dict[tuple[int, int], tuple[int, int, Fraction, int]] = {}
    for yt in y.uppers:
        got = _cover_one(yt, x.lowers, cost_class)
        if got is None:
            return None
        for c in got:
            cover.setdefault((c[0], c[1]), c)
    return Certificate(cost_class, tuple((_ATOMS[a], _ATOMS[b], float(f), w)
                                         for a, b, f, w in cover.values()))


def _cover_one(y_terms: Terms, x_lowers: tuple[Terms, ...], cost_class: str
               ) -> tuple[tuple[int, int, Fraction, int], ...] | None:
    """``(y atom id, x atom id, amount, factor)`` covering ``y_terms`` by one of the
    lower bounds, or None."""
    if not y_terms:
        return ()
    yfams = {_FAMILY[a] for a, _ in y_terms}
    for low in x_lowers:
        by_family: dict[int, list[int]] = {}
        for j, (b, _) in enumerate(low):
            by_family.setdefault(_FAMILY[b], []).append(j)
        if not yfams <= by_family.keys():
            return None      # a family of y that x does not have: nothing can cover it
        pairs = [(i, j, w) for i, (a, _) in enumerate(y_terms) for j in by_family[_FAMILY[a]]
                 if (w := _factor_id(a, low[j][0], cost_class)) is not None]
        if len({i for i, _, _ in pairs}) != len(y_terms):
            continue
        need = [c for _, c in y_terms]
        cap = [c for _, c in low]
        fneed, fcap = [float(c) for c in need], [float(c) for c in cap]
        reach = [0.0] * len(need)
        for i, j, w in pairs:
            reach[i] += fcap[j] / w
        if any(r < n * (1 - 1e-9) for r, n in zip(reach, fneed)):
            continue         # some y term cannot be paid even with all its options
        # greedy in floats first (a filter), exactly only when it nearly succeeds
        flow = (_greedy(pairs, need, cap, Fraction(0))
                if _greedy(pairs, fneed, fcap, 1e-9 * max(fneed)) else None) \
            or _lp(pairs, need, cap)
        if flow is not None:
            return tuple((y_terms[i][0], low[j][0], f, w)
                         for (i, j, w), f in zip(pairs, flow) if f > 0)
    return None


def _fraction(c: sympy.Expr) -> Fraction:
    return Fraction(int(c.p), int(c.q)) if c.is_Rational else Fraction(float(c))


def _greedy(pairs, need: list, cap: list, slack) -> list | None:
    """A cover found greedily (each y term from its cheapest x terms first, the y terms
    with the fewest options first); None when greedy does not find one. Exact with
    Fractions and ``slack`` 0; with floats a filter (``slack``: what may be left)."""
    cap = list(cap)
    flow = [0 * slack] * len(pairs)
    options: dict[int, list[int]] = {}
    for p, (i, _, _) in enumerate(pairs):
        options.setdefault(i, []).append(p)
    for i in sorted(options, key=lambda i: len(options[i])):
        left = need[i]
        for p in sorted(options[i], key=lambda p: pairs[p][2]):
            j, w = pairs[p][1], pairs[p][2]
            take = min(left, cap[j] / w)
            if take > 0:
                flow[p] += take
                cap[j] -= take * w
                left -= take
            if left <= slack:
                break
        if left > slack:
            return None
    return flow


def _lp(pairs, need: list[Fraction], cap: list[Fraction]) -> list[Fraction] | None:
    """The cover as a linear program (floating point), then re-checked exactly: each
    y term's amounts are rescaled to cover it exactly and every x term's capacity must
    hold with no tolerance. A near miss is "not proved", never a false certificate."""
    from scipy.optimize import linprog

    ny, nx = len(need), len(cap)
    a_eq = [[1.0 if p[0] == i else 0.0 for p in pairs] for i in range(ny)]
    a_ub = [[float(p[2]) if p[1] == j else 0.0 for p in pairs] for j in range(nx)]
    res = linprog([p[2] for p in pairs], A_ub=a_ub, b_ub=[float(c) for c in cap],
                  A_eq=a_eq, b_eq=[float(c) for c in need], bounds=(0, None),
                  method="highs")
    if res.status != 0:
        return None
    fr = [max(Fraction(float(v)).limit_denominator(10**9), Fraction(0)) for v in res.x]
    got = [Fraction(0)] * ny
    for (i, _, _), v in zip(pairs, fr):
        got[i] += v
    if any(g == 0 for g in got):
        return None
    flow = [v * need[i] / got[i] for (i, _, _), v in zip(pairs, fr)]
    used = [Fraction(0)] * nx
    for (_, j, w), v in zip(pairs, flow):
        used[j] += w * v
    return flow if all(u <= c for u, c in zip(used, cap)) else None


def atom_count(expr: sympy.Expr) -> int:
    """Number of distinct cost atoms of ``expr`` (for reports)."""
    return len(sympy.sympify(expr).atoms(AppliedUndef))
