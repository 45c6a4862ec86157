"""Every public function has a runnable example in its docstring, and every docstring
example in the package runs (the examples the API reference shows)."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import symcost

MODULES = sorted(m.name for m in pkgutil.walk_packages(symcost.__path__, "symcost.")
                 if not m.name.endswith("__main__"))


def test_every_public_function_has_an_example():
    missing = []
    for name in symcost.__all__:
        obj = getattr(symcost, name)
        fn = getattr(obj, "__wrapped__", obj)
        if inspect.isfunction(fn) and ">>>" not in (fn.__doc__ or ""):
            missing.append(name)
    assert not missing, f"public functions without an example: {missing}"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
