"""Benchmark: what users see about a reading's trustworthiness, on large DAGs.

``run()`` returns rows ``{name, nodes, seconds, notes}``: the completeness record
(:func:`symcost.solve.completeness.completeness`), the grouping and rendering of the
diagnostics that go to stderr, and ``explain`` of every node, on the 100k-node generated
deployment (``deployments.py``) and on the 10k-node corpus-style DOT (``bench_dot.py``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (HERE, HERE.parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))


def _time(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _rows(label: str, dag) -> list[dict[str, object]]:
    from symcost.output.diagnostics import diagnostics_report, group_diagnostics
    from symcost.output.explain import explain_nodes
    from symcost.solve.completeness import completeness

    t_c, comp = _time(lambda: completeness(dag))
    t_g, groups = _time(lambda: group_diagnostics(dag.diagnostics))
    t_r, text = _time(lambda: diagnostics_report(dag.diagnostics, comp, verbose=True))
    t_e, entries = _time(lambda: explain_nodes(dag))
    n = len(dag)
    return [
        {"name": f"completeness ({label})", "nodes": n, "seconds": round(t_c, 3),
         "notes": comp.summary()[:90]},
        {"name": f"group + render diagnostics, --verbose ({label})", "nodes": n,
         "seconds": round(t_g + t_r, 3),
         "notes": f"{len(dag.diagnostics)} diagnostics in {len(groups)} groups, "
                  f"{len(text.splitlines())} lines"},
        {"name": f"explain every node, data only ({label})", "nodes": n,
         "seconds": round(t_e, 3), "notes": f"{len(entries)} entries"},
    ]


def run() -> list[dict[str, object]]:
    """Time completeness, diagnostics grouping and explain on two large DAGs."""
    from bench_dot import generate
    from deployments import deployment

    from symcost.core.diagnostics import warning
    from symcost.output.diagnostics import diagnostics_report
    from symcost.read.dot.reader import read_dot

    rows = _rows("deployment 96x104 skewed", deployment(96, 104))
    many = [warning(f"operation 'Op{i % 997}' not recognised", node=f"n{i}",
                    code=f"code{i % 10}") for i in range(100_000)]
    t, text = _time(lambda: diagnostics_report(many, verbose=False))
    rows.append({"name": "group + render 100k diagnostics (10 causes)", "nodes": 100_000,
                 "seconds": round(t, 3), "notes": f"{len(text.splitlines())} lines"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.dot"
        path.write_text(generate(101))
        rows += _rows("corpus-style DOT", read_dot(path))
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
