"""Concrete cost models: roofline and measured-table ``Get_Time``, alpha-beta communication,
evaluation over batch sizes, crossovers and deployment comparison.

Models are classes with one small interface (``CostModel.get_time``, vectorised over
numpy arrays); hardware and link presets are YAML data in ``symcost/data``.
May import: core, algebra, labels, ops, read, solve.
"""

from __future__ import annotations

from symcost.models.base import (
    DTYPE_BYTES,
    CostModel,
    ModelError,
    dtype_bytes,
    normalize_dtype,
    preset_names,
)
from symcost.models.comm import AlphaBetaModel
from symcost.models.machine import Machine
from symcost.models.roofline import RooflineModel
from symcost.models.table import TableModel


def hardware_presets() -> list[str]:
    """Names of the hardware presets (``h100``, ``h200``, ``a100``, ``b200``, ``mi300x``)."""
    return preset_names("hardware.yaml")


def link_presets() -> list[str]:
    """Names of the link presets (``nvlink4``, ``nvlink5``, ``pcie5``, ``ib_ndr``...)."""
    return preset_names("links.yaml")


__all__ = ["CostModel", "ModelError", "RooflineModel", "TableModel", "AlphaBetaModel",
           "Machine", "DTYPE_BYTES", "dtype_bytes", "normalize_dtype", "hardware_presets",
           "link_presets"]
