"""The package's layers: every import of a symcost module goes down the layers or stays in
its own layer (module-level and function-level imports alike), and no module cycles.

The order is written once, here and in the README's "Architecture" section. The root
``symcost/__init__.py`` (the public API) and ``__main__`` sit above every layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symcost"

#: Bottom to top. A module may import modules of its own layer and of layers below.
LAYERS = ["core", "algebra", "labels", "ops", "read", "solve", "models", "output", "cli"]


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, mod: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module) of every symcost import in ``path``, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mod = mod or _module_name(path)
    pkg = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("symcost")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("symcost"):
                out.append((node.lineno, target))
                # "from symcost.x import y" may name a submodule y
                out += [(node.lineno, f"{target}.{a.name}") for a in node.names
                        if (PACKAGE.parent / f"{target}.{a.name}".replace(".", "/")).exists()
                        or (PACKAGE.parent / (f"{target}.{a.name}".replace(".", "/") + ".py")
                            ).exists()]
    return out


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # the root package: the public API, above every layer
    if parts[1] == "__main__":
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else -1


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "templates" not in p.parts)


def test_every_module_is_in_a_layer():
    stray = [str(p.relative_to(PACKAGE)) for p in MODULES if _layer(_module_name(p)) == -1]
    assert not stray, f"modules outside the layers {LAYERS}: {stray}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down(path: Path):
    mine = _layer(_module_name(path))
    if mine is None:
        return
    up = [f"line {line}: {target}" for line, target in _imports(path)
          if (t := _layer(target)) is None or t > mine]
    assert not up, f"{_module_name(path)} ({LAYERS[mine]}) imports upward: {up}"


def test_no_import_cycles():
    g = nx.DiGraph()
    names = {_module_name(p) for p in MODULES}
    for p in MODULES:
        me = _module_name(p)
        for _, target in _imports(p):
            if target in names and target != me and not me.startswith(target + "."):
                # a package's own __init__ re-exporting a submodule is not a cycle edge
                if not target.startswith(me + ".") or not p.name == "__init__.py":
                    g.add_edge(me, target)
    cycles = list(nx.simple_cycles(g))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_the_check_catches_an_upward_import(tmp_path: Path):
    """The checker itself: an upward import in a core module is reported."""
    fake = tmp_path / "probe.py"
    fake.write_text("def f():\n    from ..output import render\n", encoding="utf-8")
    targets = [t for _, t in _imports(fake, "symcost.core.probe")]
    assert targets == ["symcost.output", "symcost.output.render"]
    assert all(_layer(t) > _layer("symcost.core.probe") for t in targets)
