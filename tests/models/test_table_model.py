"""Measured-table model: reproduces its samples, interpolates monotonically."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symcost.models import ModelError, TableModel

MS, KS, NS = [1, 16, 256, 4096], [128, 4096], [512, 4096, 16384]


def grid_rows(fn):
    return [(m, k, n, fn(m, k, n)) for m, k, n in itertools.product(MS, KS, NS)]


def smooth(m, k, n):
    return 5e-6 + 2 * m * k * n / 5e14


def test_reproduces_every_sample_point_exactly():
    rows = grid_rows(smooth)
    t = TableModel(rows)
    for m, k, n, s in rows:
        assert float(t.get_time(m, k, n)) == s
    assert t.adjusted == 0


def test_log_time_between_and_extrapolation_rules():
    # halfway in log m between 1 s and 3 s is the geometric mean sqrt(3) (log time)
    t = TableModel([(1, 1, 1, 1.0), (4, 1, 1, 3.0)])
    np.testing.assert_allclose(t.get_time([0.25, 1, 2, 4, 8, 16], 1, 1),
                               [1.0, 1.0, 3**0.5, 3.0, 6.0, 12.0])


POWER = [(2e-9, 1.0, 1.0, 1.0), (3e-7, 0.5, 0.8, 1.2), (1e-6, 0.2, 0.0, 0.9)]


@pytest.mark.parametrize("c,a,b,g", POWER)
def test_exact_for_power_laws_on_grid_and_scattered(c, a, b, g):
    def law(m, k, n):
        return c * np.asarray(m, float) ** a * np.asarray(k, float) ** b \
            * np.asarray(n, float) ** g

    rng = np.random.default_rng(1)
    q = np.exp(rng.uniform(np.log(300), np.log(3000), (200, 3)))
    want = law(*q.T)
    grid = TableModel([(m, k, n, float(law(m, k, n))) for m, k, n in
                       itertools.product([256, 1024, 4096], [256, 512, 4096], [256, 4096])])
    assert grid.full_grid
    np.testing.assert_allclose(grid.get_time(*q.T), want, rtol=1e-9)
    pts = np.exp(rng.uniform(np.log(200), np.log(5000), (300, 3)))
    scattered = TableModel([(*p, float(law(*p))) for p in pts])
    assert not scattered.full_grid
    inside = np.all((q > 400) & (q < 2500), axis=1)   # well inside the hull
    np.testing.assert_allclose(scattered.get_time(*q[inside].T), want[inside], rtol=1e-9)


def test_csv_round_trip_and_dtype_selection(tmp_path):
    f = tmp_path / "g.csv"
    lines = ["# measured", "m,k,n,seconds,dtype"]
    for m, k, n, s in grid_rows(smooth):
        lines.append(f"{m},{k},{n},{s!r},bf16")
        lines.append(f"{m},{k},{n},{2 * s!r},fp32")
    f.write_text("\n".join(lines) + "\n")
    bf = TableModel.from_csv(f, dtype="bf16")
    fp = TableModel.from_csv(f, dtype="fp32")
    assert float(fp.get_time(16, 128, 512)) == pytest.approx(2 * float(bf.get_time(16, 128, 512)))
    with pytest.raises(ModelError, match="choose one"):
        TableModel.from_csv(f)
    with pytest.raises(ModelError, match="no rows for dtype fp8"):
        TableModel.from_csv(f, dtype="fp8")


def test_bad_tables(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("m,k,n\n1,2,3\n")
    with pytest.raises(ModelError, match="missing seconds"):
        TableModel.from_csv(f)
    f.write_text("m,k,n,seconds\n1,2,3,abc\n")
    with pytest.raises(ModelError, match="row 1"):
        TableModel.from_csv(f)
    f.write_text("m,k,n,seconds,batch\n1,1,1,1,2\n")
    with pytest.raises(ModelError, match="no batch = 1 rows"):
        TableModel.from_csv(f)
    with pytest.raises(ModelError, match="no such file"):
        TableModel.from_csv(tmp_path / "nope.csv")


def test_non_monotone_data_is_raised_to_a_monotone_majorant():
    t = TableModel([(1, 1, 1, 2.0), (2, 1, 1, 1.0), (4, 1, 1, 3.0)])
    assert t.adjusted == 1
    vals = t.get_time(np.linspace(1, 4, 50), 1, 1)
    assert np.all(np.diff(vals) >= -1e-12 * vals[1:])
    assert float(t.get_time(2, 1, 1)) == 2.0


positive = st.floats(min_value=1e-7, max_value=1e-2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(incs=st.lists(positive, min_size=len(MS) * len(KS) * len(NS),
                     max_size=len(MS) * len(KS) * len(NS)),
       q=st.lists(st.tuples(st.floats(0.5, 20000), st.floats(64, 40000),
                            st.floats(256, 40000)), min_size=2, max_size=6),
       axis=st.integers(0, 2), step=st.floats(1.0, 8.0))
def test_interpolation_is_monotone_property(incs, q, axis, step):
    # a random grid that is monotone in each axis: cumulative sums of positive steps
    grid = np.array(incs).reshape(len(MS), len(KS), len(NS))
    for ax in range(3):
        grid = np.cumsum(grid, axis=ax)
    rows = [(m, k, n, float(grid[i, j, q])) for (i, m), (j, k), (q, n)
            in itertools.product(enumerate(MS), enumerate(KS), enumerate(NS))]
    t = TableModel(rows)
    for m, k, n, s in rows:
        assert float(t.get_time(m, k, n)) == s
    for point in q:
        bigger = list(point)
        bigger[axis] *= step
        lo = float(t.get_time(*point))
        hi = float(t.get_time(*bigger))
        assert hi >= lo * (1 - 1e-12)


def test_scattered_table_is_small_and_reproduces_samples():
    """2,000 scattered rows: no dense grid (it would be 2000^3 floats = 59.6 GiB)."""
    import tracemalloc

    rng = np.random.default_rng(7)
    pts = np.round(np.exp(rng.uniform(np.log(16), np.log(16384), (2000, 3))))
    rows = [(*p, float(smooth(*p))) for p in pts]
    tracemalloc.start()
    t = TableModel(rows)
    got = t.get_time(*pts[:50].T)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20
    assert not t.full_grid and t.describe()["grid"] is None
    np.testing.assert_array_equal(got, [r[3] for r in rows[:50]])
    # outside the hull: the nearest sample, proportional above it
    big = float(t.get_time(1e6, 16384, 16384))
    assert big > float(t.get_time(16384, 16384, 16384))


def test_batch_column_keeps_plain_gemms(tmp_path):
    f = tmp_path / "b.csv"
    lines = ["m,k,n,seconds,dtype,batch"]
    for m, k, n, s in grid_rows(smooth):
        lines.append(f"{m},{k},{n},{s!r},bf16,1")
        lines.append(f"{m},{k},{n},{4 * s!r},bf16,4")
    f.write_text("\n".join(lines) + "\n")
    t = TableModel.from_csv(f)
    assert t.dropped_batched == len(grid_rows(smooth))
    for m, k, n, s in grid_rows(smooth):
        assert float(t.get_time(m, k, n)) == s


def test_bundled_openxla_table_meets_the_accuracy_protocol():
    """Issue 13's protocol: a table from every other grid value (256, 1024, 4096) predicts
    the other batch-1 bf16 shapes of OpenXLA's H100 table: median <= 5%, max <= 25%."""
    from symcost.models.table import read_batch_column, read_table, resolve_table

    path = resolve_table("h100-openxla")
    rows = [r for r, b in zip(read_table(path), read_batch_column(path))
            if b == 1 and r[4] == "bf16"]
    assert len(rows) == 125
    train = [r[:4] for r in rows if {r[0], r[1], r[2]} <= {256, 1024, 4096}]
    test = np.array([r[:4] for r in rows if not {r[0], r[1], r[2]} <= {256, 1024, 4096}])
    assert len(train) == 27 and len(test) == 98
    err = np.abs(TableModel(train).get_time(*test[:, :3].T) / test[:, 3] - 1)
    assert np.median(err) <= 0.05 and err.max() <= 0.25
    full = TableModel.from_csv("h100-openxla", dtype="bf16")
    assert full.dropped_batched == 500 and full.samples == 125


def _load_script():
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("measure_gemm",
                                                  ROOT / "scripts" / "measure_gemm.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_measure_script_without_torch_fails_clearly():
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import sys; sys.modules['torch'] = None; sys.argv = ['m', '--quick'];"
            f"import runpy; runpy.run_path({str(ROOT / 'scripts' / 'measure_gemm.py')!r},"
            " run_name='__main__')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 2
    assert "PyTorch is not installed" in r.stderr and "symcost[torch]" in r.stderr


def test_measure_script_writes_a_table_the_model_reads(tmp_path, monkeypatch):
    """With a stand-in torch (numpy underneath) the --quick grid round-trips."""
    import sys
    import types

    fake = types.ModuleType("torch")
    fake.__version__ = "fake"
    fake.float32, fake.bfloat16, fake.float16 = np.float32, np.float32, np.float16
    fake.device = lambda name: types.SimpleNamespace(type=str(name).split(":")[0])
    fake.cuda = types.SimpleNamespace(is_available=lambda: False)
    fake.backends = types.SimpleNamespace(mps=None)
    fake.randn = lambda m, k, device=None, dtype=None: np.ones((m, k), dtype=dtype)
    fake.matmul = np.matmul
    monkeypatch.setitem(sys.modules, "torch", fake)
    out = tmp_path / "q.csv"
    assert _load_script().main(["--quick", "--repeat", "2", "--warmup", "1",
                                "-o", str(out)]) == 0
    t = TableModel.from_csv(out)
    assert t.samples == 12 and t.dtype == "bf16"
    assert float(t.get_time(64, 128, 128)) > 0


def test_measure_script_shapes_from_dag():
    from conftest import ROOT

    dims = _load_script().shapes_from_dag(str(ROOT / "examples" / "ma_separation.yaml"), [1, 2])
    assert 2048 in dims["m"] and 4096 in dims["m"] and 16384 in dims["k"] and 16 in dims["n"]


def test_bundled_table_by_name_in_a_machine():
    from symcost.models import Machine

    m = Machine.from_options(table="h100-openxla", dtype="bf16")
    # a measured shape of the file comes back exactly: 1024x256x2048 bf16 took 7.696 us
    assert float(m.functions()["Get_Time"](1024, 256, 2048)) == 7.696e-06
    with pytest.raises(ModelError, match="no such file"):
        Machine.from_options(table="h100-nonexistent")
