"""The fast indented JSON text: always the standard library's ``json.dumps(obj, indent=n)``,
byte for byte (the oracle), on random documents and on the shapes its fast paths take."""

from __future__ import annotations

import enum
import json
import math
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symcost.core import jsontext

# Strings that stress the encoder and the row-break fix: quotes, braces, separators,
# newlines, "%" (the row format), non-ASCII (escaped), surrogates.
_TRICKY = ["", "}", "{", "},\n    {", '"', "\\", "%s", "%", "a,\n  b", "\u00e9", "\U0001f600",
           "\ud800", "\x00", "null", "1"]
_text = st.one_of(st.text(max_size=12), st.sampled_from(_TRICKY))
_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-3, 3),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0]),
                    _text)
#: Cells that are equal (or hash alike) but print differently: 1, True, 1.0; 0.0, -0.0.
_confusable = st.sampled_from([0, 1, True, False, 0.0, -0.0, 1.0, None, "1", "", math.nan])
_key = st.one_of(_text, st.integers(-2, 2), st.booleans(), st.none(), st.floats(-2, 2))


def _row(keys):
    return st.fixed_dictionaries({k: st.one_of(_scalar, _confusable) for k in keys})


_table = st.lists(st.sampled_from(["node", "m", "%k", "term", "}"]), min_size=1, max_size=4,
                  unique=True).flatmap(lambda ks: st.lists(_row(ks), min_size=1, max_size=6))
_documents = st.recursive(
    st.one_of(_scalar, _table),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.tuples(inner, inner),
                            st.dictionaries(_key, inner, max_size=5),
                            st.dictionaries(_text, inner, max_size=5)),
    max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(_documents, st.sampled_from([0, 1, 2, 4]))
def test_random_documents_print_as_json_dumps(doc, indent):
    assert jsontext.dumps(doc, indent=indent) == json.dumps(doc, indent=indent)


@settings(max_examples=300, deadline=None)
@given(_table, st.sampled_from([0, 2]))
def test_random_tables_print_as_json_dumps(rows, indent):
    doc = {"table": rows, "nested": [rows, {"again": rows}]}
    assert jsontext.dumps(doc, indent=indent) == json.dumps(doc, indent=indent)


class Colour(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


@pytest.mark.parametrize("doc", [
    [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],                  # a table
    [{"a": 1, "b": "x"}, {"b": "y", "a": 2}],                  # same keys, other order
    [{"a": 1}, {"a": 1, "b": 2}],                              # different keys
    [{"a": 1}, {}],                                            # an empty row
    [{"a": 1}, {"a": [1]}],                                    # a nested cell
    [{"a": 1}, {"a": True}, {"a": 1.0}],                       # 1 == True == 1.0
    [{"a": 1}, {"a": True}], [{"a": False, "b": 0}, {"a": 0, "b": False}],
    [{"a": 0.0}, {"a": -0.0}, {"a": math.nan}],                # equal floats, other texts
    [{"a": Colour.RED, "b": Level.HIGH}, {"a": "red", "b": 3}],  # subclasses of str, int
    [{1: "x"}, {1: "y"}], [{None: 1, True: 2}],                # keys json converts
    {"k": OrderedDict(a=1)}, [OrderedDict(a=1), OrderedDict(a=2)],
    [{"%s": "%d", "}": "{"}, {"%s": "%%", "}": "},\n{"}],
    {"rows": [{"node": f"n{i}", "m": "2048*B", "count": i % 3} for i in range(50)]},
    {1: [1, 2], 2.5: {"x": None}, False: "f"},                 # non-string keys, nested
    ("a", ("b", ()), {}), 3, "text", None, 2**80, -1.5e300,
])
@pytest.mark.parametrize("indent", [0, 2, 3])
def test_fast_paths_print_as_json_dumps(doc, indent):
    assert jsontext.dumps(doc, indent=indent) == json.dumps(doc, indent=indent)


@pytest.mark.parametrize("doc", [{"a": object()}, [{"a": 1}, {"a": {1, 2}}], {(1, 2): 3},
                                 [{"a": float("nan")}, {"a": b"x"}]])
def test_what_json_refuses_it_refuses_the_same_way(doc):
    with pytest.raises(TypeError) as ours:
        jsontext.dumps(doc)
    with pytest.raises(TypeError) as theirs:
        json.dumps(doc, indent=2)
    assert str(ours.value) == str(theirs.value)


def test_a_cycle_is_json_dumps_error():
    doc: list = [1]
    doc.append(doc)
    with pytest.raises(ValueError, match="Circular reference"):
        jsontext.dumps(doc)


def test_a_string_indent_goes_to_json_dumps():
    doc = {"a": [1, {"b": 2}]}
    assert jsontext.dumps(doc, indent="\t") == json.dumps(doc, indent="\t")
