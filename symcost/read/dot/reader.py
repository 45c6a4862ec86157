"""Graphviz DOT reader: deployment DAGs as people and language models write them.

Parsing is done by Graphviz itself (through pygraphviz); its error text, which Graphviz
prints on the C-level stderr, is captured and turned into one :class:`InputError` with
the line number. Labels are then read by :mod:`symcost.labels`, GPUs by
:mod:`symcost.labels.gpus` (falling back to cluster labels and node ids), and every node is
classified and costed by the rule table of :mod:`symcost.ops`.

A cyclic graph is refused with :class:`CycleError` naming the cycle (``break_cycles``
removes one back-edge per cycle instead, named in a warning); a graph with several nodes,
no edge and no GPU is refused too (``allow_no_edges`` reads it for ``info``), one whose
nodes have GPUs is read with a warning; a syntax error is refused with Graphviz's line and message
(``salvage`` recovers what parses, :mod:`symcost.read.salvage`, and marks the DAG salvaged).
Sizes a label leaves out are taken from neighbours (shape inference), from model
parameters (``sets``, ``params``: :mod:`symcost.read.params`) or become named symbols
(``F_expert``, ``F``, ``E``), each said in a diagnostic; repeated-layer shorthand is
applied by :mod:`symcost.read.repeats`. Everything else that looks wrong becomes a diagnostic on
``dag.diagnostics`` (unknown operations, missing or unparseable dims and GPUs,
producer/consumer dimension mismatches, duplicate definitions, nodes only named by
edges).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import sympy

from symcost.core.dag import Dag
from symcost.core.diagnostics import info, warning
from symcost.core.errors import CycleError, InputError
from symcost.core.symbols import declare_symbol
from symcost.labels.dims import ALIASES
from symcost.ops.table import load_rules
from symcost.read.dot.costs import batch_scale, check_dims, cost_nodes
from symcost.read.dot.facts import (
    Cluster,
    read_clusters,
    read_edges,
    read_nodes,
    resolve_all_gpus,
)
from symcost.read.dot.fastdot import parse_fast
from symcost.read.dot.graphviz import (
    HEADER_RE,
    declarations,
    from_agraph,
    parse_text,
    read_text,
)
from symcost.read.dot.state import DotReading
from symcost.read.params import collect, positive_size
from symcost.read.repeats import apply_repeats
from symcost.read.salvage import salvage_text

_LIST_MAX = 8


def read_dot(path: str | os.PathLike[str], *, rules: str | os.PathLike[str] | None = None,
             symbols: dict[str, str] | None = None, sets: dict[str, str] | None = None,
             params: str | os.PathLike[str] | None = None,
             repeat: dict[str, int] | None = None, salvage: bool = False,
             break_cycles: bool = False, allow_no_edges: bool = False,
             max_bytes: int | None = None) -> Dag:
    """Read a Graphviz DOT deployment DAG.

    Parameters
    ----------
    path : file name of the ``.dot`` / ``.gv`` file.
    rules : optional YAML file of extra operation rules (put before the built-in ones).
    symbols : dimension names to make symbolic, e.g. ``{"seq_len": "S"}``.
    sets : model parameters by name (``--set``), e.g. ``{"expert_hidden": "16384"}``;
        names that are no model parameter are left alone (``symcost eval`` binds them).
    params : a JSON/YAML file of model parameters (``--params``); ``sets`` win over it.
    repeat : ``{node id or "u->v": count}`` (``--repeat``): how often an abbreviated
        block repeats (states or corrects what the graph says).
    salvage : recover what parses from a file with syntax errors (``--salvage``).
    break_cycles : remove one back-edge per cycle instead of refusing (``--break-cycles``).
    allow_no_edges : read a graph of several nodes without edges even when no node has a
        GPU (``symcost info``/``explain``: to check the reading of every node). Without
        it such a graph is refused; an edge-less graph whose nodes have GPUs is always
        read (a warning says what is missing; under ``device`` concurrency each GPU's
        nodes run in file order).
    max_bytes : size limit of the file in bytes (``--max-bytes``); default
        ``$SYMCOST_MAX_BYTES``, else 64 MiB. A guard against hostile input: raise it to
        read very large graphs (a 1M-node deployment DAG is about 190 MiB).

    Raises
    ------
    InputError
        Unreadable file, a file over the size limit, Graphviz syntax error (with its line), undirected graph, no
        nodes, several nodes with neither edges nor GPUs (unless ``allow_no_edges``), a
        label over the size limit.
    CycleError
        The graph has a cycle (its node ids in order).
    """
    file = str(path)
    table = load_rules(rules)
    roles = _symbol_roles(symbols, file)
    taken = {str(s) for s in roles.values()}
    model = collect({k: v for k, v in (sets or {}).items() if k not in taken}, params)
    model.unmapped += [k for k in (sets or {}) if k in taken]
    text = read_text(Path(path), file, max_bytes)
    salvaged: list[str] | None = None
    graph, notes = parse_fast(text), []  # the common subset; Graphviz reads the rest
    if graph is None:
        try:
            agraph, notes = parse_text(text, file)
        except InputError as err:
            if not salvage:
                hint = "" if HEADER_RE.search(text) else "; no 'digraph' header"
                raise InputError(f"{err.message}{hint} (--salvage recovers what parses)",
                                 file=err.file, line=err.line) from None
            text, salvaged = salvage_text(text, err, file)
            agraph, notes = parse_text(text, file)
        graph = from_agraph(agraph)
    st = DotReading(graph, text, file, table, roles, notes)
    st.symbol_sets = {k: v for k, v in (sets or {}).items() if k in model.unmapped}
    st.model, st.repeat, st.break_cycles, st.salvaged = model, dict(repeat or {}), \
        break_cycles, salvaged
    return _build(st, allow_no_edges)


def _symbol_roles(symbols: dict[str, str] | None, file: str) -> dict[str, sympy.Symbol]:
    out: dict[str, sympy.Symbol] = {}
    for key, name in (symbols or {}).items():
        role = ALIASES.get(str(key).lower())
        if role is None or role == "batch":
            known = sorted({k for k, r in ALIASES.items() if r != "batch"})
            raise InputError(f"--symbol {key}={name}: unknown dimension {key!r} "
                             f"(known: {', '.join(known[:12])}, ...)")
        out[role] = declare_symbol(str(name))
    return out


def _build(st: DotReading, allow_no_edges: bool = False) -> Dag:
    g = st.g
    if not g.is_directed():
        raise InputError("undirected graph ('graph', '--'); a deployment DAG must be a "
                         "'digraph' with '->' edges", file=st.file)
    if g.number_of_nodes() == 0:
        raise InputError("the graph has no nodes", file=st.file)
    if st.salvaged is not None:
        st.dag.meta["salvaged"] = True
        st.dag.meta["salvage"] = list(st.salvaged)
        st.add(warning("SALVAGED: the file has syntax errors; analyzed only what "
                          "parses (" + "; ".join(st.salvaged[:_LIST_MAX])
                          + (", ..." if len(st.salvaged) > _LIST_MAX else "") + ")",
                          file=st.file, code="salvaged"))
    for msg in st.notes:
        st.add(warning(f"Graphviz: {msg}", file=st.file, code="graphviz"))
    clusters = read_clusters(st)
    decl_lines, declared = declarations(st.text)
    read_nodes(st, clusters, decl_lines, declared)
    read_edges(st)
    if st.break_cycles:
        _break_cycles(st)
    try:
        st.dag.topological_order()  # raises CycleError naming the cycle
    except CycleError as err:
        err.message += " (--break-cycles removes a back-edge)"
        raise
    resolve_all_gpus(st)
    _edgeless(st, allow_no_edges)
    scale = batch_scale(st)
    cost_nodes(st, scale)
    check_dims(st, scale)
    _bind_symbols(st, st.symbol_sets)
    _parameters(st)
    for d in apply_repeats(st.dag, st.repeat, st.file):
        st.add(d)
    st.diag = [d for d in st.diag if not (
        d.code == "unknown-op" and d.node in st.dag.index
        and st.dag.nodes[st.dag.index[d.node]].attrs.get("shorthand"))]
    _summary(st, clusters)
    st.dag.diagnostics.extend(st.diag)
    return st.dag


def _edgeless(st: DotReading, allow: bool) -> None:
    """A graph of several nodes without edges: refused when nothing can order its nodes
    (no GPU either) unless ``allow``; otherwise read, with a warning saying what is missing."""
    dag = st.dag
    if dag.num_edges or len(dag) < 2:
        return
    placed = sum(1 for n in dag.nodes if n.devices)
    if not placed and not allow:
        raise InputError(f"no edges: {len(dag)} nodes, no data flow between them and no "
                         "GPU placement to order them ('symcost info' reads the nodes)",
                         file=st.file)
    dag.meta["edgeless"] = True
    st.add(warning(f"no edges: {len(dag)} nodes and no data flow between them; "
                   + (f"{placed} node(s) with a GPU are ordered per GPU by file position "
                      "under device concurrency" if placed else "no node has a GPU either"),
                   file=st.file, code="no-edges"))


def _bind_symbols(st: DotReading, sets: dict[str, object]) -> None:
    """``--set NAME=N`` (or a ``--params`` entry) where NAME is a symbol the reading left in the costs (``S``,
    ``D_in_attention_output``, ``msg_all_reduce_8``): substitute N everywhere, record it as
    a parameter used, and take it off the unmapped list."""
    if not sets and not st.model.loose:
        return  # nothing to bind
    names: dict[str, sympy.Symbol] = {}
    seen: set[int] = set()
    for node in st.dag.nodes:  # costs are shared between equal nodes: each looked at once
        if isinstance(node.cost, sympy.Basic) and id(node.cost) not in seen:
            seen.add(id(node.cost))
            for sym in node.cost.free_symbols:
                names.setdefault(sym.name, sym)  # type: ignore[attr-defined]
    subs: dict[sympy.Symbol, sympy.Integer] = {}
    given = {k: (v, src) for k, (v, src) in st.model.loose.items()}
    given.update({k: (v, "--set") for k, v in sets.items()})  # --set wins over a file
    for name, (value, source) in given.items():
        leaf = name.rsplit(".", 1)[-1]
        num = positive_size(value)
        if leaf in names and num is not None and leaf != "B":
            subs[names[leaf]] = sympy.Integer(num)
            if name in st.model.unmapped:
                st.model.unmapped.remove(name)
            st.model.loose.pop(name, None)
            st.model.records.append({"name": name, "value": num, "source": source,
                                     "role": "symbol", "used": True})
    for name, (_value, source) in st.model.loose.items():
        st.model.notes.append(f"{source}: {name!r} is neither a parameter symbolic sizes use "
                              "nor a symbol of this DAG; ignored")
    if not subs:
        return
    for node in st.dag.nodes:
        if isinstance(node.cost, sympy.Basic) and node.cost.free_symbols & set(subs):
            node.cost = node.cost.xreplace(subs)
            node.matmuls = tuple(replace(mm, m=sympy.sympify(mm.m).xreplace(subs),
                                    k=sympy.sympify(mm.k).xreplace(subs),
                                    n=sympy.sympify(mm.n).xreplace(subs))
                            for mm in node.matmuls)
    shown = ", ".join(f"{k}={v}" for k, v in subs.items())
    st.add(info(f"symbols bound by --set/--params: {shown}", file=st.file, code="parameter"))


def _parameters(st: DotReading) -> None:
    """Record the model parameters given, and say which were not used."""
    m = st.model
    st.dag.meta["parameters"] = [
        {"name": r["name"], "value": r["value"], "source": r["source"],
         "role": r["role"], "used": r["used"]} for r in m.records]
    for msg in m.notes:
        st.add(info(msg, file=st.file, code="parameter"))
    for r in m.records:
        if not r["used"]:
            st.add(info(f"parameter {r['name']}={r['value']} ({r['source']}) not "
                           "used: no label lacks that size", file=st.file,
                           code="parameter"))
    for name in m.unmapped:
        st.add(info(f"--set {name}: not a model parameter of the DOT reader; left "
                       "for binding a symbol (symcost eval)", file=st.file,
                       code="parameter"))


def _break_cycles(st: DotReading) -> None:
    dag = st.dag
    while True:
        cyc = dag.find_cycle()
        if not cyc:
            return
        u, v = cyc[-1], cyc[0]
        iu, iv = dag.index[u], dag.index[v]
        dag.succ[iu].remove(iv)
        dag.pred[iv].remove(iu)
        del dag.edge_attrs[(iu, iv)]
        dag.meta.setdefault("broken_edges", []).append([u, v])
        st.add(warning(f"cycle {' -> '.join([*cyc, cyc[0]])}: removed the back-edge "
                          f"{u!r} -> {v!r} (--break-cycles)", file=st.file,
                          line=dag.nodes[iv].source.line, node=u, nodes=(u, v),
                          code="cycle-broken"))


def _summary(st: DotReading, clusters: dict[str, list[Cluster]]) -> None:
    dag = st.dag
    dag.meta["format"] = "dot"
    dag.meta["rules"] = list(st.table.sources)
    dag.meta["symbols"] = {r: str(s) for r, s in st.roles.items()}
    dag.meta["clusters"] = [{"name": c.name, "label": c.label, "layer": c.layer,
                             "stage": c.stage, "depth": c.depth}
                            for c in st.cluster_list]
    comps = dag.num_components()
    dag.meta["components"] = comps
    if comps > 1:
        st.add(info(f"{comps} disconnected parts (weakly connected components); the "
                       "runtime is the longest path over all of them", file=st.file,
                       code="components"))


__all__ = ["read_dot"]
