"""``symcost.load``: read a DAG file, choosing the reader by the file's extension."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from symcost.core.dag import Dag
from symcost.core.errors import InputError, SymcostError

Reader = Callable[..., Dag]
_READERS: dict[str, Reader] = {}


def register_reader(extensions: list[str], reader: Reader) -> None:
    """Register ``reader(path, **options) -> Dag`` for file extensions like ``".dot"``.

    >>> import symcost
    >>> def read_txt(path, **options):   # a reader returns a Dag
    ...     return symcost.DagBuilder(path).node("a", cost=symcost.Get_Time(symcost.B, 1, 1)).build()
    >>> symcost.register_reader(".txtdag", read_txt)   # doctest: +SKIP
    """
    for ext in extensions:
        _READERS[ext.lower()] = reader


def readers() -> dict[str, Reader]:
    """Known extensions and their readers."""
    _ensure_builtin()
    return dict(_READERS)


def _ensure_builtin() -> None:
    if _READERS:
        return
    from symcost.read.dot import read_dot
    from symcost.read.spec import read_spec

    register_reader([".yaml", ".yml", ".json"], read_spec)
    register_reader([".dot", ".gv"], read_dot)


def load(path: str | os.PathLike[str], **options: object) -> Dag:
    """Read a DAG from ``path`` (``.yaml``/``.yml``/``.json`` spec, ``.dot``/``.gv``).

    Raises :class:`InputError` (one line naming the file and place) for bad input; an
    error raised deep in a reader without a file name gets ``path`` as its file.

    >>> import symcost
    >>> dag = symcost.load("examples/ma_separation.yaml")   # doctest: +SKIP
    >>> len(dag.nodes)                                      # doctest: +SKIP
    406
    """
    _ensure_builtin()
    p = Path(path)
    reader = _READERS.get(p.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(_READERS))
        raise InputError(f"unknown file type {p.suffix or '(none)'!r}; known: {known}",
                         file=str(path))
    if not p.is_file():
        raise InputError("no such file" if not p.exists() else "not a regular file",
                         file=str(path))
    try:
        return reader(p, **options)
    except SymcostError as err:
        if err.file is None:
            err.file = str(path)
            err.args = (str(err),)
        raise
