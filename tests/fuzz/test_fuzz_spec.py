"""Fuzzing the YAML/JSON spec reader: generated documents with wrong types, hostile
values and structures (aliases, deep nesting, huge ``foreach``), through the CLI."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from fuzzkit import ROOT, assert_handled, examples

EXAMPLE = yaml.safe_load((ROOT / "examples" / "ma_separation.yaml").read_text())

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
    st.sampled_from(["B", "2048*B", "1e999999999", "Get_Time(B, 1, 2)", "{i}", "{i+1}",
                     "0..3", "0..100000000000", "a{99999}", "-1", "0-7", "x-y", "inf", "",
                     "B**65", "AllReduce(B, 8)", "compute", "comm"]),
    st.text(max_size=12))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8) | st.sampled_from(
        ["id", "m", "k", "n", "count", "op", "elements", "group", "foreach", "from", "to"]),
        inner, max_size=4)), max_leaves=12)
_NODE_FIELDS = ["id", "name", "kind", "devices", "layer", "matmul", "matmuls", "comm", "cost",
                "foreach", "attrs", "bogus"]


@st.composite
def spec(draw) -> dict:
    doc = json.loads(json.dumps(EXAMPLE))  # a deep copy of a real spec
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(["node", "edge", "top"]))
        if where == "node" and isinstance(doc.get("nodes"), list) and doc["nodes"]:
            node = doc["nodes"][draw(st.integers(0, len(doc["nodes"]) - 1))]
            if isinstance(node, dict):
                node[draw(st.sampled_from(_NODE_FIELDS))] = draw(_VALUES)
        elif where == "edge" and isinstance(doc.get("edges"), list) and doc["edges"]:
            i = draw(st.integers(0, len(doc["edges"]) - 1))
            doc["edges"][i] = draw(_VALUES)
        else:
            doc[draw(st.sampled_from(["nodes", "edges", "symbols", "atoms", "name", "x"]))] = \
                draw(_VALUES)
    return doc


def _run(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_text(text)
        status = assert_handled(["analyze", str(path), "--format", "json", "-o",
                                 str(Path(tmp) / "o")])
        event(f"status {status}")  # --hypothesis-show-statistics: how many were read


@examples(60)
@given(spec())
def test_mutated_yaml_specs(doc):
    _run(yaml.safe_dump(doc, allow_unicode=True), ".yaml")


@examples(30)
@given(spec())
def test_mutated_json_specs(doc):
    _run(json.dumps(doc), ".json")


@examples(30)
@given(st.text(alphabet="[]{}:-, &*!'\"\nab01", max_size=200))
def test_raw_yaml_text(text):
    _run(text, ".yaml")
