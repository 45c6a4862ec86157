"""Longest path of a DAG in the cost algebra (exact, symbolic).

A topological dynamic program over linear forms (:mod:`symcost.forms`). At a join (a node
with several predecessors) the incoming path forms are de-duplicated and pruned by the
order engine: a form covered by another one (transport certificate) or by a convex
combination of the others is dropped. If one form is left it is the join's value.
Otherwise the part every form contains is pulled out and the rest is bound into a named
Max term ``T = Max(r_1, ..., r_k)``, interned by its residuals: identical layers share it,
so ``L`` layers with incomparable branches ``a`` and ``b`` give ``L*Max(a, b)``, and every
node's value is one linear form. The result is exact and its size is linear in the DAG.

Complexity: one pass over nodes and edges; at a join with ``k`` distinct incoming forms,
``O(k * kept)`` transport checks (each a max-flow over the atoms that differ), filtered
by a numeric monotone valuation that rules out most pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from symcost.algebra.forms import (
    CONST,
    AtomTable,
    Form,
    FrozenForm,
    add_into,
    common_part,
    freeze,
    subtract,
)
from symcost.algebra.order import OrderEngine
from symcost.core.dag import Dag

_EPS = 1e-9


@dataclass
class JoinGroup:
    """Joins that compared the same residual branches (identical layers share one group).

    ``residuals[i]`` is what branch ``i`` adds beyond the part all branches share;
    ``kept[i]`` says whether branch ``i`` survived (False: dominated by ``dominated_by``).
    """

    residuals: list[FrozenForm]
    preds: list[int]          # representative predecessor of each residual (first join)
    kept: list[bool]
    dominated_by: list[int | None]
    joins: list[int] = field(default_factory=list)
    max_term: int | None = None


@dataclass
class Solution:
    """What :func:`longest_path` returns (forms over ``table``)."""

    table: AtomTable
    total: Form
    back: list[int]                 # chosen predecessor per node (-1: none)
    undecided: dict[int, list[int]]  # join node -> kept predecessors (when a Max was bound)
    sink: int                       # node the critical path ends at (-1: empty DAG)
    groups: list[JoinGroup]
    path_cost: dict[int, Form]      # cost form of each node on the critical path


def _atom_score(table: AtomTable, k: int, point, scores: list[float]) -> float:
    if k == CONST:
        return 1.0
    res = table.residuals[k]
    if res is not None:
        return max(sum(float(c) * scores[a] for a, c in r) for r in res)
    from symcost.algebra.order import _linear

    val = 1.0
    for a in table.exprs[k].args:  # type: ignore[union-attr]
        lin = _linear(a)
        if lin is not None and (lin[0] is None or lin[0] in point):
            x = float(lin[2] if lin[0] is None else lin[1] * point[lin[0]] + lin[2])
        else:
            try:
                x = float(a.subs(point)) if a.free_symbols else float(a)
            except TypeError:
                x = 1.0
        val *= max(x, 0.0) + 1.0
    return val


class _Scorer:
    def __init__(self, table: AtomTable, point: dict) -> None:
        self.table = table
        self.point = point
        self.scores: list[float] = []

    def __call__(self, form: Form) -> float:
        s = self.scores
        if len(s) < len(self.table):
            for k in range(len(s), len(self.table)):
                s.append(_atom_score(self.table, k, self.point, s))
        return sum(float(c) * s[k] for k, c in form.items())


def merged_predecessors(dag: Dag, extra_edges: Sequence[tuple[int, int]] = ()
                        ) -> list[list[int]]:
    """Predecessor lists of the DAG plus ``extra_edges`` (shared lists where unchanged)."""
    if not extra_edges:
        return dag.pred
    preds = list(dag.pred)  # copies only the outer list; inner lists copied on write
    copied: set[int] = set()
    for u, v in extra_edges:
        pv = preds[v]
        if u in pv:
            continue
        if v not in copied:
            pv = preds[v] = list(pv)
            copied.add(v)
        pv.append(u)
    return preds


def longest_path(dag: Dag, costs: Sequence[Form], engine: OrderEngine,
                 extra_edges: Sequence[tuple[int, int]] = (),
                 order: Sequence[int] | None = None) -> Solution:
    """The longest path of ``dag`` (+ ``extra_edges``) with node costs ``costs``.

    ``costs[i]`` is node ``i``'s cost form over ``engine.table``. ``order`` must be a
    topological order of the DAG plus the extra edges (computed if None).

    Raises :class:`~symcost.errors.CycleError` when the DAG has a cycle.
    """
    table = engine.table
    n = len(dag.nodes)
    if order is None:
        order = dag.topological_order()
    preds = merged_predecessors(dag, extra_edges)
    remaining = [0] * n
    for v in range(n):
        for u in preds[v]:
            remaining[u] += 1
    syms = sorted({s for k in range(1, len(table)) if table.exprs[k] is not None
                   for s in table.exprs[k].free_symbols}, key=str)  # type: ignore[union-attr]
    low = engine.assume.default_point(syms) if syms else {}
    high = {k: (engine.assume.of(k).hi or max(1024 * v, 4096)) for k, v in low.items()}
    scorer = (_Scorer(table, low), _Scorer(table, high))
    value: list[Form | None] = [None] * n
    back = [-1] * n
    undecided: dict[int, list[int]] = {}
    groups: dict[tuple, JoinGroup] = {}

    for v in order:
        ps = preds[v]
        if not ps:
            form: Form = {}
        elif len(ps) == 1:
            u = ps[0]
            back[v] = u
            remaining[u] -= 1
            form = value[u] if remaining[u] == 0 and u != v else dict(value[u])  # type: ignore
            if remaining[u] == 0:
                value[u] = None
        else:
            form = _join(v, ps, value, back, undecided, groups, engine, scorer)
            for u in ps:
                remaining[u] -= 1
                if remaining[u] == 0:
                    value[u] = None
        c = costs[v]
        if c:
            add_into(form, c)
        value[v] = form
        if remaining[v] == 0:
            remaining[v] = -1  # a sink: keep its value for the final join

    sinks = [v for v in range(n) if remaining[v] == -1]
    if not sinks:
        return Solution(table, {}, back, undecided, -1, list(groups.values()), {})
    virtual = n  # the virtual sink joining every real sink
    value.append(None)
    back.append(-1)
    if len(sinks) == 1:
        total = dict(value[sinks[0]])  # type: ignore[arg-type]
        back[virtual] = sinks[0]
    else:
        total = _join(virtual, sinks, value, back, undecided, groups, engine, scorer)
    # critical path cost forms
    path_cost: dict[int, Form] = {}
    v = back[virtual]
    while v >= 0:
        path_cost[v] = costs[v]
        v = back[v]
    return Solution(table, total, back, undecided, back[virtual], list(groups.values()),
                    path_cost)


def _join(v: int, ps: Sequence[int], value, back, undecided, groups, engine: OrderEngine,
          scorer) -> Form:
    """Value of join node ``v`` from its predecessors' forms; records the comparison."""
    if len(ps) <= 4:  # few predecessors: plain dict equality, no sorting
        cands: list[tuple[int, Form]] = []
        for u in sorted(ps):  # the first in position order represents equal forms
            f = value[u]
            if not any(f == g for _, g in cands):
                cands.append((u, f))
    else:
        distinct: dict[FrozenForm, tuple[int, Form]] = {}
        for u in ps:
            f = value[u]
            key = freeze(f)
            got = distinct.get(key)
            if got is None or u < got[0]:
                distinct[key] = (u, f)
        cands = sorted(distinct.values(), key=lambda uf: uf[0])
    if len(cands) == 1:
        u, f = cands[0]
        back[v] = u
        return dict(f)
    forms = [f for _, f in cands]
    common = common_part(forms)
    residuals = [subtract(f, common) for f in forms]
    rkeys = [freeze(r) for r in residuals]
    gkey = tuple(sorted(rkeys))
    group = groups.get(gkey)
    if group is None:
        kept, dominated_by = _prune(residuals, engine, scorer)
        group = JoinGroup(rkeys, [u for u, _ in cands], kept, dominated_by)
        if sum(kept) > 1:
            group.max_term = engine.table.max_term(rkeys[i] for i in range(len(rkeys))
                                                   if kept[i])
        groups[gkey] = group
    group.joins.append(v)
    # map this join's residual order onto the group's
    pos = {k: i for i, k in enumerate(group.residuals)}
    kept_preds = [cands[i][0] for i, k in enumerate(rkeys) if group.kept[pos[k]]]
    back[v] = kept_preds[0]
    out = dict(common)
    if group.max_term is None:
        return add_into(out, residuals[rkeys.index(group.residuals[group.kept.index(True)])])
    undecided[v] = kept_preds
    out[group.max_term] = out.get(group.max_term, 0) + 1
    return out


def _depth(a: Form, b: Form) -> int:
    """Case splits on Max terms only for small residuals (they multiply the work)."""
    return 2 if len(a) + len(b) <= 16 else 0


def _prune(residuals: list[Form], engine: OrderEngine, scorer) -> tuple[list[bool], list[int | None]]:
    """Which residuals survive (not covered by another one or by a convex combination)."""
    n = len(residuals)
    scores = [scorer[0](r) for r in residuals]
    scores2 = [scorer[1](r) for r in residuals]
    idx = sorted(range(n), key=lambda i: -scores[i])
    kept = [False] * n
    dominated_by: list[int | None] = [None] * n
    survivors: list[int] = []
    for i in idx:
        dom = None
        for j in survivors:
            if scores[j] + _EPS * (1 + abs(scores[j])) >= scores[i] and \
                    scores2[j] + _EPS * (1 + abs(scores2[j])) >= scores2[i] and \
                    engine.geq(residuals[j], residuals[i], depth=_depth(residuals[i], residuals[j])):
                dom = j
                break
        if dom is None:
            survivors.append(i)
            kept[i] = True
        else:
            dominated_by[i] = dom
    # equal scores: a later survivor may dominate an earlier one
    for i in list(survivors):
        for j in survivors:
            if j != i and kept[j] and kept[i] and abs(scores[j] - scores[i]) <= \
                    _EPS * (1 + abs(scores[j])) and \
                    engine.geq(residuals[j], residuals[i], depth=_depth(residuals[i], residuals[j])):
                kept[i] = False
                dominated_by[i] = j
                break
    alive = [i for i in range(n) if kept[i]]
    if 3 <= len(alive) <= 6 and sum(len(residuals[i]) for i in alive) <= 24:
        for i in list(alive):
            rest = [j for j in alive if j != i and kept[j]]
            # a convex combination of the others is at most their max under any valuation
            if len(rest) < 2 or scores[i] > max(scores[j] for j in rest) * (1 + _EPS) or \
                    scores2[i] > max(scores2[j] for j in rest) * (1 + _EPS):
                continue
            others = [residuals[j] for j in rest]
            if engine.convex_cover(others, residuals[i]) is not None:
                kept[i] = False
                dominated_by[i] = -1  # by a convex combination of the others
                alive.remove(i)
    return kept, dominated_by


__all__ = ["longest_path", "merged_predecessors", "Solution", "JoinGroup"]
