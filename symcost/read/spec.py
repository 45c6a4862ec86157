"""Reader of YAML/JSON model specs (see the README's "Spec format").

Specs are read with ``yaml.safe_load`` semantics (a ``SafeLoader`` subclass that only
records line numbers) or ``json``; expressions inside are read by the whitelist parser.
Node and edge entries may carry ``foreach: {l: 0..3, g: [0, 1]}``: the entry is repeated
for every combination, with ``{l}``, ``{g+1}`` or any integer expression of the loop
variables in braces substituted in its strings.

Input is bounded (README "Limits"): files up to 64 MiB, documents nested at most
``MAX_DOC_DEPTH`` levels, aliases expanding to at most ``MAX_ALIAS_NODES`` nodes, at
most ``MAX_FOREACH`` instances per entry and ``MAX_SPEC_NODES`` / ``MAX_SPEC_EDGES`` in a
spec; sizes are positive integers below 2**63. Every field of the wrong type is an
:class:`InputError` naming the file and line.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from pathlib import Path

import sympy
import yaml

from symcost.algebra.exprparse import parse_expr, parse_value
from symcost.core import limits
from symcost.core.dag import Dag, Kind, Matmul, Node, Source, check_cost
from symcost.core.errors import CostError, ExpressionError, InputError
from symcost.core.safeload import BoundedComposer, load_json, load_yaml
from symcost.core.symbols import COLLECTIVES, declare_atom, declare_symbol

#: Largest spec file read (bytes).
MAX_BYTES = 64 << 20
#: Largest arity of a declared atom.
MAX_ARITY = 16

TOP_FIELDS = {"symcost", "name", "description", "symbols", "atoms", "nodes", "edges"}
NODE_FIELDS = {"id", "name", "kind", "devices", "layer", "matmul", "matmuls", "comm", "cost",
               "foreach", "attrs"}
EDGE_FIELDS = {"from", "to", "chain", "foreach"}
MATMUL_FIELDS = {"m", "k", "n", "count", "label"}
COMM_FIELDS = {"op", "elements", "group"}
ATOM_FIELDS = {"name", "arity", "communication", "description"}


class _LineDict(dict):
    line: int | None = None


class _LineLoader(BoundedComposer, yaml.SafeLoader):
    """``yaml.SafeLoader`` that remembers the line of each mapping, with the depth and
    alias limits of :class:`~symcost.core.safeload.BoundedComposer`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    d = _LineDict(loader.construct_mapping(node, deep=True))
    d.line = node.start_mark.line + 1
    return d


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Ctx:
    def __init__(self, file: str) -> None:
        self.file = file

    def err(self, msg: str, where: object = None, node: str | None = None) -> InputError:
        line = getattr(where, "line", None) if where is not None else None
        return InputError(msg, file=self.file, line=line, node=node)


def read_spec(path: str | Path, **_options: object) -> Dag:
    """Read a YAML (``.yaml``/``.yml``) or JSON spec into a :class:`Dag`."""
    p = Path(path)
    ctx = _Ctx(str(path))
    try:
        if p.stat().st_size > MAX_BYTES:
            raise ctx.err(f"file is larger than the {MAX_BYTES} byte limit")
        raw = p.read_bytes()
    except OSError as err:
        raise ctx.err(f"cannot read: {err.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"not a text file (UTF-8 expected; byte {err.start})",
                         file=str(path), line=line) from None
    if "\x00" in text:
        raise ctx.err("binary data (NUL bytes), not a YAML/JSON text file")
    if p.suffix.lower() == ".json":
        data = load_json(text, str(path))
    else:
        data = load_yaml(text, str(path), _LineLoader, label="YAML syntax error")
    return build_from_spec(data, ctx)


def build_from_spec(data: object, ctx: _Ctx | None = None) -> Dag:
    """Build a :class:`Dag` from an already-loaded spec mapping."""
    ctx = ctx or _Ctx("<spec>")
    if not isinstance(data, dict):
        raise ctx.err("a spec is a mapping with 'nodes' and 'edges'")
    _check_fields(data, TOP_FIELDS, "spec", ctx)
    dag = Dag(str(data.get("name") or Path(ctx.file).stem), source=ctx.file)
    if data.get("description"):
        dag.meta["description"] = str(data["description"])
    for s in _as_list(data.get("symbols", []), "symbols", data, ctx):
        if not isinstance(s, str):
            raise ctx.err("symbols: expected names such as 'S'", data)
        try:
            declare_symbol(s)
        except ExpressionError as err:
            raise ctx.err(f"symbols: {err.message}", data) from None
    for a in _as_list(data.get("atoms", []), "atoms", data, ctx):
        if not isinstance(a, dict):
            raise ctx.err("atoms: each entry is a mapping with name and arity", data)
        _check_fields(a, ATOM_FIELDS, "atom", ctx)
        arity = a.get("arity", 1)
        if not isinstance(arity, int) or isinstance(arity, bool) or not 1 <= arity <= MAX_ARITY:
            raise ctx.err(f"atoms: arity must be an integer from 1 to {MAX_ARITY}", a)
        if not isinstance(a.get("name"), str):
            raise ctx.err("atoms: each atom needs a 'name' (text)", a)
        try:
            declare_atom(str(a.get("name")), arity,
                         communication=bool(a.get("communication", False)),
                         description=str(a.get("description", "")))
        except (ExpressionError, ValueError) as err:
            raise ctx.err(f"atoms: {getattr(err, 'message', err)}", a) from None
    nodes = _as_list(data.get("nodes"), "nodes", data, ctx)
    if not nodes:
        raise ctx.err("spec has no nodes", data)
    for i, entry in enumerate(nodes):
        if not isinstance(entry, dict):
            raise ctx.err(f"nodes[{i}]: expected a mapping", data)
        _check_fields(entry, NODE_FIELDS, f"nodes[{i}]", ctx)
        for env in _expand(entry.get("foreach"), entry, ctx):
            if len(dag) >= limits.MAX_SPEC_NODES:
                raise ctx.err(f"more than {limits.MAX_SPEC_NODES} nodes (the spec limit)",
                              entry)
            node = _make_node(entry, env, ctx, i)
            if node.id in dag.index:
                raise ctx.err(f"node {node.id!r} is defined twice", entry, node=node.id)
            dag.add_node(node)
    edges = 0
    for i, entry in enumerate(_as_list(data.get("edges", []), "edges", data, ctx)):
        where = entry if isinstance(entry, dict) else data
        if isinstance(entry, list):
            entry = {"chain": entry}
        if not isinstance(entry, dict):
            raise ctx.err(f"edges[{i}]: expected [from, to], a chain list or a mapping", where)
        _check_fields(entry, EDGE_FIELDS, f"edges[{i}]", ctx)
        if "chain" in entry:
            if "from" in entry or "to" in entry:
                raise ctx.err(f"edges[{i}]: give either chain or from/to", where)
            ids = entry["chain"]
        else:
            if "from" not in entry or "to" not in entry:
                raise ctx.err(f"edges[{i}]: needs 'from' and 'to'", where)
            ids = [entry["from"], entry["to"]]
        if not isinstance(ids, list) or len(ids) < 2:
            raise ctx.err(f"edges[{i}]: an edge needs at least two node ids", where)
        if not all(isinstance(x, str | int) and not isinstance(x, bool) for x in ids):
            raise ctx.err(f"edges[{i}]: node ids are text or integers", where)
        for env in _expand(entry.get("foreach"), where, ctx):
            edges += len(ids) - 1
            if edges > limits.MAX_SPEC_EDGES:
                raise ctx.err(f"more than {limits.MAX_SPEC_EDGES} edges (the spec limit)",
                              where)
            names = [_subst(str(x), env, ctx, where) for x in ids]
            for u, v in zip(names, names[1:]):
                for end in (u, v):
                    if end not in dag.index:
                        raise ctx.err(f"edges[{i}]: edge {u!r} -> {v!r} names node {end!r}, "
                                      "which is not defined", where, node=end)
                dag.add_edge(u, v)
    dag.topological_order()  # raises CycleError naming the cycle
    return dag


def _check_fields(d: dict, allowed: set[str], what: str, ctx: _Ctx) -> None:
    for k in d:
        if k not in allowed:
            ident = f" (id {d['id']!r})" if isinstance(d.get("id"), str) else ""
            raise ctx.err(f"{what}{ident}: unknown field {k!r} (known: "
                          f"{', '.join(sorted(allowed))})", d)


def _as_list(value: object, what: str, where: object, ctx: _Ctx) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ctx.err(f"{what}: expected a list", where)
    return value


_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")


def _expand(foreach: object, where: object, ctx: _Ctx) -> Iterator[dict[str, int]]:
    if foreach is None:
        yield {}
        return
    if not isinstance(foreach, dict) or not foreach:
        raise ctx.err("foreach: expected a mapping of variable -> range ('0..7' or a list)",
                      where)
    names, ranges = [], []
    cap = limits.MAX_FOREACH
    for var, spec in foreach.items():
        if not (isinstance(var, str) and re.match(r"^[A-Za-z_]\w*$", var)):
            raise ctx.err(f"foreach: {var!r} is not a variable name", where)
        m = _RANGE.match(spec) if isinstance(spec, str) else None
        if m is not None:
            a, b = (_loop_int(x, var, ctx, where) for x in m.groups())
            vals: range | list[int] = range(a, b + 1)
        elif isinstance(spec, list) and all(isinstance(x, int) and not isinstance(x, bool)
                                            for x in spec):
            vals = [_loop_int(x, var, ctx, where) for x in spec]
        elif isinstance(spec, int) and not isinstance(spec, bool):
            vals = range(_loop_int(spec, var, ctx, where))
        else:
            raise ctx.err(f"foreach: {var}: expected 'a..b', a count or a list of integers",
                          where)
        names.append(var)
        ranges.append(vals)
    total = math.prod(len(v) for v in ranges)
    if total > cap:
        raise ctx.err(f"foreach: {total} instances, more than the limit {cap}", where)
    for combo in itertools.product(*ranges):
        yield dict(zip(names, combo))


def _loop_int(value: object, var: str, ctx: _Ctx, where: object) -> int:
    """A loop bound or value: an integer of magnitude below 2**63."""
    text = str(value).strip()
    if len(text.lstrip("+-")) > limits.MAX_SIZE_DIGITS or abs(int(text)) >= limits.MAX_SIZE:
        raise ctx.err(f"foreach: {var}: {text[:30]} is out of range (|value| < 2**63)", where)
    return int(text)


_BRACE = re.compile(r"\{([^{}]*)\}")


def _subst(text: str, env: dict[str, int], ctx: _Ctx, where: object) -> str:
    if "{" not in text:
        return text
    if not env:
        raise ctx.err(f"{text!r} has braces but the entry has no foreach", where)

    def one(m: re.Match) -> str:
        inner = m.group(1).strip()
        if inner in env:
            return str(env[inner])
        try:
            expr = parse_expr(inner, new_symbols=False) if not re.search(r"[A-Za-z_]", inner) \
                else _eval_int(inner, env)
        except ExpressionError as err:
            raise ctx.err(f"in {text!r}: {err.message}", where) from None
        if not getattr(expr, "is_Integer", False):
            raise ctx.err(f"in {text!r}: {{{inner}}} is not an integer", where)
        if limits.number_bits(expr) > limits.MAX_NUMBER_BITS:
            raise ctx.err(f"in {text!r}: {{{inner}}} is too large", where)
        return str(int(expr))
    return _BRACE.sub(one, text)


def _eval_int(inner: str, env: dict[str, int]) -> sympy.Expr:
    expr = parse_expr(inner)
    unknown = [s for s in expr.free_symbols if str(s) not in env]
    if unknown:
        raise ExpressionError(f"unknown loop variable {unknown[0]}")
    return expr.subs({s: env[str(s)] for s in expr.free_symbols})


def _devices(value: object, env, ctx: _Ctx, where) -> frozenset[int]:
    items = value if isinstance(value, list) else [value]
    out: set[int] = set()
    for it in items:
        if isinstance(it, bool):
            raise ctx.err("devices: expected GPU numbers", where)
        if isinstance(it, int):
            out.add(_gpu(it, ctx, where))
            continue
        if not isinstance(it, str):
            raise ctx.err("devices: expected GPU numbers or ranges like '0-7'", where)
        s = _subst(str(it), env, ctx, where)
        for part in s.split(","):
            part = part.strip()
            m = re.match(r"^(\d+)\s*-\s*(\d+)$", part)
            if m:
                a, b = _gpu(m.group(1), ctx, where), _gpu(m.group(2), ctx, where)
                if b < a or b - a > 1_000_000:
                    raise ctx.err(f"devices: bad range {part!r}", where)
                out.update(range(a, b + 1))
            elif part.isdigit():
                out.add(_gpu(part, ctx, where))
            else:
                raise ctx.err(f"devices: {part!r} is not a GPU number or range like '0-7'",
                              where)
    return frozenset(out)


def _gpu(value: object, ctx: _Ctx, where: object) -> int:
    try:
        return limits.check_size(value, "devices: GPU number", zero=True)
    except InputError as err:
        raise ctx.err(err.message, where) from None


def _size(expr: sympy.Expr, ctx: _Ctx, where: object, what: str) -> sympy.Expr:
    """A matmul dimension: a number must be a positive integer below 2**63."""
    if expr.is_Number and not (expr.is_Integer and 1 <= int(expr) < limits.MAX_SIZE):
        raise ctx.err(f"{what}: {str(expr)[:40]} is not a positive integer below 2**63",
                      where)
    return expr


def _value(v: object, env, ctx: _Ctx, where, what: str) -> sympy.Expr:
    if isinstance(v, str):
        v = _subst(v, env, ctx, where)
    try:
        return parse_value(v, what=what)
    except ExpressionError as err:
        raise ctx.err(f"{what}: {err.message}", where) from None


def _make_node(entry: dict, env: dict[str, int], ctx: _Ctx, index: int) -> Node:
    raw_id = entry.get("id")
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool) or str(raw_id) == "":
        raise ctx.err(f"nodes[{index}]: needs an 'id'", entry)
    nid = _subst(str(raw_id), env, ctx, entry)
    matmuls: list[Matmul] = []
    mm_specs = []
    if "matmul" in entry:
        mm_specs.append(entry["matmul"])
    mm_specs += _as_list(entry.get("matmuls", []), "matmuls", entry, ctx)
    for mm in mm_specs:
        if isinstance(mm, list) and len(mm) == 3:
            m, k, n, count, label = mm[0], mm[1], mm[2], 1, ""
        elif isinstance(mm, dict):
            _check_fields(mm, MATMUL_FIELDS, f"node {nid!r} matmul", ctx)
            if not all(x in mm for x in "mkn"):
                raise ctx.err(f"node {nid!r}: a matmul needs m, k and n", entry, node=nid)
            m, k, n = mm["m"], mm["k"], mm["n"]
            count, label = mm.get("count", 1), str(mm.get("label", ""))
        else:
            raise ctx.err(f"node {nid!r}: a matmul is [m, k, n] or a mapping with m, k, n",
                          entry, node=nid)
        if not isinstance(count, int) or isinstance(count, bool) or not \
                1 <= count < limits.MAX_SIZE:
            raise ctx.err(f"node {nid!r}: matmul count must be a positive integer below "
                          "2**63", entry, node=nid)
        dims = [_size(_value(x, env, ctx, entry, f"node {nid!r} matmul"), ctx, entry,
                      f"node {nid!r} matmul") for x in (m, k, n)]
        matmuls.append(Matmul(dims[0], dims[1], dims[2], count, label))
    cost = sympy.Add(*[mm.count * mm.term for mm in matmuls])
    kind = None
    if "comm" in entry:
        c = entry["comm"]
        if not isinstance(c, dict):
            raise ctx.err(f"node {nid!r}: comm is a mapping with op, elements, group", entry)
        _check_fields(c, COMM_FIELDS, f"node {nid!r} comm", ctx)
        op = str(c.get("op", "")).lower().replace("-", "_")
        if op not in COLLECTIVES:
            raise ctx.err(f"node {nid!r}: unknown collective {c.get('op')!r} (known: "
                          f"{', '.join(COLLECTIVES)})", entry, node=nid)
        if "elements" not in c or "group" not in c:
            raise ctx.err(f"node {nid!r}: comm needs 'elements' and 'group'", entry, node=nid)
        cost += COLLECTIVES[op](
            _size(_value(c["elements"], env, ctx, entry, "comm elements"), ctx, entry,
                  f"node {nid!r} comm elements"),
            _size(_value(c["group"], env, ctx, entry, "comm group"), ctx, entry,
                  f"node {nid!r} comm group"))
        kind = Kind.COMM
    if "cost" in entry:
        cost += _value(entry["cost"], env, ctx, entry, f"node {nid!r} cost")
    try:
        cost = check_cost(cost, where=f"node {nid!r}")
    except CostError as err:
        raise ctx.err(err.message, entry, node=nid) from None
    if "kind" in entry:
        try:
            kind = Kind(str(entry["kind"]))
        except ValueError:
            raise ctx.err(f"node {nid!r}: unknown kind {entry['kind']!r} (known: "
                          f"{', '.join(k.value for k in Kind)})", entry, node=nid) from None
    elif kind is None:
        kind = Kind.COMPUTE if cost != 0 else Kind.ELEMENTWISE
    layer = None
    if "layer" in entry:
        lv = _value(entry["layer"], env, ctx, entry, "layer")
        if not lv.is_Integer or abs(int(lv)) >= limits.MAX_SIZE:
            raise ctx.err(f"node {nid!r}: layer must be an integer (below 2**63)", entry,
                          node=nid)
        layer = int(lv)
    attrs = entry.get("attrs", {})
    if not isinstance(attrs, dict):
        raise ctx.err(f"node {nid!r}: attrs must be a mapping", entry, node=nid)
    name = _subst(str(entry.get("name", nid)), env, ctx, entry)
    devices = _devices(entry["devices"], env, ctx, entry) if "devices" in entry else frozenset()
    return Node(id=nid, name=name, kind=kind, devices=devices, cost=cost,
                matmuls=tuple(matmuls), source=Source(ctx.file, getattr(entry, "line", None)),
                attrs=dict(attrs), layer=layer)
