"""Roofline model of a matrix multiplication.

``Get_Time(m, k, n) = max(2 m k n / (peak * eff), bytes * (m k + k n + m n) / (bw * eff))
+ launch_overhead``: the larger of the compute time at peak FLOP/s and the time to move
both operands and the result through memory once, each at efficiency ``eff``, plus a
fixed per-kernel overhead. ``bytes`` is the element size of the dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from symcost.models.base import (
    CostModel,
    ModelError,
    as_float_array,
    dtype_bytes,
    exact,
    find_preset,
)
from symcost.models.base import normalize_dtype as _dtype


class RooflineModel(CostModel):
    """Roofline ``Get_Time`` with explicit parameters (SI units: FLOP/s, bytes/s, s).

    Parameters
    ----------
    peak_flops : peak dense FLOP/s for the dtype.
    bandwidth : memory bandwidth in bytes/s.
    dtype : element type (``bf16``, ``fp32``...), which sets the element size.
    efficiency : fraction of both peaks reached (0 < eff <= 1; default 1, the bound).
    launch_overhead : seconds added to every matmul (default 0).

    Examples
    --------
    >>> m = RooflineModel(1e12, 1e12, dtype="fp32")
    >>> float(m.get_time(1000, 1000, 1000))  # 2e9 FLOP at 1e12 FLOP/s
    0.002
    """

    def __init__(self, peak_flops: float, bandwidth: float, *, dtype: str = "bf16",
                 efficiency: float = 1.0, launch_overhead: float = 0.0,
                 name: str = "roofline") -> None:
        if not peak_flops > 0 or not bandwidth > 0:
            raise ModelError("roofline peak FLOP/s and bandwidth must be positive")
        if not 0 < efficiency <= 1:
            raise ModelError(f"efficiency must be in (0, 1], got {efficiency}")
        if not launch_overhead >= 0:
            raise ModelError(f"launch overhead must be >= 0, got {launch_overhead}")
        self.peak_flops = float(peak_flops)
        self.bandwidth = float(bandwidth)
        self.dtype = _dtype(dtype)
        self.bytes = dtype_bytes(self.dtype)
        self.efficiency = float(efficiency)
        self.launch_overhead = float(launch_overhead)
        self.name = name

    @classmethod
    def from_preset(cls, hw: str, *, dtype: str = "bf16", efficiency: float | None = None,
                    launch_overhead: float | None = None) -> RooflineModel:
        """The model for hardware preset ``hw`` (see ``symcost/data/hardware.yaml``).

        With neither ``efficiency`` nor ``launch_overhead`` given, the preset's
        calibration for ``dtype`` is used when it has one (else the datasheet bound:
        efficiency 1, no launch term); giving either one uses the given values only.
        """
        key, entry = find_preset("hardware.yaml", hw)
        dt = _dtype(dtype)
        peaks = entry.get("peak_tflops", {})
        if dt not in peaks:
            raise ModelError(f"hardware preset {key!r} has no {dt} peak; it has "
                             f"{', '.join(peaks)}")
        calibrated = None
        if efficiency is None and launch_overhead is None:
            calibrated = (entry.get("calibration") or {}).get(dt)
        if calibrated:
            efficiency = float(calibrated["efficiency"])
            launch_overhead = float(calibrated["launch_overhead_us"]) * 1e-6
        efficiency = 1.0 if efficiency is None else efficiency
        launch_overhead = 0.0 if launch_overhead is None else launch_overhead
        model = cls(float(peaks[dt]) * 1e12, float(entry["memory_bandwidth_tbps"]) * 1e12,
                    dtype=dt, efficiency=efficiency, launch_overhead=launch_overhead,
                    name=f"roofline {key} {dt}")
        model.preset = key
        model.preset_entry = entry
        model.calibration = calibrated.get("source") if calibrated else None
        return model

    def get_time(self, m: Any, k: Any, n: Any) -> np.ndarray:
        m, k, n = as_float_array(m), as_float_array(k), as_float_array(n)
        compute = 2.0 * m * k * n / (self.peak_flops * self.efficiency)
        memory = self.bytes * (m * k + k * n + m * n) / (self.bandwidth * self.efficiency)
        return np.maximum(compute, memory) + self.launch_overhead

    def symbolic(self, m: sympy.Expr, k: sympy.Expr, n: sympy.Expr) -> sympy.Expr:
        eff = exact(self.efficiency)
        compute = 2 * m * k * n / (exact(self.peak_flops) * eff)
        memory = self.bytes * (m * k + k * n + m * n) / (exact(self.bandwidth) * eff)
        return sympy.Max(compute, memory) + exact(self.launch_overhead)

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "model": "roofline", "name": self.name, "dtype": self.dtype,
            "peak_flops": self.peak_flops, "bandwidth_bytes_per_s": self.bandwidth,
            "bytes_per_element": self.bytes, "efficiency": self.efficiency,
            "launch_overhead_s": self.launch_overhead,
        }
        if getattr(self, "preset", None):
            d["preset"] = self.preset
            d["hardware"] = self.preset_entry.get("name", self.preset)
            d["calibration"] = getattr(self, "calibration", None)
        return d
