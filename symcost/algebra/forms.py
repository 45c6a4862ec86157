"""The cost algebra: linear forms over interned cost atoms, and named ``Max`` terms.

A path length is a *form*: a mapping from atom ids to positive rational coefficients.
Atoms are interned in an :class:`AtomTable` (one integer per distinct ``Get_Time(...)``,
communication atom, constant or bound ``Max`` term), so the solver's inner loop works on
small dicts of ints, and sympy objects are built once, at the end.

A *Max term* is a named intermediate result ``T = Max(r_1, ..., r_k)`` over residual
forms; it is itself an atom of the table, interned by its residuals, so identical layers
share one term and ``L`` repeated layers give ``L*T``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

import sympy

from symcost.core.errors import CostError
from symcost.core.symbols import is_atom, is_communication

Coef = int | Fraction
Form = dict[int, Coef]
FrozenForm = tuple[tuple[int, Coef], ...]

#: Atom id of the constant 1 (numbers in user expressions).
CONST = 0


def freeze(form: Mapping[int, Coef]) -> FrozenForm:
    """A hashable, canonical copy of ``form``."""
    return tuple(sorted(form.items()))


def add_into(acc: Form, other: Mapping[int, Coef], scale: Coef = 1) -> Form:
    """``acc += scale * other`` in place; returns ``acc``."""
    for k, v in other.items():
        acc[k] = acc.get(k, 0) + scale * v
    return acc


def common_part(forms: list[Mapping[int, Coef]]) -> Form:
    """The coefficient-wise minimum of ``forms`` (what every one of them contains)."""
    first, rest = forms[0], forms[1:]
    out: Form = {}
    for k, v in first.items():
        m = v
        for f in rest:
            w = f.get(k)
            if w is None:
                m = 0
                break
            if w < m:
                m = w
        if m:
            out[k] = m
    return out


def subtract(form: Mapping[int, Coef], part: Mapping[int, Coef]) -> Form:
    """``form - part`` for a ``part`` contained in ``form`` (zero entries dropped)."""
    out: Form = {}
    for k, v in form.items():
        r = v - part.get(k, 0)
        if r:
            out[k] = r
    return out


def _norm(c: Coef) -> Coef:
    if isinstance(c, Fraction) and c.denominator == 1:
        return int(c)
    return c


class AtomTable:
    """Interns cost atoms and Max terms, numbering them from 1 (0 is the constant 1)."""

    def __init__(self) -> None:
        self.exprs: list[sympy.Expr | None] = [sympy.S.One]
        self.family: list[str] = ["1"]
        self.comm: list[bool] = [False]
        self.residuals: list[tuple[FrozenForm, ...] | None] = [None]
        self._index: dict[object, int] = {sympy.S.One: CONST}
        self.depth: list[int] = [0]

    def __len__(self) -> int:
        return len(self.exprs)

    def atom(self, expr: sympy.Expr) -> int:
        """The id of a cost atom expression (interned)."""
        i = self._index.get(expr)
        if i is None:
            if not is_atom(expr):
                raise CostError(f"{expr} is not a cost atom")
            i = len(self.exprs)
            self._index[expr] = i
            self.exprs.append(expr)
            self.family.append(expr.func.__name__)
            self.comm.append(is_communication(expr))
            self.residuals.append(None)
            self.depth.append(0)
        return i

    def max_term(self, residuals: Iterable[FrozenForm]) -> int:
        """The id of the Max term over these residual forms (interned by content)."""
        key = ("max", frozenset(residuals))
        i = self._index.get(key)
        if i is None:
            i = len(self.exprs)
            self._index[key] = i
            res = tuple(sorted(key[1]))
            self.exprs.append(None)
            self.family.append("Max")
            self.comm.append(False)
            self.residuals.append(res)
            self.depth.append(1 + max((self.depth[a] for r in res for a, _ in r), default=0))
        return i

    def is_max(self, i: int) -> bool:
        """True for Max terms."""
        return self.residuals[i] is not None

    # -- conversion from sympy
    def form_of(self, expr: sympy.Expr, *, where: str = "") -> Form:
        """The linear form of a non-negative combination of atoms (no Max)."""
        form: Form = {}
        for term in sympy.Add.make_args(sympy.expand(expr)):
            if term == 0:
                continue
            coeff, rest = term.as_coeff_Mul()
            if not coeff.is_Rational or coeff < 0:
                raise CostError(f"term {term} has a negative or non-rational coefficient"
                                + (f" ({where})" if where else ""))
            c = _norm(Fraction(int(coeff.p), int(coeff.q)))
            if rest == 1:
                k = CONST
            else:
                k = self.atom(rest)
            form[k] = form.get(k, 0) + c
        return form

    # -- conversion to sympy
    def to_sympy(self, form: Mapping[int, Coef], names: Mapping[int, sympy.Expr] | None = None,
                 *, factor: bool = True) -> sympy.Expr:
        """The sympy expression of a form; Max terms are inlined unless named in ``names``."""
        parts = []
        for k, c in form.items():
            parts.append((sympy.Rational(c.numerator, c.denominator)
                          if isinstance(c, Fraction) else sympy.Integer(c), self._expr(k, names)))
        return canonical_sum(parts, factor=factor)

    def _expr(self, k: int, names: Mapping[int, sympy.Expr] | None) -> sympy.Expr:
        if names is not None and k in names:
            return names[k]
        e = self.exprs[k]
        if e is None:
            res = self.residuals[k]
            assert res is not None
            e = max_of([self.to_sympy(dict(r), names) for r in res])
            if names is None:
                self.exprs[k] = e
        return e


def max_of(args: list[sympy.Expr]) -> sympy.Expr:
    """``Max(*args)`` of distinct, non-comparable arguments, built without sympy's
    argument sorting (quadratic on large trees; PERFORMANCE.md)."""
    if len(args) == 1:
        return args[0]
    obj = sympy.Expr.__new__(sympy.Max, *args)
    obj._argset = frozenset(args)
    return obj


def _rgcd(a: sympy.Rational, b: sympy.Rational) -> sympy.Rational:
    import math

    return sympy.Rational(math.gcd(int(a.p), int(b.p)),
                          int(a.q) * int(b.q) // math.gcd(int(a.q), int(b.q)))


def canonical_sum(parts: list[tuple[sympy.Rational, sympy.Expr]], *,
                  factor: bool = True) -> sympy.Expr:
    """``sum(c * x)`` with the greatest common factor of the coefficients pulled out.

    ``[(4, a), (8, b)]`` gives ``4*(a + 2*b)`` (kept unevaluated so it prints that way).
    """
    parts = [(c, x) for c, x in parts if c != 0]
    if not parts:
        return sympy.S.Zero
    g = parts[0][0]
    for c, _ in parts[1:]:
        g = _rgcd(g, c)
    if not factor or g == 1 or len(parts) == 1:
        return sympy.Add(*[c * x for c, x in parts])
    inner = sympy.Add(*[(c / g) * x for c, x in parts])
    return sympy.Mul(g, inner, evaluate=False)
