"""Diagnostics: warnings and errors found in an input, in one shared format."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Level(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Diagnostic:
    """One finding: ``level``, ``message`` and where (file, line, node ids)."""

    level: Level
    message: str
    file: str | None = None
    line: int | None = None
    node: str | None = None
    code: str = ""
    nodes: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        if self.node is not None:
            where += (": " if where else "") + f"node '{self.node}'"
        return f"{self.level}: {where + ': ' if where else ''}{self.message}"

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["level"] = str(self.level)
        nodes = list(self.nodes)
        if self.node is not None and self.node not in nodes:
            nodes.insert(0, self.node)  # ``nodes`` always names every node it is about
        d["nodes"] = nodes
        return d


def warning(message: str, **where: object) -> Diagnostic:
    """A warning diagnostic (analysis goes on)."""
    return Diagnostic(Level.WARNING, message, **where)  # type: ignore[arg-type]


def info(message: str, **where: object) -> Diagnostic:
    """An informational diagnostic (an assumption that was made, say)."""
    return Diagnostic(Level.INFO, message, **where)  # type: ignore[arg-type]
