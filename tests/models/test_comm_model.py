"""Alpha-beta communication formulas against hand computation; link presets."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from symcost.models import AlphaBetaModel, ModelError, link_presets
from symcost.models.comm import OPERATIONS

BW, ALPHA = 100e9, 3e-6
N = 1_000_000  # elements, bf16 -> 2 MB
S = 2 * N / BW


def ring(op, p):
    return {
        "AllReduce": 2 * (p - 1) / p * S + 2 * (p - 1) * ALPHA,
        "AllGather": (p - 1) / p * S + (p - 1) * ALPHA,
        "ReduceScatter": (p - 1) / p * S + (p - 1) * ALPHA,
        "AllToAll": (p - 1) / p * S + (p - 1) * ALPHA,
        "SendRecv": S + ALPHA,
        "Broadcast": S + (p - 1) * ALPHA,
    }[op]


def tree(op, p):
    lg = math.ceil(math.log2(p))
    if op == "AllReduce":
        return 2 * S + 2 * lg * ALPHA
    if op == "Broadcast":
        return S + lg * ALPHA
    return ring(op, p)


@pytest.mark.parametrize("op", OPERATIONS)
@pytest.mark.parametrize("p", [2, 3, 8, 64])
def test_ring_and_tree_formulas(op, p):
    r = AlphaBetaModel(BW, ALPHA, dtype="bf16", algorithm="ring")
    t = AlphaBetaModel(BW, ALPHA, dtype="bf16", algorithm="tree")
    assert float(r.time(op, N, p)) == pytest.approx(ring(op, p), rel=1e-12)
    assert float(t.time(op, N, p)) == pytest.approx(tree(op, p), rel=1e-12)


@pytest.mark.parametrize("op", OPERATIONS)
def test_symbolic_matches_numeric(op):
    m = AlphaBetaModel(BW, ALPHA, algorithm="tree")
    x = sympy.Symbol("x", positive=True)
    e = m.symbolic(op, 4096 * x, 8)
    assert float(e.subs(x, 3)) == pytest.approx(float(m.time(op, 4096 * 3, 8)))


def test_group_of_one_is_free_and_monotone_in_n_and_p():
    m = AlphaBetaModel(BW, ALPHA)
    assert float(m.time("AllReduce", N, 1)) == 0.0
    ns = np.array([1, 10, 1e3, 1e6])
    for op in OPERATIONS:
        assert np.all(np.diff(m.time(op, ns, 8)) >= 0)
        assert np.all(np.diff(m.time(op, N, np.array([1, 2, 4, 8, 16]))) >= 0)


def test_link_presets_and_citations():
    from symcost.models.base import _load_presets

    assert {"nvlink4", "nvlink5", "pcie5", "ib_ndr"} <= set(link_presets())
    nv4 = AlphaBetaModel.from_preset("nvlink4")
    assert nv4.bandwidth == 450e9  # 900 GB/s both directions
    assert AlphaBetaModel.from_preset("ib_ndr").bandwidth == 50e9  # 400 Gb/s
    assert AlphaBetaModel.from_preset("pcie5").bandwidth == 64e9
    assert AlphaBetaModel.from_preset("nvlink5").bandwidth == 900e9
    for key, entry in _load_presets("links.yaml").items():
        assert "bandwidth_gbps" in entry["sources"] and "alpha_us" in entry["sources"], key


def test_errors():
    with pytest.raises(ModelError, match="unknown link preset"):
        AlphaBetaModel.from_preset("carrier-pigeon")
    with pytest.raises(ModelError, match="algorithm"):
        AlphaBetaModel(1e9, algorithm="butterfly")
