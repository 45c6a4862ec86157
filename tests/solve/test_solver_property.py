"""Property test: the symbolic runtime, evaluated under random monotone costs, equals
networkx's numeric longest path on the same DAG (device edges built independently)."""

import random

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symcost import B, DagBuilder, Get_Time
from symcost.core.symbols import AllReduce, SendRecv
from symcost.solve.analysis import analyze

from conftest import MonotoneCost, lexicographic_device_edges, numeric_longest_path

ARGS = [1, 2, 64, 128, 4096, B, 2 * B, 64 * B, 2048 * B, B + 64]


@st.composite
def random_dags(draw, max_nodes=60, distinct_atoms=False):
    n = draw(st.integers(1, max_nodes))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    rank = list(range(n))
    rng.shuffle(rank)            # topological rank differs from file position
    density = rng.choice([0.05, 0.1, 0.2, 0.4])
    pool_size = rng.choice([2, 4, 8, 1000 if distinct_atoms else 12])
    pool = []
    for _ in range(min(pool_size, 30)):
        kind = rng.random()
        if kind < 0.8:
            pool.append(Get_Time(*(rng.choice(ARGS) for _ in range(3))))
        elif kind < 0.9:
            pool.append(AllReduce(rng.choice(ARGS), rng.choice([2, 8])))
        else:
            pool.append(SendRecv(rng.choice(ARGS), 2))
    nodes, costs, devices = [], {}, {}
    d = DagBuilder("random")
    for i in range(n):
        nid = f"n{i}"
        terms = rng.choice([0, 1, 1, 2])
        cost = sympy.Add(*[rng.randint(1, 3) * rng.choice(pool) for _ in range(terms)])
        devs = set(rng.sample(range(3), rng.choice([0, 1, 1, 2])))
        d.node(nid, cost=cost, devices=devs)
        nodes.append(nid)
        costs[nid] = cost
        devices[nid] = devs
    edges = []
    for u in range(n):
        for v in range(n):
            if rank[u] < rank[v] and rng.random() < density:
                edges.append((f"n{u}", f"n{v}"))
                d.edge(f"n{u}", f"n{v}")
    return d.build(), nodes, costs, devices, edges, seed


def check(dag, nodes, costs, devices, edges, seed, mode):
    r = analyze(dag, mode)
    extra = lexicographic_device_edges(nodes, devices, edges) if mode == "device" else []
    rng = random.Random(seed ^ 0x5EED)
    defs = r.definitions
    for _ in range(3):
        cost = MonotoneCost(rng)
        pt = {B: rng.choice([1, 2, 3, 17, 1000])}
        for expr, keep_comm in ((r.runtime, True), (r.runtime_compute_only, False)):
            weights = []
            for nid in nodes:
                c = costs[nid]
                if not keep_comm:
                    c = c.replace(lambda x: getattr(x, "func", None) in (AllReduce, SendRecv),
                                  lambda x: sympy.S.Zero)
                weights.append((nid, cost.substitute(c, pt)))
            oracle = numeric_longest_path(weights, edges + extra)
            # named terms (nested form) are evaluated in their order, T_1 first
            env = dict(pt)
            for sym, body in (defs if keep_comm else r.compute.definitions).items():
                env[sym] = cost.substitute(body, env)
            assert cost.substitute(expr, env) == oracle, (mode, keep_comm, expr)


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(random_dags())
def test_device_mode_matches_networkx(case):
    check(*case, mode="device")


@SETTINGS
@given(random_dags())
def test_dag_mode_matches_networkx(case):
    check(*case, mode="dag")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_dags(max_nodes=60, distinct_atoms=True))
def test_distinct_atoms_match_networkx(case):
    check(*case, mode="dag")
