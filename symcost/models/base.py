"""The shared interface of cost models, element sizes and preset files.

A matmul cost model is any object with ``get_time(m, k, n)``: seconds for an
``[m, k] x [k, n]`` product, vectorised over numpy arrays (broadcasting like numpy) and
non-decreasing in each argument. A model may also offer ``symbolic(m, k, n)``: the same
value as a sympy expression with exact rational constants, which crossovers use to solve
for ``B`` exactly; models without it (measured tables) get bracketed crossovers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import sympy
import yaml

from symcost.core.errors import SymcostError


class ModelError(SymcostError):
    """A cost model or preset cannot be built or applied (unknown preset, bad table...)."""


#: Bytes per element of each data type name accepted by ``--dtype``.
DTYPE_BYTES: dict[str, int] = {
    "fp64": 8, "fp32": 4, "tf32": 4, "bf16": 2, "fp16": 2, "fp8": 1,
}
_DTYPE_ALIASES = {
    "float64": "fp64", "double": "fp64", "float32": "fp32", "float": "fp32",
    "f64": "fp64", "f32": "fp32", "f16": "fp16",
    "bfloat16": "bf16", "float16": "fp16", "half": "fp16", "float8": "fp8",
    "e4m3": "fp8", "e5m2": "fp8", "fp8_e4m3": "fp8", "fp8_e5m2": "fp8",
}


def normalize_dtype(dtype: str) -> str:
    """The canonical dtype name (``bf16``, ``fp32``...) for ``dtype``; ModelError if unknown."""
    key = str(dtype).strip().lower().replace("-", "_")
    key = _DTYPE_ALIASES.get(key, key)
    if key not in DTYPE_BYTES:
        raise ModelError(f"unknown dtype {dtype!r}; known: {', '.join(DTYPE_BYTES)}")
    return key


def dtype_bytes(dtype: str) -> int:
    """Bytes per element of ``dtype`` (fp32 4, bf16/fp16 2, fp8 1...)."""
    return DTYPE_BYTES[normalize_dtype(dtype)]


def as_float_array(x: Any) -> np.ndarray:
    """``x`` as a float64 array (ints become floats so that products cannot overflow)."""
    return np.asarray(x, dtype=np.float64)


def exact(x: float | int) -> sympy.Rational:
    """The rational number written by ``x``'s shortest decimal form (0.1 -> 1/10)."""
    return sympy.Rational(repr(float(x))) if not isinstance(x, int) else sympy.Integer(x)


class CostModel(ABC):
    """A model of ``Get_Time(m, k, n)``: seconds per ``[m, k] x [k, n]`` product."""

    #: Short name used in reports (``"roofline h100 bf16"``).
    name: str = "model"

    @abstractmethod
    def get_time(self, m: Any, k: Any, n: Any) -> np.ndarray:
        """Seconds for each ``(m, k, n)`` (numpy broadcasting); non-decreasing in each."""

    def symbolic(self, m: sympy.Expr, k: sympy.Expr, n: sympy.Expr) -> sympy.Expr | None:
        """The same time as an exact sympy expression, or None when there is none."""
        return None

    def describe(self) -> dict[str, Any]:
        """The model's parameters as a plain dict (for JSON output and reports)."""
        return {"model": self.name}


@cache
def _load_presets(filename: str) -> dict[str, dict[str, Any]]:
    text = resources.files("symcost").joinpath("data", filename).read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    presets = data.get("presets")
    if not isinstance(presets, dict):
        raise ModelError(f"preset file {filename} has no 'presets' mapping")
    return presets


def find_preset(filename: str, key: str) -> tuple[str, dict[str, Any]]:
    """``(canonical key, entry)`` of the preset called ``key`` (or an alias) in ``filename``."""
    presets = _load_presets(filename)
    want = str(key).strip().lower().replace("-", "_")
    for name, entry in presets.items():
        names = [name] + [str(a) for a in entry.get("aliases", [])]
        if want in {n.lower().replace("-", "_") for n in names}:
            return name, entry
    what = "hardware" if filename.startswith("hardware") else "link"
    raise ModelError(f"unknown {what} preset {key!r}; known: {', '.join(presets)}")


def preset_names(filename: str) -> list[str]:
    """The canonical keys of the presets in ``filename``."""
    return list(_load_presets(filename))
