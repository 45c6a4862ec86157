"""Closed forms derived by hand for small DAGs, checked against analyze()."""

import pytest
import sympy

from symcost import B, CycleError, DagBuilder, Get_Time
from symcost.core.symbols import AllReduce
from symcost.solve.analysis import analyze

a = Get_Time(B, 64, 64)
b = Get_Time(64, B, 64)          # incomparable with a: (B,64,64) vs (64,B,64)
big = Get_Time(2 * B, 64, 64)     # dominates a for every B >= 1
mid = Get_Time(B, 64, 32)         # dominated by a


def same(x, y, trials: int = 40) -> bool:
    """Equal as functions: same value under random monotone costs and random B."""
    import random

    from conftest import MonotoneCost

    rng = random.Random(7)
    for _ in range(trials):
        cost = MonotoneCost(rng)
        pt = {B: rng.randint(1, 100)}
        if cost.substitute(x, pt) != cost.substitute(y, pt):
            return False
    return True


def chain():
    d = DagBuilder("chain")
    d.node("x", kind="io").node("p", cost=a, devices=[0]).node("q", cost=2 * b, devices=[0])
    return d.chain("x", "p", "q").build(), a + 2 * b


def fork_dominated():
    d = DagBuilder("fork")
    d.node("s").node("l", cost=big).node("r", cost=a).node("t", cost=mid)
    d.chain("s", "l", "t").chain("s", "r", "t")
    return d.build(), big + mid


def incomparable():
    d = DagBuilder("inc")
    d.node("s").node("l", cost=a).node("r", cost=b).node("t")
    d.chain("s", "l", "t").chain("s", "r", "t")
    return d.build(), sympy.Max(a, b)


def diamond_shared_prefix():
    # prefix p, then two branches that share p but differ; then a join and a suffix.
    d = DagBuilder("diamond")
    d.node("p", cost=3 * mid).node("l1", cost=a).node("l2", cost=a)
    d.node("r1", cost=b).node("t", cost=big)
    d.chain("p", "l1", "l2", "t").chain("p", "r1", "t")
    return d.build(), 3 * mid + sympy.Max(2 * a, b) + big


def multi_gpu_node():
    # an all-reduce on GPUs 0 and 1 serializes behind both GPUs' work in device mode
    d = DagBuilder("multi")
    d.node("g0", cost=a, devices=[0]).node("g1", cost=b, devices=[1])
    d.node("ar", cost=AllReduce(B * 4096, 2), devices=[0, 1])
    d.node("late1", cost=big, devices=[1])
    d.chain("g0", "ar").edge("g1", "ar")
    return d.build(), {"device": sympy.Max(a, b) + AllReduce(4096 * B, 2) + big,
                       "dag": sympy.Max(sympy.Max(a, b) + AllReduce(4096 * B, 2), big)}


def repeated_layers(L=4):
    d = DagBuilder("layers")
    d.node("in")
    prev = "in"
    for i in range(L):
        d.node(f"f{i}").node(f"a{i}", cost=a).node(f"b{i}", cost=b).node(f"j{i}", cost=mid)
        d.chain(prev, f"f{i}", f"a{i}", f"j{i}").chain(f"f{i}", f"b{i}", f"j{i}")
        prev = f"j{i}"
    return d.build(), L * (sympy.Max(a, b) + mid)


@pytest.mark.parametrize("make", [chain, fork_dominated, incomparable, diamond_shared_prefix,
                                  multi_gpu_node, repeated_layers])
@pytest.mark.parametrize("mode", ["device", "dag"])
def test_hand_derived(make, mode):
    dag, expected = make()
    if isinstance(expected, dict):
        expected = expected[mode]
    r = analyze(dag, mode)
    assert same(r.runtime, expected), r.runtime


def test_multi_gpu_node_device_mode_serializes():
    # late1 is on GPU 1 and is listed after the all-reduce, so in device mode it waits
    # for it; in dag mode it has no predecessor and runs at once.
    dag, _ = multi_gpu_node()
    assert same(analyze(dag, "device").runtime,
                sympy.Max(a, b) + AllReduce(4096 * B, 2) + big)
    assert same(analyze(dag, "dag").runtime, sympy.Max(a + AllReduce(4096 * B, 2), b +
                                                        AllReduce(4096 * B, 2), big))
    # compute only: big = Get_Time(2B, 64, 64) covers a, but not b
    assert same(analyze(dag, "dag").runtime_compute_only, sympy.Max(b, big))
    assert not same(analyze(dag, "dag").runtime_compute_only, big)


def test_dominated_branch_leaves_no_max():
    dag, _ = fork_dominated()
    r = analyze(dag, "dag")
    assert not r.runtime.has(sympy.Max)
    fj, = r.branches
    dominated = [br for br in fj.branches if not br.kept]
    assert [br.pred for br in dominated] == ["r"]
    assert dominated[0].dominated_by == "l"
    cover, = dominated[0].certificate.covers
    assert (cover.covered, cover.by) == (a, big)


def test_repeated_layers_factor_as_L_times_max():
    dag, _ = repeated_layers(5)
    r = analyze(dag, "dag")
    assert r.runtime == 5 * (sympy.Max(a, b) + mid) or str(r.runtime) in (
        "5*(Get_Time(B, 64, 32) + Max(Get_Time(64, B, 64), Get_Time(B, 64, 64)))",
        "5*(Get_Time(B, 64, 32) + Max(Get_Time(B, 64, 64), Get_Time(64, B, 64)))")
    # never a Max over k*a + (L-k)*b
    for m in r.runtime.atoms(sympy.Max):
        assert set(m.args) == {a, b}
    fj, = r.branches
    assert fj.count if hasattr(fj, "count") else len(fj.joins) == 5
    assert all(br.kept and br.witness is not None for br in fj.branches)


def test_incomparable_witness_is_monotone_and_violates():
    dag, _ = incomparable()
    fj, = analyze(dag, "dag").branches
    for br in fj.branches:
        w = br.witness
        assert w.right > w.left
        vals = {k.subs(w.point): v for k, v in w.values.items()}
        for x, vx in vals.items():
            for y, vy in vals.items():
                if all(p >= q for p, q in zip(x.args, y.args)):
                    assert vx >= vy


def test_assumption_decides_branch():
    # Get_Time(2048*B, 4096, 1) >= Get_Time(3072, 4096, 1) only from B >= 2 on
    x, y = Get_Time(2048 * B, 4096, 1), Get_Time(3072, 4096, 1)
    d = DagBuilder("assume")
    d.node("s").node("l", cost=x).node("r", cost=y).node("t")
    d.chain("s", "l", "t").chain("s", "r", "t")
    dag = d.build()
    assert same(analyze(dag, "dag").runtime, sympy.Max(x, y))
    assert same(analyze(dag, "dag", ["B>=2"]).runtime, x)


def test_critical_path_and_costs():
    dag, _ = fork_dominated()
    r = analyze(dag, "dag")
    assert [s.node for s in r.critical_path] == ["s", "l", "t"]
    assert [s.cost for s in r.critical_path] == [0, big, mid]


def test_empty_and_single():
    d = DagBuilder("one").node("x", cost=a).build()
    assert analyze(d).runtime == a
    from symcost import Dag
    assert analyze(Dag("empty")).runtime == 0


def test_cycle_is_named():
    d = DagBuilder("cyc").node("x").node("y").node("z")
    d.chain("x", "y", "z", "x")
    with pytest.raises(CycleError, match="x -> y -> z -> x|y -> z -> x -> y|z -> x -> y -> z"):
        d.build()


def test_compute_only_drops_communication():
    d = DagBuilder("comm")
    d.node("s").node("l", cost=a + AllReduce(B, 8)).node("r", cost=a).node("t")
    d.chain("s", "l", "t").chain("s", "r", "t")
    r = analyze(d.build(), "dag")
    assert same(r.runtime, a + AllReduce(B, 8))
    assert same(r.runtime_compute_only, a)
    assert same(analyze(d.build(), "dag", communication=False).runtime, a)
