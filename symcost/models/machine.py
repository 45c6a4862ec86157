"""A machine: the models that give every cost atom of an expression a number.

``Machine(matmul, comm)`` binds ``Get_Time`` to ``matmul.get_time`` and the
communication atoms to ``comm``. ``comm=None`` means communication is not modelled:
evaluating an expression that still has communication atoms is then an error (use the
compute-only runtime, or give a link). ``extra`` binds user atoms by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from symcost.models.base import CostModel, ModelError
from symcost.models.comm import OPERATIONS, AlphaBetaModel
from symcost.models.links import TwoLevelLinkModel
from symcost.models.roofline import RooflineModel
from symcost.models.table import TableModel


class Machine:
    """The cost models that turn cost atoms into seconds."""

    def __init__(self, matmul: CostModel,
                 comm: AlphaBetaModel | TwoLevelLinkModel | None = None, *,
                 extra: dict[str, Callable[..., Any]] | None = None) -> None:
        self.matmul = matmul
        self.comm = comm
        self.extra = dict(extra or {})

    @classmethod
    def from_options(cls, *, hw: str | None = None, table: str | None = None,
                     link: str | None = None, dtype: str = "bf16",
                     efficiency: float | None = None,
                     launch_overhead: float | None = None,
                     algorithm: str = "ring", alpha: float | None = None,
                     no_comm: bool = False, gpus_per_node: int | None = None,
                     node_link: str | None = None) -> Machine:
        """The machine the ``eval``/``compare`` options describe.

        ``table`` (a measured CSV or a bundled table's name) replaces the roofline for
        ``Get_Time``; ``link`` defaults to the hardware preset's ``default_link`` (none
        without ``hw``). ``gpus_per_node`` turns on the second link class
        (:class:`~symcost.models.links.TwoLevelLinkModel`): groups larger than a node use
        ``node_link`` (default: the preset's ``node_link``).
        """
        if table is not None:
            matmul: CostModel = TableModel.from_csv(table, dtype=dtype)
        elif hw is not None:
            matmul = RooflineModel.from_preset(hw, dtype=dtype, efficiency=efficiency,
                                               launch_overhead=launch_overhead)
        else:
            raise ModelError("give a hardware preset (--hw) or a measured table (--table)")
        if link is None and hw is not None and not no_comm:
            from symcost.models.base import find_preset

            link = find_preset("hardware.yaml", hw)[1].get("default_link")
        comm = None
        if link is not None and not no_comm:
            comm = AlphaBetaModel.from_preset(link, dtype=dtype, algorithm=algorithm,
                                              alpha=alpha)
        if comm is not None and gpus_per_node is not None:
            if node_link is None and hw is not None:
                from symcost.models.base import find_preset

                node_link = find_preset("hardware.yaml", hw)[1].get("node_link")
            if node_link is None:
                raise ModelError("--gpus-per-node needs an across-node link (--node-link)")
            inter = AlphaBetaModel.from_preset(node_link, dtype=dtype, algorithm=algorithm)
            comm = TwoLevelLinkModel(comm, inter, gpus_per_node=gpus_per_node)
        return cls(matmul, comm)

    def functions(self) -> dict[str, Callable[..., Any]]:
        """Atom name -> vectorised numpy function, for ``lambdify`` namespaces."""
        funcs: dict[str, Callable[..., Any]] = {"Get_Time": self.matmul.get_time}
        if self.comm is not None:
            for op in OPERATIONS:
                funcs[op] = self.comm.function(op)
        funcs.update(self.extra)
        return funcs

    def check(self, expr_atoms: set[sympy.Basic]) -> None:
        """Raise ModelError naming an atom family that no model of this machine covers."""
        known = self.functions()
        for atom in sorted(expr_atoms, key=str):
            name = atom.func.__name__
            if name not in known:
                if name in OPERATIONS:
                    raise ModelError(f"the runtime has communication ({name}) but no link "
                                     "model; give --link or evaluate compute only")
                if name.startswith("Unknown_"):
                    raise ModelError(f"the runtime keeps the unknown cost {atom} (an operation "
                                     "whose sizes the DAG does not give): no number can be "
                                     "put on it; 'symcost explain' shows which nodes carry "
                                     "it")
                raise ModelError(f"no cost model for atom {name!r}")

    def symbolic(self, atom: sympy.Basic) -> sympy.Expr | None:
        """The atom's time as an exact sympy expression, or None when unavailable."""
        name = atom.func.__name__
        if name == "Get_Time":
            return self.matmul.symbolic(*atom.args)
        if self.comm is not None and name in OPERATIONS:
            try:
                return self.comm.symbolic(name, *atom.args)
            except ModelError:
                return None
        return None

    def describe(self) -> dict[str, Any]:
        """Both models' parameters as a plain dict."""
        return {"matmul": self.matmul.describe(),
                "comm": None if self.comm is None else self.comm.describe()}

    @property
    def label(self) -> str:
        """A one-line name such as ``roofline h100 bf16 + nvlink4 ring``."""
        return self.matmul.name + ("" if self.comm is None else f" + {self.comm.name}")


def assumed_efficiency(machine: Machine, given: float | None,
                       table: str | None = None) -> tuple[float | None, str]:
    """The roofline efficiency ``machine`` prices matmuls at, and where it comes from
    (printed beside every number of ``symcost eval``); ``None`` for a measured table."""
    if table:
        return None, "measured table"
    eff = getattr(machine.matmul, "efficiency", None)
    if given is not None:
        return eff, "--efficiency"
    if eff is not None and eff != 1.0:
        return eff, "the preset's calibration (symcost/data/hardware.yaml)"
    return eff, "the roofline bound"
