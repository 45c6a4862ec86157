"""Graphviz DOT reader: deployment DAGs as people and language models write them.

Parsing is done by Graphviz itself (through pygraphviz); its error text, which Graphviz
prints on the C-level stderr, is captured and turned into one :class:`InputError` with
the line number. Labels are then read by :mod:`symcost.labels`, GPUs by
:mod:`symcost.gpus` (falling back to cluster labels and node ids), and every node is
classified and costed by the rule table of :mod:`symcost.rules`.

A cyclic graph is refused with :class:`CycleError` naming the cycle (``break_cycles``
removes one back-edge per cycle instead, named in a warning); a graph with several nodes
and no edge is refused too; a syntax error is refused with Graphviz's line and message
(``salvage`` recovers what parses, :mod:`symcost.salvage`, and marks the DAG salvaged).
Sizes a label leaves out are taken from neighbours (shape inference), from model
parameters (``sets``, ``params``: :mod:`symcost.params`) or become named symbols
(``F_expert``, ``F``, ``E``), each said in a diagnostic; repeated-layer shorthand is
applied by :mod:`symcost.repeats`. Everything else that looks wrong becomes a diagnostic on
``dag.diagnostics`` (unknown operations, missing or unparseable dims and GPUs,
producer/consumer dimension mismatches, duplicate definitions, nodes only named by
edges).
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

import sympy
from pygraphviz import graphviz as gv  # Graphviz's C API, as pygraphviz wraps it

from .dag import Dag, Kind, Node, Source
from .diagnostics import Diagnostic, info, warning
from .dims import ALIASES, Scale, Tensor
from .errors import CycleError, InputError
from .gpus import GpuSpec, gpu_in_cluster_label, gpu_in_id
from .labels import LabelInfo, normalize, split_label
from .params import Parameters, collect
from .repeats import apply_repeats
from .rules import Context, CostResult, Rule, RuleTable, load_rules
from .salvage import salvage_text
from .symbols import declare_symbol

MAX_BYTES = 64 << 20
MAX_LABEL = 65536
_LIST_MAX = 8

_DECL = re.compile(r'(?m)^[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|([A-Za-z_\x80-\uffff][\w.\x80-\uffff]*'
                   r'|-?\d+(?:\.\d+)?))[ \t]*(\[|;|$)')
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}
_GV_LINE = re.compile(r"\bin line (\d+)\b\s*")
_LAYER_NAME = re.compile(r"(?i)\blayer[\s_:]*(\d+)\b(?!\s*[-–]\s*\d)|\bL(\d+)\b")
_LAYER_ID = re.compile(r"(?i)layer_?(\d+)|(?:^|_)l(\d+)(?:_|$)")
_STAGE = re.compile(r"(?i)\b(?:pipeline\s+)?stage[\s_]*(\d+)|\bPP[\s_]?(\d+)\b")
_HEADER_RE = re.compile(r"(?im)^[ \t]*(?:strict[ \t]+)?(?:di)?graph\b")
_MORE_EXPERTS = re.compile(r"(?i)\b(\d+)\s+more\s+experts?\b")
_STAGE_ID = re.compile(r"(?i)(?:^|_)(?:s|stage|pp)_?(\d+)(?:_|$)")


def read_dot(path: str | os.PathLike[str], *, rules: str | os.PathLike[str] | None = None,
             symbols: dict[str, str] | None = None, sets: dict[str, str] | None = None,
             params: str | os.PathLike[str] | None = None,
             repeat: dict[str, int] | None = None, salvage: bool = False,
             break_cycles: bool = False) -> Dag:
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

    Raises
    ------
    InputError
        Unreadable file, Graphviz syntax error (with its line), undirected graph, no
        nodes, several nodes without edges, a label over the size limit.
    CycleError
        The graph has a cycle (its node ids in order).
    """
    file = str(path)
    table = load_rules(rules)
    roles = _symbol_roles(symbols, file)
    taken = {str(s) for s in roles.values()}
    model = collect({k: v for k, v in (sets or {}).items() if k not in taken}, params)
    model.unmapped += [k for k in (sets or {}) if k in taken]
    text = _read_text(Path(path), file)
    salvaged: list[str] | None = None
    try:
        graph, notes = _parse(text, file)
    except InputError as err:
        if not salvage:
            hint = "" if _HEADER_RE.search(text) else "; no 'digraph' header"
            raise InputError(f"{err.message}{hint} (--salvage recovers what parses)",
                             file=err.file, line=err.line) from None
        text, salvaged = salvage_text(text, err, file)
        graph, notes = _parse(text, file)
    b = _Builder(graph, text, file, table, roles, notes)
    b.model, b.repeat, b.break_cycles, b.salvaged = model, dict(repeat or {}), break_cycles, \
        salvaged
    return b.build()


# -- reading and parsing ---------------------------------------------------------------

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


def _read_text(path: Path, file: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"file is {size} bytes, more than the {MAX_BYTES} byte limit",
                             file=file)
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
def _captured_stderr() -> Iterator[list[str]]:
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


def _parse(text: str, file: str):  # -> (pygraphviz.AGraph, list[str])
    import pygraphviz

    with _captured_stderr() as err, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            graph = pygraphviz.AGraph(string=text)
        except Exception:  # noqa: BLE001 - pygraphviz raises DotError/ValueError/...
            graph = None
    messages = [ln.strip() for ln in "".join(err).splitlines() if ln.strip()]
    messages += [str(w.message) for w in caught]
    if graph is None:
        raise _syntax_error(messages, file)
    return graph, [m for m in messages if not m.lower().startswith("error")]


def _syntax_error(messages: list[str], file: str) -> InputError:
    first = next((m for m in messages if m.lower().startswith("error")),
                 messages[0] if messages else "Graphviz could not read the graph")
    first = re.sub(r"(?i)^error:\s*", "", first)
    line = None
    m = _GV_LINE.search(first)
    if m:
        line = int(m.group(1))
        first = (first[: m.start()] + first[m.end():]).strip()
    if len(first) > 200:
        first = first[:197] + "..."
    return InputError(f"Graphviz: {first}", file=file, line=line)


def _declarations(text: str) -> tuple[dict[str, list[int]], set[str]]:
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


# -- building the DAG ------------------------------------------------------------------

class _Cluster:
    __slots__ = ("name", "label", "gpu", "layer", "stage", "depth")

    def __init__(self, name: str, label: str, depth: int) -> None:
        self.name = name
        self.label = label
        self.depth = depth
        self.gpu = gpu_in_cluster_label(label) if label else None
        m = _LAYER_NAME.search(label) if label else None
        self.layer = int(m.group(1) or m.group(2)) if m else None
        m = _STAGE.search(label or name)
        self.stage = int(m.group(1) or m.group(2)) if m else None


class _Builder:
    def __init__(self, graph, text: str, file: str, table: RuleTable,
                 roles: dict[str, sympy.Symbol], notes: list[str]) -> None:
        self.g = graph
        self.text = text
        self.file = file
        self.table = table
        self.roles = roles
        self.notes = notes
        self.dag = Dag(name=str(graph.name or Path(file).stem), source=file)
        self.diag: list[Diagnostic] = []
        self.infos: list[LabelInfo] = []
        self.rules: list[Rule | None] = []
        self.cost_cache: dict[tuple, CostResult] = {}
        self.model = Parameters({}, [], [], [])
        self.repeat: dict[str, int] = {}
        self.break_cycles = False
        self.salvaged: list[str] | None = None

    # -- helpers
    def _add(self, d: Diagnostic) -> None:
        self.diag.append(d)

    def _where(self, node: Node) -> dict[str, object]:
        return {"file": self.file, "line": node.source.line, "node": node.id}

    def build(self) -> Dag:
        g = self.g
        if not g.is_directed():
            raise InputError("undirected graph ('graph', '--'); a deployment DAG must be a "
                             "'digraph' with '->' edges", file=self.file)
        if g.number_of_nodes() == 0:
            raise InputError("the graph has no nodes", file=self.file)
        if self.salvaged is not None:
            self.dag.meta["salvaged"] = True
            self.dag.meta["salvage"] = list(self.salvaged)
            self._add(warning("SALVAGED: the file has syntax errors; analyzed only what "
                              "parses (" + "; ".join(self.salvaged[:_LIST_MAX])
                              + (", ..." if len(self.salvaged) > _LIST_MAX else "") + ")",
                              file=self.file, code="salvaged"))
        for msg in self.notes:
            self._add(warning(f"Graphviz: {msg}", file=self.file, code="graphviz"))
        clusters = self._clusters()
        decl_lines, declared = _declarations(self.text)
        self._nodes(clusters, decl_lines, declared)
        self._edges()
        if self.dag.num_edges == 0 and len(self.dag) > 1:
            raise InputError(f"no edges: {len(self.dag)} nodes and no data flow between them",
                             file=self.file)
        if self.break_cycles:
            self._break_cycles()
        try:
            self.dag.topological_order()  # raises CycleError naming the cycle
        except CycleError as err:
            err.message += " (--break-cycles removes a back-edge)"
            raise
        self._resolve_all_gpus()
        scale = self._scale()
        self._costs(scale)
        self._check_dims(scale)
        self._parameters()
        for d in apply_repeats(self.dag, self.repeat, self.file):
            self._add(d)
        self.diag = [d for d in self.diag if not (
            d.code == "unknown-op" and d.node in self.dag.index
            and self.dag.nodes[self.dag.index[d.node]].attrs.get("shorthand"))]
        self._summary(clusters)
        self.dag.diagnostics.extend(self.diag)
        return self.dag

    def _clusters(self) -> dict[str, list[_Cluster]]:
        """For each node id, the labelled subgraphs containing it, outermost first."""
        member: dict[str, list[_Cluster]] = defaultdict(list)
        self.cluster_list: list[_Cluster] = []
        stack = [(sg, 1) for sg in reversed(list(_subgraphs(self.g.handle)))]
        while stack:
            sg, depth = stack.pop()
            name = _s(gv.agnameof(sg))
            label = normalize(_s(gv.agget(sg, b"label")), graph_name=name)
            c = _Cluster(name, " ".join(label.split()), depth)
            self.cluster_list.append(c)
            nh = gv.agfstnode(sg)
            while nh is not None:
                member[_s(gv.agnameof(nh))].append(c)
                nh = gv.agnxtnode(sg, nh)
            stack.extend((s, depth + 1) for s in reversed(list(_subgraphs(sg))))
        return member

    def _nodes(self, clusters: dict[str, list[_Cluster]], decl_lines: dict[str, list[int]],
               declared: set[str]) -> None:
        implicit: list[str] = []
        gname = str(self.g.name or "")
        h = self.g.handle
        nh = gv.agfstnode(h)
        while nh is not None:
            nid = _s(gv.agnameof(nh))
            raw = _s(gv.agget(nh, b"label"))
            shape = _s(gv.agget(nh, b"shape")).lower() or None
            nh = gv.agnxtnode(h, nh)
            has_label = raw not in ("", "\\N")
            raw = raw if has_label else nid
            if len(raw) > MAX_LABEL:
                raise InputError(f"label of {len(raw)} characters, more than the "
                                 f"{MAX_LABEL} character limit", file=self.file,
                                 line=(decl_lines.get(nid) or [None])[0], node=nid)
            text = normalize(raw, nid, gname)
            linfo, gpu, gpu_text = split_label(text)
            lines = decl_lines.get(nid, [])
            chain = clusters.get(nid, [])
            node = Node(id=nid, name=linfo.name or nid, source=Source(self.file,
                        lines[0] if lines else None))
            node.attrs["label"] = text
            if shape:
                node.attrs["shape"] = shape
            if chain:
                node.attrs["cluster"] = chain[-1].name
            self._place(node, gpu or linfo.gpu, gpu_text, chain)
            node.layer = self._layer(nid, linfo.name, chain, text)
            stage = self._stage(nid, chain)
            if stage is not None:
                node.attrs["stage"] = stage
            self.dag.add_node(node)
            self.infos.append(linfo)
            if len(lines) > 1:
                shown = ", ".join(str(x) for x in lines[:_LIST_MAX])
                self._add(warning(f"node defined {len(lines)} times (lines {shown}); Graphviz "
                                  "merges the attributes, the last value wins",
                                  code="duplicate", **self._where(node)))
            if not has_label and nid not in declared:
                implicit.append(nid)
        for nid in implicit:
            node = self.dag.node(nid)
            self._add(warning("node is only named by edges (never declared, no label)",
                              code="implicit", **self._where(node)))

    def _place(self, node: Node, spec: GpuSpec | None, gpu_text: str | None,
               chain: list[_Cluster]) -> None:
        origin = "label"
        if gpu_text is not None and spec is None:
            self._add(warning(f"GPU placement {gpu_text!r} not understood",
                              code="gpu", file=self.file, line=node.source.line, node=node.id))
        if spec is None:
            spec = next((c.gpu for c in reversed(chain) if c.gpu is not None), None)
            origin = "cluster"
        if spec is None:
            spec = gpu_in_id(node.id)
            origin = "id"
        if spec is None:
            return
        node.devices = spec.devices
        node.attrs["gpu"] = spec.text
        node.attrs["gpu_from"] = origin
        if spec.all_gpus:
            node.attrs["all_gpus"] = True
        if spec.host:
            node.attrs["host"] = True
        if spec.transfer:
            node.attrs["transfer"] = True

    @staticmethod
    def _layer(nid: str, name: str, chain: list[_Cluster], text: str) -> int | None:
        m = _LAYER_NAME.search(name) or _LAYER_NAME.search(re.sub(r"\[[^\]]*\]", "", text))
        if m:
            return int(m.group(1) or m.group(2))
        m = _LAYER_ID.search(nid)
        if m:
            return int(m.group(1) or m.group(2))
        return next((c.layer for c in reversed(chain) if c.layer is not None), None)

    @staticmethod
    def _stage(nid: str, chain: list[_Cluster]) -> int | None:
        st = next((c.stage for c in reversed(chain) if c.stage is not None), None)
        if st is None:
            m = _STAGE_ID.search(nid)
            st = int(m.group(1)) if m else None
        return st

    def _edges(self) -> None:
        dag = self.dag
        dup = 0
        h = self.g.handle
        nh = gv.agfstnode(h)
        while nh is not None:
            eh = gv.agfstout(h, nh)
            while eh is not None:
                u, v = _s(gv.agnameof(gv.agtail(eh))), _s(gv.agnameof(gv.aghead(eh)))
                iu, iv = dag.index[u], dag.index[v]
                if iu == iv and self.break_cycles:
                    dag.meta.setdefault("broken_edges", []).append([u, v])
                    self._add(warning(f"self-loop {u!r} -> {v!r} removed (--break-cycles)",
                                      file=self.file, node=u, code="cycle-broken"))
                elif (iu, iv) in dag.edge_attrs:
                    dup += 1
                else:
                    attrs = {}
                    style, label = _s(gv.agget(eh, b"style")), _s(gv.agget(eh, b"label"))
                    if style:
                        attrs["style"] = style
                    if label:
                        attrs["label"] = " ".join(normalize(label).split())
                    dag.add_edge(u, v, **attrs)
                eh = gv.agnxtout(h, eh)
            nh = gv.agnxtnode(h, nh)
        if dup:
            self._add(info(f"{dup} duplicate edge(s) merged", file=self.file, code="dup-edge"))

    def _resolve_all_gpus(self) -> None:
        everywhere = frozenset(self.dag.devices())
        unresolved = []
        for node in self.dag.nodes:
            if node.attrs.get("all_gpus"):
                node.devices = node.devices | everywhere
                if not node.devices:
                    unresolved.append(node.id)
        if unresolved:
            self._add(warning("'all GPUs' but no node names a GPU id", file=self.file,
                              node=unresolved[0], nodes=tuple(unresolved), code="gpu"))

    # -- batch rule and costs
    def _entry(self) -> int | None:
        """Index of the entry node: the first input node, else the first source."""
        sources = [i for i, p in enumerate(self.dag.pred) if not p]
        for i in sources:
            r, _ = self.table.classify(self.infos[i].name, self.dag.nodes[i].id,
                                       self.dag.nodes[i].attrs.get("shape"))
            if r is not None and r.kind == Kind.IO:
                return i
        return sources[0] if sources else None

    def _scale(self) -> Scale:
        entry: dict[str, sympy.Expr] = {}
        i = self._entry()
        if i is not None:
            linfo = self.infos[i]
            for role in ("batch", *self.roles):
                d = linfo.find(role)
                if d is not None and d.value is not None and d.value.is_Integer:
                    entry[role] = d.value
            self.dag.meta["entry"] = {"node": self.dag.nodes[i].id,
                                      **{k: int(v) for k, v in entry.items()}}
        if "batch" not in entry:
            self._add(info("the entry gives no batch size: every batch dimension is B",
                           file=self.file, code="batch"))
        return Scale(entry, self.roles)

    def _shapes(self) -> tuple[list[Tensor | None], list[Tensor | None]]:
        """Input and output of every node, missing sides taken from neighbours.

        An input the label lacks is the (effective) output of the first predecessor
        that has one; ``Output: [same]`` is the input, and so is the missing output of
        an element-wise node; a still-missing output is the first successor's input.
        What was inferred for a node with a cost rule goes to ``attrs["inferred"]``.
        """
        dag, n = self.dag, len(self.dag)
        ins: list[Tensor | None] = [None] * n
        outs: list[Tensor | None] = [None] * n
        how: dict[int, dict[str, str]] = defaultdict(dict)
        order = dag.topological_order()
        for i in order:
            li, rule = self.infos[i], self.rules[i]
            tin = None if _same(li.input) else li.input
            if tin is None:
                for j in sorted(dag.pred[i]):
                    if outs[j] is not None:
                        tin = outs[j]
                        how[i]["input"] = f"[{tin.raw}] from {dag.nodes[j].id}"
                        break
            ins[i] = tin
            tout = li.output
            if _same(tout):
                tout = tin
                if tin is not None:
                    how[i]["output"] = f"[{tin.raw}] (written 'same')"
            elif tout is None and rule is not None and rule.kind == Kind.ELEMENTWISE:
                tout = tin
            outs[i] = tout
        for i in reversed(order):
            if outs[i] is None:
                for j in sorted(dag.succ[i]):
                    t = self.infos[j].input
                    if t is not None and not _same(t):
                        outs[i] = t
                        how[i]["output"] = f"[{t.raw}] from {dag.nodes[j].id}"
                        break
        shown: list[str] = []
        for i, parts in how.items():
            rule = self.rules[i]
            if rule is None or rule.cost == "zero":
                continue
            node = dag.nodes[i]
            node.attrs["inferred"] = dict(parts)
            shown.append(node.id)
        if shown:
            ids = sorted(shown, key=dag.index.__getitem__)
            first = dag.nodes[dag.index[ids[0]]]
            what = "; ".join(f"{k} {v}" for k, v in first.attrs["inferred"].items())
            self._add(info(f"shapes inferred from neighbours for {len(ids)} node(s), e.g. "
                           f"{first.id!r}: {what}", file=self.file, node=first.id,
                           nodes=tuple(ids[:_LIST_MAX]), code="inferred"))
        return ins, outs

    def _experts_seen(self, i: int) -> tuple[int, str] | None:
        """Experts the graph shows behind router gate ``i``: expert nodes it feeds,
        directly or through one routing/dispatch node, plus "N more experts" elisions."""
        from .rules import _EXPERT

        drawn, elided = 0, 0
        seen: set[int] = set()
        frontier = list(self.dag.succ[i])
        for hop in range(2):
            nxt: list[int] = []
            for j in frontier:
                if j in seen:
                    continue
                seen.add(j)
                rule, name = self.rules[j], self.infos[j].name or self.dag.nodes[j].id
                more = _MORE_EXPERTS.search(self.dag.nodes[j].attrs.get("label", "") or "")
                if more:
                    elided += int(more.group(1))
                elif (rule is not None and rule.cost in ("mlp", "gated_mlp")
                      and _EXPERT.search(name)):
                    drawn += 1
                elif hop == 0 and rule is not None and rule.kind == Kind.ROUTE:
                    nxt.extend(self.dag.succ[j])
            frontier = nxt
        if drawn + elided < 2:
            return None
        how = (f"{drawn} expert nodes behind the gate"
               + (f" + {elided} in an elision ('{elided} more experts')" if elided else ""))
        return drawn + elided, how

    def _costs(self, scale: Scale) -> None:
        unknown: list[int] = []
        no_gpu: list[str] = []
        notes: dict[str, list[str]] = defaultdict(list)
        assumed: dict[str, tuple[str, list[str]]] = {}
        for i, node in enumerate(self.dag.nodes):
            linfo = self.infos[i]
            rule, how = self.table.classify(linfo.name, node.id, node.attrs.get("shape"))
            self.rules.append(rule)
            if rule is None:
                node.kind = Kind.UNKNOWN
                unknown.append(i)
                continue
            node.kind = rule.kind
            node.attrs["rule"] = rule.name
            node.attrs["matched_by"] = how
            if how == "shape":
                self._add(info(f"classified as {rule.kind} by its shape only",
                               code="shape", **self._where(node)))
        ins, outs = self._shapes()
        params = self.model.by_role
        for i, node in enumerate(self.dag.nodes):
            rule = self.rules[i]
            if rule is None:
                continue
            linfo = self.infos[i]
            inherited = ins[i] if linfo.input is None or _same(linfo.input) else None
            out = outs[i] if linfo.output is None or _same(linfo.output) else None
            seen = self._experts_seen(i) if rule.cost == "router" else None
            if seen is not None and self.infos[i].find("experts") is None \
                    and "experts" not in params:
                node.attrs["experts_counted"] = seen[1]
            key = (rule.name, linfo.key,
                   inherited.raw if inherited is not None else None,
                   out.raw if out is not None else None, seen,
                   len(node.devices) if rule.cost == "comm" else 0)
            res = self.cost_cache.get(key)
            if res is None:
                res = _apply(rule, Context(linfo, scale, inherited, len(node.devices), rule,
                                           params, seen, out))
                self.cost_cache[key] = res
            node.cost, node.matmuls = res.cost, res.matmuls
            for akey, msg in res.assumed:
                assumed.setdefault(akey, (msg, []))[1].append(node.id)
                node.attrs.setdefault("assumed", []).append(msg)
            if res.problem:
                self._add(warning(res.problem, code="dims", **self._where(node)))
            if res.cost != 0:
                for t in linfo.tensors():
                    for d in t.dims:
                        if d.note:
                            notes[d.note].append(node.id)
            if (not node.devices and rule.kind != Kind.IO and not node.attrs.get("host")):
                no_gpu.append(node.id)
        for i in unknown:
            node = self.dag.nodes[i]
            what = f"operation {self.infos[i].name!r}" if self.infos[i].name else "operation"
            self._add(warning(f"{what} not recognised by any rule: kind unknown, cost 0",
                              code="unknown-op", **self._where(node)))
        for note, ids in notes.items():
            self._add(info(f"{note} ({len(ids)} node(s))", file=self.file, node=ids[0],
                           nodes=tuple(ids[:_LIST_MAX]), code="dims"))
        used_roles = set()
        for akey, (msg, ids) in assumed.items():
            kind, _, what = akey.partition(":")
            if kind == "param":
                used_roles.add(what)
            code = {"symbol": "symbol", "param": "parameter", "count": "count"}[kind]
            self._add(info(f"{msg} ({len(ids)} node(s))", file=self.file, node=ids[0],
                           nodes=tuple(ids[:_LIST_MAX]), code=code))
        self.dag.meta["assumed"] = [{"code": k.partition(":")[0], "message": m,
                                     "nodes": len(ids)} for k, (m, ids) in assumed.items()]
        for rec in self.model.records:
            rec["used"] = rec["role"] in used_roles
        if no_gpu:
            shown = ", ".join(no_gpu[:_LIST_MAX]) + (", ..." if len(no_gpu) > _LIST_MAX else "")
            self._add(warning(f"{len(no_gpu)} node(s) without a GPU (not serialized with "
                              f"others): {shown}", file=self.file, node=no_gpu[0],
                              nodes=tuple(no_gpu), code="no-gpu"))

    def _parameters(self) -> None:
        """Record the model parameters given, and say which were not used."""
        m = self.model
        self.dag.meta["parameters"] = [
            {"name": r["name"], "value": r["value"], "source": r["source"],
             "role": r["role"], "used": r["used"]} for r in m.records]
        for msg in m.notes:
            self._add(info(msg, file=self.file, code="parameter"))
        for r in m.records:
            if not r["used"]:
                self._add(info(f"parameter {r['name']}={r['value']} ({r['source']}) not "
                               "used: no label lacks that size", file=self.file,
                               code="parameter"))
        for name in m.unmapped:
            self._add(info(f"--set {name}: not a model parameter of the DOT reader; left "
                           "for binding a symbol (symcost eval)", file=self.file,
                           code="parameter"))

    def _break_cycles(self) -> None:
        dag = self.dag
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
            self._add(warning(f"cycle {' -> '.join([*cyc, cyc[0]])}: removed the back-edge "
                              f"{u!r} -> {v!r} (--break-cycles)", file=self.file,
                              line=dag.nodes[iv].source.line, node=u, nodes=(u, v),
                              code="cycle-broken"))

    def _check_dims(self, scale: Scale) -> None:
        """Warn when a producer's output and its consumer's input differ."""
        dag = self.dag
        skip = {Kind.ROUTE, Kind.COMM, Kind.UNKNOWN}
        for (iu, iv), attrs in dag.edge_attrs.items():
            a, b = dag.nodes[iu], dag.nodes[iv]
            if a.kind in skip or b.kind in skip or len(dag.pred[iv]) != 1:
                continue
            if "dash" in str(attrs.get("style", "")) or "dot" in str(attrs.get("style", "")):
                continue
            out, inp = self.infos[iu].output, self.infos[iv].input
            if out is None or inp is None or len(self.infos[iv].inputs) > 1:
                continue
            if out.multiplicity != 1 or inp.multiplicity != 1:
                continue
            pairs = [(scale.tokens(out), scale.tokens(inp)),
                     (scale.feature(out), scale.feature(inp))]
            if any(_comparable(x, y) and x != y for x, y in pairs):
                self._add(warning(f"dimension mismatch: {a.id!r} outputs [{out.raw}] but "
                                  f"{b.id!r} takes [{inp.raw}]", file=self.file,
                                  line=b.source.line, node=b.id, nodes=(a.id, b.id),
                                  code="dim-mismatch"))

    def _summary(self, clusters: dict[str, list[_Cluster]]) -> None:
        dag = self.dag
        dag.meta["format"] = "dot"
        dag.meta["rules"] = list(self.table.sources)
        dag.meta["symbols"] = {r: str(s) for r, s in self.roles.items()}
        dag.meta["clusters"] = [{"name": c.name, "label": c.label, "layer": c.layer,
                                 "stage": c.stage, "depth": c.depth}
                                for c in self.cluster_list]
        comps = dag.num_components()
        dag.meta["components"] = comps
        if comps > 1:
            self._add(info(f"{comps} disconnected parts (weakly connected components); the "
                           "runtime is the longest path over all of them", file=self.file,
                           code="components"))


def _same(t: Tensor | None) -> bool:
    """``[same]``, ``[same as input]``: the output repeats the input."""
    return t is not None and t.raw.strip().lower() in ("same", "same as input", "unchanged",
                                                        "same as in", "same shape")


def _s(value: bytes | str | None) -> str:
    """A Graphviz string (bytes from the C API) as text."""
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _subgraphs(handle) -> Iterator:
    sg = gv.agfstsubg(handle)
    while sg is not None:
        yield sg
        sg = gv.agnxtsubg(sg)


def _apply(rule: Rule, ctx: Context) -> CostResult:
    from .rules import FORMULAS

    return FORMULAS[rule.cost](ctx)


def _comparable(x: sympy.Expr | None, y: sympy.Expr | None) -> bool:
    if x is None or y is None:
        return False
    from .symbols import B

    return x.free_symbols <= {B} and y.free_symbols <= {B}




__all__ = ["read_dot"]
