"""The operation rule table: label words (and shape hints) to kind and cost terms.

The table is data (``symcost/data/rules.yaml``); users extend or override it with their
own YAML file (``--rules FILE``). A rule names a *cost formula*; the formulas, which
turn a label's dimensions into matmuls and communication atoms following the
conventions of DESIGN.md, are the functions in
:data:`symcost.ops.formulas.FORMULAS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from symcost.core.dag import Kind
from symcost.core.errors import InputError
from symcost.core.patterns import BoundedPattern, compile_pattern
from symcost.core.safeload import load_yaml
from symcost.core.symbols import COLLECTIVES
from symcost.core.textfile import read_text_file
from symcost.ops.formulas import FORMULAS
from symcost.ops.rule import Rule

MAX_RULES_BYTES = 1 << 20
#: Layer tags ("L3", "Layer 12:") carry no operation words; dropped before matching.
_LAYER_TAG = re.compile(r"(?i)\bL\d+\b|\blayer[\s_]*\d+\b\s*:?")


@dataclass
class RuleTable:
    """Rules in order: word rules first, then shape-only hints."""

    rules: list[Rule] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def classify(self, name: str, node_id: str = "", shape: str | None = None
                 ) -> tuple[Rule | None, str]:
        """The first rule for a node, and how it matched (``name``, ``id`` or ``shape``)."""
        shape = shape or ""
        if name:
            rule = _by_words(self, _LAYER_TAG.sub(" ", name).strip() or name, shape)
            if rule is not None:
                return rule, "name"
        if node_id:
            text = re.sub(r"[_.\-]+", " ", node_id)
            text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)
            rule = _by_words(self, text, shape)
            if rule is not None:
                return rule, "id"
        if shape:
            for r in self.rules:
                if r.match is None and shape in r.shape:
                    return r, "shape"
        return None, ""

    def by_name(self, name: str) -> Rule | None:
        """The rule called ``name``, or None."""
        return next((r for r in self.rules if r.name == name), None)

    def __hash__(self) -> int:
        return id(self)


@lru_cache(maxsize=65536)
def _by_words(table: RuleTable, text: str, shape: str) -> Rule | None:
    for r in table.rules:
        if r.match is not None and r.matches_words(text) and (not r.shape or shape in r.shape):
            return r
    return None


_FIELDS = {"name", "match", "unless", "shape", "kind", "cost", "count", "collective",
           "description"}


def _compile(pattern: object, where: str, file: str) -> BoundedPattern:
    if not isinstance(pattern, str) or not pattern:
        raise InputError(f"{where}: must be a non-empty regular expression", file=file)
    try:  # bounded in time at match time too (symcost.core.patterns)
        return compile_pattern(pattern, re.IGNORECASE)
    except InputError as err:
        raise InputError(f"{where}: {err.message}", file=file) from None


def parse_rules(data: object, file: str) -> list[Rule]:
    """Validate a loaded rules document (``{version: 1, rules: [...]}``) into rules."""
    if isinstance(data, dict):
        if data.get("version", 1) != 1:
            raise InputError(f"unsupported rules version {data.get('version')!r}", file=file)
        extra = set(data) - {"version", "rules"}
        if extra:
            raise InputError(f"unknown top-level field(s) {sorted(extra)}", file=file)
        data = data.get("rules")
    if not isinstance(data, list):
        raise InputError("expected a list of rules (or a mapping with 'rules:')", file=file)
    out: list[Rule] = []
    seen: set[str] = set()
    for i, row in enumerate(data, 1):
        where = f"rule {i}"
        if not isinstance(row, dict):
            raise InputError(f"{where}: expected a mapping", file=file)
        unknown = set(row) - _FIELDS
        if unknown:
            raise InputError(f"{where}: unknown field(s) {sorted(unknown)}", file=file)
        name = row.get("name")
        if not isinstance(name, str) or not name:
            raise InputError(f"{where}: 'name' is required", file=file)
        where = f"rule {i} ({name})"
        if name in seen:
            raise InputError(f"{where}: duplicate rule name", file=file)
        seen.add(name)
        try:
            kind = Kind(str(row.get("kind")))
        except ValueError:
            raise InputError(f"{where}: 'kind' must be one of "
                             f"{', '.join(k.value for k in Kind)}", file=file) from None
        cost = row.get("cost", "zero")
        if cost not in FORMULAS:
            raise InputError(f"{where}: 'cost' must be one of {', '.join(FORMULAS)}",
                             file=file)
        match = _compile(row["match"], f"{where}: 'match'", file) if "match" in row else None
        unless = _compile(row["unless"], f"{where}: 'unless'", file) if "unless" in row else None
        shape = row.get("shape", [])
        if isinstance(shape, str):
            shape = [shape]
        if not isinstance(shape, list) or not all(isinstance(s, str) for s in shape):
            raise InputError(f"{where}: 'shape' must be a list of shape names", file=file)
        if match is None and not shape:
            raise InputError(f"{where}: needs 'match' or 'shape'", file=file)
        count = row.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise InputError(f"{where}: 'count' must be a positive integer", file=file)
        collective = row.get("collective")
        if cost == "comm" and collective not in COLLECTIVES:
            raise InputError(f"{where}: 'collective' must be one of {', '.join(COLLECTIVES)}",
                             file=file)
        out.append(Rule(name, kind, cost, match, unless, frozenset(s.lower() for s in shape),
                        count, collective, str(row.get("description", "")), file))
    return out


def load_rules(extra: str | Path | None = None) -> RuleTable:
    """The built-in table, with the rules of ``extra`` (a YAML file) put first."""
    rules = _builtin()
    sources = ["builtin"]
    if extra is not None:
        user = _read_user(Path(extra))
        names = {r.name for r in user}
        rules = user + [r for r in rules if r.name not in names]
        sources.insert(0, str(extra))
    return RuleTable(rules, sources)


@lru_cache(maxsize=1)
def _builtin() -> list[Rule]:
    text = resources.files("symcost").joinpath("data/rules.yaml").read_text("utf-8")
    return parse_rules(yaml.safe_load(text), "symcost/data/rules.yaml")


def _read_user(path: Path) -> list[Rule]:
    file = str(path)
    text = read_text_file(path, "rules", MAX_RULES_BYTES)
    data = load_yaml(text, file)  # bounded depth and aliases (symcost.core.safeload)
    return parse_rules(data, file)
