"""Benchmark: end to end, DOT file to JSON, symcost vs the numeric peer pipeline.

Peer: pygraphviz reads the file, a ``networkx.DiGraph`` is built from its edge list with
one float per node (on its out-edges), ``dag_longest_path_length``. symcost: ``load`` +
``analyze`` + JSON (``report(..., "json")``) + atomic write, i.e. what ``symcost analyze
FILE --format json -o OUT`` does after start-up. Both run in fresh subprocesses of the
same benchmark run, one after the other, on the same file (peak memory is each
process's maximum resident set). DAGs from :func:`deployments.deployment_dot` (skewed:
real undecided ``Max`` terms survive). On the 50k case every output format is timed
against the solve (``analyze``), and, in a separate run, the load is profiled (top
functions by own time) for the deferred reading work.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(HERE), str(ROOT)):
    if p not in sys.path:
        sys.path.insert(0, p)

#: (layers, gpus): about 10k, 50k, 100k and 1M nodes.
CASES = [(10, 100), (48, 100), (95, 100), (951, 100)]
QUICK_CASES = [(10, 100), (48, 100)]


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds (user + sys) of this process so far: wall time on a shared machine
    also counts other work."""
    return time.process_time()


def _symcost(path: str, out: str, formats: bool, profile: bool) -> dict:
    import symcost
    from symcost.core.files import write_output
    from symcost.core.jsontext import dumps as json_text

    # The DOT reader refuses files over 64 MiB by default (a guard against hostile input);
    # the 1M-node case is ~190 MiB of corpus-style labels: raised as a user would.
    limit = 2 * Path(path).stat().st_size
    from symcost.output.formats import report, report_data
    from symcost.solve.analysis import analyze

    t0, c0 = time.perf_counter(), _cpu()
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    dag = symcost.load(path, max_bytes=limit)
    t1, c1 = time.perf_counter(), _cpu()
    if profile:
        prof.disable()
    result = analyze(dag)
    t2 = time.perf_counter()
    c2 = time.process_time()
    data = report_data(result)
    td = time.perf_counter()
    text = json_text(data, indent=2)  # what report(result, "json") returns
    t3 = time.perf_counter()
    write_output(text, out)
    t4, c4 = time.perf_counter(), _cpu()
    row = {"load_cpu": c1 - c0, "cpu": c4 - c0, "load": t1 - t0, "analyze": t2 - t1, "json": t3 - t2, "to_dict": td - t2, "write": t4 - t3,
           "total": t4 - t0, "peak_mib": _peak_mib(), "nodes": len(dag.nodes),
           "edges": dag.num_edges, "bytes": len(text)}
    costs = {id(n.cost): n.cost for n in dag.nodes}
    atoms = set()
    from sympy.core.function import AppliedUndef

    for c in costs.values():
        atoms |= c.atoms(AppliedUndef)
    row["atoms"] = len(atoms)
    und = [b for b in result.branches if not b.decided]
    row["undecided"] = len(und)
    row["undecided_joins"] = sum(len(b.joins) for b in und)
    if profile:
        stats = pstats.Stats(prof)
        top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:6]  # by own time
        row["load_profile"] = [f"{Path(k[0]).name}:{k[2]} {v[2]:.2f}s" for k, v in top]
    if formats:
        row["cpu_analyze"] = c2 - c1
        for fmt in ("json", "text", "md", "tex"):
            t, c = time.perf_counter(), time.process_time()
            report(result, fmt)
            row[f"fmt_{fmt}"] = time.perf_counter() - t
            row[f"cpu_{fmt}"] = time.process_time() - c
    return row


def _peer(path: str) -> dict:
    import networkx as nx
    import pygraphviz

    t0, c0 = time.perf_counter(), _cpu()
    a = pygraphviz.AGraph(path)
    t1 = time.perf_counter()
    nodes = a.nodes()
    cost = {n: float(1 + i % 7) for i, n in enumerate(nodes)}  # one float per node
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from((u, v, cost[u]) for u, v in a.edges())
    t2 = time.perf_counter()
    length = nx.dag_longest_path_length(g)
    t3 = time.perf_counter()
    return {"cpu": _cpu() - c0, "read": t1 - t0, "build": t2 - t1, "longest": t3 - t2, "total": t3 - t0,
            "peak_mib": _peak_mib(), "length": length}


def _child(kind: str, path: str, *extra: str) -> dict:
    cmd = [sys.executable, __file__, kind, path, *extra]
    got = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if got.returncode:
        raise RuntimeError(f"{kind} failed: {got.stderr.strip()[-300:]}")
    return json.loads(got.stdout.strip().splitlines()[-1])


def _case(tmp: str, layers: int, gpus: int) -> list[dict[str, object]]:
    from deployments import deployment_dot

    rows: list[dict[str, object]] = []
    path = str(Path(tmp) / f"deployment_{layers}x{gpus}.dot")
    Path(path).write_text(deployment_dot(layers, gpus))
    big = layers == 48
    s = _child("symcost", path, str(Path(tmp) / "out.json"), *(["--formats"] if big else []))
    p = _child("peer", path)
    if big:  # the profile slows the load down: a run of its own, not in the timings above
        s["load_profile"] = _child("symcost", path, str(Path(tmp) / "out.json"),
                                   "--profile")["load_profile"]
    mib = Path(path).stat().st_size / 2**20
    Path(path).unlink()
    notes = (f"symcost {s['total']:.2f} s, CPU {s['cpu']:.2f} s (load {s['load']:.2f}, "
             f"CPU {s['load_cpu']:.2f}; analyze "
             f"{s['analyze']:.2f}, json {s['json']:.2f} of which to_dict {s['to_dict']:.2f}, "
             f"write {s['write']:.2f}), peak {s['peak_mib']:.0f} MiB; peer {p['total']:.2f} s, "
             f"CPU {p['cpu']:.2f} s (pygraphviz read {p['read']:.2f}, networkx build {p['build']:.2f}, longest "
             f"path {p['longest']:.2f}), peak {p['peak_mib']:.0f} MiB; "
             f"**ratio {s['total'] / p['total']:.2f}** (CPU {s['cpu'] / p['cpu']:.2f}; "
             f"without load: "
             f"{(s['total'] - s['load']) / p['total']:.2f}); {s['edges']:,} edges, "
             f"{mib:.0f} MiB DOT, {s['atoms']} distinct atoms, {s['undecided']} "
             f"undecided fork-join(s) at {s['undecided_joins']} join(s); JSON "
             f"{s['bytes'] / 2**20:.1f} MiB")
    rows.append({"name": f"DOT -> JSON, deployment {layers}x{gpus}",
                 "nodes": s["nodes"], "seconds": round(s["total"], 3), "notes": notes})
    if big:
        fm = ", ".join(f"{f} {s['fmt_' + f]:.2f} s ({s['fmt_' + f] / s['analyze']:.1f}x; CPU "
                       f"{s['cpu_' + f]:.2f} s, {s['cpu_' + f] / s['cpu_analyze']:.1f}x)"
                       for f in ("json", "text", "md", "tex"))
        rows.append({"name": f"output formats vs solve, {layers}x{gpus}",
                     "nodes": s["nodes"], "seconds": round(s["analyze"], 3),
                     "notes": f"solve (analyze) {s['analyze']:.2f} s (CPU "
                              f"{s['cpu_analyze']:.2f} s); each format in a call of "
                              f"report(), the first (templates compiled); {fm}"})
        rows.append({"name": f"where load goes, {layers}x{gpus} ",
                     "nodes": s["nodes"], "seconds": round(s["load"], 3),
                     "notes": "profiled, own time: " + "; ".join(s["load_profile"])})
    return rows


def run(quick: bool = False) -> list[dict[str, object]]:
    """One row per DAG size: symcost end to end beside the peer pipeline."""
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for layers, gpus in (QUICK_CASES if quick else CASES):
            try:
                rows.extend(_case(tmp, layers, gpus))
            except Exception as err:  # one failing size is a row, not the end of the table
                rows.append({"name": f"DOT -> JSON, deployment {layers}x{gpus}", "nodes": None,
                             "seconds": None, "notes": f"failed: {str(err)[-300:]}"})
    return rows


if __name__ == "__main__":  # child mode: python bench_e2e.py symcost|peer FILE [OUT] [flags]
    kind = sys.argv[1] if len(sys.argv) > 1 else "all"
    path = sys.argv[2] if len(sys.argv) > 2 else ""
    if kind == "symcost":
        print(json.dumps(_symcost(path, sys.argv[3], "--formats" in sys.argv,
                                  "--profile" in sys.argv)))
    elif kind == "peer":
        print(json.dumps(_peer(path)))
    else:
        for r in run(quick=kind == "quick"):
            print(r)
