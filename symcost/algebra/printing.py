"""Printers for cost expressions: plain text (sympy-parsable) and LaTeX.

Follows sympy's split of algebra and printing: one printer per target. In LaTeX every cost
atom prints as an operator name (``\\operatorname{Get\\_Time}(m, k, n)``, or the macro
``\\GetTime`` in reports, see :data:`LATEX_MACROS`), a symbol with an underscore as
``F_{\\mathrm{expert}}`` and named intermediate terms as ``T_{3}``.

:func:`latex_lines` breaks a long expression into lines for a display (one term of a
sum, one argument of ``Max`` a line, aligned by depth), so formulas fit a paper's column.
"""

from __future__ import annotations

import math
import re

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from symcost.algebra.forms import CONST
from symcost.core.symbols import is_atom

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIALS))

#: The macros a report's LaTeX uses, with the definitions it provides for them
#: (``\providecommand``, so a paper can restyle them before ``\input``).
LATEX_MACROS = {
    "SymcostOp": r"\providecommand{\SymcostOp}[1]{\operatorname{#1}}",
    "GetTime": r"\providecommand{\GetTime}{\SymcostOp{Get\_Time}}",
}


def escape_latex(text: str) -> str:
    """Escape LaTeX's special characters in plain text (node names, file names).

    >>> escape_latex("F_expert & 50%")
    'F\\\\_expert \\\\& 50\\\\%'
    """
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], str(text))


def symbol_latex(name: str) -> str:
    """The one LaTeX spelling of a symbol name: ``F_expert`` -> ``F_{\\mathrm{expert}}``.

    >>> symbol_latex("F_expert"), symbol_latex("B"), symbol_latex("T_3")
    ('F_{\\\\mathrm{expert}}', 'B', 'T_{3}')
    """
    base, sep, sub = name.partition("_")
    if not sep or not base or not sub:
        return escape_latex(name) if len(name) == 1 else rf"\mathit{{{escape_latex(name)}}}"
    base_tex = base if len(base) == 1 else rf"\mathit{{{base}}}"
    sub_tex = sub if sub.isdigit() or len(sub) == 1 else rf"\mathrm{{{escape_latex(sub)}}}"
    return f"{base_tex}_{{{sub_tex}}}"


def atom_name_latex(name: str, macros: bool) -> str:
    """LaTeX of an atom family's name (``\\GetTime`` with macros)."""
    if macros:
        return r"\GetTime" if name == "Get_Time" else rf"\SymcostOp{{{escape_latex(name)}}}"
    return rf"\operatorname{{{escape_latex(name)}}}"


class _SharedSubtrees:
    """Printer mixin: each subexpression object printed once per ``doprint``.

    Nested ``Max`` results share their subtrees (the same objects many times over), and
    sympy's printers print every occurrence again, which grows with the number of paths
    instead of the number of distinct terms. The text of a nested subexpression depends
    only on the object and the printer's settings (the caller adds any parentheses), so
    it is memoised by identity; calls with keyword arguments (LaTeX's ``exp=``) and the
    outermost call (sympy's Float printing looks at the depth) are not. The memo keeps
    the objects alive, so no id is reused while it lives.
    """

    def _print(self, expr, **kwargs) -> str:
        if kwargs or self._print_level == 0:
            return super()._print(expr, **kwargs)
        memo = self.__dict__.get("_shared")
        if memo is None:
            memo = self.__dict__["_shared"] = {}
        hit = memo.get(id(expr))
        if hit is not None:
            return hit[1]
        text = super()._print(expr)
        memo[id(expr)] = (expr, text)
        return text


class CostStrPrinter(_SharedSubtrees, StrPrinter):
    """sympy's ``StrPrinter`` (the text of :func:`sympy.sstr`, same settings, same
    strings), printing each shared subexpression once."""


class CostLatexPrinter(_SharedSubtrees, LatexPrinter):
    """LaTeX printer: cost atoms as operator names, Max as ``\\max``.

    ``macros``: atoms as ``\\GetTime``/``\\SymcostOp{...}`` (reports) instead of
    self-contained ``\\operatorname`` (JSON, notebooks). ``breakable``: plain parentheses
    and ``\\allowbreak`` after commas, so TeX may break an inline formula anywhere a
    reader would (``\\left(...\\right)`` cannot break).
    """

    def __init__(self, settings=None, *, macros: bool = False, breakable: bool = False):
        super().__init__(settings)
        self.macros = macros
        self.breakable = breakable

    def _sep(self) -> str:
        return r", \allowbreak " if self.breakable else ", "

    def _add_parens(self, s) -> str:
        return f"({s})" if self.breakable else super()._add_parens(s)

    def _add_parens_lspace(self, s) -> str:
        return f"( {s})" if self.breakable else super()._add_parens_lspace(s)

    def _wrap(self, head: str, args: str, exp=None) -> str:
        out = f"{head}({args})" if self.breakable else rf"{head}\left({args}\right)"
        return out if exp is None else rf"{out}^{{{exp}}}"

    def print_cost_atom(self, expr, exp=None) -> str:
        """An atom application (called by the atoms' own ``_latex`` hook too)."""
        name = expr.func.__name__
        head = atom_name_latex(name, self.macros)
        if self.breakable and self.macros and len(name) > 12 and "_" in name[1:]:
            # a long name (Unknown_attention_values) in pieces TeX may break between
            parts = name.split("_")
            head = r"\allowbreak ".join(
                rf"\SymcostOp{{{escape_latex(p + ('_' if i < len(parts) - 1 else ''))}}}"
                for i, p in enumerate(parts))
        return self._wrap(head, self._sep().join(self._print(a) for a in expr.args), exp)

    def _print_Function(self, expr, exp=None):  # noqa: N802 (sympy's naming)
        if is_atom(expr):
            return self.print_cost_atom(expr, exp)
        return super()._print_Function(expr, exp)

    def _print_Symbol(self, expr, style="plain"):  # noqa: N802
        return symbol_latex(expr.name)

    def _print_Max(self, expr, exp=None):  # noqa: N802
        return self._wrap(r"\max", self._sep().join(self._print(a) for a in _args(expr)), exp)

    def _print_Min(self, expr, exp=None):  # noqa: N802
        return self._wrap(r"\min", self._sep().join(self._print(a) for a in _args(expr)), exp)


def _args(expr: sympy.Basic) -> list[sympy.Basic]:
    return sorted(expr.args, key=sympy.default_sort_key)


#: Sums with more terms than this print in sympy's internal (deterministic) order: sorting
#: the terms for display costs seconds on sums of thousands of atoms.
BIG_SUM = 200


def _order(expr: sympy.Basic) -> str | None:
    return "none" if isinstance(expr, sympy.Add) and len(expr.args) > BIG_SUM else None


def to_latex(expr: sympy.Expr, *, macros: bool = False, breakable: bool = False) -> str:
    """LaTeX of a cost expression (no surrounding ``$``).

    >>> from symcost import Get_Time, B
    >>> to_latex(2 * Get_Time(B, 4096, 512))
    '2 \\\\cdot \\\\operatorname{Get\\\\_Time}\\\\left(B, 4096, 512\\\\right)'
    >>> to_latex(Get_Time(B, 1, 1), macros=True, breakable=True)
    '\\\\GetTime(B, \\\\allowbreak 1, \\\\allowbreak 1)'
    """
    settings = {"mul_symbol": "dot"}
    if _order(expr):
        settings["order"] = "none"
    printer = CostLatexPrinter(settings, macros=macros, breakable=breakable)
    out = printer.doprint(expr)
    if breakable:  # sympy's Mul printer writes \left( \right) itself
        out = out.replace(r"\left(", "(").replace(r"\right)", ")")
    return out


def to_text(expr: sympy.Expr) -> str:
    """Plain text of a cost expression, parsable back by :func:`symcost.parse_expr`.

    >>> from symcost import Get_Time, B
    >>> to_text(Get_Time(2048 * B, 4096, 512))
    'Get_Time(2048*B, 4096, 512)'
    """
    # sympy.sstr's text (canonical order; FormPrinter prints the same strings), shared
    # subtrees of nested Max printed once, across calls too (certificates and branches
    # print the same terms again): one printer whose memo is emptied when it grows large
    memo = _TEXT_PRINTER.__dict__.get("_shared")
    if memo is not None and len(memo) > TEXT_MEMO:
        memo.clear()
    return _TEXT_PRINTER.doprint(expr)


#: Subexpression texts :func:`to_text` keeps between calls (then it starts afresh).
TEXT_MEMO = 1 << 16
_TEXT_PRINTER = CostStrPrinter()


def text_width(expr: sympy.Expr) -> int:
    """Rough printed width of ``expr`` in characters of plain text (for line breaking):
    a ``*`` prints as `` \\cdot `` and a comma takes a space, so they count double."""
    if isinstance(expr, sympy.Add):  # without printing (and sorting) the whole sum
        return sum(text_width(t) + 3 for t in expr.args)
    text = sympy.sstr(expr)
    return len(text) + text.count("*") + text.count(",")


def latex_lines(expr: sympy.Expr, width: int = 60, *, macros: bool = True,
                breakable: bool | None = None) -> list[tuple[int, str]]:
    """``expr`` broken into display lines of at most about ``width`` characters.

    Returns ``(depth, latex)`` pairs: a sum gives one term a line (``+`` leading the
    continuation lines), a ``Max``/``Min`` or an atom that does not fit gives one argument
    a line at ``depth + 1``, closed by ``\\bigr)``. Lines join with ``\\\\`` in an
    ``align*``/``aligned`` environment; indent by depth. ``breakable`` (default: with
    ``macros``, i.e. for pdflatex) also lets TeX break inside a line.

    >>> from symcost import Get_Time, B
    >>> e = sympy.Max(Get_Time(B, 4096, 512), Get_Time(B, 512, 4096))
    >>> [d for d, _ in latex_lines(e, width=30)]
    [0, 1, 1]
    """
    brk = macros if breakable is None else breakable
    tex = lambda e: to_latex(e, macros=macros, breakable=brk)  # noqa: E731
    return _lines(sympy.sympify(expr), width, 0, tex)


def _lines(e, width, depth, tex) -> list[tuple[int, str]]:
    avail = max(width - 3 * depth, 16)
    if text_width(e) <= avail:
        return [(depth, tex(e))]
    if isinstance(e, sympy.Add):
        terms = list(e.args) if len(e.args) > BIG_SUM else \
            sorted(e.args, key=sympy.default_sort_key)
        out: list[tuple[int, str]] = []
        for i, t in enumerate(terms):
            neg = t.could_extract_minus_sign()
            sub = _lines(-t if neg else t, width, depth, tex)
            sign = "- " if neg else ("+ " if i else "")
            out.append((sub[0][0], sign + sub[0][1]))
            out.extend(sub[1:])
        return out
    if isinstance(e, sympy.Mul):
        coeff, rest = e.as_coeff_Mul()
        if coeff != 1 and (isinstance(rest, (sympy.Add, sympy.Max, sympy.Min)) or is_atom(rest)):
            head = tex(coeff) + r" \cdot "
            if isinstance(rest, sympy.Add):
                inner = _lines(rest, width, depth + 1, tex)
                return [(depth, head + r"\bigl(")] + inner[:-1] + \
                    [(inner[-1][0], inner[-1][1] + r"\bigr)")]
            sub = _lines(rest, width, depth, tex)
            return [(depth, head + sub[0][1])] + sub[1:]
    if isinstance(e, (sympy.Max, sympy.Min)) or is_atom(e):
        if isinstance(e, sympy.Max):
            head, args = r"\max", _args(e)
        elif isinstance(e, sympy.Min):
            head, args = r"\min", _args(e)
        else:
            head = tex(e).split("(", 1)[0]
            args = list(e.args)
        out = [(depth, head + r"\bigl(")]
        for i, a in enumerate(args):
            sub = _lines(a, width, depth + 1, tex)
            if i < len(args) - 1:
                sub[-1] = (sub[-1][0], sub[-1][1] + ",")
            out.extend(sub)
        out[-1] = (out[-1][0], out[-1][1] + r"\bigr)")
        return out
    return [(depth, tex(e))]


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
