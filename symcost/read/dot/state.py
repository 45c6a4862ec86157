"""The state of one DOT reading, shared by the parse, facts and costs steps."""

from __future__ import annotations

from pathlib import Path

import sympy

from symcost.core.dag import Dag, Node
from symcost.core.diagnostics import Diagnostic
from symcost.labels.label import LabelInfo
from symcost.ops.formulas import CostResult
from symcost.ops.rule import Rule
from symcost.ops.table import RuleTable
from symcost.read.params import Parameters


class DotReading:
    """A DOT file being read: the parsed graph (:class:`~symcost.read.dot.parsed.ParsedDot`), the DAG built from it, the label facts
    of each node (``infos``), their rules, and the diagnostics so far."""

    def __init__(self, graph, text: str, file: str, table: RuleTable,
                 roles: dict[str, sympy.Symbol], notes: list[str]) -> None:
        self.g = graph
        self.text = text
        self.file = file
        self.table = table
        self.roles = roles
        self.notes = notes
        self.dag = Dag(name=str(graph.name or Path(file).stem), source=file)
        self.diag: list[Diagnostic] = []
        self.infos: list[LabelInfo] = []
        self.rules: list[Rule | None] = []
        self.cost_cache: dict[tuple, CostResult] = {}
        #: explicit unknown-cost atoms by reading key, and why each was needed
        self.unknown_atoms: dict[tuple, sympy.Expr] = {}
        self.cost_cache_problem: dict[str, str] = {}
        #: parallel degrees (``TP``, ``EP``) the graph's labels state, by tag
        self.degrees: dict[str, int | None] = {}
        self.model = Parameters({}, [], [], [])
        #: ``--set`` values whose names are no model parameter (symbols to bind)
        self.symbol_sets: dict[str, object] = {}
        self.repeat: dict[str, int] = {}
        self.break_cycles = False
        self.salvaged: list[str] | None = None
        self.cluster_list: list = []

    def add(self, d: Diagnostic) -> None:
        """Record a diagnostic."""
        self.diag.append(d)

    def where(self, node: Node) -> dict[str, object]:
        """``file``, ``line`` and ``node`` keywords for a diagnostic about ``node``."""
        return {"file": self.file, "line": node.source.line, "node": node.id}
