"""One row of the operation rule table (:mod:`symcost.ops.table`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from symcost.core.dag import Kind


@dataclass(frozen=True)
class Rule:
    """One row of the rule table."""

    name: str
    kind: Kind
    cost: str
    match: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    shape: frozenset[str] = frozenset()
    count: int = 1
    collective: str | None = None
    description: str = ""
    origin: str = "builtin"
    #: extra score when the words match (a named collective outranks a generic word
    #: on an earlier line); see :meth:`symcost.ops.table.RuleTable.decide`
    strength: int = 0

    def matches_words(self, text: str) -> bool:
        """True when the rule's words match ``text`` (and its ``unless`` does not)."""
        if self.match is None or not self.match.search(text):
            return False
        return self.unless is None or not self.unless.search(text)
