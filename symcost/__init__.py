"""symcost: symbolic cost models of parallel neural-network deployments."""

from __future__ import annotations

__version__ = "0.1.0"

from .dag import Dag, DagBuilder, Kind, Matmul, Node, Source
from .diagnostics import Diagnostic, Level
from .errors import (ConstraintError, CostError, CycleError, ExpressionError, InputError,
                     SymcostError)
from .exprparse import parse_constraint, parse_expr
from .loader import load, register_reader
from .symbols import (AllGather, AllReduce, AllToAll, B, Broadcast, Get_Time, ReduceScatter,
                      SendRecv, declare_atom, declare_symbol)

__all__ = [
    "__version__",
    "Dag", "DagBuilder", "Kind", "Matmul", "Node", "Source",
    "Diagnostic", "Level",
    "SymcostError", "InputError", "CycleError", "ExpressionError", "ConstraintError",
    "CostError",
    "parse_expr", "parse_constraint",
    "load", "register_reader",
    "B", "Get_Time", "AllReduce", "AllGather", "ReduceScatter", "AllToAll", "SendRecv",
    "Broadcast", "declare_atom", "declare_symbol",
]
