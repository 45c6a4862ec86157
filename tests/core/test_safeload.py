"""Bounded YAML/JSON loading: aliases, depth, huge integers."""

from __future__ import annotations

import time

import pytest

from symcost.core import limits
from symcost.core.errors import InputError
from symcost.core.safeload import load_json, load_yaml

LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi"))


def test_billion_laughs_refused_quickly():
    start = time.process_time()
    with pytest.raises(InputError, match="aliases expand"):
        load_yaml(LAUGHS, "laughs.yaml")
    assert time.process_time() - start < 30  # it is refused, not expanded (9**9 nodes)


def test_small_aliases_still_work():
    assert load_yaml("a: &x [1, 2]\nb: *x\n", "f.yaml") == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize("depth, ok", [(limits.MAX_DOC_DEPTH - 1, True),
                                       (limits.MAX_DOC_DEPTH + 1, False), (50_000, False)])
def test_yaml_depth(depth, ok):
    text = "[" * depth + "]" * depth
    if ok:
        load_yaml(text, "f.yaml")
    else:
        with pytest.raises(InputError, match="nested"):
            load_yaml(text, "f.yaml")


@pytest.mark.parametrize("depth, ok", [(limits.MAX_DOC_DEPTH, True),
                                       (limits.MAX_DOC_DEPTH + 1, False), (200_000, False)])
def test_json_depth(depth, ok):
    text = "[" * depth + "]" * depth
    if ok:
        load_json(text, "f.json")
    else:
        with pytest.raises(InputError, match="nested"):
            load_json(text, "f.json")


@pytest.mark.parametrize("load, text", [(load_yaml, "a: " + "9" * 5000), (load_json, "9" * 5000),
                                        (load_yaml, "a: [\n"), (load_json, "{")])
def test_bad_documents_one_line(load, text):
    with pytest.raises(InputError) as err:
        load(text, "f")
    assert "\n" not in str(err.value)
