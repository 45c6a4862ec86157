"""Round-trip JSON: every JSON output validates against the shipped schema, and every
expression reads back exactly (with its symbols' assumptions) through symcost.parse_expr
and through plain sympy with symcost.namespace(), for every example and corpus file."""

from __future__ import annotations

import json

import jsonschema
import pytest
import sympy
from sympy.core.parameters import distribute

import symcost

from conftest import ROOT, run_cli

EX = "examples/ma_separation.yaml"


@pytest.fixture(scope="module")
def validator():
    schema = symcost.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _exprs(doc: dict) -> set[str]:
    """Every distinct expression string of an analysis document."""
    out = [doc["runtime"], doc["runtime_compute_only"]]
    out += list(doc.get("definitions", {}).values())
    out += list(doc.get("definitions_compute_only", {}).values())
    out += [c["cost"] for c in doc["critical_path_costs"]]
    out += [m[x] for m in doc["matmuls"] for x in ("m", "k", "n", "term")]
    for fj in doc["branches"] + doc["branches_compute_only"]:
        out += [b["residual"] for b in fj["branches"]]
        out += [fj["max"]] if fj["max"] else []
    return set(out)


def _sympify(text: str, ns: dict):
    """Plain sympy as the README documents it (no distribution of numbers over sums)."""
    with distribute(False):
        return sympy.sympify(text, locals=ns)


def _canon(e):
    """``e`` rebuilt bottom-up by its constructors (a Max built unevaluated gets sympy's
    canonical argument order; nothing else changes)."""
    with distribute(False):
        return e.func(*[_canon(a) for a in e.args]) if e.args else e


def _same(a, b) -> bool:
    return a == b or _canon(a) == _canon(b)


def _check_roundtrip(doc: dict, result) -> None:
    ns = symcost.namespace(doc)
    for key in ("runtime", "runtime_compute_only"):
        assert _same(_sympify(doc[key], ns), getattr(result, key))
        assert _same(symcost.parse_expr(doc[key], exact=True), getattr(result, key))
        # without distribute(False) sympy multiplies numbers into sums: equal, not identical
        assert _same(sympy.expand(sympy.sympify(doc[key], locals=ns)),
                     sympy.expand(getattr(result, key)))
    for text in _exprs(doc):
        a = symcost.parse_expr(text, exact=True)
        b = _sympify(text, ns)
        assert _same(a, b), text
        assert _same(symcost.parse_expr(symcost.to_text(a), exact=True), a), text
        for s in a.free_symbols:   # listed, with the assumptions it has
            assert s.name in doc["symbols"], s
            assert doc["symbols"][s.name] == {"positive": True, "integer": True}
        for f in a.atoms(sympy.core.function.AppliedUndef):
            assert f.func.__name__ in doc["atoms"]


def test_every_example_and_corpus_file_round_trips(analyzable, validator):
    assert analyzable
    for _path, result in analyzable:
        doc = json.loads(symcost.report(result, "json"))
        validator.validate(doc)
        _check_roundtrip(doc, result)


def test_plain_sympy_namespace_avoids_sympy_constants():
    ns = symcost.namespace()
    for name in ("E", "S", "I", "N", "O", "Q"):
        e = sympy.sympify(f"2*{name}", locals=ns)
        assert e.free_symbols == {sympy.Symbol(name, positive=True, integer=True)}
    e = sympy.sympify("Get_Time(2048*B, 4096, E)", locals=ns)
    assert e == symcost.Get_Time(2048 * symcost.B, 4096,
                                 sympy.Symbol("E", positive=True, integer=True))
    assert symcost.B.is_integer and symcost.B.is_positive


@pytest.mark.parametrize("args", [
    ("analyze", EX, "--format", "json"),
    ("info", EX, "--format", "json"),
    ("compare", "2*Get_Time(B, 1, E)", "Get_Time(B, 1, 1)", "--format", "json"),
    ("check", EX, "--claim", "Get_Time(B, 1, 1)", "--format", "json"),
    ("eval", EX, "--batch", "1:16", "--format", "json"),
    ("compare", EX, "examples/ma_separation.dot", "--batch", "1:8", "--format", "json"),
], ids=["analyze", "info", "compare", "check", "eval", "deployments"])
def test_cli_json_validates(args, validator):
    p = run_cli(*args, cwd=ROOT)
    assert p.returncode in (0, 1), p.stderr
    doc = json.loads(p.stdout)
    validator.validate(doc)
    assert doc["symcost"] == 1
