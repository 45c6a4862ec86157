"""Indented JSON text, byte-identical to ``json.dumps(obj, indent=n)`` and several times faster.

With ``indent`` the standard library encodes in pure Python (its C encoder ignores
indentation), and on an analysis of 50k nodes that took longer than the solve. Here the
document's structure is walked in Python, but every *flat* container (one whose values are
all scalars: the rows of the matmul table, a critical-path step) is encoded by the C encoder
in one call, with the item separator of its depth (``",\\n" + indent``), and only its braces
are fixed. A list of flat, non-empty dicts (a table) is one C call too: an encoded scalar
never contains a newline nor ends with ``}``, so ``"}" + separator + "{"`` occurs only
between two rows. Anything this module does not handle exactly (a non-string key in a
nested dict, an object only ``json`` would reject, a cycle) goes to ``json.dumps`` itself,
so the text and the errors are always the standard library's.
"""

from __future__ import annotations

import json
from functools import lru_cache

try:  # CPython's accelerator; without it every document takes json.dumps's own path
    from _json import encode_basestring_ascii as _encode_str
    from _json import make_encoder as _make_encoder
except ImportError:  # pragma: no cover (other interpreters)
    _make_encoder = None

_SCALAR = (str, int, float)


class _Fallback(Exception):
    """Something only ``json.dumps`` handles exactly."""


def _refuse(obj: object) -> object:
    raise _Fallback


@lru_cache(maxsize=64)
def _encoder(sep: str):
    """The C encoder with item separator ``sep`` (ensure_ascii, NaN allowed, no sorting)."""
    return _make_encoder(None, _refuse, _encode_str, None, ": ", sep, False, False, True)


def _c(obj: object, sep: str) -> str:
    return "".join(_encoder(sep)(obj, 0))


def _flat(values) -> bool:
    for v in values:
        if not (v is None or isinstance(v, _SCALAR)):
            return False
    return True


def dumps(obj: object, indent: int = 2) -> str:
    """``json.dumps(obj, indent=indent)``, the same text.

    >>> data = {"a": [1, 2.5, None], "b": [{"x": "y", "n": True}, {"x": "\\u00e9"}], "c": {}}
    >>> dumps(data) == json.dumps(data, indent=2)
    True
    """
    if _make_encoder is None or not isinstance(indent, int) or isinstance(indent, bool):
        return json.dumps(obj, indent=indent)
    out: list[str] = []
    try:
        _walk(obj, 0, " " * indent, out)
    except (_Fallback, RecursionError, TypeError, ValueError):
        return json.dumps(obj, indent=indent)  # its text, or its error
    return "".join(out)


def _walk(o: object, level: int, ind: str, out: list[str]) -> None:
    if o is None or isinstance(o, _SCALAR):
        out.append(_c(o, ","))
        return
    outer = "\n" + ind * level
    inner = outer + ind
    if isinstance(o, dict):
        if not o:
            out.append("{}")
        elif type(o) is dict and _flat(o.values()):
            out.append("{" + inner + _c(o, "," + inner)[1:-1] + outer + "}")
        else:
            first = True
            for k, v in o.items():
                if not isinstance(k, str):
                    raise _Fallback
                out.append(("{" if first else ",") + inner + _encode_str(k) + ": ")
                first = False
                _walk(v, level + 1, ind, out)
            out.append(outer + "}")
        return
    if isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
        elif type(o) in (list, tuple) and _flat(o):
            out.append("[" + inner + _c(o, "," + inner)[1:-1] + outer + "]")
        elif type(o) in (list, tuple) and (text := _rows(o, level, ind)) is not None:
            out.append(text)
        elif type(o) in (list, tuple) and _table(o):  # rows of different keys
            row_sep = "," + inner + ind  # one C call, the breaks between rows fixed
            body = _c(o, row_sep)[2:-2]  # without the first "[{" and the last "}]"
            body = body.replace("}" + row_sep + "{", inner + "}," + inner + "{" + inner + ind)
            out.append("[" + inner + "{" + inner + ind + body + inner + "}" + outer + "]")
        else:
            for i, v in enumerate(o):
                out.append(("[" if i == 0 else ",") + inner)
                _walk(v, level + 1, ind, out)
            out.append(outer + "]")
        return
    raise _Fallback


_NONE = type(None)
_MEMO_TYPES = {str, int, bool, _NONE}


def _rows(rows, level: int, ind: str) -> str | None:
    """A table whose rows are dicts with the same string keys in the same order and
    scalar cells: encoded column by column (each distinct string, integer, bool or null
    of a column once), each row one ``%`` of the row's format. ``None`` otherwise."""
    first = rows[0]
    if type(first) is not dict or not first:
        return None
    keys = tuple(first)
    if not all(type(k) is str for k in keys):
        return None
    if set(map(type, rows)) != {dict} or any(map(keys.__ne__, map(tuple, rows))):
        return None
    columns = []
    for k in keys:
        col = [r[k] for r in rows]
        types = set(map(type, col))
        if types == {str}:
            distinct = set(col)
            memo = dict(zip(distinct, map(_encode_str, distinct)))
            columns.append(list(map(memo.__getitem__, col)))
        elif types <= _MEMO_TYPES and not (int in types and bool in types):  # 1 == True
            memo = {v: _scalar(v) for v in set(col)}
            columns.append(list(map(memo.__getitem__, col)))
        elif all(issubclass(t, _SCALAR) or t is _NONE for t in types):
            columns.append([_c(v, ",") for v in col])  # floats (0.0 == -0.0), subclasses
        else:
            return None
    outer = "\n" + ind * level
    row = outer + ind
    cell = row + ind
    fmt = "{" + ",".join(cell + _encode_str(k).replace("%", "%%") + ": %s" for k in keys) \
        + row + "}"
    return "[" + row + ("," + row).join([fmt % t for t in zip(*columns)]) + outer + "]"


def _scalar(v: object) -> str:
    if type(v) is str:
        return _encode_str(v)
    return _c(v, ",")


def _table(rows) -> bool:
    """A list of non-empty dicts with scalar values only."""
    for r in rows:
        if type(r) is not dict or not r or not _flat(r.values()):
            return False
    return True
