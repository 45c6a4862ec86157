"""Constraints on the symbols (``B >= 8``) and exact comparison of atom arguments.

Every symbol is a positive integer with a lower bound (default 1) and an optional upper
bound. :meth:`Assumptions.geq` decides ``x >= y`` for *all* admissible values of the
symbols: exactly for expressions polynomial in one symbol (by checking the integer points
around the real roots of ``x - y``), by a sufficient condition for several symbols
(non-negative coefficients after shifting each symbol to its lower bound), and answers
``None`` (unknown) otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from symcost.algebra.exprparse import parse_constraint
from symcost.core.errors import ConstraintError


@dataclass(frozen=True)
class Bounds:
    """Integer bounds ``lo <= s <= hi`` of one symbol (``hi`` None: unbounded)."""

    lo: int = 1
    hi: int | None = None


@dataclass
class Assumptions:
    """Bounds per symbol; symbols not named have ``s >= 1``."""

    bounds: dict[sympy.Symbol, Bounds] = field(default_factory=dict)
    _cache: dict[tuple[sympy.Expr, sympy.Expr], tuple[bool | None, dict | None]] = field(
        default_factory=dict, repr=False)

    @classmethod
    def parse(cls, texts: Iterable[str | tuple] = ()) -> Assumptions:
        """Build from constraint texts such as ``"B>=8"`` or ``"1<=B<=64"``."""
        a = cls()
        for text in texts:
            for sym, op, val in (parse_constraint(text) if isinstance(text, str) else [text]):
                a.add(sym, op, val)
        return a

    def add(self, sym: sympy.Symbol, op: str, value: sympy.Rational) -> None:
        """Tighten the bounds of ``sym`` by ``sym op value``."""
        b = self.bounds.get(sym, Bounds())
        lo, hi = b.lo, b.hi
        v = Fraction(int(value.p), int(value.q))
        if op in (">=", "=="):
            lo = max(lo, math.ceil(v))
        if op in ("<=", "=="):
            hi = math.floor(v) if hi is None else min(hi, math.floor(v))
        if hi is not None and hi < lo:
            raise ConstraintError(f"constraints on {sym} leave no value ({lo} > {hi})")
        self.bounds[sym] = Bounds(lo, hi)
        self._cache.clear()

    def of(self, sym: sympy.Symbol) -> Bounds:
        """The bounds of ``sym``."""
        return self.bounds.get(sym, Bounds())

    def describe(self) -> list[str]:
        """Human-readable bounds, e.g. ``["B >= 8"]``."""
        out = []
        for sym in sorted(self.bounds, key=str):
            b = self.bounds[sym]
            out.append(f"{b.lo} <= {sym} <= {b.hi}" if b.hi is not None else f"{sym} >= {b.lo}")
        return out

    def default_point(self, symbols: Iterable[sympy.Symbol]) -> dict[sympy.Symbol, int]:
        """Every symbol at its lower bound."""
        return {s: self.of(s).lo for s in symbols}

    # -- deciding x >= y
    def geq(self, x: sympy.Expr, y: sympy.Expr) -> bool | None:
        """Whether ``x >= y`` for all admissible symbol values (None: cannot tell)."""
        return self.geq_witness(x, y)[0]

    def geq_witness(self, x: sympy.Expr, y: sympy.Expr
                    ) -> tuple[bool | None, dict[sympy.Symbol, int] | None]:
        """``(verdict, point)``: when the verdict is False, ``point`` has ``x < y``."""
        key = (x, y)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._decide(sympy.expand(x - y))
            self._cache[key] = hit
        return hit

    def _decide(self, d: sympy.Expr) -> tuple[bool | None, dict | None]:
        if d.is_Number:
            return (bool(d >= 0), None if d >= 0 else {})
        syms = sorted(d.free_symbols, key=str)
        try:
            poly = sympy.Poly(d, *syms)
        except sympy.PolynomialError:
            return self._sample(d, syms)
        if not all(c.is_Rational for c in poly.coeffs()):
            return self._sample(d, syms)
        if len(syms) == 1:
            return self._univariate(poly, syms[0])
        shifted = sympy.Poly(d.subs({s: s + self.of(s).lo for s in syms}, simultaneous=True),
                             *syms)
        if all(c >= 0 for c in shifted.coeffs()):
            return True, None
        return self._sample(d, syms)

    def _univariate(self, poly: sympy.Poly, s: sympy.Symbol) -> tuple[bool, dict | None]:
        b = self.of(s)
        points = {b.lo}
        if b.hi is not None:
            points.add(b.hi)
        roots = [r for r in _real_roots(poly)]
        top = b.lo
        for r in roots:
            for p in (math.floor(r) - 1, math.floor(r), math.ceil(r), math.ceil(r) + 1):
                points.add(p)
            top = max(top, math.ceil(r) + 1)
        if b.hi is None:
            points.add(top)
        for p in sorted(points):
            if p < b.lo or (b.hi is not None and p > b.hi):
                continue
            if poly.eval(p) < 0:
                return False, {s: p}
        return True, None

    def _sample(self, d: sympy.Expr, syms: list[sympy.Symbol]) -> tuple[bool | None, dict | None]:
        for point in self.sample_points(syms):
            val = d.subs(point)
            if val.is_Number and val < 0:
                return False, point
        return None, None

    def sample_points(self, syms: list[sympy.Symbol]) -> list[dict[sympy.Symbol, int]]:
        """A few admissible points: all at the lower bound, at the upper bound, and mixes."""
        pts = []
        for pick in ("lo", "hi", "mid"):
            pt = {}
            for s in syms:
                b = self.of(s)
                hi = b.hi if b.hi is not None else max(b.lo * 1024, b.lo + 4096)
                pt[s] = {"lo": b.lo, "hi": hi, "mid": (b.lo + hi) // 2}[pick]
            pts.append(pt)
        for i in range(len(syms)):  # one symbol high, the others low, and vice versa
            for pick in ("lo", "hi"):
                pt = {}
                for j, t in enumerate(syms):
                    b = self.of(t)
                    hi = b.hi if b.hi is not None else max(b.lo * 1024, b.lo + 4096)
                    want_hi = (j == i) == (pick == "hi")
                    pt[t] = hi if want_hi else b.lo
                pts.append(pt)
        return pts


def _real_roots(poly: sympy.Poly) -> list[Fraction]:
    """Real roots of a univariate polynomial as rationals bracketing them closely enough."""
    if poly.degree() <= 0:
        return []
    out: list[Fraction] = []
    for (lo, hi), _mult in poly.intervals(eps=Fraction(1, 4)):
        out.append(Fraction(int(sympy.Rational(lo).p), int(sympy.Rational(lo).q)))
        out.append(Fraction(int(sympy.Rational(hi).p), int(sympy.Rational(hi).q)))
    return out
