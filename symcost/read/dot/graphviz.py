"""Parsing DOT text with Graphviz itself (through pygraphviz).

Graphviz prints its errors on the C-level stderr; they are captured and turned into one
:class:`InputError` with the line number. Also here: reading the file's bytes as text
within the size limits, and the lines where each node id is declared.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pygraphviz import graphviz as gv  # Graphviz's C API, as pygraphviz wraps it

from symcost.core.errors import InputError
from symcost.read.dot.parsed import ParsedDot, ParsedSubgraph

#: The default size limit of a DOT file (a guard against hostile input); raised per run
#: by ``--max-bytes`` (``read_dot(max_bytes=...)``) or ``$SYMCOST_MAX_BYTES``.
MAX_BYTES = 64 << 20
ENV_MAX_BYTES = "SYMCOST_MAX_BYTES"
_SIZE = re.compile(r"(?i)^\s*(\d{1,15})\s*([kmg]i?b?|b)?\s*$")

_DECL = re.compile(r'(?m)^[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|([A-Za-z_\x80-\uffff][\w.\x80-\uffff]*'
                   r'|-?\d+(?:\.\d+)?))[ \t]*(\[|;|$)')
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}
_GV_LINE = re.compile(r"\bin line (\d+)\b\s*")
HEADER_RE = re.compile(r"(?im)^[ \t]*(?:strict[ \t]+)?(?:di)?graph\b")


def parse_size(text: str, what: str = "--max-bytes") -> int:
    """A size in bytes written as ``1000000``, ``512k``, ``256M``, ``2G`` (binary units).

    >>> parse_size("256M"), parse_size("1024")
    (268435456, 1024)
    """
    m = _SIZE.match(str(text))
    if m is None or int(m.group(1)) < 1:
        raise InputError(f"{what} {str(text)[:40]!r}: expected a positive size in bytes, "
                         "e.g. 1000000, 512k, 256M or 2G")
    unit = (m.group(2) or "b")[0].lower()
    return int(m.group(1)) << {"b": 0, "k": 10, "m": 20, "g": 30}[unit]


def max_bytes_setting(given: int | None = None) -> int:
    """The DOT size limit in force: ``given`` (``--max-bytes``), else
    ``$SYMCOST_MAX_BYTES``, else :data:`MAX_BYTES` (64 MiB).

    >>> max_bytes_setting(1 << 30)
    1073741824
    """
    if given is not None:
        return int(given)
    env = os.environ.get(ENV_MAX_BYTES, "").strip()
    return parse_size(env, f"${ENV_MAX_BYTES}") if env else MAX_BYTES


def read_text(path: Path, file: str, max_bytes: int | None = None) -> str:
    """The file's text, within the size limit (:func:`max_bytes_setting`), as UTF-8."""
    limit = max_bytes_setting(max_bytes)
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"file is {size} bytes, more than the {limit} byte limit "
                             f"(--max-bytes or ${ENV_MAX_BYTES} raise it)", file=file)
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", file=file) from None
    if not data.strip():
        raise InputError("empty file: no graph", file=file)
    if b"\x00" in data:
        raise InputError("binary data (NUL bytes), not a DOT text file", file=file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte {err.start})", file=file, line=line) from None
    return text


@contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Redirect the C-level stderr (fd 2) to a temporary file; yield a list that
    receives what was written once the block ends."""
    out: list[str] = []
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2: nothing to capture
        yield out
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield out
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            out.append(tmp.read(65536).decode("utf-8", "replace"))


def parse_text(text: str, file: str):  # -> (pygraphviz.AGraph, list[str])
    import pygraphviz

    with captured_stderr() as err, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            graph = pygraphviz.AGraph(string=text)
        except Exception:  # noqa: BLE001 - pygraphviz raises DotError/ValueError/...
            graph = None
    messages = [ln.strip() for ln in "".join(err).splitlines() if ln.strip()]
    messages += [str(w.message) for w in caught]
    if graph is None or any(_is_error(m) for m in messages):
        # An error Graphviz recovered from still means statements were dropped: the
        # graph is partial, so it is refused like any syntax error (--salvage aside).
        raise _syntax_error(messages, file)
    return graph, messages


def _is_error(message: str) -> bool:
    return message.lower().startswith("error")


def _syntax_error(messages: list[str], file: str) -> InputError:
    first = next((m for m in messages if m.lower().startswith("error")),
                 messages[0] if messages else "Graphviz could not read the graph")
    first = re.sub(r"(?i)^error:\s*", "", first)
    if "memory exhausted" in first:
        first += (" (a statement too long for Graphviz's parser, e.g. an edge chain of "
                  "thousands of nodes: split it into shorter statements)")
    line = None
    m = _GV_LINE.search(first)
    if m:
        line = int(m.group(1))
        first = (first[: m.start()] + first[m.end():]).strip()
    if len(first) > 300:
        first = first[:297] + "..."
    return InputError(f"Graphviz: {first}", file=file, line=line)


def declarations(text: str) -> tuple[dict[str, list[int]], set[str]]:
    """Lines where each node id is declared with attributes, and ids declared at all."""
    with_attrs: dict[str, list[int]] = defaultdict(list)
    declared: set[str] = set()
    line, last = 1, 0
    for m in _DECL.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        nid = m.group(1) if m.group(1) is not None else m.group(2)
        if nid in _KEYWORDS or nid is None:
            continue
        if m.group(1) is not None:
            nid = nid.replace('\\"', '"')
        declared.add(nid)
        if m.group(3) == "[":
            with_attrs[nid].append(line + m.group(0)[: m.start(3) - m.start()].count("\n"))
    return with_attrs, declared


def gv_str(value: bytes | str | None) -> str:
    """A Graphviz string (bytes from the C API) as text."""
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def subgraphs(handle) -> Iterator:
    """The subgraphs of a Graphviz graph handle, in Graphviz's order."""
    sg = gv.agfstsubg(handle)
    while sg is not None:
        yield sg
        sg = gv.agnxtsubg(sg)


def from_agraph(graph) -> ParsedDot:  # graph: pygraphviz.AGraph
    """What the reader uses of a graph Graphviz parsed, in Graphviz's order.

    >>> import pygraphviz
    >>> g = from_agraph(pygraphviz.AGraph(string='digraph { b -> a [style=dashed] }'))
    >>> g.nodes, g.edges
    (['b', 'a'], [('b', 'a', 'dashed', '')])
    """
    h = graph.handle
    nodes: list[str] = []
    labels: list[str] = []
    shapes: list[str] = []
    nh = gv.agfstnode(h)
    while nh is not None:
        nodes.append(gv_str(gv.agnameof(nh)))
        labels.append(gv_str(gv.agget(nh, b"label")))
        shapes.append(gv_str(gv.agget(nh, b"shape")))
        nh = gv.agnxtnode(h, nh)
    edges: list[tuple[str, str, str, str]] = []
    nh = gv.agfstnode(h)
    while nh is not None:
        eh = gv.agfstout(h, nh)
        while eh is not None:
            edges.append((gv_str(gv.agnameof(gv.agtail(eh))), gv_str(gv.agnameof(gv.aghead(eh))),
                          gv_str(gv.agget(eh, b"style")), gv_str(gv.agget(eh, b"label"))))
            eh = gv.agnxtout(h, eh)
        nh = gv.agnxtnode(h, nh)
    return ParsedDot(graph.name, graph.is_directed(), nodes, labels, shapes, edges,
                     _subgraph_tree(h), via="graphviz")


def _subgraph_tree(handle) -> list[ParsedSubgraph]:
    top: list[ParsedSubgraph] = []
    stack = [(handle, top)]  # no recursion: nesting may be deep
    while stack:
        h, into = stack.pop()
        for sg in subgraphs(h):
            members = []
            nh = gv.agfstnode(sg)
            while nh is not None:
                members.append(gv_str(gv.agnameof(nh)))
                nh = gv.agnxtnode(sg, nh)
            sub = ParsedSubgraph(gv_str(gv.agnameof(sg)), gv_str(gv.agget(sg, b"label")),
                                 members)
            into.append(sub)
            stack.append((sg, sub.children))
    return top
