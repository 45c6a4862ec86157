"""What users see about a reading's trustworthiness on the command line: the completeness
line and grouped diagnostics on stderr (whatever the format), ``--strict``, the zero-runtime
error, ``symcost explain`` and edge-less graphs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symcost.cli.main import main
from symcost.core.exitcodes import BAD_INPUT, INCOMPLETE, OK, VERDICT

ROOT = Path(__file__).parents[2]
FIX = ROOT / "tests" / "fixtures" / "dot"
MA_DOT = ROOT / "examples" / "ma_separation.dot"
INCOMPLETE_DOT = FIX / "incomplete.dot"
COMPLETE_DOT = FIX / "pipeline.dot"
PRICED_DOT = FIX / "incomplete_priced.dot"


def _args(cmd: str, dag: Path) -> list[str]:
    if cmd == "check":
        return ["check", str(dag), "--claim", "Get_Time(B, 1, 1)"]
    if cmd in ("eval", "compare") and dag == INCOMPLETE_DOT:
        dag = PRICED_DOT  # numbers need no unknown-cost atom (attention without sizes)
    if cmd == "eval":  # numbers need every size: the MLP's inner width given
        return ["eval", str(dag), "--batch", "1:4", "--set", "ffn_hidden=4096"]
    if cmd == "compare":
        return ["compare", str(dag), str(dag), "--batch", "1:4", "--set", "ffn_hidden=4096"]
    return [cmd, str(dag)]


@pytest.mark.parametrize("cmd", ["analyze", "info", "explain", "check", "eval", "compare"])
@pytest.mark.parametrize("strict", [False, True])
def test_strict_exit_status(cmd: str, strict: bool, capfd) -> None:
    extra = ["--strict"] if strict else []
    got = main(_args(cmd, INCOMPLETE_DOT) + extra)
    err = capfd.readouterr().err
    assert got == (INCOMPLETE if strict else (VERDICT if cmd == "check" else OK))
    assert "INCOMPLETE:" in err.splitlines()[0]
    assert ("--strict" in err) == strict
    complete = main(_args(cmd, COMPLETE_DOT) + extra)
    assert complete == (VERDICT if cmd == "check" else OK)
    assert capfd.readouterr().err.splitlines()[0].endswith(
        "complete: no missing size, unknown cost or elision in 11 nodes")


def test_strict_still_writes_the_output(tmp_path, capfd) -> None:
    out = tmp_path / "r.json"
    assert main(["analyze", str(INCOMPLETE_DOT), "--strict", "--format", "json",
                 "-o", str(out)]) == INCOMPLETE
    assert json.loads(out.read_text())["completeness"]["complete"] is False


@pytest.mark.parametrize("cmd", ["analyze", "check", "eval", "compare"])
def test_zero_runtime_is_an_error(cmd: str, capfd) -> None:
    assert main(_args(cmd, FIX / "zero_runtime.dot")) == BAD_INPUT
    cap = capfd.readouterr()
    lines = cap.err.splitlines()
    assert len(lines) == 1 and cap.out == ""
    assert "runtime is 0 but 1 compute/attention/unknown node(s)" in lines[0]
    assert "(frob)" in lines[0]


def test_json_on_stdout_diagnostics_on_stderr(capfd) -> None:
    assert main(["analyze", str(INCOMPLETE_DOT), "--format", "json"]) == OK
    cap = capfd.readouterr()
    data = json.loads(cap.out)  # stdout is pure JSON
    err = cap.err.splitlines()
    assert err[0] == f"{INCOMPLETE_DOT}: {data['completeness']['summary']}"
    assert any(line.startswith("warning [unknown-op] x1:") and "frob" in line for line in err)
    # in the JSON, each group lists exactly its nodes
    groups = {g["code"]: g for g in data["diagnostic_groups"]}
    assert groups["unknown-op"]["nodes"] == ["frob"]
    assert groups["symbol"]["nodes"] == ["mlp"]
    for d in data["diagnostics"]:
        if d["node"] is not None:
            assert d["node"] in d["nodes"]


def test_verbose_lists_every_node(capfd) -> None:
    path = str(ROOT / "examples" / "ma_separation.dot")
    main(["analyze", path, "-o", "/dev/null"])
    short = capfd.readouterr().err
    main(["analyze", path, "-o", "/dev/null", "--verbose"])
    full = capfd.readouterr().err
    assert "--verbose lists all" in short and "l3_dispatch" not in short
    assert "l3_dispatch" in full and "--verbose lists all" not in full


def test_explain_text_ma_example(capfd) -> None:
    assert main(["explain", str(MA_DOT), "l0_e0_up", "l0_dispatch"]) == OK
    out = capfd.readouterr().out
    first, second = out.split("\n\nnode ")
    assert first.startswith("node l0_e0_up (Expert 0 Up Projection L0)")
    assert "rule:       up_proj (matched by name)" in first
    assert "read:       operation 'Expert 0 Up Projection L0'" in first
    assert "output:     [batch_size=128, seq_len=2048, ffn_dim=16384] -> batch=128, " \
        "seq=2048, ffn=16384" in first
    assert "GPUs:       8 (read 'GPU: 8' from the label)" in first
    # DESIGN.md's expert up projection: [2048B, 4096] x [4096, 16384]
    assert "matmul:     [2048*B, 4096] x [4096, 16384]" in first
    assert "cost:       Get_Time(2048*B, 4096, 16384)" in first
    assert second.startswith("l0_dispatch")
    assert "inferred:   output [batch_size=128, seq_len=2048, hidden=4096] (passes through a " \
        "broadcast node)" in second
    assert "Broadcast(8388608*B, 9)" in second  # 128*2048*4096/128*B elements, 1 + 8 GPUs


def test_explain_json_fixture(capfd) -> None:
    assert main(["explain", str(FIX / "mismatch.dot"), "--format", "json"]) == OK
    data = json.loads(capfd.readouterr().out)
    nodes = {e["node"]: e for e in data["nodes"]}
    assert list(nodes) == ["input", "fc1", "fc2", "frob", "norm", "sink_undeclared"]
    frob = nodes["frob"]
    assert frob["kind"] == "unknown" and "rule" not in frob and frob["cost"] == "0"
    assert frob["gpus"] == [0] and frob["gpu_from"] == "label"
    assert [d["code"] for d in frob["diagnostics"]] == ["unknown-op"]
    fc2 = nodes["fc2"]
    assert fc2["matmuls"] == [{"m": "256*B", "k": "2048", "n": "4096", "count": 1,
                               "label": fc2["matmuls"][0]["label"],
                               "term": "Get_Time(256*B, 2048, 4096)"}]
    assert "dim-mismatch" in [d["code"] for d in fc2["diagnostics"]]
    # a node only named by an edge is no known operation either
    assert data["completeness"]["unknown_op_nodes"] == ["frob", "sink_undeclared"]


def test_explain_all_nodes_of_a_spec(capfd) -> None:
    assert main(["explain", str(ROOT / "examples" / "ma_separation.yaml"), "--format",
                 "json"]) == OK
    data = json.loads(capfd.readouterr().out)
    assert len(data["nodes"]) == 406
    assert all("rule" not in e for e in data["nodes"])  # a spec has no rules: skipped


def test_explain_unknown_node_names_close_matches(capfd) -> None:
    assert main(["explain", str(MA_DOT), "l0_e0_upp"]) == BAD_INPUT
    err = capfd.readouterr().err.splitlines()
    assert len(err) == 1
    assert "no node 'l0_e0_upp'" in err[0] and "close matches: l0_e0_up" in err[0]


def test_edgeless_graph_info_and_analyze(capfd) -> None:
    path = str(FIX / "edgeless.dot")
    assert main(["info", path, "--format", "json"]) == OK
    data = json.loads(capfd.readouterr().out)
    assert data["edges"] == 0 and len(data["matmuls"]) == 3
    assert main(["analyze", path]) == OK
    cap = capfd.readouterr()
    assert "Max(" in cap.out
    assert "[edgeless-order]" in cap.err and "file order" in cap.err


def test_a_diagnostic_names_every_node_it_is_about(capfd) -> None:
    """Ten nodes share one cause: the JSON's diagnostic and group list all ten, the stderr
    line shows a count and a few examples."""
    assert main(["info", str(FIX / "ten_mlps.dot"), "--format", "json"]) == OK
    cap = capfd.readouterr()
    data = json.loads(cap.out)
    want = [f"mlp{i}" for i in range(10)]
    (sym,) = [d for d in data["diagnostics"] if d["code"] == "symbol"]
    assert sym["nodes"] == want
    (group,) = [g for g in data["diagnostic_groups"] if g["code"] == "symbol"]
    assert group["nodes"] == want and group["count"] == 1
    line = next(x for x in cap.err.splitlines() if "[symbol]" in x)
    assert "10 node(s): mlp0, mlp1, mlp2, ... (--verbose lists all)" in line
    assert data["completeness"]["symbol_nodes"] == want
