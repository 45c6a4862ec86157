"""The wheel: built by pip from the source tree, installed non-editable, it holds every
subpackage, the data and the templates, and runs an analysis from outside the tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"pip wheel failed: {proc.stderr[-2000:]}")
    (whl,) = out.glob("symcost-*.whl")
    return whl


def test_wheel_contains_every_subpackage_and_resource(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = sorted(str(p.parent.relative_to(ROOT)) for p in (ROOT / "symcost").rglob("*.py")
                      if "__pycache__" not in p.parts)
    missing = [p for p in set(packages) if not any(n.startswith(p + "/") for n in names)]
    assert not missing, f"subpackages missing from the wheel: {missing}"
    for res in ["symcost/data/rules.yaml", "symcost/data/hardware.yaml",
                "symcost/output/templates/analysis.md.j2", "symcost/py.typed"]:
        assert res in names


def test_installed_wheel_runs_an_analysis(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=600)
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = ("import symcost, sys; print(symcost.__file__); "
            "r = symcost.analyze(symcost.load(sys.argv[1])); print(r.runtime_compute_only); "
            "print(symcost.report(r, 'md')[:20])")
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT / "examples/ma_separation.dot")],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    where, runtime, _ = proc.stdout.split("\n", 2)
    assert where.startswith(str(target)), f"imported {where}, not the installed wheel"
    assert "Get_Time(2048*B, 4096, 16384)" in runtime
    script = subprocess.run([str(target / "bin" / "symcost"), "analyze",
                             str(ROOT / "examples/ma_separation.yaml")],
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert script.returncode == 0, script.stderr
    assert "Get_Time(2048*B, 4096, 16384)" in script.stdout
