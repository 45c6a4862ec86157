"""Exception types for user errors.

Every error a user can cause (bad input file, bad expression, bad option) is a
:class:`SymcostError`. The command line prints ``str(error)`` as one line and exits
with status 2; library users catch the specific subclass.
"""

from __future__ import annotations


class SymcostError(Exception):
    """Base class of all user-facing errors; ``str()`` is one line naming the place."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 node: str | None = None) -> None:
        self.message = " ".join(str(message).split())  # always one line
        self.file = file
        self.line = line
        self.node = node
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.node is not None:
            where.append(f"node '{self.node}'")
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(SymcostError):
    """A DAG file or spec cannot be read (syntax, unknown field, missing node...)."""


class CycleError(InputError):
    """The DAG has a cycle; ``cycle`` holds its node ids in order."""

    def __init__(self, cycle: list[str], *, file: str | None = None) -> None:
        self.cycle = list(cycle)
        shown = " -> ".join(self.cycle[:12] + ([] if len(self.cycle) <= 12 else ["..."]))
        super().__init__(f"cycle: {shown} -> {self.cycle[0]}", file=file)


class ExpressionError(SymcostError):
    """User text (expression, claim, constraint) is not in the accepted grammar."""


class ConstraintError(ExpressionError):
    """A constraint on the symbols is malformed or unsupported."""


class CostError(SymcostError):
    """A cost term is not a non-negative combination of cost atoms."""
