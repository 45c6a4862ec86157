"""Benchmark: symbolic longest path vs networkx's numeric ``dag_longest_path``.

Each case runs in its own process so that peak memory (max RSS) is the case's own.
Times: ``solve`` = one symbolic longest-path pass (what networkx does numerically, for one
B); ``analyze`` = the whole ``symcost.analyze`` (device edges, both runtimes, rendering,
branch verdicts). networkx is timed on the same graph with numeric node weights at B=1
(edge weights = weight of the head node), construction excluded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = [  # name, generator, args, run networkx too
    ("deployment 8x8 skewed", "deployment", (8, 8, True), True),
    ("deployment 32x32 skewed", "deployment", (32, 32, True), True),
    ("deployment 96x104 skewed", "deployment", (96, 104, True), True),
    ("deployment 96x104 uniform", "deployment", (96, 104, False), True),
    ("deployment 96x512 skewed", "deployment", (96, 512, True), True),
    ("deployment 96x1000 skewed", "deployment", (96, 1000, True), False),
    ("random 2000 distinct atoms", "random_distinct", (2000,), True),
]


def _case(gen: str, args: list, with_nx: bool) -> dict:
    import resource

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import deployments

    from symcost.algebra.forms import AtomTable
    from symcost.algebra.order import OrderEngine
    from symcost.solve.analysis import analyze
    from symcost.solve.longest_path import longest_path

    t0 = time.perf_counter()
    dag = getattr(deployments, gen)(*args)
    t_build = time.perf_counter() - t0
    # one symbolic solve, dag concurrency, compute-only costs (like networkx's one pass)
    t0 = time.perf_counter()
    table = AtomTable()
    eng = OrderEngine(table)
    cache: dict = {}
    costs = []
    for node in dag.nodes:
        f = cache.get(node.cost)
        if f is None:
            f = cache[node.cost] = table.form_of(node.cost)
        costs.append(f)
    order = dag.topological_order()
    sol = longest_path(dag, costs, eng, (), order)
    t_solve = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = analyze(dag, "device")
    t_analyze = time.perf_counter() - t0
    t_nx = None
    if with_nx:
        import math

        import networkx as nx
        import sympy

        from symcost.core.symbols import B

        g = nx.DiGraph()
        w = {}
        wc: dict = {}
        for node in dag.nodes:
            if node.cost not in wc:
                c = node.cost.subs(B, 1)
                wc[node.cost] = sum(float(math.prod(a.args)) for a in
                                    c.atoms(sympy.core.function.AppliedUndef))
            w[node.id] = wc[node.cost]
        for u, v in dag.edges():
            g.add_edge(u, v, weight=w[v])
        t0 = time.perf_counter()
        nx.dag_longest_path(g, weight="weight")
        t_nx = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {"nodes": len(dag.nodes), "edges": dag.num_edges, "build_s": t_build,
            "solve_s": t_solve, "analyze_s": t_analyze, "networkx_s": t_nx,
            "peak_mib": rss, "nested": res.nested, "max_terms": len(res.definitions),
            "result_chars": len(str(res.runtime)),
            "undecided": sum(1 for b in res.branches if not b.decided),
            "sol_terms": len(sol.total)}


def run(quick: bool = False) -> list[dict]:
    """Run every case (``quick``: the small ones) in subprocesses; rows for results.md."""
    rows = []
    for name, gen, args, with_nx in CASES:
        if quick and ("1000" in name or "512" in name):
            continue
        code = (f"import json,sys; sys.path.insert(0,{str(ROOT / 'benchmarks')!r}); "
                f"import bench_solver as b; "
                f"print(json.dumps(b._case({gen!r}, {list(args)!r}, {with_nx})))")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=ROOT)
        if proc.returncode != 0:
            rows.append({"name": name, "nodes": None, "seconds": None,
                         "notes": "failed: " + proc.stderr.strip().splitlines()[-1]})
            continue
        d = json.loads(proc.stdout.strip().splitlines()[-1])
        ratio = (d["solve_s"] / d["networkx_s"]) if d["networkx_s"] else None
        notes = (f"solve {d['solve_s']:.2f} s; analyze (device, both runtimes, verdicts) "
                 f"{d['analyze_s']:.2f} s; networkx "
                 + (f"{d['networkx_s']:.2f} s (solve/networkx {ratio:.2f}x)"
                    if d["networkx_s"] is not None else "not run")
                 + f"; peak {d['peak_mib']:.0f} MiB; edges {d['edges']}; "
                 f"{d['undecided']} undecided fork-joins; result {d['result_chars']} chars"
                 + (", nested" if d["nested"] else ""))
        rows.append({"name": name, "nodes": d["nodes"], "seconds": d["solve_s"],
                     "notes": notes})
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
