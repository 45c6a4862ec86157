"""Measured GEMM times: a CSV table ``m,k,n,seconds[,dtype]`` and its interpolation.

Interpolation (documented contract)
-----------------------------------
* The measured shapes must form a full grid: every combination of the distinct ``m``,
  ``k`` and ``n`` values of the file (for the chosen dtype) has a row. Repeated rows of
  one shape are averaged.
* Inside the grid the time is multilinear in ``(log m, log k, log n)``: linear in the
  logarithm of each dimension between the two nearest measured values. Measured shapes
  are reproduced exactly.
* Below the smallest measured value of a dimension the time stays at that value's time
  (small GEMMs are latency bound). Above the largest it grows in proportion to the
  dimension (``t(m) = t(m_max) * m / m_max``: throughput stays at the largest measured).
* The result is non-decreasing in each dimension as long as the measurements are. When
  they are not (noise), each grid value is first raised to the largest value measured at
  a shape that is smaller or equal in every dimension (the least monotone majorant);
  ``adjusted`` counts the raised points, and a warning names them. Then sample points
  are reproduced exactly only where they were already monotone.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import numpy as np

from symcost.core.errors import InputError
from symcost.core.limits import MAX_SIZE, check_time
from symcost.models.base import CostModel, ModelError, as_float_array, normalize_dtype

_REQUIRED = ("m", "k", "n", "seconds")
#: Largest measured table read (bytes).
MAX_TABLE_BYTES = 64 << 20


def read_table(path: str | os.PathLike[str]) -> list[tuple[float, float, float, float, str | None]]:
    """Rows ``(m, k, n, seconds, dtype-or-None)`` of a measured CSV; ModelError if bad."""
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"{path}: no such file")
    if p.stat().st_size > MAX_TABLE_BYTES:
        raise ModelError(f"{path}: file larger than the {MAX_TABLE_BYTES} byte limit")
    try:
        return _read_rows(p, str(path))
    except csv.Error as err:  # a field over the csv module's limit, a NUL byte...
        raise ModelError(f"{path}: not a readable CSV table ({err})") from None
    except UnicodeDecodeError as err:
        raise ModelError(f"{path}: not UTF-8 text (byte {err.start})") from None
    except InputError as err:  # a number out of the limits (symcost.core.limits)
        raise ModelError(f"{path}: {err.message}") from None


def _read_rows(p: Path, path: str) -> list[tuple[float, float, float, float, str | None]]:
    rows = []
    with p.open(newline="", encoding="utf-8") as fh:
        lines = (ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#"))
        reader = csv.DictReader(lines)
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        missing = [f for f in _REQUIRED if f not in fields]
        if missing:
            raise ModelError(f"{path}: header must name m,k,n,seconds[,dtype]; missing "
                             f"{', '.join(missing)}")
        reader.fieldnames = fields
        for i, row in enumerate(reader, start=2):
            try:
                m, k, n, t = (float(row[f]) for f in _REQUIRED)
            except (TypeError, ValueError):
                raise ModelError(f"{path}: data row {i - 1}: m, k, n and seconds must be "
                                 "numbers") from None
            if min(m, k, n) <= 0 or not t >= 0 or not np.isfinite([m, k, n, t]).all():
                raise ModelError(f"{path}: data row {i - 1}: dimensions must be > 0 and "
                                 "seconds >= 0")
            if max(m, k, n) >= MAX_SIZE:  # validated where read (symcost.core.limits)
                raise ModelError(f"{path}: data row {i - 1}: dimensions must be below 2**63")
            check_time(t, f"data row {i - 1}: seconds")
            dt = row.get("dtype")
            rows.append((m, k, n, t, normalize_dtype(dt) if dt and dt.strip() else None))
    if not rows:
        raise ModelError(f"{path}: no data rows")
    return rows


class TableModel(CostModel):
    """``Get_Time`` interpolated from measured times on a full ``m x k x n`` grid.

    Parameters
    ----------
    points : rows ``(m, k, n, seconds)``.
    name : label for reports.

    Examples
    --------
    >>> t = TableModel([(1, 1, 1, 1.0), (4, 1, 1, 3.0)])
    >>> float(t.get_time(2, 1, 1))  # halfway in log m
    2.0
    """

    def __init__(self, points: list[tuple[float, float, float, float]], *,
                 name: str = "table", dtype: str | None = None) -> None:
        if not points:
            raise ModelError("a measured table needs at least one row")
        arr = np.asarray(points, dtype=np.float64)
        self.name = name
        self.dtype = dtype
        self.axes = [np.unique(arr[:, j]) for j in range(3)]
        shape = tuple(len(a) for a in self.axes)
        if shape[0] * shape[1] * shape[2] > len(arr):  # cannot be full: refuse before allocating
            raise ModelError(f"measured table is not a full m x k x n grid: "
                             f"{shape[0]} x {shape[1]} x {shape[2]} shapes, {len(arr)} rows")
        idx = [np.searchsorted(self.axes[j], arr[:, j]) for j in range(3)]
        total = np.zeros(shape)
        count = np.zeros(shape)
        np.add.at(total, tuple(idx), arr[:, 3])
        np.add.at(count, tuple(idx), 1)
        if (count == 0).any():
            miss = np.argwhere(count == 0)
            first = tuple(float(self.axes[j][miss[0][j]]) for j in range(3))
            raise ModelError(f"measured table is not a full m x k x n grid: {len(miss)} "
                             f"of {count.size} shapes missing, e.g. m,k,n = "
                             f"{', '.join(f'{v:g}' for v in first)}")
        grid = total / count
        mono = grid
        for ax in range(3):
            mono = np.maximum.accumulate(mono, axis=ax)
        self.adjusted = int((mono > grid).sum())
        self.adjusted_points = [tuple(float(self.axes[j][i[j]]) for j in range(3))
                                for i in np.argwhere(mono > grid)[:10]]
        self.grid = mono
        self.samples = len(points)
        self._log_axes = [np.log(a) for a in self.axes]

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], *, dtype: str | None = None) -> TableModel:
        """Read a CSV; with a dtype column, keep the rows of ``dtype`` (required if mixed)."""
        rows = read_table(path)
        dtypes = sorted({r[4] for r in rows if r[4] is not None})
        chosen = normalize_dtype(dtype) if dtype else None
        if dtypes:
            if chosen is None:
                if len(dtypes) > 1:
                    raise ModelError(f"{path}: table has dtypes {', '.join(dtypes)}; "
                                     "choose one with --dtype")
                chosen = dtypes[0]
            rows = [r for r in rows if r[4] in (chosen, None)]
            if not rows:
                raise ModelError(f"{path}: no rows for dtype {chosen}; table has "
                                 f"{', '.join(dtypes)}")
        try:
            return cls([r[:4] for r in rows], name=f"table {Path(path).name}"
                       + (f" {chosen}" if chosen else ""), dtype=chosen)
        except ModelError as err:
            raise ModelError(f"{path}: {err.message}") from None

    def get_time(self, m: Any, k: Any, n: Any) -> np.ndarray:
        coords = np.broadcast_arrays(as_float_array(m), as_float_array(k), as_float_array(n))
        lo_idx, hi_idx, weights = [], [], []
        factor = np.ones(coords[0].shape)
        for j, x in enumerate(coords):
            axis, logs = self.axes[j], self._log_axes[j]
            if len(axis) == 1:
                i0 = np.zeros(x.shape, dtype=np.intp)
                lo_idx.append(i0)
                hi_idx.append(i0)
                weights.append(np.zeros(x.shape))
            else:
                lx = np.log(np.clip(x, axis[0], axis[-1]))
                i0 = np.clip(np.searchsorted(logs, lx, side="right") - 1, 0, len(axis) - 2)
                w = (lx - logs[i0]) / (logs[i0 + 1] - logs[i0])
                lo_idx.append(i0)
                hi_idx.append(i0 + 1)
                weights.append(np.clip(w, 0.0, 1.0))
            factor = factor * np.maximum(1.0, x / axis[-1])
        out = np.zeros(coords[0].shape)
        for corner in range(8):
            idx = []
            wt = np.ones(coords[0].shape)
            for j in range(3):
                if corner >> j & 1:
                    idx.append(hi_idx[j])
                    wt = wt * weights[j]
                else:
                    idx.append(lo_idx[j])
                    wt = wt * (1.0 - weights[j])
            out = out + wt * self.grid[tuple(idx)]
        return out * factor

    def describe(self) -> dict[str, Any]:
        return {"model": "table", "name": self.name, "dtype": self.dtype,
                "samples": self.samples, "grid": [len(a) for a in self.axes],
                "adjusted_points": self.adjusted,
                "interpolation": "multilinear in log(m), log(k), log(n); constant below "
                                 "the grid, proportional above it"}
