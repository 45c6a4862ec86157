"""``symcost eval`` end to end, checked against direct substitution."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sympy

from symcost.core.symbols import AllReduce, B, Broadcast, Get_Time

from conftest import ROOT, run_cli

EXAMPLE = str(ROOT / "examples" / "ma_separation.yaml")
PEAK, BW, LBW, ALPHA = 989.5e12, 3.35e12, 450e9, 2e-6
EFF, LAUNCH = 0.77, 6e-6   # the h100 bf16 calibration of hardware.yaml (the default)


def rf(m, k, n, eff=EFF, launch=LAUNCH):
    return max(2 * m * k * n / PEAK, 2 * (m * k + k * n + m * n) / BW) / eff + launch


def direct(expr, b):
    e = expr.subs(B, b).replace(Get_Time, lambda m, k, n: sympy.Float(rf(*map(int, (m, k, n)))))
    e = e.replace(AllReduce, lambda n, p: sympy.Float(
        2 * (p - 1) / p * 2 * n / LBW + 2 * (p - 1) * ALPHA))
    e = e.replace(Broadcast, lambda n, p: sympy.Float(2 * n / LBW + (p - 1) * ALPHA))
    return float(e)


@pytest.fixture(scope="module")
def analysis():
    from symcost import load
    from symcost.solve.analysis import analyze

    return analyze(load(EXAMPLE))


def test_json_equals_direct_substitution(analysis):
    r = run_cli("eval", EXAMPLE, "--hw", "h100", "--batch", "1,3,64,4096", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["batches"] == [1, 3, 64, 4096]
    for b, t in zip(data["batches"], data["runtime_s"]):
        assert t == pytest.approx(direct(analysis.runtime, b), rel=1e-12)
    assert set(data["breakdown_s"]) == {"compute", "attention", "comm"}
    assert data["critical_path"][0] == "input"


def test_compute_only_and_csv(analysis):
    r = run_cli("eval", EXAMPLE, "--batch", "1:10", "--format", "csv", "--compute-only")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [int(x["B"]) for x in rows] == list(range(1, 11))
    for x in rows:
        want = direct(analysis.runtime_compute_only, int(x["B"]))
        assert float(x["runtime_s"]) == pytest.approx(want, rel=1e-12)
        assert "comm_s" not in x


def test_table_output_and_plot(tmp_path):
    png = tmp_path / "ma.png"
    r = run_cli("eval", EXAMPLE, "--batch", "1:4096", "--plot", str(png))
    assert r.returncode == 0, r.stderr
    assert "machine: roofline h100 bf16 + nvlink4 ring" in r.stdout
    assert "4096" in r.stdout and "no undecided branch" in r.stdout
    assert png.stat().st_size > 10_000


def test_measured_table_option(tmp_path):
    import itertools

    f = tmp_path / "g.csv"
    shapes = itertools.product([1024, 8192, 65536], [16, 128, 2048, 4096, 16384],
                               [16, 128, 512, 2048, 4096, 16384])
    f.write_text("m,k,n,seconds\n" + "".join(
        f"{m},{k},{n},{rf(m, k, n)!r}\n" for m, k, n in shapes))
    r = run_cli("eval", EXAMPLE, "--table", str(f), "--batch", "4", "--format", "json",
                "--compute-only")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["machine"]["matmul"]["model"] == "table"


@pytest.mark.parametrize("args, message", [
    (["--hw", "tpu"], "unknown hardware preset"),
    (["--hw", "a100", "--dtype", "fp8"], "no fp8 peak"),
    (["--batch", "0:4"], "batch sizes must be integers >= 1"),
    (["--link", "smoke"], "unknown link preset"),
    (["--table", "missing.csv"], "no such file"),
    (["--plot", "out.bmp"], "png"),
])
def test_user_errors_are_one_line(args, message, tmp_path):
    r = run_cli("eval", EXAMPLE, *args, cwd=tmp_path)
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_set_binds_a_symbolic_dimension():
    from conftest import corpus_dir

    corpus = corpus_dir()
    dot = corpus / "2025-12-04-16-15-16__llm_layer_detail.dot" if corpus else None
    if dot is None or not dot.is_file():
        pytest.skip("corpus not available")
    r = run_cli("eval", str(dot), "--batch", "1:4")
    assert r.returncode == 2 and "--set NAME=VALUE" in r.stderr
    # issue 10: the attention-output shards' input width is a symbol too (not in the labels)
    # and the expert gate's input width (fed by 24 Q/K/V shards: no single producer's)
    r = run_cli("eval", str(dot), "--batch", "1:4", "--set", "S=2048",
                "--set", "D_in_attention_output=1024", "--set", "hidden=1024",
                "--format", "json")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["runtime_s"]) == 4
    r = run_cli("eval", str(dot), "--set", "S=zero")
    assert r.returncode == 2 and "--set" in r.stderr
