"""Rendering results through the Jinja2 templates shipped in ``symcost.output.templates``.

The library builds plain data (dicts of strings and numbers); the templates hold all
presentation (Markdown, LaTeX, terminal text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import jinja2

from symcost.algebra.printing import escape_latex, symbol_latex


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment over the packaged templates."""
    root = resources.files("symcost.output").joinpath("templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["tex"] = _tex_filter
    env.filters["texid"] = tex_id
    env.filters["texop"] = lambda text: tex_text(text).replace(r"\_", r"\_\allowbreak{}")
    env.filters["plural"] = plural
    env.globals["plural"] = plural
    return env


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 join``, ``2 joins`` (``words`` for an irregular plural).

    >>> plural(1, "join"), plural(3, "join"), plural(2, "branch", "branches")
    ('1 join', '3 joins', '2 branches')
    """
    return f"{count} {word if count == 1 else (words or word + 's')}"


@jinja2.pass_context
def _tex_filter(ctx: jinja2.runtime.Context, text: object) -> str:
    # a break point after every underscore: long snake_case names wrap in narrow columns
    return tex_text(text, ctx.get("symbol_names") or ()).replace(r"\_", r"\_\allowbreak{}")


#: Characters of an identifier after which a table cell may break the line.
_ID_BREAK = re.compile(r"(\\_|-|\.|/|:|\\textasciitilde\{\}|,)")
#: Longest run of an identifier without a break opportunity.
ID_RUN = 10


def tex_id(text: object) -> str:
    """A node id for ``\\texttt``: escaped, with break points after ``_ - . / : ~`` and
    every :data:`ID_RUN` characters of a longer run, so a narrow column wraps it.

    >>> print(tex_id("q_proj_0"))
    q\\_\\allowbreak{}proj\\_\\allowbreak{}0
    """
    out = []
    for part in _ID_BREAK.split(tex_text(text)):
        if _ID_BREAK.fullmatch(part):
            out.append(part + r"\allowbreak{}")
            continue
        while len(part) > ID_RUN and "\\" not in part:
            out.append(part[:ID_RUN] + r"\allowbreak{}")
            part = part[ID_RUN:]
        out.append(part)
    return "".join(out)


#: Non-ASCII characters that node names use, as LaTeX text commands (others become "?").
_UNICODE_TEX = {
    "\u00b7": r"\textperiodcentered{}", "\u00d7": r"\texttimes{}", "\u2192": r"\textrightarrow{}",
    "\u2190": r"\textleftarrow{}", "\u2264": r"$\leq$", "\u2265": r"$\geq$", "\u2026": r"\dots{}",
    "\u2013": "--", "\u2014": "---", "\u00b2": r"\textasciicircum{}2", "\u03b1": r"$\alpha$",
    "\u03b2": r"$\beta$", "\u2019": "'", "\u2018": "`", "\u201c": "``", "\u201d": "''",
    "\u00a0": "~",
}


def tex_text(text: object, symbols: Iterable[str] = ()) -> str:
    """Plain text for pdflatex: LaTeX specials escaped, non-ASCII mapped or replaced, and
    the names in ``symbols`` (whole words) set in math with their one spelling
    (``F_expert`` -> ``$F_{\\mathrm{expert}}$``, as in the formulas)."""
    out = escape_latex(str(text))
    if not out.isascii():
        out = "".join(ch if ch.isascii() else _UNICODE_TEX.get(ch, "?") for ch in out)
    for name in symbols:
        esc = re.escape(escape_latex(name))
        out = re.sub(rf"(?<![A-Za-z0-9\\_{{$]){esc}(?![A-Za-z0-9]|\\_|\$)",
                     lambda _m, n=name: f"${symbol_latex(n)}$", out)
    return out


def render(template: str, **context: object) -> str:
    """Render the template file ``template`` (e.g. ``"analysis.md.j2"``)."""
    return environment().get_template(template).render(**context)
