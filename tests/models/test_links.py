"""Two link classes: groups within a node use NVLink, larger ones the node link."""

from __future__ import annotations

import pytest
import sympy

from symcost.core.symbols import AllReduce, AllToAll
from symcost.models import Machine, ModelError
from symcost.models.comm import AlphaBetaModel
from symcost.models.links import TwoLevelLinkModel

NV, IB = (450e9, 2e-6), (50e9, 5e-6)   # links.yaml: nvlink4 and ib_ndr


def ring_allreduce(n, p, bw, alpha, nbytes=2):
    return 2 * (p - 1) / p * n * nbytes / bw + 2 * (p - 1) * alpha


@pytest.mark.parametrize("p", [2, 8, 9, 16, 64])
def test_group_size_picks_the_link_class(p):
    m = Machine.from_options(hw="h100", gpus_per_node=8)
    f = m.functions()["AllReduce"]
    bw, alpha = NV if p <= 8 else IB
    assert float(f(1e8, p)) == pytest.approx(ring_allreduce(1e8, p, bw, alpha), rel=1e-12)
    exact = m.symbolic(AllReduce(10**8, p))
    assert float(exact) == pytest.approx(ring_allreduce(1e8, p, bw, alpha), rel=1e-12)
    assert "within 8 GPUs" in m.label


def test_monotone_across_the_node_boundary_and_refusals():
    two = TwoLevelLinkModel(AlphaBetaModel.from_preset("nvlink4"),
                            AlphaBetaModel.from_preset("ib_ndr"), gpus_per_node=4)
    vals = [float(two.time("AllToAll", 1e7, p)) for p in range(1, 17)]
    assert vals == sorted(vals)
    with pytest.raises(ModelError, match="must not be faster"):
        TwoLevelLinkModel(AlphaBetaModel.from_preset("ib_ndr"),
                          AlphaBetaModel.from_preset("nvlink4"), gpus_per_node=8)
    with pytest.raises(ModelError, match="node-link"):
        Machine.from_options(hw="a100", gpus_per_node=8)
    with pytest.raises(ModelError, match="numeric group size"):
        two.symbolic("AllToAll", 10, sympy.Symbol("p"))
    assert Machine.from_options(hw="h100").symbolic(AllToAll(10, 16)) is not None
