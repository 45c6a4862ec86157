"""Crossovers of undecided ``Max`` terms under a cost model, in words and as data (the
"Crossovers" section of a report, the ``crossovers`` key of the JSON)."""

from __future__ import annotations

from symcost.models import Machine
from symcost.models.evaluate import evaluate_result, parse_batches
from symcost.solve.analysis import AnalysisResult


def model_crossovers(result: AnalysisResult, *, hw: str | None, table: str | None,
                     dtype: str, batch: str) -> dict:
    """Crossovers of the undecided ``Max`` terms under a cost model, as plain data."""
    machine = Machine.from_options(hw=None if table else hw, table=table, dtype=dtype)
    ev = evaluate_result(result, machine, parse_batches(batch))
    desc = ev.machine
    name = desc.get("matmul", {}).get("name", "") if isinstance(desc, dict) else str(desc)
    if isinstance(desc, dict) and desc.get("comm"):
        name += " + " + desc["comm"].get("name", "")
    args = {b.index: b.args for b in ev.branches}
    items = []
    for c in ev.crossovers:
        where = c.where()
        branch_args = args.get(c.branch, [])
        if isinstance(c.before, int) and isinstance(c.after, int) and branch_args:
            items.append(f"{c.label}: the longest branch changes from "
                         f"{branch_args[c.before]} to {branch_args[c.after]} at {where}")
        else:
            items.append(f"{c.label}: {c.before} -> {c.after} at {where}")
    return {"model": name, "batch_range": batch, "items": items,
            "data": [c.to_dict() for c in ev.crossovers]}
