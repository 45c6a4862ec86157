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


#: Parenthesised qualifiers ("(TP shard 0)", "(final hidden states)"): weaker evidence
#: than the words around them, never the operation when those words name one.
_QUALIFIER = re.compile(r"\([^()]*\)")
#: Score of a word match by where the words are: the name line, the next lines, the
#: parenthesised qualifiers of the name, the node id, the cluster label.
_WEIGHT = {"name": 30, "qualifier": 16, "id": 10, "cluster": 3}
_USER_BONUS = 50
_DIGITS = re.compile(r"\d+")
_BUILTIN = "symcost/data/rules.yaml"


@dataclass(frozen=True)
class Decision:
    """The rule a node's evidence picks, why, and the candidates that lost."""

    rule: Rule | None
    how: str = ""
    why: str = ""
    candidates: tuple[dict[str, object], ...] = ()
    score: float = 0.0


def id_words(node_id: str) -> str:
    """A node id as words: ``layer0_qkv_gpu3`` -> ``layer 0 qkv gpu 3``."""
    text = re.sub(r"[_.\-]+", " ", node_id)
    return re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)


@dataclass
class RuleTable:
    """Rules in order: word rules first, then shape-only hints."""

    rules: list[Rule] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def classify(self, name: str, node_id: str = "", shape: str | None = None
                 ) -> tuple[Rule | None, str]:
        """The best rule for a node from its name and id, and how it matched."""
        d = self.decide([name] if name else [], node_id, shape)
        return d.rule, d.how

    def decide(self, words: list[str], node_id: str = "", shape: str | None = None,
               cluster: str = "") -> Decision:
        """Score every rule against every piece of evidence and pick the best.

        Evidence: ``words`` (the operation words of each label line, name line first),
        the parenthesised qualifiers of the name, the node id, the cluster label. A
        match scores the weight of where it was found (name 30, line ``i`` 20 - i,
        qualifier 16, id 10, cluster 3) plus the rule's ``strength`` (named
        collectives) plus 50 for a user rule; ties go to the earlier rule of the table.
        The rule's shape list, when given, must contain the node's shape. A rule
        without words (a shape hint) applies only when no words match.
        """
        shape = shape or ""
        # ids are unique but their words repeat: digits (split off by id_words) never
        # decide a match, so the id's numbers are left out of the cache key (the words
        # of the id with its digit runs as 0 are the id's words with theirs as 0)
        norm = _id_norm(_DIGITS.sub("0", node_id)) if node_id else ""
        d = _decide(self, tuple(words[:6]), norm, shape, cluster)
        if norm and norm in _shown(d) and norm != (real := id_words(node_id)):
            fix = {repr(norm): repr(real)}
            d = Decision(d.rule, d.how, _swap(d.why, fix), tuple(
                {**c, "why": _swap(str(c["why"]), fix)} for c in d.candidates), d.score)
        return d

    def by_name(self, name: str) -> Rule | None:
        """The rule called ``name``, or None."""
        return next((r for r in self.rules if r.name == name), None)

    def __hash__(self) -> int:
        return id(self)


@lru_cache(maxsize=65536)
def _id_norm(node_id: str) -> str:
    return id_words(node_id)


_SHOWN: dict[int, tuple[Decision, str]] = {}


def _shown(d: Decision) -> str:
    """The text of a decision where an id's words can appear (why and candidates)."""
    hit = _SHOWN.get(id(d))
    if hit is None or hit[0] is not d:
        if len(_SHOWN) > 65536:
            _SHOWN.clear()
        hit = _SHOWN[id(d)] = (d, d.why + repr(d.candidates))
    return hit[1]


def _swap(text: str, fix: dict[str, str]) -> str:
    for a, b in fix.items():
        text = text.replace(a, b)
    return text


@lru_cache(maxsize=65536)
def _decide(table: RuleTable, words: tuple[str, ...], id_text: str, shape: str,
            cluster: str) -> Decision:
    """:meth:`RuleTable.decide` on normalised evidence (cached)."""
    texts: list[tuple[str, int, str]] = []
    for i, w in enumerate(words[:6]):
        w = _LAYER_TAG.sub(" ", w).strip() or w
        bare = " ".join(_QUALIFIER.sub(" ", w).split()) or words[i]
        where = "name" if i == 0 else f"line {i + 1}"
        texts.append((where, _WEIGHT["name"] if i == 0 else 20 - i, bare or w))
        for q in _QUALIFIER.findall(w) if bare else ():
            texts.append((f"{where} qualifier", _WEIGHT["qualifier"] - i, q))
    if id_text:
        texts.append(("id", _WEIGHT["id"], id_text))
    if cluster:
        texts.append(("cluster", _WEIGHT["cluster"], _LAYER_TAG.sub(" ", cluster)))
    best: dict[str, tuple[float, str, str]] = {}
    for where, weight, text in texts:
        for idx, r in _matching(table, text, shape):
            bonus = r.strength if where != "cluster" else 0
            score = weight + bonus + (_USER_BONUS if r.origin != _BUILTIN else 0) \
                - idx * 1e-3
            if r.name not in best or score > best[r.name][0]:
                best[r.name] = (score, where, text)
    if not best:
        if shape:
            for r in table.rules:
                if r.match is None and shape in r.shape:
                    return Decision(r, "shape", f"no words match; shape {shape!r}")
        return Decision(None)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    name, (score, where, text) = ranked[0]
    rule = table.by_name(name)
    why = f"words {text!r} ({where}) match rule {name!r}, score {score:.0f}"
    lost = tuple({"rule": n, "score": round(s, 1), "why": f"words {t!r} ({w})"}
                 for n, (s, w, t) in ranked[1:6])
    return Decision(rule, "name" if where == "name" else where.split()[0], why, lost,
                    round(score, 1))


@lru_cache(maxsize=65536)
def _matching(table: RuleTable, text: str, shape: str) -> tuple[tuple[int, Rule], ...]:
    """Every word rule matching ``text`` (with its index in the table)."""
    return tuple((i, r) for i, r in enumerate(table.rules)
                 if r.match is not None and r.matches_words(text)
                 and (not r.shape or shape in r.shape))


_FIELDS = {"name", "match", "unless", "shape", "kind", "cost", "count", "collective",
           "description", "strength"}


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
        strength = row.get("strength", 0)
        if not isinstance(strength, int) or isinstance(strength, bool):
            raise InputError(f"{where}: 'strength' must be an integer", file=file)
        out.append(Rule(name, kind, cost, match, unless, frozenset(s.lower() for s in shape),
                        count, collective, str(row.get("description", "")), file,
                        strength))
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
    return parse_rules(yaml.safe_load(text), _BUILTIN)


def _read_user(path: Path) -> list[Rule]:
    file = str(path)
    text = read_text_file(path, "rules", MAX_RULES_BYTES)
    data = load_yaml(text, file)  # bounded depth and aliases (symcost.core.safeload)
    return parse_rules(data, file)
