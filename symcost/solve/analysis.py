"""``symcost.analyze``: closed-form runtime of a DAG, critical path and branch verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from symcost.algebra.constraints import Assumptions
from symcost.algebra.forms import CONST, AtomTable, Form, max_of
from symcost.algebra.order import Certificate, Counterexample, Cover, OrderEngine
from symcost.algebra.printing import FormPrinter, cached_text, to_latex, to_text
from symcost.core.dag import Dag
from symcost.core.diagnostics import Diagnostic, info, warning
from symcost.core.display import Displayable
from symcost.core.symbols import Get_Time, used_names
from symcost.solve.completeness import Completeness, completeness
from symcost.solve.concurrency import check_mode, device_edges
from symcost.solve.longest_path import Solution, longest_path

#: Above this many atom occurrences the runtime keeps named terms T_i (see README).
INLINE_LIMIT = 4000
#: Distinct fork-join comparisons explained in detail (the rest are counted).
MAX_EXPLAINED = 200


@dataclass(frozen=True)
class PathStep:
    """One node of the critical path and its cost term."""

    node: str
    name: str
    kind: str
    cost: sympy.Expr
    undecided: bool = False  # a Max was kept at this node: other branches may be longer
    cost_text: str | None = field(default=None, compare=False, repr=False)  # to_text(cost)


@dataclass(frozen=True)
class Branch:
    """One incoming branch of a fork-join: what it adds beyond the shared part."""

    pred: str
    residual: sympy.Expr
    kept: bool
    dominated_by: str | None = None   # node id, or "convex combination of the others"
    certificate: Certificate | None = None
    witness: Counterexample | None = None  # values under which this branch is the longest
    residual_text: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ForkJoin:
    """A comparison made at one or more join nodes (identical layers share one)."""

    joins: tuple[str, ...]
    branches: tuple[Branch, ...]
    term: sympy.Expr | None  # the Max kept, when undecided
    term_text: str | None = field(default=None, compare=False, repr=False)

    @property
    def decided(self) -> bool:
        return self.term is None

    def to_dict(self) -> dict[str, object]:
        return {
            "join": self.joins[0], "joins": list(self.joins[:20]), "count": len(self.joins),
            "verdict": "decided" if self.decided else "undecided",
            "max": None if self.term is None else _text(self.term_text, self.term),
            "branches": [{
                "from": b.pred, "residual": _text(b.residual_text, b.residual),
                "status": "kept" if b.kept else "dominated",
                "dominated_by": b.dominated_by,
                "certificate": None if b.certificate is None else b.certificate.to_dict(),
                "longest_when": None if b.witness is None else b.witness.to_dict(),
            } for b in self.branches],
        }


def _text(text: str | None, expr: sympy.Expr) -> str:
    """The text printed at solve time when there is one (same string as ``to_text``)."""
    return to_text(expr) if text is None else text


@dataclass
class Runtime:
    """One solved runtime (with or without communication)."""

    expr: sympy.Expr
    definitions: dict[sympy.Symbol, sympy.Expr]
    critical_path: list[PathStep]
    branches: list[ForkJoin]
    nested: bool


@dataclass
class AnalysisResult(Displayable):
    """What :func:`analyze` returns.

    ``runtime`` and ``runtime_compute_only`` are sympy expressions in ``B`` (and any
    other symbols); when ``nested`` they refer to named terms ``T_i`` whose expressions
    are in ``definitions`` / ``definitions_compute_only`` (in dependency order).
    """

    dag: Dag
    concurrency: str
    full: Runtime
    compute: Runtime
    assumptions: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: What the formula stands on (:mod:`symcost.solve.completeness`).
    completeness: Completeness | None = None

    @property
    def runtime(self) -> sympy.Expr:
        return self.full.expr

    @property
    def runtime_compute_only(self) -> sympy.Expr:
        return self.compute.expr

    @property
    def critical_path(self) -> list[PathStep]:
        return self.full.critical_path

    @property
    def branches(self) -> list[ForkJoin]:
        return self.full.branches

    @property
    def definitions(self) -> dict[sympy.Symbol, sympy.Expr]:
        return self.full.definitions

    @property
    def nested(self) -> bool:
        return self.full.nested

    def matmuls(self) -> list[dict[str, object]]:
        """Every matrix multiplication of the DAG: node, m, k, n, count and term."""
        return matmul_table(self.dag)

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``symcost analyze --format json``."""
        d: dict[str, object] = {
            "symcost": 1,
            "kind": "analysis",
            "dag": {"name": self.dag.name, "file": self.dag.source,
                    "nodes": len(self.dag.nodes), "edges": self.dag.num_edges,
                    "devices": self.dag.devices()},
            "concurrency": self.concurrency,
            "assumptions": self.assumptions,
            "runtime": to_text(self.full.expr),
            "runtime_compute_only": to_text(self.compute.expr),
            "runtime_latex": to_latex(self.full.expr),
            "runtime_compute_only_latex": to_latex(self.compute.expr),
            "nested": self.full.nested or self.compute.nested,
            "critical_path": [s.node for s in self.full.critical_path],
            "critical_path_costs": [{"node": s.node, "kind": s.kind, "cost": _text(s.cost_text, s.cost),
                                     "undecided": s.undecided}
                                    for s in self.full.critical_path],
            "critical_path_compute_only": [s.node for s in self.compute.critical_path],
            "matmuls": self.matmuls(),
            "branches": [b.to_dict() for b in self.full.branches],
            "branches_compute_only": [b.to_dict() for b in self.compute.branches],
            "diagnostics": [x.to_dict() for x in self.diagnostics],
        }
        if self.completeness is not None:
            d["completeness"] = self.completeness.to_dict()
        if self.full.definitions:
            d["definitions"] = {str(k): to_text(v) for k, v in self.full.definitions.items()}
        if self.compute.definitions:
            d["definitions_compute_only"] = {str(k): to_text(v)
                                             for k, v in self.compute.definitions.items()}
        exprs = [self.full.expr, self.compute.expr, *self.full.definitions.values(),
                 *self.compute.definitions.values(), *(s.cost for s in self.full.critical_path),
                 *(n.cost for n in self.dag.nodes)]
        d.update(used_names(*exprs))
        return d


def matmul_table(dag: Dag) -> list[dict[str, object]]:
    """Matmuls per node; nodes whose cost names ``Get_Time`` atoms directly count too."""
    rows: list[dict[str, object]] = []
    texts: dict[sympy.Expr, str] = {}   # dimensions and atoms repeat across nodes:
    terms: dict[tuple, tuple] = {}      # print each distinct one once
    # Readers and cloned layers share Matmul objects and costs between nodes: looked up
    # by identity first (no sympy hashing), by value the first time (the DAG keeps every
    # object alive, so no id is reused while these tables live).
    by_id: dict[int, tuple] = {}
    direct: dict[sympy.Expr, list[tuple]] = {}
    direct_by_id: dict[int, list[tuple]] = {}
    for node in dag.nodes:
        if node.matmuls:
            for mm in node.matmuls:
                t = by_id.get(id(mm))
                if t is None:
                    dims = (mm.m, mm.k, mm.n)
                    t = terms.get(dims)
                    if t is None:
                        t = terms[dims] = (cached_text(texts, mm.m), cached_text(texts, mm.k),
                                           cached_text(texts, mm.n), to_text(mm.term))
                    by_id[id(mm)] = t
                rows.append({"node": node.id, "m": t[0], "k": t[1], "n": t[2],
                             "count": mm.count, "term": t[3], "label": mm.label})
            continue
        found = direct_by_id.get(id(node.cost))
        if found is None:
            found = direct.get(node.cost)
            if found is None:
                found = direct[node.cost] = _direct_matmuls(node.cost, texts)
            direct_by_id[id(node.cost)] = found
        for m, k, n, count, term in found:
            rows.append({"node": node.id, "m": m, "k": k, "n": n, "count": count,
                         "term": term, "label": ""})
    return rows


def _direct_matmuls(cost: sympy.Expr, texts: dict[sympy.Expr, str]) -> list[tuple]:
    out = []
    for term in sympy.Add.make_args(cost):
        coeff, atom = term.as_coeff_Mul()
        if getattr(atom, "func", None) == Get_Time:
            m, k, n = atom.args
            out.append((cached_text(texts, m), cached_text(texts, k), cached_text(texts, n),
                        int(coeff) if coeff.is_Integer else str(coeff),
                        cached_text(texts, atom)))
    return out


def analyze(dag: Dag, concurrency: str = "device", assume: Iterable[str] = (),
            *, communication: bool = True) -> AnalysisResult:
    """Closed-form runtime of ``dag`` in the batch size ``B``.

    Parameters
    ----------
    dag : Dag
        From :func:`symcost.load` or :class:`symcost.DagBuilder`.
    concurrency : {"device", "dag"}
        ``device``: each GPU runs one operation at a time (file order breaks ties);
        ``dag``: only the DAG's edges order operations.
    assume : iterable of str
        Bounds on symbols used to decide dominated branches, e.g. ``["B>=8"]``.
    communication : bool
        False gives communication atoms zero cost in ``runtime`` too (``--no-comm``).

    Returns
    -------
    AnalysisResult

    Raises
    ------
    CycleError
        When the DAG has a cycle (the message names it).

    >>> import symcost
    >>> dag = symcost.load("examples/ma_separation.yaml")   # doctest: +SKIP
    >>> b = symcost.DagBuilder("two").node("a", cost=symcost.Get_Time(symcost.B, 64, 64), devices=[0])
    >>> symcost.analyze(b.node("c", cost=symcost.Get_Time(symcost.B, 64, 64), devices=[0]).build()).runtime
    2*Get_Time(B, 64, 64)
    """
    check_mode(concurrency)
    assumptions = Assumptions.parse(assume)
    order = dag.topological_order()
    extra = device_edges(dag, order, streams=concurrency == "overlap") \
        if concurrency in ("device", "overlap") else []
    table = AtomTable()
    engine = OrderEngine(table, assumptions)
    cache: dict[sympy.Expr, Form] = {}
    full_costs: list[Form] = []
    for node in dag.nodes:
        f = cache.get(node.cost)
        if f is None:
            f = table.form_of(node.cost, where=f"node {node.id!r}")
            cache[node.cost] = f
        full_costs.append(f)
    has_comm = any(table.comm)
    compute_costs = full_costs
    if has_comm:
        comp_cache: dict[int, Form] = {}
        compute_costs = []
        for f in full_costs:
            g = comp_cache.get(id(f))
            if g is None:
                g = {k: v for k, v in f.items() if not table.comm[k]}
                comp_cache[id(f)] = g
            compute_costs.append(g)
    sol_comp = longest_path(dag, compute_costs, engine, extra, order)
    comp = _runtime(dag, sol_comp, engine)
    if has_comm and communication:
        full = _runtime(dag, longest_path(dag, full_costs, engine, extra, order), engine)
    else:
        full = comp
    diags = list(dag.diagnostics)
    if full.nested or comp.nested:
        diags.append(info(f"result kept in nested form with {len(full.definitions)} named "
                          f"terms (inlined it would exceed {INLINE_LIMIT} atom occurrences)",
                          file=dag.source))
    if has_comm and not communication:
        diags.append(info("communication costs set to zero (--no-comm)", file=dag.source))
    if dag.num_edges == 0 and len(dag) > 1:
        diags.append(_edgeless_note(dag, concurrency))
    return AnalysisResult(dag, concurrency, full, comp, assumptions.describe(), diags,
                          completeness(dag, comp.expr))


def _edgeless_note(dag: Dag, concurrency: str) -> Diagnostic:
    """What the runtime of a graph without edges means under ``concurrency``."""
    if concurrency == "device":
        msg = ("no edges: each GPU's nodes run one after another in file order (device "
               "concurrency); nodes on different GPUs overlap")
    else:
        msg = ("no edges: under dag concurrency nothing orders the nodes; the runtime is "
               "the largest single node's cost (a Max where that is undecided)")
    return warning(msg, file=dag.source, code="edgeless-order")


# ------------------------------------------------------------------ rendering a solution


def _inline_sizes(table: AtomTable) -> list[int]:
    sizes: list[int] = []
    for k in range(len(table)):
        res = table.residuals[k]
        sizes.append(1 if res is None else sum(sizes[a] for r in res for a, _ in r) + 1)
    return sizes


def _runtime(dag: Dag, sol: Solution, engine: OrderEngine) -> Runtime:
    table = sol.table
    sizes = _inline_sizes(table)
    used = _reachable_max_terms(table, [sol.total])
    inline_size = sum(sizes[k] for k in sol.total)
    nested = inline_size > INLINE_LIMIT
    names: dict[int, sympy.Expr] = {}
    definitions: dict[sympy.Symbol, sympy.Expr] = {}
    if nested:
        taken = {str(s) for e in table.exprs if e is not None for s in e.free_symbols}
        prefix = "T_"
        while any(t.startswith(prefix) for t in taken):
            prefix = "T" + prefix  # never clash with a symbol of the DAG
        for n, k in enumerate(sorted(used, key=lambda k: (table.depth[k], k)), start=1):
            names[k] = sympy.Symbol(f"{prefix}{n}", positive=True)
        for k in sorted(used, key=lambda k: (table.depth[k], k)):
            res = table.residuals[k]
            definitions[names[k]] = max_of([table.to_sympy(dict(r), names)
                                            for r in res])  # type: ignore[union-attr]
    expr = table.to_sympy(sol.total, names if nested else None)
    printer = FormPrinter(table, names if nested else None)
    path = _critical_path(dag, sol, table, names if nested else None, printer)
    branches = _fork_joins(dag, sol, engine, names if nested else None, printer)
    return Runtime(expr, definitions, path, branches, nested)


def _reachable_max_terms(table: AtomTable, forms: list[Form]) -> set[int]:
    seen: set[int] = set()
    stack = [k for f in forms for k in f if table.is_max(k)]
    while stack:
        k = stack.pop()
        if k in seen:
            continue
        seen.add(k)
        for r in table.residuals[k]:  # type: ignore[union-attr]
            stack.extend(a for a, _ in r if table.is_max(a))
    return seen


def _critical_path(dag: Dag, sol: Solution, table: AtomTable, names,
                   printer: FormPrinter) -> list[PathStep]:
    steps: list[PathStep] = []
    v = sol.sink
    while v >= 0:
        node = dag.nodes[v]
        form = sol.path_cost.get(v, {})
        steps.append(PathStep(node.id, node.name, str(node.kind), table.to_sympy(form, names),
                              undecided=v in sol.undecided, cost_text=printer.form_text(form)))
        v = sol.back[v]
    steps.reverse()
    return steps


def _covers(table: AtomTable, flows) -> tuple[Cover, ...]:
    return tuple(Cover(_atom_expr(table, j), _atom_expr(table, i), Fraction(c))
                 for j, i, c in flows)


def _atom_expr(table: AtomTable, k: int) -> sympy.Expr:
    return sympy.S.One if k == CONST else table._expr(k, None)


def _fork_joins(dag: Dag, sol: Solution, engine: OrderEngine, names,
                printer: FormPrinter) -> list[ForkJoin]:
    table = sol.table
    out: list[ForkJoin] = []
    n = len(dag.nodes)

    def node_id(i: int) -> str:
        return dag.nodes[i].id if i < n else "(end)"

    for g in sorted(sol.groups, key=lambda g: g.joins[0])[:MAX_EXPLAINED]:
        branches = []
        kept_forms = [dict(r) for r, k in zip(g.residuals, g.kept) if k]
        for i, (r, kept) in enumerate(zip(g.residuals, g.kept)):
            form = dict(r)
            cert = None
            witness = None
            dom = None
            if not kept:
                j = g.dominated_by[i]
                if j is None or j < 0:
                    dom = "convex combination of the other branches"
                    got = engine.convex_cover([dict(g.residuals[x]) for x, kk in
                                               enumerate(g.kept) if kk], form)
                    if got is not None:
                        cert = Certificate(_covers(table, got[1]), tuple(got[0]), "convex")
                else:
                    dom = node_id(g.preds[j])
                    flows = engine.covers(dict(g.residuals[j]), form)
                    cert = (Certificate(_covers(table, flows)) if flows is not None
                            else Certificate((), (), "case split on Max terms"))
            elif g.max_term is not None:
                others = [f for f in kept_forms if f != form]
                cx = engine.counterexample(others, form) if others else None
                if cx is not None:
                    pt, vals = cx
                    values = {_atom_expr(table, k): v for k, v in vals.items() if k != CONST}
                    right = sum(Fraction(c) * vals[k] for k, c in form.items())
                    left = max(sum(Fraction(c) * vals[k] for k, c in f.items()) for f in others)
                    witness = Counterexample(dict(pt), values, left, right)
            branches.append(Branch(node_id(g.preds[i]), table.to_sympy(form, names), kept,
                                   dom, cert, witness, printer.form_text(form)))
        term = term_text = None
        if g.max_term is not None:
            term = table.to_sympy({g.max_term: 1}, names)
            term_text = printer.form_text({g.max_term: 1})
        out.append(ForkJoin(tuple(node_id(j) for j in g.joins), tuple(branches), term,
                            term_text))
    return out


__all__ = ["analyze", "AnalysisResult", "PathStep", "ForkJoin", "Branch", "Runtime",
           "matmul_table"]
