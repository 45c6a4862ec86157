"""A fast reader of the common DOT subset, with Graphviz as the fallback for the rest.

Graphviz's parser is fast, but every attribute read afterwards crosses its C API, which
dominates reading large files. This module reads the subset that deployment DAGs are
written in with one statement-level regular expression per statement, and reproduces
what Graphviz makes of it (:class:`~symcost.read.dot.parsed.ParsedDot`): nodes in
creation order with the ``node [...]`` defaults of the scope they were created in,
edges of chains ``a -> b -> c [..]`` with the ``edge [...]`` defaults, in Graphviz's
order (tail, then head, in node order, then as written), subgraphs with the graph
attributes they inherit at creation (a cluster without a ``label`` of its own shows
the enclosing graph's), quoted ids with Graphviz's escapes (``\\"`` is a quote, a
backslash-newline joins lines, any other backslash stays), comments.

Anything outside the subset returns None and the caller lets Graphviz parse the file:
``strict`` or undirected graphs, ports (``a:p``), subgraphs as edge ends, HTML strings,
``+`` concatenation, attributes without a value, edge ``key``s, reopened subgraphs,
keywords where an id is expected, ``#`` lines, badly delimited numbers, long edge
chains, lines over 4,096 characters (Graphviz refuses tokens over 16 KiB), deep
nesting, a ``layout`` in a subgraph, and every syntax error (so errors keep
Graphviz's one-line message and line number). Tests compare the two readers on the
corpus, the fuzz crashers and generated files.
"""

from __future__ import annotations

import re

from symcost.read.dot.parsed import ParsedDot, ParsedSubgraph

#: an edge chain longer than this is left to Graphviz (its parser runs out of stack on
#: chains of thousands of nodes, an error the file must keep)
MAX_CHAIN = 100
#: deeper subgraph nesting is left to Graphviz (it limits nesting itself)
MAX_DEPTH = 64
#: a file with a line this long is left to Graphviz: Graphviz refuses a token (id, run
#: of a quoted string between escapes and line breaks, comment) over 16,381 bytes,
#: which needs a line of at least 4,096 characters
LONG_LINE = 4096
_LONG = re.compile(rf"\n[^\n]{{{LONG_LINE}}}")

#: Graphviz's id characters: ASCII letters, digits, ``_`` and every non-ASCII character,
#: written as negated ASCII classes (a class spanning all of Unicode is slow to compile)
_IDSTART = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"
_IDCHAR = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
_NOT_ID_OR_DOT = r"(?![^\x00-\x2d\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f])"
_QUOTED = r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"'
_ID = (rf"(?:{_QUOTED}|{_IDSTART}{_IDCHAR}*(?!{_IDCHAR})"
       rf"|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?){_NOT_ID_OR_DOT})")
_WS = "[ \t\r\n]"  # Graphviz's white space (a no-break space is part of an id there)
#: attribute lists ``[k=v, k=v; k=v]``, each white space run matched one way only
#: (atomic: a list that fails to match fails at once, not after exponential retries)
_ATTRS = rf"(?>(?:\[{_WS}*(?:{_ID}{_WS}*={_WS}*{_ID}{_WS}*(?:[,;]{_WS}*)?)*\]{_WS}*)+)"
_GAP = rf"(?>(?:{_WS}+|//[^\n]*|/\*[\s\S]*?\*/)*)"  # white space and comments (atomic)
_SKIP = re.compile(_GAP)
_SEMI = re.compile(rf"{_GAP};")
_HEADER = re.compile(rf"{_GAP}(?P<strict>(?i:strict){_WS}+)?"
                     rf"(?P<kind>(?i:digraph|graph))(?!{_IDCHAR}){_WS}*(?P<name>{_ID})?"
                     rf"{_WS}*\{{")
_STMT = re.compile(
    rf"(?P<close>\}})"
    rf"|(?P<kw>(?i:node|edge|graph)){_WS}*(?P<kwattrs>{_ATTRS})"
    rf"|(?P<sub>(?i:subgraph))(?!{_IDCHAR}){_WS}*(?P<subname>{_ID})?{_WS}*\{{"
    rf"|(?P<open>\{{)"
    # a statement that opens with an id (read once): an edge chain, ``id = value``, a node
    rf"|(?P<node>{_ID}){_WS}*(?:(?P<chain>(?:->{_WS}*{_ID}{_WS}*)+)(?P<eattrs>{_ATTRS})?"
    rf"|={_WS}*(?P<gval>{_ID})|(?P<nattrs>{_ATTRS}))?")
_ONE_ID = re.compile(_ID)
_PAIR = re.compile(rf"({_ID}){_WS}*={_WS}*({_ID})")
_UNESC = re.compile(r'\\(["\n\\])')
_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})


class _Outside(Exception):
    """The text leaves the subset: Graphviz reads it."""


def _unescape(m: re.Match[str]) -> str:
    c = m.group(1)
    return '"' if c == '"' else ("" if c == "\n" else "\\\\")


def _case_variants(word: str) -> list[str]:
    out = [""]
    for c in word:
        out = [w + x for w in out for x in {c.lower(), c.upper()}]
    return out


#: every spelling of the keywords (they are case-insensitive): one set lookup per id
_KEYWORD_SPELLINGS = frozenset(v for k in _KEYWORDS for v in _case_variants(k))


def _value(tok: str) -> str:
    """An id or attribute value as Graphviz stores it."""
    if tok[0] == '"':
        s = tok[1:-1]
        return _UNESC.sub(_unescape, s) if "\\" in s else s
    if tok in _KEYWORD_SPELLINGS:
        raise _Outside
    return tok


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(_value(k), _value(v)) for k, v in _PAIR.findall(text)]


class _Scope:
    __slots__ = ("sub", "node_def", "edge_def", "graph_def", "members")

    def __init__(self, sub: ParsedSubgraph | None, node_def: dict[str, str],
                 edge_def: dict[str, str], graph_def: dict[str, str]) -> None:
        self.sub = sub
        self.node_def = node_def
        self.edge_def = edge_def
        self.graph_def = graph_def
        self.members: set[int] = set()


def parse_fast(text: str) -> ParsedDot | None:
    """Parse ``text`` when it is in the common DOT subset, else None (see the module).

    >>> g = parse_fast('digraph G { node [shape=box]; a [label="x"]; a -> b }')
    >>> g.nodes, g.labels, g.shapes, g.edges
    (['a', 'b'], ['x', ''], ['box', 'box'], [('a', 'b', '', '')])
    >>> parse_fast('digraph { a:p -> b }') is None    # a port: Graphviz reads it
    True
    """
    try:
        return _parse(text)
    except (_Outside, RecursionError):
        return None


def _parse(text: str) -> ParsedDot | None:
    first = text.find("\n")
    if (first if first >= 0 else len(text)) >= LONG_LINE or _LONG.search(text):
        return None
    m = _HEADER.match(text)
    if m is None or m.group("strict") or m.group("kind").lower() != "digraph":
        return None
    name = _value(m.group("name")) if m.group("name") else None
    pos = m.end()
    index: dict[str, int] = {}
    nodes: list[str] = []
    labels: list[str] = []
    shapes: list[str] = []
    out: list[list[tuple[int, int, str, str]]] = []
    top: list[ParsedSubgraph] = []
    all_subs: list[tuple[ParsedSubgraph, set[int]]] = []
    names: set[str] = set()
    scope = _Scope(None, {}, {}, {})
    stack: list[_Scope] = []
    seq = 0
    stmt, skip, one_id, semi_at = _STMT.match, _SKIP.match, _ONE_ID.findall, _SEMI.match
    n = len(text)

    def member(nid: str) -> int:
        """The index of node ``nid`` (created with the current scope's defaults), now a
        member of the current scope."""
        i = index.get(nid)
        if i is None:
            i = index[nid] = len(nodes)
            nodes.append(nid)
            labels.append(scope.node_def.get("label", ""))
            shapes.append(scope.node_def.get("shape", ""))
            out.append([])
        scope.members.add(i)
        return i

    while True:
        pos = skip(text, pos).end()
        if pos >= n:
            return None  # the graph is not closed: a syntax error
        m = stmt(text, pos)
        if m is None:
            return None
        pos = m.end()
        kind = m.lastgroup
        if kind not in ("sub", "subname", "open"):
            semi = semi_at(text, pos)  # one ';' may end a statement, no more
            if semi is not None and (kind != "close" or stack):
                pos = semi.end()
        if kind in ("nattrs", "node"):
            i = member(_value(m.group("node")))
            if kind == "nattrs":
                for k, v in _pairs(m.group("nattrs")):
                    if k == "label":
                        labels[i] = v
                    elif k == "shape":
                        shapes[i] = v
        elif kind in ("eattrs", "chain"):
            ids = [m.group("node"), *one_id(m.group("chain"))]
            if len(ids) > MAX_CHAIN:
                return None
            style = scope.edge_def.get("style", "")
            label = scope.edge_def.get("label", "")
            if kind == "eattrs":
                for k, v in _pairs(m.group("eattrs")):
                    if k == "style":
                        style = v
                    elif k == "label":
                        label = v
                    elif k == "key":
                        return None
            chain = []
            for tok in ids:
                chain.append(member(_value(tok)))
            for t, h in zip(chain, chain[1:]):
                out[t].append((h, seq, style, label))
                seq += 1
        elif kind == "close":
            if not stack:
                break
            inner, scope = scope, stack.pop()
            scope.members |= inner.members
        elif kind == "kwattrs":
            which = m.group("kw").lower()
            pairs = _pairs(m.group("kwattrs"))
            if which == "node":
                scope.node_def.update(pairs)
            elif which == "edge":
                if any(k == "key" for k, _ in pairs):
                    return None
                scope.edge_def.update(pairs)
            else:
                _graph_attrs(scope, pairs)
        elif kind == "gval":
            _graph_attrs(scope, [(_value(m.group("node")), _value(m.group("gval")))])
        else:  # "sub", "subname" or "open": a new subgraph
            sname = _value(m.group("subname")) if m.group("subname") else ""
            if (m.group("subname") and not sname) or sname in names or len(stack) >= MAX_DEPTH:
                return None  # reopened (or empty-named) subgraphs, deep nesting: Graphviz
            if sname:
                names.add(sname)
            sub = ParsedSubgraph(sname, scope.graph_def.get("label", ""))
            (scope.sub.children if scope.sub is not None else top).append(sub)
            stack.append(scope)
            scope = _Scope(sub, dict(scope.node_def), dict(scope.edge_def),
                           dict(scope.graph_def))
            all_subs.append((sub, scope.members))
    if skip(text, pos).end() != n:
        return None  # more after the graph (a second graph, stray text)
    for sub, members in all_subs:
        sub.members = [nodes[i] for i in sorted(members)]
    edges: list[tuple[str, str, str, str]] = []
    add = edges.append
    for t, lst in enumerate(out):
        if len(lst) > 1:
            lst.sort()
        tail = nodes[t]
        for h, _, style, label in lst:
            add((tail, nodes[h], style, label))
    return ParsedDot(name, True, nodes, labels, shapes, edges, top, via="fast")


def _graph_attrs(scope: _Scope, pairs: list[tuple[str, str]]) -> None:
    for k, v in pairs:
        if scope.sub is not None:
            if k == "layout":
                raise _Outside  # Graphviz warns about it: its message is kept
            if k == "label":
                scope.sub.label = v
        scope.graph_def[k] = v


__all__ = ["MAX_CHAIN", "parse_fast"]
