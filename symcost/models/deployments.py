"""Two deployments of one model under a concrete machine: speedup per B and crossovers.

The symbolic verdict (which deployment is faster for every monotone cost function) is
the order engine's job (:func:`symcost.order.compare`); this module adds the numbers:
both runtimes per batch size, the speedup ``runtime_a / runtime_b`` (above 1: ``b`` is
faster) and the batch sizes where the faster deployment changes, exact where the
models allow (:mod:`symcost.crossover`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from symcost.models import Machine
from symcost.models.crossover import MAX_EXACT_OPS, compare_labels, deployment_crossovers, inline
from symcost.models.evaluate import Evaluator, result_definitions


def _runtime(result: Any, compute_only: bool) -> tuple[sympy.Expr, dict]:
    expr = result.runtime_compute_only if compute_only else result.runtime
    return expr, result_definitions(result, compute_only=compute_only)


def compare_deployments(result_a: Any, result_b: Any, model: Machine,
                        batches: Sequence[int] | np.ndarray, *,
                        names: Sequence[str] = ("A", "B"),
                        compute_only: bool = False) -> dict[str, Any]:
    """Numeric comparison of two analysis results (duck-typed ``AnalysisResult``).

    Parameters
    ----------
    result_a, result_b : analysis results (baseline, proposal).
    model : the machine that prices the atoms.
    batches : batch sizes (integers >= 1).
    names : labels of the two deployments in the output.
    compute_only : compare the compute-only runtimes.

    Returns
    -------
    dict
        Plain JSON-ready data: ``machine``, ``names``, ``batches``, ``runtime_s``
        (name -> list), ``speedup`` (runtime_a / runtime_b per B), ``faster`` (name per
        B; ties go to the first), ``segments`` (runs of B with the same faster one),
        ``crossovers`` and ``summary`` (min/max speedup and where).

    >>> import symcost
    >>> one = symcost.analyze(symcost.DagBuilder("one").node("a", cost=symcost.Get_Time(symcost.B, 64, 64)).build())
    >>> two = symcost.analyze(symcost.DagBuilder("two").node("a", cost=2 * symcost.Get_Time(symcost.B, 64, 64)).build())
    >>> d = symcost.compare_deployments(two, one, symcost.Machine.from_options(hw="h100"), [1, 8])
    >>> [round(s, 6) for s in d["speedup"]]
    [2.0, 2.0]
    """
    bs = np.unique(np.asarray(batches, dtype=np.int64))
    (ea, da), (eb, db) = _runtime(result_a, compute_only), _runtime(result_b, compute_only)
    fa = Evaluator(ea, model, definitions=da)
    fb = Evaluator(eb, model, definitions=db)
    ta, tb = fa.total(bs), fb.total(bs)
    with np.errstate(divide="ignore", invalid="ignore"):
        speedup = np.where(tb > 0, ta / tb, np.inf)
    exact_diff = None
    ia, ib = inline(ea, da), inline(eb, db)
    if sympy.count_ops(ia) + sympy.count_ops(ib) <= MAX_EXACT_OPS:
        exact_diff = ia - ib
    crossings = deployment_crossovers(fa.total, fb.total, bs, ta, tb, names=names,
                                      exact_diff=exact_diff, machine=model)
    labels = compare_labels(ta, tb)
    segments = []
    cuts = np.flatnonzero(np.diff(labels)) + 1
    for s, e in zip(np.concatenate(([0], cuts)), np.concatenate((cuts - 1, [len(bs) - 1]))):
        segments.append({"from": int(bs[s]), "to": int(bs[e]), "faster": names[labels[s]]})
    finite = np.isfinite(speedup)
    summary: dict[str, Any] = {}
    if finite.any():
        i_min = int(np.argmin(np.where(finite, speedup, np.inf)))
        i_max = int(np.argmax(np.where(finite, speedup, -np.inf)))
        summary = {"min_speedup": float(speedup[i_min]), "at_B_min": int(bs[i_min]),
                   "max_speedup": float(speedup[i_max]), "at_B_max": int(bs[i_max])}
    return {
        "machine": model.describe(),
        "names": list(names),
        "compute_only": compute_only,
        "batches": [int(b) for b in bs],
        "runtime_s": {names[0]: [float(x) for x in ta], names[1]: [float(x) for x in tb]},
        "speedup": [float(x) for x in speedup],
        "speedup_meaning": f"runtime of {names[0]} / runtime of {names[1]} "
                           f"(above 1: {names[1]} is faster)",
        "faster": [names[int(x)] for x in labels],
        "segments": segments,
        "crossovers": [c.to_dict() for c in crossings],
        "summary": summary,
    }
