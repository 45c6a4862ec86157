"""Spec input: the bundled example, and bad input (one line, exit 2, nothing written)."""

import json

import pytest
import sympy

from symcost import InputError, load
from symcost.algebra.exprparse import parse_expr
from symcost.solve.analysis import analyze

from conftest import ROOT, run_cli

EXAMPLE = ROOT / "examples" / "ma_separation.yaml"

# DESIGN.md's worked example, written out by hand
DEVICE = ("4*(3*Get_Time(2048*B, 4096, 512) + Get_Time(8192*B, 128, 2048)"
          " + Get_Time(8192*B, 2048, 128) + Get_Time(2048*B, 4096, 4096)"
          " + Get_Time(2048*B, 4096, 16) + 2*Get_Time(2048*B, 4096, 16384)"
          " + 2*Get_Time(2048*B, 16384, 4096))")
DAG = DEVICE.replace("3*Get_Time", "Get_Time").replace("2*Get_Time", "Get_Time")


@pytest.mark.parametrize("mode, expected", [("device", DEVICE), ("dag", DAG)])
def test_worked_example_through_cli(mode, expected):
    proc = run_cli("analyze", str(EXAMPLE), "--format", "json", "--concurrency", mode)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    got = parse_expr(data["runtime_compute_only"])
    assert sympy.expand(got - parse_expr(expected)) == 0
    # canonical: the four layers are pulled out as a common factor, no Max survives
    assert data["runtime_compute_only"].startswith("4*(")
    assert "Max" not in data["runtime_compute_only"]
    for key in ("runtime", "runtime_latex", "critical_path", "matmuls", "branches",
                "diagnostics"):
        assert key in data
    assert r"\operatorname{Get\_Time}" in data["runtime_latex"]
    # with communication: one all-reduce and one dispatch per layer on the path
    full = parse_expr(data["runtime"])
    comm = sympy.expand(full - got)
    assert comm == sympy.expand(4 * parse_expr("AllReduce(8388608*B, 8) + Broadcast(8388608*B, 9)"))


def test_example_matmul_table():
    r = analyze(load(EXAMPLE), "device")
    rows = r.matmuls()
    # per layer: 8 GPUs x (Q, K, V, QK, AV, out) + gate + 16 experts x (up, down)
    assert len(rows) == 4 * (8 * 6 + 1 + 16 * 2)
    terms = {row["term"] for row in rows}
    assert "Get_Time(2048*B, 4096, 16)" in terms


BAD = {
    "unknown field": ("nodes:\n  - id: a\n    kindd: io\n", ":2", "unknown field 'kindd'"),
    "missing node": ("nodes:\n  - id: a\nedges:\n  - [a, b]\n", "", "'b'"),
    "cycle": ("nodes:\n  - id: a\n  - id: b\nedges:\n  - [a, b, a]\n", "", "cycle: a -> b -> a"),
    "bad yaml": ("nodes: [\n", ":2", "YAML syntax error"),
    "bad expression": ("nodes:\n  - id: a\n    cost: 'Get_Time(1, 2'\n", ":2", "column"),
    "negative cost": ("nodes:\n  - id: a\n    cost: '-Get_Time(1, 2, 3)'\n", ":2",
                      "not a positive multiple"),
    "eval attempt": ("nodes:\n  - id: a\n    cost: '__import__(\"os\").system(\"x\")'\n",
                     ":2", "unexpected character"),
    "python tag": ("nodes: !!python/object/apply:os.system ['true']\n", "", "YAML"),
    "no nodes": ("name: x\n", "", "no nodes"),
    "duplicate": ("nodes:\n  - id: a\n  - id: a\n", ":3", "defined twice"),
    "bad devices": ("nodes:\n  - id: a\n    devices: 'x-y'\n", ":2", "devices"),
    "bad foreach": ("nodes:\n  - id: 'a{i}'\n    foreach: {i: 'z'}\n", ":2", "foreach"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_spec_one_line_exit_2(tmp_path, name):
    text, line, needle = BAD[name]
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    out = tmp_path / "out.json"
    proc = run_cli("analyze", str(spec), "--format", "json", "-o", str(out))
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in proc.stderr
    assert str(spec) in err and line in err and needle in err, err
    assert not out.exists()
    with pytest.raises(InputError):
        load(spec)


def test_json_spec(tmp_path):
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps({"nodes": [{"id": "a", "matmul": ["2*B", 8, 8]},
                                          {"id": "b", "cost": "Get_Time(B, 8, 8)"}],
                                "edges": [["a", "b"]]}))
    r = analyze(load(spec))
    assert r.runtime == parse_expr("Get_Time(2*B, 8, 8) + Get_Time(B, 8, 8)")


def test_unknown_extension_and_missing_file(tmp_path):
    for path, needle in ((tmp_path / "x.txt", "unknown file type"),
                         (tmp_path / "nope.yaml", "no such file")):
        if path.suffix == ".txt":
            path.write_text("x")
        proc = run_cli("analyze", str(path))
        assert proc.returncode == 2 and needle in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_user_atoms_and_symbols(tmp_path):
    spec = tmp_path / "u.yaml"
    spec.write_text(
        "symbols: [S]\n"
        "atoms:\n  - {name: Dequant, arity: 2}\n"
        "nodes:\n"
        "  - {id: a, matmul: ['B*S', 64, 64]}\n"
        "  - {id: l, cost: 'Dequant(B*S, 8)'}\n"
        "  - {id: r, cost: 'Dequant(B*S, 4)'}\n"
        "  - {id: t}\n"
        "edges:\n  - [a, l, t]\n  - [a, r, t]\n")
    r = analyze(load(spec), "dag")
    # Dequant(B*S, 8) covers Dequant(B*S, 4): the r branch is dominated
    assert r.runtime == parse_expr("Get_Time(B*S, 64, 64) + Dequant(B*S, 8)")
    assert [b.pred for b in r.branches[0].branches if not b.kept] == ["r"]
