"""Printers for cost expressions: plain text (sympy-parsable) and LaTeX.

Follows sympy's split of algebra and printing: one printer per target. In LaTeX every cost
atom prints as an operator name (``\\operatorname{Get\\_Time}(m, k, n)``) and named
intermediate terms as ``T_{3}``.
"""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

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
