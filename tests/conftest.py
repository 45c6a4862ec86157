"""Shared test helpers: independent oracles (networkx longest path, monotone valuations)."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import networkx as nx
import pytest
import sympy

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path | None:
    """../shared/corpus beside the checkout (or $SYMCOST_CORPUS), if present."""
    env = os.environ.get("SYMCOST_CORPUS")
    p = Path(env) if env else ROOT.parent / "shared" / "corpus"
    return p if p.is_dir() else None


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None
            ) -> subprocess.CompletedProcess:
    """Run ``python -m symcost ARGS`` as a user would; returns the completed process."""
    return subprocess.run([sys.executable, "-m", "symcost", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, input=input, timeout=300)


class MonotoneCost:
    """A random numeric cost: non-negative and non-decreasing in every argument.

    Each atom family gets ``a*prod(x_i**e_i) + sum(w_i*x_i) + c + sum(steps)`` with random
    exponents and weights per argument (so arguments are not interchangeable), where a
    step adds ``h`` once every argument passes its threshold (a monotone step function).
    Values are exact rationals.
    """

    def __init__(self, rng, families=("Get_Time", "AllReduce", "AllGather", "SendRecv",
                                      "Broadcast", "AllToAll", "ReduceScatter")) -> None:
        self.params = {}
        for f in families:
            exps = [rng.choice([0, 0, 1, 1, 2]) for _ in range(3)]
            weights = [rng.randint(0, 5) for _ in range(3)]
            steps = [(tuple(rng.choice([1, 2, 4, 8, 64, 512, 4096, 10**5]) for _ in range(3)),
                      rng.choice([1, 50, 10**4, 10**9])) for _ in range(rng.randint(0, 3))]
            self.params[f] = (rng.randint(0, 3), exps, weights, rng.randint(0, 5), steps)

    def value(self, family: str, args) -> Fraction:
        a, exps, weights, c, steps = self.params[family]
        args = [x if isinstance(x, Fraction) else Fraction(int(x.p), int(x.q)) for x in args]
        prod = Fraction(1)
        for x, e in zip(args, exps):
            prod *= x ** e
        v = a * prod + sum(w * x for w, x in zip(weights, args)) + c
        for th, h in steps:
            if all(x >= t for x, t in zip(args, th)):
                v += h
        return v

    def substitute(self, expr: sympy.Expr, point: dict) -> Fraction:
        """Value of a cost expression (atoms, +, *, Max, numbers, symbols) at ``point``.

        A plain recursive evaluator with exact rationals (memoised per sub-expression),
        independent of symcost's code."""
        memo: dict = {}
        pt = {str(k): Fraction(v) for k, v in point.items()}

        def ev(e) -> Fraction:
            got = memo.get(e)
            if got is not None:
                return got
            if e.is_Rational:
                v = Fraction(int(e.p), int(e.q))
            elif e.is_Symbol:
                v = pt[str(e)]
            elif isinstance(e, sympy.Add):
                v = sum((ev(a) for a in e.args), Fraction(0))
            elif isinstance(e, sympy.Mul):
                v = Fraction(1)
                for a in e.args:
                    v *= ev(a)
            elif isinstance(e, sympy.Max):
                v = max(ev(a) for a in e.args)
            elif isinstance(e, sympy.core.function.AppliedUndef):
                v = self.value(e.func.__name__, [ev(a) for a in e.args])
            else:
                raise AssertionError(f"unexpected expression {e!r}")
            memo[e] = v
            return v

        return ev(sympy.sympify(expr))


def numeric_longest_path(nodes: list[tuple[str, Fraction]], edges: list[tuple[str, str]]
                         ) -> Fraction:
    """Max over paths of the sum of node weights, by networkx (the independent oracle)."""
    g = nx.DiGraph()
    g.add_node("__source__")
    for n, w in nodes:
        g.add_edge("__source__", n, weight=w)
    for u, v in edges:
        g.add_edge(u, v, weight=dict(nodes)[v])
    return Fraction(nx.dag_longest_path_length(g, weight="weight", default_weight=0))


def lexicographic_device_edges(node_ids: list[str], devices: dict[str, set[int]],
                               edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Same-GPU edges built independently of symcost: networkx's lexicographical
    topological sort keyed by position, then consecutive nodes of each GPU chained."""
    g = nx.DiGraph()
    g.add_nodes_from(node_ids)
    g.add_edges_from(edges)
    pos = {n: i for i, n in enumerate(node_ids)}
    order = list(nx.lexicographical_topological_sort(g, key=lambda n: pos[n]))
    last: dict[int, str] = {}
    out = []
    for n in order:
        for d in sorted(devices.get(n, ())):
            if d in last:
                out.append((last[d], n))
            last[d] = n
    return out


@pytest.fixture
def rng():
    import random

    return random.Random(12345)


def corpus_files() -> list[Path]:
    """Every DAG file of the shared corpus (empty when the corpus is absent)."""
    d = corpus_dir()
    return sorted(p for p in d.iterdir() if p.suffix in (".dot", ".gv")) if d else []


def example_files() -> list[Path]:
    """Every bundled example DAG (``examples/``)."""
    return sorted(p for p in (ROOT / "examples").iterdir()
                  if p.suffix in (".yaml", ".yml", ".json", ".dot", ".gv"))


@pytest.fixture(scope="session")
def analyzable():
    """``[(path, AnalysisResult)]`` of every example and every corpus file that reads
    without options (the others are refused with a user error, tested elsewhere)."""
    import symcost
    from symcost.core.errors import SymcostError

    out = []
    for p in example_files() + corpus_files():
        try:
            out.append((p, symcost.analyze(symcost.load(str(p)))))
        except SymcostError:
            continue
    return out


def latex_missing() -> str | None:
    """Why the LaTeX checks cannot run here (None when pdflatex and lmodern are there)."""
    import shutil

    if shutil.which("pdflatex") is None:
        return ("pdflatex not installed (Debian: texlive-latex-base texlive-latex-recommended "
                "lmodern); LaTeX compile not checked")
    found = subprocess.run(["kpsewhich", "lmodern.sty"], capture_output=True, text=True)
    if not found.stdout.strip():
        return "lmodern not installed (Debian: lmodern); LaTeX compile not checked"
    return None
