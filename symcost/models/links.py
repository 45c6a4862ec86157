"""Two link classes: within a node and across nodes, with a GPUs-per-node setting.

A collective ``Op(n, p)`` whose group fits in one node (``p <= gpus_per_node``) runs
over the within-node link; a larger group spans nodes and runs, as a whole, at the
across-node link's bandwidth and latency (a ring or tree over the group is paced by its
slowest hop). This assumes groups are packed into as few nodes as possible (the usual
placement: TP and EP groups inside a node first). Send/recv (``p`` is its pair) is
within-node; a pipeline send across nodes needs a DAG whose atom says so, or the
across-node link on its own (``--link``). Both classes are alpha-beta models
(:class:`~symcost.models.comm.AlphaBetaModel`), so every time stays non-decreasing in
``n``, and in ``p`` as long as the across-node link is not faster than the within-node
one (checked).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from symcost.models.base import ModelError, as_float_array
from symcost.models.comm import OPERATIONS, AlphaBetaModel


class TwoLevelLinkModel:
    """Communication atoms priced by group size against a node boundary.

    Examples
    --------
    >>> fast, slow = AlphaBetaModel(4e11, 0.0), AlphaBetaModel(5e10, 0.0)
    >>> two = TwoLevelLinkModel(fast, slow, gpus_per_node=8)
    >>> float(two.time("AllReduce", 1e9, 16)) > float(two.time("AllReduce", 1e9, 8))
    True
    """

    def __init__(self, intra: AlphaBetaModel, inter: AlphaBetaModel, *,
                 gpus_per_node: int) -> None:
        if int(gpus_per_node) != gpus_per_node or gpus_per_node < 1:
            raise ModelError(f"GPUs per node must be a positive integer, got {gpus_per_node}")
        if inter.bandwidth > intra.bandwidth or inter.alpha < intra.alpha:
            raise ModelError("the across-node link must not be faster than the within-node "
                             f"one ({inter.name} vs {intra.name})")
        self.intra, self.inter = intra, inter
        self.gpus_per_node = int(gpus_per_node)
        self.name = f"{intra.name} within {self.gpus_per_node} GPUs, {inter.name} across"
        self.dtype = intra.dtype

    def time(self, op: str, n: Any, p: Any) -> np.ndarray:
        """Seconds of ``op`` over ``n`` elements among ``p`` GPUs (either link class)."""
        p_arr = as_float_array(p)
        if op == "SendRecv":
            return self.intra.time(op, n, p)
        return np.where(p_arr <= self.gpus_per_node, self.intra.time(op, n, p),
                        self.inter.time(op, n, p))

    def symbolic(self, op: str, n: sympy.Expr, p: sympy.Expr) -> sympy.Expr:
        """Exact form; ``p`` must be a number (it picks the link class)."""
        p = sympy.sympify(p)
        if not p.is_number:
            raise ModelError("symbolic communication time needs a numeric group size")
        within = op == "SendRecv" or p <= self.gpus_per_node
        return (self.intra if within else self.inter).symbolic(op, n, p)

    def function(self, op: str):
        """``f(n, p)`` for ``lambdify`` namespaces."""
        if op not in OPERATIONS:
            raise ModelError(f"no communication model for atom {op!r}")
        return lambda n, p: self.time(op, n, p)

    def describe(self) -> dict[str, Any]:
        return {"model": "two-level alpha-beta", "name": self.name,
                "gpus_per_node": self.gpus_per_node, "within_node": self.intra.describe(),
                "across_nodes": self.inter.describe()}
