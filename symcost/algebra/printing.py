"""Printers for cost expressions: plain text (sympy-parsable) and LaTeX.

Follows sympy's split of algebra and printing: one printer per target. In LaTeX every cost
atom prints as an operator name (``\\operatorname{Get\\_Time}(m, k, n)``) and named
intermediate terms as ``T_{3}``.
"""

from __future__ import annotations

import math
import re

import sympy
from sympy.printing.latex import LatexPrinter

from symcost.algebra.forms import CONST
from symcost.core.symbols import is_atom

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIALS))


def escape_latex(text: str) -> str:
    """Escape LaTeX's special characters in plain text (node names, file names)."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], str(text))


class CostLatexPrinter(LatexPrinter):
    """LaTeX printer: cost atoms as operator names, Max as ``\\max``."""

    def _print_Function(self, expr, exp=None):  # noqa: N802 (sympy's naming)
        if is_atom(expr):
            name = escape_latex(expr.func.__name__)
            args = ", ".join(self._print(a) for a in expr.args)
            out = rf"\operatorname{{{name}}}\left({args}\right)"
            return out if exp is None else rf"{out}^{{{exp}}}"
        return super()._print_Function(expr, exp)

    def _print_Max(self, expr, exp=None):  # noqa: N802
        args = ", ".join(self._print(a) for a in expr.args)
        out = rf"\max\left({args}\right)"
        return out if exp is None else rf"{out}^{{{exp}}}"


def to_latex(expr: sympy.Expr) -> str:
    """LaTeX of a cost expression (no surrounding ``$``)."""
    return CostLatexPrinter({"mul_symbol": "dot"}).doprint(expr)


def to_text(expr: sympy.Expr) -> str:
    """Plain text of a cost expression, parsable back by :func:`symcost.parse_expr`."""
    return sympy.sstr(expr)


# ------------------------------------------------------------------ fast text of forms
#
# ``to_text(table.to_sympy(form, names))`` builds a sympy expression only to print it; on
# large DAGs that printer dominated the JSON output. :class:`FormPrinter` prints the same
# strings straight from the linear form: each atom's text and sort key are computed once
# (with sympy) and cached, and the form's terms are joined in sympy's order. sympy orders
# the terms of a sum of ``c_i * atom_i`` by the atoms' ``default_sort_key`` with the
# constant last, and prints the factored ``g*(...)`` of :func:`canonical_sum` as such.
# Rational (non-integer) coefficients fall back to sympy, so the strings always agree
# (tests/algebra/test_fast_printing.py checks this against ``to_text``).


class FormPrinter:
    """Plain text of linear forms over one :class:`~symcost.algebra.forms.AtomTable`.

    ``names`` maps Max-term ids to the symbols that stand for them (nested results); the
    text of ``form`` equals ``to_text(table.to_sympy(form, names))``.
    """

    def __init__(self, table, names: dict[int, sympy.Expr] | None = None) -> None:
        self.table = table
        self.names = names
        self._text: dict[int, str] = {}
        self._key: dict[int, object] = {}

    def atom_expr(self, k: int) -> sympy.Expr:
        """The sympy expression of atom ``k`` (its name when it is a named Max term)."""
        return self.table._expr(k, self.names)

    def atom_text(self, k: int) -> str:
        """The text of atom ``k`` (cached)."""
        s = self._text.get(k)
        if s is None:
            s = to_text(self.atom_expr(k))
            self._text[k] = s
        return s

    def _sort_key(self, k: int) -> object:
        key = self._key.get(k)
        if key is None:
            key = sympy.default_sort_key(self.atom_expr(k))
            self._key[k] = key
        return key

    def form_text(self, form, *, factor: bool = True) -> str:
        """The text of a linear form (``{atom id: coefficient}``)."""
        items = []
        for k, c in (form.items() if hasattr(form, "items") else form):
            if not isinstance(c, int):
                if c.denominator != 1:
                    return to_text(self.table.to_sympy(dict(form), self.names, factor=factor))
                c = c.numerator
            if c:
                items.append((k, c))
        if not items:
            return "0"
        const = 0
        terms = []
        for k, c in items:
            if k == CONST:
                const += c
            else:
                terms.append((self._sort_key(k), k, c))
        terms.sort(key=lambda t: t[0])
        g = 0
        if factor and len(items) > 1:
            g = math.gcd(*(c for _, c in items))
        div = g if g > 1 else 1
        parts = []
        for _, k, c in terms:
            c //= div
            parts.append(self.atom_text(k) if c == 1 else f"{c}*{self.atom_text(k)}")
        if const:
            parts.append(str(const // div))
        body = " + ".join(parts)
        return f"{g}*({body})" if div > 1 else body


def cached_text(cache: dict, expr: sympy.Expr) -> str:
    """``to_text(expr)`` memoised in ``cache`` (a dict the caller owns and drops)."""
    s = cache.get(expr)
    if s is None:
        s = to_text(expr)
        cache[expr] = s
    return s
