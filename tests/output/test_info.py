"""``symcost info``: counts per kind and GPU, layers, stages, matmuls, diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

from symcost.cli.main import main
from symcost.output.info import dag_info, format_info
from symcost.read.dot.reader import read_dot

FIX = Path(__file__).parents[1] / "fixtures" / "dot"


def test_info_counts_pipeline() -> None:
    info = dag_info(read_dot(FIX / "pipeline.dot"))
    assert info["nodes"] == 11 and info["edges"] == 10
    assert info["kinds"]["compute"] == 8 and info["kinds"]["comm"] == 1
    assert info["kinds"]["io"] == 2 and info["kinds"]["unknown"] == 0
    assert info["gpus"] == {**{str(g): 5 for g in range(4)}, **{str(g): 5 for g in range(4, 8)}}
    assert info["layers"] == {"0": 2, "1": 2, "2": 2, "3": 2}
    assert info["stages"] == {"0": 4, "1": 4}
    assert info["nodes_without_gpu"] == 2  # input and output (io)
    assert len(info["matmuls"]) == 8
    first = info["matmuls"][0]
    assert (first["node"], first["m"], first["k"], first["n"]) == ("l0_up", "2048*B", "4096",
                                                                   "16384")
    assert first["term"] == "Get_Time(2048*B, 4096, 16384)"
    assert info["communication"] == [{"node": "send01", "devices": list(range(8)),
                                      "term": "SendRecv(8388608*B, 8)"}]


def test_info_fused_counts_and_diagnostics() -> None:
    info = dag_info(read_dot(FIX / "fused_qkv.dot"))
    (qkv,) = [m for m in info["matmuls"] if m["node"] == "qkv"]
    assert qkv["count"] == 3 and qkv["term"] == "3*Get_Time(4096*B, 4096, 1024)"
    info = dag_info(read_dot(FIX / "mismatch.dot"))
    codes = sorted(d["code"] for d in info["diagnostics"])
    assert codes == ["dim-mismatch", "duplicate", "implicit", "no-gpu", "unknown-op"]
    assert info["diagnostic_counts"]["warning"] == 5


def test_info_text(tmp_path, capfd) -> None:
    text = format_info(dag_info(read_dot(FIX / "mismatch.dot")))
    assert "nodes 6, edges 5" in text
    assert "diagnostics (info 0, warning 5, error 0)" in text
    assert "#" not in text and "**" not in text  # plain text, no Markdown
    # the diagnostics themselves go to stderr, grouped by cause, whatever the format
    assert main(["info", str(FIX / "mismatch.dot")]) == 0
    err = capfd.readouterr().err
    assert "warning [unknown-op] x1: operation 'Frobnicate'" in err and "frob" in err


def test_cli_info_json_and_text(tmp_path, capfd) -> None:
    out = tmp_path / "info.json"
    assert main(["info", str(FIX / "experts_shared.dot"), "--format", "json", "-o",
                 str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["nodes"] == 9 and data["gpus"] == {"0": 5, "1": 4}
    assert main(["info", str(FIX / "experts_shared.dot")]) == 0
    assert "matmuls (9):" in capfd.readouterr().out
    assert main(["info", str(FIX / "split_attention.dot"), "--symbol", "seq_len=S",
                 "--format", "json"]) == 0
    data = json.loads(capfd.readouterr().out)
    assert data["matmuls"][0]["m"] == "B*S"
