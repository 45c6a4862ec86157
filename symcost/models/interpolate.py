"""Interpolation of measured GEMM times in log time over log m, log k, log n.

Two interpolators share one contract: ``__call__(log_m, log_k, log_n) -> log_t`` on
numpy arrays (broadcast to one shape), exact at the measured shapes, and exact for
power laws ``t = c * m^a * k^b * n^g`` (log t is then linear in the log dimensions, and
both schemes reproduce linear functions).

* :class:`GridInterpolator` (the measurements form a full ``m x k x n`` grid): a
  tensor product of monotone piecewise-cubic Hermite interpolants (PCHIP,
  Fritsch-Carlson slopes) in log t over each log dimension, applied one axis after the
  other on the 4 x 4 x 4 stencil around the point. PCHIP preserves monotonicity along
  each axis; the table first raises the grid to its least monotone majorant.
* :class:`ScatteredInterpolator` (any set of shapes): piecewise linear in log t on a
  Delaunay triangulation of the measured points in log space (memory linear in the
  number of rows, never a dense grid); outside the convex hull of the measurements the
  nearest measured point's time, constant below it and proportional above it in each
  dimension. Monotonicity then holds only as far as the measurements are monotone and
  the triangulation follows them.

Both work on points inside the measured box; the table applies its extrapolation rules
(constant below the smallest measured value, proportional above the largest) around them.
"""

from __future__ import annotations

import numpy as np

#: Smallest time used in logarithms (a measured 0 s would otherwise be log 0 = -inf).
TINY_SECONDS = 1e-300


def _pchip_inner_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """PCHIP (Fritsch-Carlson) slope at the middle node of each 3-node stencil.

    ``x`` has shape ``(P, 3)``, ``y`` shape ``(P, 3, ...)``: a weighted harmonic mean of
    the two neighbouring secants, 0 where they differ in sign (a local extremum).
    """
    extra = (slice(None),) + (None,) * (y.ndim - 2)
    h0 = (x[:, 1] - x[:, 0])[extra]
    h1 = (x[:, 2] - x[:, 1])[extra]
    d0 = (y[:, 1] - y[:, 0]) / h0
    d1 = (y[:, 2] - y[:, 1]) / h1
    w1 = 2 * h1 + h0
    w2 = h1 + 2 * h0
    same = (d0 * d1) > 0
    return np.where(same, (w1 + w2) / (w1 / np.where(same, d0, 1.0)
                                       + w2 / np.where(same, d1, 1.0)), 0.0)


def _end_slope(h0: np.ndarray, h1: np.ndarray, d0: np.ndarray, d1: np.ndarray) -> np.ndarray:
    """Shape-preserving three-point end slope (as scipy's PchipInterpolator)."""
    d = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
    d = np.where(np.sign(d) != np.sign(d0), 0.0, d)
    return np.where((np.sign(d0) != np.sign(d1)) & (np.abs(d) > np.abs(3 * d0)), 3 * d0, d)


class GridInterpolator:
    """Log-log PCHIP on a full grid ``log_axes`` x ``log_values`` (see module doc)."""

    def __init__(self, log_axes: list[np.ndarray], log_values: np.ndarray) -> None:
        self.log_axes = [np.asarray(a, dtype=np.float64) for a in log_axes]
        self.values = np.asarray(log_values, dtype=np.float64)

    def __call__(self, lm: np.ndarray, lk: np.ndarray, ln: np.ndarray) -> np.ndarray:
        coords = np.broadcast_arrays(*(np.asarray(c, dtype=np.float64) for c in (lm, lk, ln)))
        shape = coords[0].shape
        flat = [c.ravel() for c in coords]
        p = flat[0].size
        # gather the 4x4x4 stencil around each point: indices i0-1 .. i0+2, clipped
        cells, stencils = [], []
        for j in range(3):
            ax = self.log_axes[j]
            n = len(ax)
            if n == 1:
                i0 = np.zeros(p, dtype=np.intp)
            else:
                i0 = np.clip(np.searchsorted(ax, flat[j], side="right") - 1, 0, n - 2)
            cells.append(i0)
            stencils.append(np.clip(i0[:, None] + np.arange(-1, 3)[None, :], 0, n - 1))
        block = self.values[stencils[0][:, :, None, None], stencils[1][:, None, :, None],
                            stencils[2][:, None, None, :]]            # (P, 4, 4, 4)
        for j in range(3):
            block = self._reduce(block, j, cells[j], flat[j])          # drops axis 1
        return block.reshape(shape)

    def _reduce(self, y: np.ndarray, j: int, i0: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Interpolate ``y`` (P, 4, ...) along its stencil axis at ``x``."""
        ax = self.log_axes[j]
        n = len(ax)
        if n == 1:
            return y[:, 1]
        extra = (slice(None),) + (None,) * (y.ndim - 2)
        xs = ax[np.clip(i0[:, None] + np.arange(-1, 3)[None, :], 0, n - 1)]  # (P, 4)
        h = (xs[:, 2] - xs[:, 1])
        t = ((x - xs[:, 1]) / h)
        if n == 2:
            return y[:, 1] + t[extra] * (y[:, 2] - y[:, 1])
        # slopes at the cell's two nodes (stencil positions 1 and 2); interior nodes
        # use their two neighbours, the grid's end nodes the one-sided end formula
        slopes = []
        with np.errstate(divide="ignore", invalid="ignore"):
            for pos in (1, 2):
                node = i0 + (pos - 1)
                interior = ((node > 0) & (node < n - 1))[extra]
                inner = _pchip_inner_slopes(xs[:, pos - 1:pos + 2], y[:, pos - 1:pos + 2])
                if pos == 1:       # left end (node 0): intervals 0-1 and 1-2
                    h0, h1 = xs[:, 2] - xs[:, 1], xs[:, 3] - xs[:, 2]
                    e0 = (y[:, 2] - y[:, 1]) / h0[extra]
                    e1 = (y[:, 3] - y[:, 2]) / h1[extra]
                else:              # right end (node n-1): intervals n-2..n-1, n-3..n-2
                    h0, h1 = xs[:, 2] - xs[:, 1], xs[:, 1] - xs[:, 0]
                    e0 = (y[:, 2] - y[:, 1]) / h0[extra]
                    e1 = (y[:, 1] - y[:, 0]) / h1[extra]
                end = _end_slope(h0[extra], h1[extra], e0, e1)
                slopes.append(np.where(interior, inner, end))
        m0, m1 = slopes
        tt = t[extra]
        hh = h[extra]
        h00 = (1 + 2 * tt) * (1 - tt) ** 2
        h10 = tt * (1 - tt) ** 2
        h01 = tt ** 2 * (3 - 2 * tt)
        h11 = tt ** 2 * (tt - 1)
        return h00 * y[:, 1] + h10 * hh * m0 + h01 * y[:, 2] + h11 * hh * m1


class ScatteredInterpolator:
    """Piecewise-linear log-time interpolation over scattered shapes (see module doc)."""

    def __init__(self, log_points: np.ndarray, log_values: np.ndarray) -> None:
        pts = np.asarray(log_points, dtype=np.float64)
        self.points = pts
        self.values = np.asarray(log_values, dtype=np.float64)
        self.active = [j for j in range(3) if np.ptp(pts[:, j]) > 0]
        self._linear = None
        if len(self.active) == 1:
            j = self.active[0]
            order = np.argsort(pts[:, j])
            self._line = (pts[order, j], self.values[order])
        elif len(self.active) >= 2:
            from scipy.interpolate import LinearNDInterpolator
            from scipy.spatial import QhullError

            try:
                self._linear = LinearNDInterpolator(pts[:, self.active], self.values)
            except (QhullError, ValueError):
                self._linear = None
        from scipy.spatial import cKDTree

        self.tree = cKDTree(pts)

    def __call__(self, lm: np.ndarray, lk: np.ndarray, ln: np.ndarray) -> np.ndarray:
        coords = np.broadcast_arrays(*(np.asarray(c, dtype=np.float64) for c in (lm, lk, ln)))
        shape = coords[0].shape
        q = np.stack([c.ravel() for c in coords], axis=1)
        out = np.full(len(q), np.nan)
        if len(self.active) == 1:
            j = self.active[0]
            xs, ys = self._line
            out = np.interp(q[:, j], xs, ys)
        elif self._linear is not None:
            out = np.asarray(self._linear(q[:, self.active]), dtype=np.float64).ravel()
        elif not self.active:
            out = np.full(len(q), self.values[0])
        miss = ~np.isfinite(out)
        if miss.any():
            _, idx = self.tree.query(q[miss])
            near = self.points[idx]
            # constant below the neighbour, proportional above it (log: + max(0, diff))
            out[miss] = self.values[idx] + np.maximum(0.0, q[miss] - near).sum(axis=1)
        return out.reshape(shape)
