"""Numeric evaluation equals direct substitution into the closed form."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy

from symcost.core.symbols import AllReduce, B, Get_Time
from symcost.models import AlphaBetaModel, Machine, ModelError, RooflineModel
from symcost.models.evaluate import Evaluator, evaluate, parse_batches

PEAK, BW, LBW, ALPHA = 989.5e12, 3.35e12, 450e9, 2e-6


def rf(m, k, n):
    """Hand-written roofline (bf16), independent of the library."""
    return max(2 * m * k * n / PEAK, 2 * (m * k + k * n + m * n) / BW)


def ar(n, p):
    return 2 * (p - 1) / p * 2 * n / LBW + 2 * (p - 1) * ALPHA


def direct(expr, b, defs=None):
    """sympy subs + replace of the atoms with Python functions, evaluated as a float."""
    for sym, val in reversed(list((defs or {}).items())):
        expr = expr.xreplace({sym: val})
    e = expr.subs(B, b)
    e = e.replace(Get_Time, lambda m, k, n: sympy.Float(rf(int(m), int(k), int(n)), 30))
    e = e.replace(AllReduce, lambda n, p: sympy.Float(ar(int(n), int(p)), 30))
    return float(e)


@pytest.fixture
def machine():
    return Machine(RooflineModel(PEAK, BW, dtype="bf16"), AlphaBetaModel(LBW, ALPHA))


EXPR = 4 * (Get_Time(2048 * B, 4096, 512)
            + sympy.Max(Get_Time(2048 * B, 4096, 16384), 2 * Get_Time(1024 * B, 4096, 16384))
            + sympy.Max(Get_Time(B, 8192, 8192), Get_Time(16 * B, 4096, 4096))
            + AllReduce(2048 * 4096 * B, 8))


@pytest.mark.parametrize("b", [1, 2, 7, 75, 76, 1000, 4096])
def test_eval_equals_direct_substitution(machine, b):
    ev = evaluate(EXPR, machine, [b], crossovers=False)
    assert ev.runtime[0] == pytest.approx(direct(EXPR, b), rel=1e-12)


def test_breakdown_sums_to_runtime_and_splits_by_family(machine):
    ev = evaluate(EXPR, machine, np.arange(1, 200), crossovers=False)
    total = sum(ev.breakdown.values())
    np.testing.assert_allclose(total, ev.runtime, rtol=1e-12)
    comm = [ar(2048 * 4096 * b, 8) * 4 for b in range(1, 200)]
    np.testing.assert_allclose(ev.breakdown["AllReduce"], comm, rtol=1e-12)


def test_nested_definitions_equal_inlined(machine):
    t1, t2 = sympy.Symbol("T_1"), sympy.Symbol("T_2")
    defs = {t1: sympy.Max(Get_Time(B, 8192, 8192), Get_Time(16 * B, 4096, 4096)),
            t2: Get_Time(2048 * B, 4096, 512) + 2 * t1}
    runtime = 3 * t2 + sympy.Max(t1, AllReduce(4096 * B, 8))
    ev = evaluate(runtime, machine, [1, 50, 100, 3000], definitions=defs)
    for b, got in zip(ev.batches, ev.runtime):
        assert got == pytest.approx(direct(runtime, int(b), defs), rel=1e-12)
    assert [br.defined_in for br in ev.branches] == ["T_1", "runtime"]


def test_branch_choice_per_b(machine):
    ev = evaluate(EXPR, machine, np.arange(1, 4097))
    br = [b for b in ev.branches if Get_Time(B, 8192, 8192) in b.args][0]
    segs = br.segments(ev.batches)
    assert segs == [{"from": 1, "to": 75, "argument": 0},
                    {"from": 76, "to": 4096, "argument": 1}]
    # the equal-FLOP pair never produces a spurious crossover from rounding
    tie = [b for b in ev.branches if Get_Time(2048 * B, 4096, 16384) in b.args][0]
    assert len(tie.segments(ev.batches)) == 1


def test_min_and_bare_numbers(machine):
    e = sympy.Min(Get_Time(B, 64, 64), Get_Time(B, 128, 128)) + sympy.Rational(1, 1000)
    ev = evaluate(e, machine, [1, 10])
    for b, got in zip(ev.batches, ev.runtime):
        assert got == pytest.approx(min(rf(b, 64, 64), rf(b, 128, 128)) + 1e-3)
    assert "other" in ev.breakdown


def test_errors(machine):
    with pytest.raises(ModelError, match="symbols other than B"):
        evaluate(Get_Time(B, sympy.Symbol("S"), 4), machine, [1])
    with pytest.raises(ModelError, match="no link model"):
        evaluate(AllReduce(B, 8), Machine(RooflineModel(PEAK, BW)), [1])


def test_parse_batches():
    assert list(parse_batches("1:5")) == [1, 2, 3, 4, 5]
    assert list(parse_batches("1:9:4")) == [1, 5, 9]
    assert list(parse_batches("8,1,2,2")) == [1, 2, 8]
    got = parse_batches("1:1e6@50")
    assert got[0] == 1 and got[-1] == 1_000_000 and len(got) <= 50
    from symcost.core.errors import InputError

    for bad in ("0:4", "a:b", "1:4:0", ""):
        with pytest.raises(InputError):
            parse_batches(bad)


def test_hundred_thousand_batch_sizes_under_a_second(machine):
    ev = Evaluator(EXPR, machine)
    bs = np.arange(1, 100_001)
    ev(bs[:10])
    t0 = time.perf_counter()
    total, parts, _ = ev(bs)
    assert time.perf_counter() - t0 < 1.0
    assert total.shape == (100_000,) and np.all(np.diff(total) > 0)
