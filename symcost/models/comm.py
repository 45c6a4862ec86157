"""Alpha-beta models of collective communication.

Each communication atom ``Op(n, p)`` is the time of one collective over ``n`` elements
among ``p`` GPUs. ``n`` is the element count of the full tensor one GPU holds before an
all-reduce, after an all-gather, before a reduce-scatter, that it exchanges in an
all-to-all, or sends in a send/recv or broadcast. With ``S = n * bytes`` (element size of
the dtype), per-direction link bandwidth ``bw`` and per-step latency ``alpha``:

==============  ====================================  ====================================
operation       ring (and pipelined chain)            tree (binary / double binary)
==============  ====================================  ====================================
all-reduce      2 (p-1)/p * S/bw + 2 (p-1) alpha      2 S/bw + 2 ceil(log2 p) alpha
all-gather      (p-1)/p * S/bw + (p-1) alpha          same as ring (NCCL has no tree)
reduce-scatter  (p-1)/p * S/bw + (p-1) alpha          same as ring
all-to-all      (p-1)/p * S/bw + (p-1) alpha          same as ring (pairwise exchange)
send/recv       S/bw + alpha                          same
broadcast       S/bw + (p-1) alpha                    S/bw + ceil(log2 p) alpha
==============  ====================================  ====================================

A group of ``p <= 1`` GPUs costs nothing (send/recv excepted: one transfer).
All terms are non-decreasing in ``n`` and ``p``. This is one link class; two (within a
node, across nodes) are :mod:`symcost.models.links`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from symcost.models.base import ModelError, as_float_array, dtype_bytes, exact, find_preset
from symcost.models.base import normalize_dtype as _dtype

#: Atom names (``symcost.symbols``) this model knows.
OPERATIONS = ("AllReduce", "AllGather", "ReduceScatter", "AllToAll", "SendRecv", "Broadcast")
ALGORITHMS = ("ring", "tree")


class AlphaBetaModel:
    """Alpha-beta time of the communication atoms over one kind of link.

    Parameters
    ----------
    bandwidth : bytes/s one GPU sends in one direction.
    alpha : seconds of latency per step.
    dtype : element type of the communicated tensors.
    algorithm : ``"ring"`` or ``"tree"`` (all-reduce and broadcast differ; see module).

    Examples
    --------
    >>> c = AlphaBetaModel(1e9, 0.0, dtype="fp32")
    >>> float(c.time("AllReduce", 1e9 / 4, 2))  # 2 (p-1)/p * 1 GB / 1 GB/s
    1.0
    """

    def __init__(self, bandwidth: float, alpha: float = 0.0, *, dtype: str = "bf16",
                 algorithm: str = "ring", name: str = "alpha-beta") -> None:
        if not bandwidth > 0 or not alpha >= 0:
            raise ModelError("link bandwidth must be > 0 and alpha >= 0")
        if algorithm not in ALGORITHMS:
            raise ModelError(f"unknown collective algorithm {algorithm!r}; known: ring, tree")
        self.bandwidth = float(bandwidth)
        self.alpha = float(alpha)
        self.dtype = _dtype(dtype)
        self.bytes = dtype_bytes(self.dtype)
        self.algorithm = algorithm
        self.name = name

    @classmethod
    def from_preset(cls, link: str, *, dtype: str = "bf16", algorithm: str = "ring",
                    alpha: float | None = None) -> AlphaBetaModel:
        """The model of link preset ``link`` (see ``symcost/data/links.yaml``)."""
        key, entry = find_preset("links.yaml", link)
        model = cls(float(entry["bandwidth_gbps"]) * 1e9,
                    float(entry["alpha_us"]) * 1e-6 if alpha is None else alpha,
                    dtype=dtype, algorithm=algorithm, name=f"{key} {algorithm}")
        model.preset = key
        model.preset_entry = entry
        return model

    # -- the model
    def time(self, op: str, n: Any, p: Any) -> np.ndarray:
        """Seconds of collective ``op`` (an atom name) over ``n`` elements among ``p``."""
        return self._formula(op, as_float_array(n), as_float_array(p), np)

    def symbolic(self, op: str, n: sympy.Expr, p: sympy.Expr) -> sympy.Expr:
        """The same as an exact sympy expression (``p`` must be a number)."""
        return self._formula(op, sympy.sympify(n), sympy.sympify(p), sympy)

    def function(self, op: str):
        """``f(n, p)`` for ``lambdify`` namespaces."""
        if op not in OPERATIONS:
            raise ModelError(f"no communication model for atom {op!r}")
        return lambda n, p: self.time(op, n, p)

    def _formula(self, op: str, n, p, lib):
        sym = lib is sympy
        bw = exact(self.bandwidth) if sym else self.bandwidth
        a = exact(self.alpha) if sym else self.alpha
        s = n * self.bytes / bw
        if op == "SendRecv":
            return s + a if sym else s + a + np.zeros_like(p)  # shape of (n, p)
        if sym:
            if not p.is_number:
                raise ModelError("symbolic communication time needs a numeric group size")
            if p <= 1:
                return sympy.S.Zero
            log2p = sympy.ceiling(sympy.log(p, 2))
        else:
            log2p = np.ceil(np.log2(np.maximum(p, 1.0)))
        frac = (p - 1) / p
        tree = self.algorithm == "tree"
        if op == "AllReduce":
            t = 2 * s + 2 * log2p * a if tree else 2 * frac * s + 2 * (p - 1) * a
        elif op in ("AllGather", "ReduceScatter", "AllToAll"):
            t = frac * s + (p - 1) * a
        elif op == "Broadcast":
            t = s + (log2p if tree else (p - 1)) * a
        else:
            raise ModelError(f"no communication model for atom {op!r}")
        return t if sym else np.where(p > 1, t, 0.0)

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {"model": "alpha-beta", "name": self.name,
                             "bandwidth_bytes_per_s": self.bandwidth, "alpha_s": self.alpha,
                             "dtype": self.dtype, "algorithm": self.algorithm}
        if getattr(self, "preset", None):
            d["preset"] = self.preset
            d["link"] = self.preset_entry.get("name", self.preset)
        return d
