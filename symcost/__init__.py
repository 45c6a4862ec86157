"""symcost: symbolic cost models of parallel neural-network deployments.

The public API, re-exported from the layers (``core`` < ``algebra`` < ``labels`` < ``ops``
< ``read`` < ``solve`` < ``models`` < ``output`` < ``cli``; see README "Architecture").
"""

from __future__ import annotations

from symcost.algebra.constraints import Assumptions
from symcost.algebra.exprparse import parse_constraint, parse_expr
from symcost.algebra.order import Certificate, Comparison, Counterexample
from symcost.algebra.order import compare as _compare
from symcost.algebra.printing import to_latex, to_text
from symcost.core.boundary import InternalError, entry_point
from symcost.core.dag import Dag, DagBuilder, Kind, Matmul, Node, Source
from symcost.core.diagnostics import Diagnostic, Level
from symcost.core.errors import (
                     ConstraintError,
                     CostError,
                     CycleError,
                     ExpressionError,
                     InputError,
                     SymcostError,
)
from symcost.core.symbols import (
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
                     namespace,
)
from symcost.core.version import __version__
from symcost.models import AlphaBetaModel, CostModel, Machine, ModelError, RooflineModel, TableModel
from symcost.models.deployments import compare_deployments as _compare_deployments
from symcost.models.evaluate import evaluate as _evaluate
from symcost.models.evaluate import evaluate_result as _evaluate_result
from symcost.output import notebook as _notebook  # noqa: F401 (registers notebook display)
from symcost.output.explain import explain_nodes
from symcost.output.formats import report
from symcost.output.info import dag_info
from symcost.output.picture import picture
from symcost.output.schema import json_schema
from symcost.read.loader import load as _load
from symcost.read.loader import register_reader
from symcost.solve.analysis import AnalysisResult, ForkJoin, PathStep
from symcost.solve.analysis import analyze as _analyze
from symcost.solve.claims import check_claim as _check_claim
from symcost.solve.completeness import Completeness, completeness

# The library's boundary (symcost.core.boundary): on user data these raise SymcostError
# subclasses for bad input, and InternalError (never "bad input") for a bug.
load = entry_point(_load)
analyze = entry_point(_analyze)
compare = entry_point(_compare)
evaluate = entry_point(_evaluate)
evaluate_result = entry_point(_evaluate_result)
check_claim = entry_point(_check_claim)
compare_deployments = entry_point(_compare_deployments)
parse_expr = entry_point(parse_expr)
parse_constraint = entry_point(parse_constraint)

__all__ = [
    "__version__",
    "analyze", "AnalysisResult", "ForkJoin", "PathStep", "check_claim",
    "compare", "Comparison", "Certificate", "Counterexample", "Assumptions",
    "CostModel", "ModelError", "RooflineModel", "TableModel", "AlphaBetaModel", "Machine",
    "evaluate", "evaluate_result", "compare_deployments", "dag_info", "report", "picture",
    "json_schema", "namespace", "to_latex", "to_text", "Completeness", "completeness",
    "explain_nodes",
    "Dag", "DagBuilder", "Kind", "Matmul", "Node", "Source",
    "Diagnostic", "Level",
    "SymcostError", "InputError", "CycleError", "ExpressionError", "ConstraintError",
    "CostError", "InternalError",
    "parse_expr", "parse_constraint",
    "load", "register_reader",
    "B", "Get_Time", "AllReduce", "AllGather", "ReduceScatter", "AllToAll", "SendRecv",
    "Broadcast", "declare_atom", "declare_symbol",
]
