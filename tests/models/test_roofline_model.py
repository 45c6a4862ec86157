"""Roofline values against hand computation for a few shapes per preset."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symcost.core.symbols import B
from symcost.models import ModelError, RooflineModel, hardware_presets
from symcost.models.base import dtype_bytes, normalize_dtype

# preset -> (dense bf16 FLOP/s, bytes/s) written out by hand from the datasheets
HAND = {
    "h100": (989.5e12, 3.35e12),
    "h200": (989.5e12, 4.8e12),
    "a100": (312e12, 2.039e12),
    "b200": (2250e12, 8e12),
    "mi300x": (1307.4e12, 5.3e12),
}
SHAPES = [(1, 4096, 4096), (2048, 4096, 512), (8192, 128, 2048), (65536, 16384, 4096)]


def hand_time(m, k, n, peak, bw, nbytes=2, eff=1.0, overhead=0.0):
    compute = 2 * m * k * n / (peak * eff)
    memory = nbytes * (m * k + k * n + m * n) / (bw * eff)
    return max(compute, memory) + overhead


def test_every_required_preset_is_present():
    assert {"h100", "h200", "a100", "b200", "mi300x"} <= set(hardware_presets())


@pytest.mark.parametrize("hw", sorted(HAND))
@pytest.mark.parametrize("shape", SHAPES)
def test_preset_matches_hand_computation(hw, shape):
    peak, bw = HAND[hw]
    model = RooflineModel.from_preset(hw, dtype="bf16", efficiency=1.0)
    assert float(model.get_time(*shape)) == pytest.approx(hand_time(*shape, peak, bw),
                                                         rel=1e-12)


def test_small_gemm_is_memory_bound_and_big_is_compute_bound():
    m = RooflineModel.from_preset("h100", efficiency=1.0)  # datasheet bound
    # [1, 4096] x [4096, 4096]: 2*16.8M bytes moved dominate 33.5 MFLOP
    assert float(m.get_time(1, 4096, 4096)) == pytest.approx(
        2 * (4096 + 4096 * 4096 + 4096) / 3.35e12)
    assert float(m.get_time(65536, 16384, 4096)) == pytest.approx(
        2 * 65536 * 16384 * 4096 / 989.5e12)


def test_efficiency_overhead_and_dtype():
    m = RooflineModel(1e12, 1e11, dtype="fp32", efficiency=0.5, launch_overhead=1e-6)
    assert float(m.get_time(10, 10, 10)) == pytest.approx(
        hand_time(10, 10, 10, 1e12, 1e11, nbytes=4, eff=0.5, overhead=1e-6))
    assert dtype_bytes("bf16") == 2 and dtype_bytes("fp8") == 1 and dtype_bytes("fp32") == 4
    assert normalize_dtype("bfloat16") == "bf16"


def test_vectorised_and_no_integer_overflow():
    m = RooflineModel.from_preset("h100", efficiency=1.0)  # datasheet bound
    ms = np.array([2048, 2048 * 4096, 2**40], dtype=np.int64)
    got = m.get_time(ms, 16384, 16384)
    want = [hand_time(float(x), 16384, 16384, 989.5e12, 3.35e12) for x in ms]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.all(np.diff(got) > 0)


def test_symbolic_form_agrees_with_numeric():
    m = RooflineModel.from_preset("a100", launch_overhead=2e-6)
    expr = m.symbolic(2048 * B, 4096, 512)
    for b in (1, 3, 100):
        assert float(expr.subs(B, b)) == pytest.approx(float(m.get_time(2048 * b, 4096, 512)))
    assert all(isinstance(x, sympy.Rational) for x in expr.atoms(sympy.Number))


def test_errors():
    with pytest.raises(ModelError, match="no fp8 peak"):
        RooflineModel.from_preset("a100", dtype="fp8")
    with pytest.raises(ModelError, match="unknown hardware preset"):
        RooflineModel.from_preset("tpu-v9")
    with pytest.raises(ModelError, match="unknown dtype"):
        RooflineModel.from_preset("h100", dtype="int3")
    with pytest.raises(ModelError, match="efficiency"):
        RooflineModel(1e12, 1e12, efficiency=0)


def test_aliases_resolve():
    assert RooflineModel.from_preset("H100-SXM").preset == "h100"


def test_every_preset_number_is_cited():
    from symcost.models.base import _load_presets

    for key, entry in _load_presets("hardware.yaml").items():
        src = entry["sources"]
        assert src.get("document"), key
        for field in ("memory_gb", "memory_bandwidth_tbps"):
            assert field in src, (key, field)
        for dt in entry["peak_tflops"]:
            assert dt in src, (key, dt)


def test_calibrated_default_and_explicit_bound():
    """No --efficiency/--launch-overhead: the preset's calibration; either one: as given."""
    cal = RooflineModel.from_preset("h100")
    assert cal.efficiency == 0.77 and cal.launch_overhead == pytest.approx(6e-6)
    assert "OpenXLA" in cal.describe()["calibration"]
    # hand: compute bound big GEMM at 77% of 989.5 TFLOP/s, plus 6 us
    assert float(cal.get_time(8192, 8192, 8192)) == pytest.approx(
        2 * 8192**3 / (0.77 * 989.5e12) + 6e-6)
    bound = RooflineModel.from_preset("h100", launch_overhead=0.0)
    assert bound.efficiency == 1.0 and bound.describe()["calibration"] is None
    # a dtype without calibration is the datasheet bound
    assert RooflineModel.from_preset("h100", dtype="fp8").efficiency == 1.0
    assert RooflineModel.from_preset("a100").efficiency == 1.0
