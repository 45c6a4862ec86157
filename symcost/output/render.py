"""Rendering results through the Jinja2 templates shipped in ``symcost.output.templates``.

The library builds plain data (dicts of strings and numbers); the templates hold all
presentation (Markdown, LaTeX, terminal text).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jinja2

from symcost.algebra.printing import escape_latex


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
    env.filters["tex"] = tex_text
    return env


#: Non-ASCII characters that node names use, as LaTeX text commands (others become "?").
_UNICODE_TEX = {
    "\u00b7": r"\textperiodcentered{}", "\u00d7": r"\texttimes{}", "\u2192": r"\textrightarrow{}",
    "\u2190": r"\textleftarrow{}", "\u2264": r"$\leq$", "\u2265": r"$\geq$", "\u2026": r"\dots{}",
    "\u2013": "--", "\u2014": "---", "\u00b2": r"\textasciicircum{}2", "\u03b1": r"$\alpha$",
    "\u03b2": r"$\beta$", "\u2019": "'", "\u2018": "`", "\u201c": "``", "\u201d": "''",
    "\u00a0": "~",
}


def tex_text(text: object) -> str:
    """Plain text for pdflatex: LaTeX specials escaped, non-ASCII mapped or replaced."""
    out = escape_latex(str(text))
    if out.isascii():
        return out
    return "".join(ch if ch.isascii() else _UNICODE_TEX.get(ch, "?") for ch in out)


def render(template: str, **context: object) -> str:
    """Render the template file ``template`` (e.g. ``"analysis.md.j2"``)."""
    return environment().get_template(template).render(**context)
