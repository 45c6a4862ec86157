"""Batch runs give, file by file, what single runs give; records are byte-identical
between runs, pool sizes and the local pool vs Dask; a bad file is one record.

Oracle: the single-file commands (``symcost analyze|info|eval FILE --format json``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import symcost
from symcost.cli.main import main
from symcost.output.batch import (
    Task,
    expand_inputs,
    records_jsonl,
    run_batch,
    summary_csv,
    summary_markdown,
)
from symcost.output.formats import report

from conftest import ROOT, corpus_dir

SMALL_CORPUS = ["2025-10-16-09-28-20__optimized_communication_patterns.dot",
                "2025-10-16-09-40-41__micro_batch_parallelism.dot",
                "2025-11-28-16-11-17__large_ep_dag_simplified.dot"]  # the last has a cycle


@pytest.fixture()
def files(tmp_path: Path) -> list[str]:
    bad = tmp_path / "bad.dot"
    bad.write_text("digraph { a -> ; }\n")
    out = [str(ROOT / "examples" / "ma_separation.yaml"), str(bad),
           str(ROOT / "examples" / "ma_separation.dot"), str(tmp_path / "missing.dot")]
    corpus = corpus_dir()
    if corpus is not None:
        out += [str(corpus / n) for n in SMALL_CORPUS if (corpus / n).exists()]
    return out


def _single(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    got = capsys.readouterr()
    return code, got.out, got.err


def test_records_are_single_runs_in_input_order(files, capsys):
    records = run_batch([Task("analyze", f) for f in files], jobs=2)
    assert [r["file"] for r in records] == files
    for f, r in zip(files, records):
        code, out, err = _single(capsys, "analyze", f, "--format", "json")
        if code == 0:
            assert r["ok"] and r["error"] is None
            assert r["result"] == json.loads(out)
            assert r["runtime"] == json.loads(out)["runtime"]
            assert r["nodes"] == len(symcost.load(f).nodes)
        else:
            assert not r["ok"] and r["result"] is None
            assert err.strip() == f"symcost: error: {r['error']}"
    assert sum(not r["ok"] for r in records) >= 2  # the bad and the missing file


def test_jobs_and_runs_give_identical_bytes(files):
    tasks = [Task("analyze", f, {}, {"concurrency": "dag"}) for f in files]
    one = records_jsonl(run_batch(tasks, jobs=1))
    assert records_jsonl(run_batch(tasks, jobs=3)) == one
    assert records_jsonl(run_batch(tasks, jobs=2)) == one
    assert '"seconds"' not in one
    timed = run_batch(tasks[:1], jobs=1, timings=True)
    assert timed[0]["seconds"] >= 0


def test_cli_batch_writes_jsonl_and_summaries(files, tmp_path, capsys):
    outs = []
    for jobs in ("1", "2"):
        out, md, cs = (tmp_path / f"r{jobs}.jsonl", tmp_path / f"s{jobs}.md",
                       tmp_path / f"s{jobs}.csv")
        code, _, err = _single(capsys, "analyze", *files, "--jobs", jobs, "-o", str(out),
                               "--summary", str(md), "--summary", str(cs))
        assert code == 2 and "failed" in err  # some files are bad; the run still finished
        outs.append((out.read_bytes(), md.read_bytes(), cs.read_bytes()))
    assert outs[0] == outs[1]
    lines = outs[0][0].decode().splitlines()
    assert len(lines) == len(files)
    rows = list(csv.DictReader(io.StringIO(outs[0][2].decode())))
    assert list(rows[0]) == ["file", "nodes", "complete", "runtime", "error"]
    assert [r["file"] for r in rows] == files
    recs = [json.loads(x) for x in lines]
    for row, rec in zip(rows, recs):
        assert row["error"] == (rec["error"] or "")
        assert row["nodes"] == ("" if rec["nodes"] is None else str(rec["nodes"]))
    md = outs[0][1].decode()
    assert md.startswith("| file | nodes | complete | runtime | error |")
    assert md.count("\n| ") == len(files)


def test_a_folder_is_its_dag_files_sorted(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.dot", "a.yaml", "sub/c.gv", "notes.txt"):
        (tmp_path / name).write_text("")
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / n)
                                              for n in ("a.yaml", "b.dot", "sub/c.gv")]


def test_info_batch_matches_single(files, capsys):
    ok = [f for f in files if Path(f).exists()][:3]
    records = run_batch([Task("info", f) for f in ok], jobs=1)
    for f, r in zip(ok, records):
        code, out, _ = _single(capsys, "info", f, "--format", "json")
        assert (r["result"] == json.loads(out)) if code == 0 else not r["ok"]


def test_eval_sweep_matches_single_runs(tmp_path, capsys):
    f = str(ROOT / "examples" / "ma_separation.yaml")
    out = tmp_path / "sweep.jsonl"
    code, _, _ = _single(capsys, "eval", f, f, "--hw", "h100,a100", "--batch", "1:64;8,16",
                         "-o", str(out))
    assert code == 0
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(r["hw"], r["batch"]) for r in recs] == [
        ("h100", "1:64"), ("h100", "8,16"), ("a100", "1:64"), ("a100", "8,16")] * 2
    for r in recs[:4]:
        code, single, _ = _single(capsys, "eval", f, "--hw", r["hw"], "--batch", r["batch"],
                                  "--format", "json")
        assert code == 0 and r["result"] == json.loads(single)


def test_summary_columns_of_an_error_record():
    rec = run_batch([Task("analyze", "/nonexistent/x.dot")], jobs=1)
    assert not rec[0]["ok"] and "x.dot" in rec[0]["error"]
    assert summary_csv(rec).splitlines()[1].startswith("/nonexistent/x.dot,,,,")
    assert "0 ok" in summary_markdown(rec)


def test_dask_cluster_gives_the_local_records(files, tmp_path, capsys):
    distributed = pytest.importorskip("distributed", reason="needs the dask extra")
    tasks = [Task("analyze", f) for f in files]
    local = records_jsonl(run_batch(tasks, jobs=2))
    outs = {}
    for how in ("local", "dask"):
        out, summary = tmp_path / f"{how}.jsonl", tmp_path / f"{how}.csv"
        outs[how] = (out, summary, ["analyze", *files, "-o", str(out), "--summary",
                                    str(summary)])
    main(outs["local"][2] + ["--jobs", "2"])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        assert records_jsonl(run_batch(tasks, scheduler=cluster.scheduler_address)) == local
        main(outs["dask"][2] + ["--scheduler", cluster.scheduler_address])
    capsys.readouterr()
    for k in (0, 1):
        assert outs["dask"][k].read_bytes() == outs["local"][k].read_bytes()
    assert outs["local"][0].read_text() == local


def test_same_results_as_report_json():
    f = str(ROOT / "examples" / "ma_separation.yaml")
    r = symcost.analyze(symcost.load(f))
    assert run_batch([Task("analyze", f)])[0]["result"] == json.loads(report(r, "json"))


def test_a_worker_that_dies_costs_only_its_own_record(files, monkeypatch):
    import multiprocessing
    import os

    from symcost.output import batch

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("needs fork: the patched runner must reach the worker processes")
    real = batch._RUNNERS["info"]

    def crash_on_missing(task, rec):
        if task.file.endswith("missing.dot"):
            os._exit(9)  # what a segfault in a parser would do to the worker
        real(task, rec)

    monkeypatch.setitem(batch._RUNNERS, "info", crash_on_missing)
    records = run_batch([Task("info", f) for f in files], jobs=2)
    expected = run_batch([Task("info", f) for f in files if not f.endswith("missing.dot")],
                         jobs=1)
    died = [r for r in records if r["file"].endswith("missing.dot")]
    assert len(died) == 1 and "worker process died" in died[0]["error"]
    assert [r for r in records if not r["file"].endswith("missing.dot")] == expected
