"""Rendering results through the Jinja2 templates shipped in ``symcost.templates``.

The library builds plain data (dicts of strings and numbers); the templates hold all
presentation (Markdown, LaTeX, terminal text).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jinja2

from .printing import escape_latex


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment over the packaged templates."""
    root = resources.files("symcost.templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["tex"] = escape_latex
    return env


def render(template: str, **context: object) -> str:
    """Render the template file ``template`` (e.g. ``"analysis.md.j2"``)."""
    return environment().get_template(template).render(**context)
