"""The real DAGs of ../shared/corpus: each analyzes and agrees with an independent numeric
longest path (networkx), or is rejected with a one-line InputError. None gives a traceback.

The corpus lives beside the clone (``../shared/corpus``) or where ``SYMCOST_CORPUS``
points; it is never copied into the project. Without it these tests skip with a reason.
"""

from __future__ import annotations

import heapq
import os
import random
from pathlib import Path

import networkx as nx
import pytest
import sympy
from sympy.core.function import AppliedUndef

from symcost.analysis import analyze
from symcost.dag import Dag
from symcost.dot import read_dot
from symcost.errors import InputError
from symcost.symbols import B

CORPUS = Path(os.environ.get("SYMCOST_CORPUS")
              or Path(__file__).resolve().parents[2] / "shared" / "corpus")
FILES = sorted(CORPUS.glob("*.dot")) if CORPUS.is_dir() else []
NO_CORPUS = f"corpus not found at {CORPUS} (set SYMCOST_CORPUS to run these tests)"

#: Files the corpus MANIFEST describes as broken, and the start of our one-line reason.
REJECTED = {
    "2025-10-29-14-21-46__gpt3_175b_attention_device_1.dot": "Graphviz: syntax error",
    "2025-11-13-11-35-49__llama3_405b_baseline_tp8.dot": "Graphviz: syntax error",
    "2025-11-28-16-11-17__large_ep_dag_simplified.dot": "cycle: ",
    "2025-12-22-14-17-26__llm_simplified_dag.dot": "cycle: ",
    "lr__dag_analysis.dot": "Graphviz: syntax error",
    "paper_to_dag__helix_dag.dot": "no edges",
    "paper_to_dag__llama_7b_hpipe_dag.dot": "Graphviz: syntax error",
    "paper_to_dag__temp_dag.dot": "Graphviz: syntax error",
    "web_PP__complete_dag.dot": "Graphviz: syntax error",
}


class Oracle:
    """Random monotone values: Get_Time(m,k,n) = a*m*k*n + b*(mk+kn+mn) + c, comm atoms
    alpha*n + beta*p + gamma, every symbol a random positive integer."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.a, self.b, self.c = (rng.uniform(0.5, 2) * 1e-12, rng.uniform(0.5, 2) * 1e-9,
                                  rng.uniform(0.5, 2) * 1e-6)
        self.comm = {}
        self.rng = rng
        self.symbols: dict[sympy.Symbol, sympy.Integer] = {B: sympy.Integer(rng.randint(1, 64))}

    def atom(self, name: str, args: list[float]) -> float:
        if name == "Get_Time":
            m, k, n = args
            return self.a * m * k * n + self.b * (m * k + k * n + m * n) + self.c
        if name not in self.comm:
            self.comm[name] = (self.rng.uniform(0.5, 2) * 1e-9, self.rng.uniform(0.5, 2) * 1e-6,
                               self.rng.uniform(0.5, 2) * 1e-5)
        alpha, beta, gamma = self.comm[name]
        return alpha * args[0] + beta * args[1] + gamma

    def value(self, expr: sympy.Expr, comm: bool = True) -> float:
        expr = sympy.sympify(expr)
        for s in expr.free_symbols:
            self.symbols.setdefault(s, sympy.Integer(self.rng.randint(1, 4096)))
        expr = expr.xreplace(self.symbols)

        def repl(e: AppliedUndef) -> sympy.Float:
            if e.func.__name__ != "Get_Time" and not comm:
                return sympy.Float(0)
            return sympy.Float(self.atom(e.func.__name__, [float(x) for x in e.args]))

        return float(expr.replace(lambda e: isinstance(e, AppliedUndef), repl))


def same_gpu_edges(dag: Dag) -> list[tuple[str, str]]:
    """Independent helper: per GPU, consecutive nodes of the lexicographically-first
    topological order by position (Kahn with a min-heap)."""
    pos = {n.id: n.position for n in dag.nodes}
    g = nx.DiGraph(list(dag.edges()))
    g.add_nodes_from(pos)
    indeg = {v: g.in_degree(v) for v in g}
    heap = [(pos[v], v) for v, d in indeg.items() if d == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, v = heapq.heappop(heap)
        order.append(v)
        for w in g.successors(v):
            indeg[w] -= 1
            if indeg[w] == 0:
                heapq.heappush(heap, (pos[w], w))
    last: dict[int, str] = {}
    extra = []
    for v in order:
        for gpu in sorted(dag.node(v).devices):
            if gpu in last:
                extra.append((last[gpu], v))
            last[gpu] = v
    return extra


def oracle_longest(dag: Dag, oracle: Oracle, mode: str, comm: bool) -> float:
    """networkx longest path, each node split into in/out joined by an edge of its cost."""
    g = nx.DiGraph()
    for n in dag.nodes:
        g.add_edge(("in", n.id), ("out", n.id), weight=oracle.value(n.cost, comm))
    edges = list(dag.edges()) + (same_gpu_edges(dag) if mode == "device" else [])
    for u, v in edges:
        g.add_edge(("out", u), ("in", v), weight=0.0)
    return nx.dag_longest_path_length(g, weight="weight", default_weight=0)


def test_corpus_present_or_skip_reason() -> None:
    if not FILES:
        pytest.skip(NO_CORPUS)
    assert len(FILES) >= 30


@pytest.mark.skipif(not FILES, reason=NO_CORPUS)
@pytest.mark.parametrize("path", FILES, ids=[p.stem[:48] for p in FILES])
def test_corpus_file(path: Path, capfd) -> None:
    try:
        dag = read_dot(path)
    except InputError as err:
        text = str(err)
        assert "\n" not in text and str(path) in text
        assert path.name in REJECTED, f"unexpected rejection: {text}"
        assert REJECTED[path.name] in text
        assert capfd.readouterr().err == ""
        return
    assert path.name not in REJECTED, "expected a rejection"
    assert capfd.readouterr().err == ""
    for mode in ("device", "dag"):
        result = analyze(dag, concurrency=mode)
        for seed in range(3):
            oracle = Oracle(seed)
            want = oracle_longest(dag, oracle, mode, comm=True)
            got = oracle.value(result.runtime, comm=True)
            assert got == pytest.approx(want, rel=1e-9), (mode, seed)
            want = oracle_longest(dag, oracle, mode, comm=False)
            got = oracle.value(result.runtime_compute_only, comm=False)
            assert got == pytest.approx(want, rel=1e-9), (mode, seed, "compute only")
