"""The order engine: known verdicts, and soundness against random monotone costs."""

import random
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symcost import B, Get_Time, compare
from symcost.core.symbols import AllReduce

from conftest import MonotoneCost

G = Get_Time


@pytest.mark.parametrize("a, b, assume, verdict", [
    ("Get_Time(2*B, 64, 64)", "Get_Time(B, 64, 64)", [], ">="),
    ("Get_Time(B, 64, 64)", "Get_Time(2*B, 64, 64)", [], "<="),
    ("Get_Time(B, 64, 64) + Get_Time(1, 2, 3)", "Get_Time(1, 2, 3) + Get_Time(B, 64, 64)", [], "=="),
    ("Get_Time(2048*B, 4096, 1)", "Get_Time(3072, 4096, 1)", [], "incomparable"),
    ("Get_Time(2048*B, 4096, 1)", "Get_Time(3072, 4096, 1)", ["B>=2"], ">="),
    ("Get_Time(B, 2, 1)", "Get_Time(2, B, 1)", [], "incomparable"),
    ("Get_Time(B, 2, 1)", "Get_Time(2, B, 1)", ["B<=2"], "incomparable"),
    ("Get_Time(B, 2, 1)", "Get_Time(2, B, 1)", ["B==2"], "=="),
    # transport: two small terms covered by two big ones, not one
    ("Get_Time(4*B, 8, 8) + Get_Time(4*B, 8, 8)", "2*Get_Time(B, 8, 8)", [], ">="),
    ("Get_Time(4*B, 8, 8)", "2*Get_Time(B, 8, 8)", [], "incomparable"),
    # convexity: the max of 2a and 2b is at least a + b
    ("Max(2*Get_Time(B,1,1), 2*Get_Time(1,B,1))", "Get_Time(B,1,1) + Get_Time(1,B,1)", [], ">="),
    # different families never cover each other
    ("Get_Time(B, 8, 8)", "AllReduce(B, 8)", [], "incomparable"),
    ("Max(Get_Time(B,8,8), AllReduce(B,8))", "AllReduce(B, 8)", [], ">="),
    # the reference's claim misses terms: the derived runtime is larger
    ("4*(Get_Time(2048*B, 4096, 16384) + Get_Time(2048*B, 16384, 4096))",
     "4*(Get_Time(2048*B, 4096, 16384) + Get_Time(2048*B, 16384, 4096) + Get_Time(2048*B, 4096, 16))",
     [], "<="),
])
def test_known_verdicts(a, b, assume, verdict):
    assert compare(a, b, assume).verdict == verdict


def test_certificate_names_the_cover():
    c = compare("Get_Time(2*B, 64, 64)", "Get_Time(B, 64, 64)")
    cover, = c.ge_certificate.covers
    assert (cover.covered, cover.by, cover.amount) == (G(B, 64, 64), G(2 * B, 64, 64), 1)


ARGS = [1, 2, 8, 64, B, 2 * B, 8 * B, B + 8]


def _atom(rng):
    if rng.random() < 0.85:
        return G(*(rng.choice(ARGS) for _ in range(3)))
    return AllReduce(rng.choice(ARGS), rng.choice([2, 8]))


def _side(rng):
    def lin():
        return sympy.Add(*[rng.randint(1, 3) * _atom(rng) for _ in range(rng.randint(1, 3))])
    if rng.random() < 0.3:
        return sympy.Max(*[lin() for _ in range(rng.randint(2, 3))])
    return lin()


def _monotone_ok(values: dict, point: dict) -> bool:
    items = [(k.subs(point), v) for k, v in values.items()]
    for x, vx in items:
        for y, vy in items:
            if x.func == y.func and all(p >= q for p, q in zip(x.args, y.args)) and vx < vy:
                return False
    return all(v >= 0 for _, v in items)


def _value_with(expr, values: dict, point: dict) -> Fraction:
    e = sympy.sympify(expr).xreplace({k: sympy.Rational(v.numerator, v.denominator)
                                      for k, v in values.items()}).subs(point)
    return Fraction(int(e.p), int(e.q))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from([[], ["B>=4"], ["B>=2", "B<=16"]]))
def test_soundness(seed, assume):
    rng = random.Random(seed)
    a, b = _side(rng), _side(rng)
    c = compare(a, b, assume)
    lo = 4 if "B>=4" in assume else (2 if "B>=2" in assume else 1)
    hi = 16 if "B<=16" in assume else 5000
    # a proof is never violated by random monotone costs
    for _ in range(25):
        cost = MonotoneCost(rng)
        pt = {B: rng.randint(lo, hi)}
        va, vb = cost.substitute(a, pt), cost.substitute(b, pt)
        if c.verdict in (">=", "=="):
            assert va >= vb
        if c.verdict in ("<=", "=="):
            assert va <= vb
    # every counterexample is monotone, admissible, and does violate
    for cx, bigger in ((c.ge_counterexample, "right"), (c.le_counterexample, "left")):
        if cx is None:
            continue
        assert lo <= cx.point.get(B, lo) <= hi
        assert _monotone_ok(cx.values, cx.point)
        va, vb = _value_with(a, cx.values, cx.point), _value_with(b, cx.values, cx.point)
        assert (vb > va) if bigger == "right" else (va > vb)
        assert (va, vb) == (cx.left, cx.right)
