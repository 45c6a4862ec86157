"""Measured GEMM times: a CSV table ``m,k,n,seconds[,dtype][,batch]`` and its interpolation.

Interpolation (documented contract)
-----------------------------------
* Time is interpolated in ``log t`` over ``(log m, log k, log n)``
  (:mod:`symcost.models.interpolate`): exact at the measured shapes and exact for power
  laws ``t = c m^a k^b n^g``. Repeated rows of one shape are averaged.
* When the shapes form a full grid (every combination of the distinct ``m``, ``k`` and
  ``n`` values has a row), a tensor-product monotone cubic (PCHIP) in log-log space.
  Before that, each grid value is raised to the largest value measured at a shape that
  is smaller or equal in every dimension (the least monotone majorant), so the result is
  non-decreasing in each dimension; ``adjusted`` counts the raised points, and a warning
  names them. Sample points are reproduced exactly where they were already monotone.
* Otherwise (scattered measurements) piecewise linear in log-log space on a Delaunay
  triangulation of the measured points (memory linear in the rows, no dense grid);
  outside their convex hull, the nearest measured point, constant below it and
  proportional above it. Monotone only as far as the measurements are.
* Below the smallest measured value of a dimension the time stays at that value's time
  (small GEMMs are latency bound). Above the largest it grows in proportion to the
  dimension (``t(m) = t(m_max) * m / m_max``: throughput stays at the largest measured).
* A ``batch`` column (batched matmuls, as in OpenXLA's tables): only ``batch == 1`` rows
  are plain GEMMs ``[m, k] x [k, n]``; the others are dropped (``dropped_batched``).
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
from symcost.models.interpolate import TINY_SECONDS, GridInterpolator, ScatteredInterpolator

_REQUIRED = ("m", "k", "n", "seconds")
#: Largest measured table read (bytes).
MAX_TABLE_BYTES = 64 << 20

#: Measured tables shipped in ``symcost/data`` (``--table NAME``), with their source.
BUNDLED_TABLES: dict[str, tuple[str, str]] = {
    "h100-openxla": ("h100_matmul_openxla.csv",
                     "OpenXLA default matmul performance table for H100 (sm_90), "
                     "Apache-2.0, converted to seconds"),
}


def resolve_table(name: str | os.PathLike[str]) -> Path:
    """The CSV file for ``name``: an existing path, else a bundled table's name."""
    p = Path(name)
    if p.is_file():
        return p
    key = str(name).strip().lower().replace("_", "-")
    if key in BUNDLED_TABLES:
        from importlib import resources

        return Path(str(resources.files("symcost").joinpath("data",
                                                            BUNDLED_TABLES[key][0])))
    return p


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


def read_batch_column(path: str | os.PathLike[str]) -> list[float] | None:
    """The ``batch`` value of each data row of a CSV (in :func:`read_table`'s order).

    None when the file has no ``batch`` column; ModelError on a value that is not a
    positive number. Kept apart from :func:`read_table` so that its signature stays.
    """
    with Path(path).open(newline="", encoding="utf-8") as fh:
        lines = (ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#"))
        reader = csv.DictReader(lines)
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "batch" not in fields:
            return None
        reader.fieldnames = fields
        out = []
        for i, row in enumerate(reader, start=1):
            try:
                b = float(row["batch"])
            except (TypeError, ValueError):
                raise ModelError(f"{path}: data row {i}: batch must be a number") from None
            if not (np.isfinite(b) and b >= 1):
                raise ModelError(f"{path}: data row {i}: batch must be >= 1")
            out.append(b)
    return out


class TableModel(CostModel):
    """``Get_Time`` interpolated in log time from measured ``(m, k, n, seconds)`` rows.

    Parameters
    ----------
    points : rows ``(m, k, n, seconds)``.
    name : label for reports.

    Examples
    --------
    >>> t = TableModel([(1, 1, 1, 1.0), (4, 1, 1, 3.0)])
    >>> round(float(t.get_time(2, 1, 1)), 6)  # halfway in log m: sqrt(1 * 3)
    1.732051
    """

    def __init__(self, points: list[tuple[float, float, float, float]], *,
                 name: str = "table", dtype: str | None = None) -> None:
        if not points:
            raise ModelError("a measured table needs at least one row")
        arr = np.asarray(points, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != 4:
            raise ModelError("measured table rows must be (m, k, n, seconds)")
        self.name = name
        self.dtype = dtype
        self.samples = len(points)
        self.dropped_batched = 0
        self.adjusted = 0
        self.adjusted_points: list[tuple[float, float, float]] = []
        # average repeated shapes (sparse: one entry per distinct shape)
        shapes, inverse = np.unique(arr[:, :3], axis=0, return_inverse=True)
        inverse = inverse.ravel()
        times = np.bincount(inverse, weights=arr[:, 3]) / np.bincount(inverse)
        self.axes = [np.unique(shapes[:, j]) for j in range(3)]
        self.lower = np.array([a[0] for a in self.axes])
        self.upper = np.array([a[-1] for a in self.axes])
        grid_size = int(np.prod([len(a) for a in self.axes], dtype=np.float64))
        self.full_grid = grid_size == len(shapes)
        if self.full_grid:
            idx = tuple(np.searchsorted(self.axes[j], shapes[:, j]) for j in range(3))
            grid = np.zeros(tuple(len(a) for a in self.axes))
            grid[idx] = times
            mono = grid
            for ax in range(3):
                mono = np.maximum.accumulate(mono, axis=ax)
            self.adjusted = int((mono > grid).sum())
            self.adjusted_points = [tuple(float(self.axes[j][i[j]]) for j in range(3))
                                    for i in np.argwhere(mono > grid)[:10]]
            self._grid = mono
            self._interp = GridInterpolator([np.log(a) for a in self.axes],
                                            np.log(np.maximum(mono, TINY_SECONDS)))
        else:
            self._grid = None
            self._shapes, self._times = shapes, times
            self._interp = ScatteredInterpolator(np.log(shapes),
                                                 np.log(np.maximum(times, TINY_SECONDS)))

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], *, dtype: str | None = None) -> TableModel:
        """Read a CSV (or a bundled table by name, see :data:`BUNDLED_TABLES`).

        With a dtype column, keep the rows of ``dtype`` (required if mixed); with a batch
        column, keep the ``batch == 1`` rows.
        """
        path = resolve_table(path)
        rows = read_table(path)
        batches = read_batch_column(path)
        dropped = 0
        if batches is not None:
            kept = [r for r, b in zip(rows, batches) if b == 1]
            dropped = len(rows) - len(kept)
            if not kept:
                raise ModelError(f"{path}: no batch = 1 rows (batched matmuls are not "
                                 "plain GEMMs)")
            rows = kept
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
            model = cls([r[:4] for r in rows], name=f"table {Path(path).name}"
                        + (f" {chosen}" if chosen else ""), dtype=chosen)
        except ModelError as err:
            raise ModelError(f"{path}: {err.message}") from None
        model.dropped_batched = dropped
        return model

    def get_time(self, m: Any, k: Any, n: Any) -> np.ndarray:
        coords = np.broadcast_arrays(as_float_array(m), as_float_array(k), as_float_array(n))
        logs, factor = [], np.ones(coords[0].shape)
        for j, x in enumerate(coords):
            logs.append(np.log(np.clip(x, self.lower[j], self.upper[j])))
            factor = factor * np.maximum(1.0, x / self.upper[j])
        out = np.array(np.exp(self._interp(*logs)), dtype=np.float64)
        self._restore_samples(coords, out)
        return out * factor

    def _restore_samples(self, coords: list[np.ndarray], out: np.ndarray) -> None:
        """Put the stored time back where a point is a sample (exp(log t) rounds)."""
        clipped = [np.clip(x, self.lower[j], self.upper[j]) for j, x in enumerate(coords)]
        if self._grid is not None:
            idx, hit = [], np.ones(out.shape, dtype=bool)
            for j, x in enumerate(clipped):
                i = np.clip(np.searchsorted(self.axes[j], x), 0, len(self.axes[j]) - 1)
                hit &= self.axes[j][i] == x
                idx.append(i)
            out[hit] = self._grid[tuple(i[hit] for i in idx)]
            return
        q = np.stack([c.ravel() for c in clipped], axis=1)
        dist, near = self._interp.tree.query(np.log(q))
        flat = out.reshape(-1)
        exact_hit = (dist == 0) & np.all(self._shapes[near] == q, axis=1)
        flat[exact_hit] = self._times[near[exact_hit]]

    def describe(self) -> dict[str, Any]:
        return {"model": "table", "name": self.name, "dtype": self.dtype,
                "samples": self.samples,
                "grid": [len(a) for a in self.axes] if self.full_grid else None,
                "adjusted_points": self.adjusted,
                "dropped_batched_rows": self.dropped_batched,
                "interpolation": ("monotone cubic (PCHIP) in log t over log(m), log(k), "
                                  "log(n) on the full grid" if self.full_grid else
                                  "piecewise linear in log t over log(m), log(k), log(n) "
                                  "on a Delaunay triangulation of scattered shapes")
                                 + "; constant below the measured range, proportional "
                                   "above it"}
