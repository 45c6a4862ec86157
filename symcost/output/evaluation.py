"""One ``symcost eval`` run as data: a DAG's analysis priced under a machine over batch
sizes, with the settings it assumed (what ``eval --format json`` prints, single or as one
record of a batch run)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sympy

from symcost.core.dag import Dag
from symcost.core.errors import InputError
from symcost.core.symbols import symbol, used_names
from symcost.models.evaluate import Evaluation, evaluate, kind_classifier, result_definitions
from symcost.models.machine import Machine, assumed_efficiency
from symcost.solve.analysis import AnalysisResult
from symcost.solve.completeness import Completeness, completeness, require_runtime


@dataclass
class EvalRun:
    """The evaluation, its completeness, the expression priced and the JSON data."""

    evaluation: Evaluation
    completeness: Completeness
    expr: sympy.Expr
    definitions: dict
    info: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """What ``symcost eval --format json`` prints."""
        return {"symcost": 1, "kind": "evaluation", **self.info, **self.evaluation.to_dict(),
                "definitions": {str(k): str(v) for k, v in self.definitions.items()},
                **used_names(self.expr, *self.definitions.values())}


def parse_bindings(items: Iterable[str]) -> dict[sympy.Symbol, sympy.Integer]:
    """``--set NAME=VALUE`` items as symbol bindings (integers >= 1)."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        sym = symbol(name.strip()) if sep else None
        try:
            num = sympy.Integer(int(value)) if sep else None
        except ValueError:
            num = None
        if sym is None or num is None or num < 1:
            raise InputError(f"--set {item!r}: expected NAME=VALUE with a declared symbol "
                             "and an integer >= 1")
        out[sym] = num
    return out


def evaluate_dag(file: str, dag: Dag, result: AnalysisResult, machine: Machine, batches,
                 *, concurrency: str = "device", compute_only: bool = False,
                 sets: Iterable[str] = (), efficiency_given: float | None = None,
                 table: str | None = None, notes: Iterable[str] = ()) -> EvalRun:
    """Price ``result`` (of ``dag`` read from ``file``) under ``machine`` at ``batches``.

    ``sets`` binds symbols after analysis (``--set``), except the model parameters the
    DOT reader already applied; a zero runtime for a DAG with compute is refused."""
    expr = result.runtime_compute_only if compute_only else result.runtime
    defs = result_definitions(result, compute_only=compute_only)
    taken = {str(p.get("name")) for p in dag.meta.get("parameters", []) or []
             if p.get("source") == "--set"}  # model parameters the DOT reader applied
    binds = parse_bindings(s for s in sets if s.partition("=")[0].strip() not in taken)
    if binds:
        expr = expr.xreplace(binds)
        defs = {k: v.xreplace(binds) for k, v in defs.items()}
    comp = completeness(dag, result.runtime_compute_only, given=[*binds, *taken])
    require_runtime(comp, file)
    ev = evaluate(expr, machine, batches, definitions=defs, classify=kind_classifier(dag))
    ev.notes.extend(notes)
    if getattr(machine.matmul, "adjusted", 0):
        ev.notes.append(f"measured table was not monotone: {machine.matmul.adjusted} grid "
                        "values raised to the least monotone majorant")
    eff, eff_source = assumed_efficiency(machine, efficiency_given, table)
    info = {"dag": file, "concurrency": concurrency, "efficiency": eff,
            "efficiency_source": eff_source, "compute_only": bool(compute_only),
            "critical_path": [s.node for s in result.critical_path],
            "completeness": comp.to_dict(),
            "undecided_on_path": [s.node for s in result.critical_path
                                  if getattr(s, "undecided", False)]}
    return EvalRun(ev, comp, expr, defs, info)


__all__ = ["EvalRun", "evaluate_dag", "parse_bindings"]
