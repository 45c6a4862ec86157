"""Rich display in notebooks (IPython's ``_repr_markdown_``, ``_repr_latex_``,
``_repr_svg_``) for the library's result classes, through a registry.

The classes live in low layers (``core``, ``algebra``, ``solve``) and may not import the
``output`` layer; :class:`Displayable` looks up the renderer that ``symcost.output``
registers with :func:`register` when the package is imported. Without one it returns
``None`` and IPython falls back to the next representation.
"""

from __future__ import annotations

from collections.abc import Callable

#: (class name, mime kind) -> renderer; kinds are "markdown", "latex", "svg", "text".
_RENDERERS: dict[tuple[str, str], Callable[[object], str | None]] = {}


def register(class_name: str, kind: str, renderer: Callable[[object], str | None]) -> None:
    """Register ``renderer(obj) -> str | None`` for objects of the class ``class_name``."""
    _RENDERERS[(class_name, kind)] = renderer


def render(obj: object, kind: str) -> str | None:
    """The registered representation of ``obj`` of ``kind``, or None."""
    for cls in type(obj).__mro__:
        fn = _RENDERERS.get((cls.__name__, kind))
        if fn is not None:
            return fn(obj)
    return None


class Displayable:
    """Mixin: notebook representations from the registry (short by default)."""

    def _repr_markdown_(self) -> str | None:
        return render(self, "markdown")

    def _repr_latex_(self) -> str | None:
        return render(self, "latex")

    def _repr_svg_(self) -> str | None:
        return render(self, "svg")

    def __repr__(self) -> str:  # dataclasses keep their own (generated) repr
        text = render(self, "text")
        return text if text is not None else object.__repr__(self)
