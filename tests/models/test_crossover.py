"""Crossovers verified by evaluating both branches just below and above."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

from symcost.core.symbols import AllReduce, B, Get_Time
from symcost.models import AlphaBetaModel, Machine, RooflineModel, TableModel
from symcost.models.crossover import exact_crossing
from symcost.models.deployments import compare_deployments
from symcost.models.evaluate import Evaluator, evaluate


def value(machine, expr, b):
    return float(Evaluator(expr, machine).total([b])[0])


@pytest.fixture
def h100():
    return Machine(RooflineModel.from_preset("h100"), AlphaBetaModel.from_preset("nvlink4"))


CASES = [
    sympy.Max(Get_Time(B, 8192, 8192), Get_Time(16 * B, 4096, 4096)),
    sympy.Max(AllReduce(4096 * B, 8), Get_Time(B, 4096, 4096)),
    sympy.Max(3 * Get_Time(B, 16384, 16384), Get_Time(32 * B, 4096, 4096),
              AllReduce(1_000_000 * B, 64)),
]


@pytest.mark.parametrize("expr", CASES)
@pytest.mark.parametrize("grid", ["dense", "sparse"])
def test_crossovers_checked_on_both_sides(h100, expr, grid):
    bs = np.arange(1, 20001) if grid == "dense" else [1, 20000]
    ev = evaluate(expr, h100, bs)
    assert ev.crossovers, "each case has at least one crossover in range"
    for c in ev.crossovers:
        args = expr.args
        a, b = args[c.before], args[c.after]
        assert c.above == c.below + 1
        assert value(h100, a, c.below) >= value(h100, b, c.below)
        assert value(h100, b, c.above) > value(h100, a, c.above)
        assert c.method == "exact"
        assert c.below <= c.value <= c.above
        fa = float(Evaluator(a, h100).total([c.value])[0])
        fb = float(Evaluator(b, h100).total([c.value])[0])
        assert fa == pytest.approx(fb, rel=1e-12)


def test_sparse_and_dense_grids_agree(h100):
    expr = CASES[0]
    dense = evaluate(expr, h100, np.arange(1, 5000)).crossovers
    sparse = evaluate(expr, h100, [1, 4999]).crossovers
    assert [(c.below, c.above, str(c.exact)) for c in dense] == \
           [(c.below, c.above, str(c.exact)) for c in sparse]


def test_known_exact_value(h100):
    # compute-bound 16B x 4096 x 4096 (slope 2*16*4096^2/989.5e12 per B) meets the
    # memory-bound B x 8192 x 8192 (2*(8192B + 8192^2 + 8192B)/3.35e12)
    (c,) = evaluate(CASES[0], h100, [1, 1000]).crossovers
    x = sympy.Symbol("x")
    slope = sympy.Rational(2 * 16 * 4096**2) / sympy.Rational("989.5e12")
    mem = 2 * (2 * 8192 * x + 8192**2) / sympy.Rational("3.35e12")
    (want,) = sympy.solve(sympy.Eq(slope * x, mem), x)
    assert c.exact == want and (c.below, c.above) == (75, 76)


def test_table_model_gives_a_bracket(h100):
    ms, ks, ns = [1, 16, 256, 4096, 65536], [4096, 8192], [4096, 8192]
    rows = [(m, k, n, float(h100.matmul.get_time(m, k, n)) * 1.1)
            for m, k, n in itertools.product(ms, ks, ns)]
    machine = Machine(TableModel(rows))
    (c,) = evaluate(CASES[0], machine, [1, 4096]).crossovers
    assert c.method == "bracket" and c.exact is None
    a, b = CASES[0].args
    assert value(machine, a, c.below) >= value(machine, b, c.below)
    assert value(machine, b, c.above) > value(machine, a, c.above)


def test_no_crossover_when_one_branch_always_wins(h100):
    e = sympy.Max(Get_Time(2 * B, 4096, 4096), Get_Time(B, 4096, 4096))
    assert evaluate(e, h100, np.arange(1, 1000)).crossovers == []


def test_exact_crossing_none_outside_bracket(h100):
    d = Get_Time(16 * B, 4096, 4096) - Get_Time(B, 8192, 8192)
    assert exact_crossing(d, h100, 10, 11) is None
    assert exact_crossing(d, h100, 75, 76) is not None


class _Result:
    def __init__(self, expr):
        self.runtime = self.runtime_compute_only = expr
        self.definitions = {}


def test_compare_deployments_speedup_and_crossover(h100):
    base = _Result(2 * Get_Time(B, 8192, 8192))
    prop = _Result(2 * Get_Time(16 * B, 4096, 4096))
    out = compare_deployments(base, prop, h100, np.arange(1, 500), names=("base", "prop"))
    assert out["faster"][0] == "prop" and out["faster"][-1] == "base"
    (c,) = out["crossovers"]
    assert (c["before"], c["after"], c["below"], c["above"]) == ("prop", "base", 75, 76)
    assert c["method"] == "exact"
    i = out["batches"].index(10)
    assert out["speedup"][i] == pytest.approx(
        out["runtime_s"]["base"][i] / out["runtime_s"]["prop"][i])
    assert out["segments"] == [{"from": 1, "to": 75, "faster": "prop"},
                               {"from": 76, "to": 499, "faster": "base"}]
    import json

    json.dumps(out)  # plain data
