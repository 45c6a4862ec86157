"""symcost: symbolic cost models of parallel neural-network deployments."""

from __future__ import annotations

__version__ = "0.1.0"

from .analysis import AnalysisResult, ForkJoin, PathStep, analyze
from .constraints import Assumptions
from .costmodels import AlphaBetaModel, CostModel, Machine, ModelError, RooflineModel, TableModel
from .dag import Dag, DagBuilder, Kind, Matmul, Node, Source
from .deployments import compare_deployments
from .diagnostics import Diagnostic, Level
from .errors import (
                     ConstraintError,
                     CostError,
                     CycleError,
                     ExpressionError,
                     InputError,
                     SymcostError,
)
from .evaluate import evaluate, evaluate_result
from .exprparse import parse_constraint, parse_expr
from .info import dag_info
from .loader import load, register_reader
from .order import Certificate, Comparison, Counterexample, compare
from .printing import to_latex, to_text
from .symbols import (
                     AllGather,
                     AllReduce,
                     AllToAll,
                     B,
                     Broadcast,
                     Get_Time,
                     ReduceScatter,
                     SendRecv,
                     declare_atom,
                     declare_symbol,
)

__all__ = [
    "__version__",
    "analyze", "AnalysisResult", "ForkJoin", "PathStep",
    "compare", "Comparison", "Certificate", "Counterexample", "Assumptions",
    "CostModel", "ModelError", "RooflineModel", "TableModel", "AlphaBetaModel", "Machine",
    "evaluate", "evaluate_result", "compare_deployments", "dag_info", "to_latex", "to_text",
    "Dag", "DagBuilder", "Kind", "Matmul", "Node", "Source",
    "Diagnostic", "Level",
    "SymcostError", "InputError", "CycleError", "ExpressionError", "ConstraintError",
    "CostError",
    "parse_expr", "parse_constraint",
    "load", "register_reader",
    "B", "Get_Time", "AllReduce", "AllGather", "ReduceScatter", "AllToAll", "SendRecv",
    "Broadcast", "declare_atom", "declare_symbol",
]
