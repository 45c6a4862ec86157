"""DOT fixtures written the way the corpus writes them, against hand-derived closed forms.

Each expected form below was derived by hand from the labels (see the comments), using
the conventions of DESIGN.md: linear [M, K] -> [M, N] is Get_Time(M, K, N) with M the
token count; attention is Get_Time(b*h*s, d, s) + Get_Time(b*h*s, s, d); a batch value v
becomes B*v/v0 with v0 the entry's batch value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from symcost.core.dag import Kind
from symcost.core.symbols import AllReduce, B, Get_Time, SendRecv
from symcost.read.dot.reader import read_dot
from symcost.solve.analysis import analyze

G = Get_Time
FIX = Path(__file__).parents[1] / "fixtures" / "dot"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# split_attention: batch 64 at the entry and everywhere -> M = B*1024; 8 heads x 128.
# Per GPU: Q, K, V [M,2048]x[2048,1024]; scores [8*1024*B,128]x[128,1024]; AV likewise.
QKV_SPLIT = G(1024 * B, 2048, 1024)
ATT_SPLIT = G(8192 * B, 128, 1024) + G(8192 * B, 1024, 128)
AR_SPLIT = AllReduce(64 * 1024 * 2048 * B / 64, 2)
# fused_qkv: batch 8 -> M = 4096*B; QKV N = 8*128 = 1024 (three matmuls in one node);
# attention b*h*s = 8*4096*B/8 * ... = 32768*B; gated MLP with ffn 3584 (gate and up).
QKV_FUSED = 3 * G(4096 * B, 4096, 1024)
ATT_FUSED = G(32768 * B, 128, 4096) + G(32768 * B, 4096, 128)
OPROJ = G(4096 * B, 1024, 4096)
UP = G(4096 * B, 4096, 3584)
DOWN = G(4096 * B, 3584, 4096)
AR_FUSED = AllReduce(4096 * 4096 * B, 4)
# experts_shared: entry batch 32; experts see batch 16 -> B/2, M = 256*B; gate M = 512*B.
GATE_E = G(512 * B, 1024, 4)
EXPERT = G(256 * B, 1024, 4096) + G(256 * B, 4096, 1024)
# pipeline: positional [128, 2048, 4096] -> batch 128 = entry, M = 2048*B.
LAYER = G(2048 * B, 4096, 16384) + G(2048 * B, 16384, 4096)
SEND = SendRecv(2048 * 4096 * B, 8)
# mismatch: costs as written (4096 -> 4096, then 2048 -> 4096), M = 256*B.
MIS = G(256 * B, 4096, 4096) + G(256 * B, 2048, 4096)
# MA-separation (DESIGN.md worked example).
MA_DEVICE = 4 * (3 * G(2048 * B, 4096, 512) + G(8192 * B, 128, 2048)
                 + G(8192 * B, 2048, 128) + G(2048 * B, 4096, 4096) + G(2048 * B, 4096, 16)
                 + 2 * G(2048 * B, 4096, 16384) + 2 * G(2048 * B, 16384, 4096))
MA_DAG = 4 * (G(2048 * B, 4096, 512) + G(8192 * B, 128, 2048)
              + G(8192 * B, 2048, 128) + G(2048 * B, 4096, 4096) + G(2048 * B, 4096, 16)
              + G(2048 * B, 4096, 16384) + G(2048 * B, 16384, 4096))

CASES = [
    # file, concurrency, compute-only runtime, communication added in `runtime`
    (FIX / "split_attention.dot", "device", 3 * QKV_SPLIT + ATT_SPLIT, AR_SPLIT),
    (FIX / "split_attention.dot", "dag", QKV_SPLIT + ATT_SPLIT, AR_SPLIT),
    (FIX / "fused_qkv.dot", "device", QKV_FUSED + ATT_FUSED + OPROJ + 2 * UP + DOWN, AR_FUSED),
    (FIX / "fused_qkv.dot", "dag", QKV_FUSED + ATT_FUSED + OPROJ + UP + DOWN, AR_FUSED),
    (FIX / "experts_shared.dot", "device", GATE_E + 2 * EXPERT, 0),
    (FIX / "experts_shared.dot", "dag", GATE_E + EXPERT, 0),
    (FIX / "pipeline.dot", "device", 4 * LAYER, SEND),
    (FIX / "pipeline.dot", "dag", 4 * LAYER, SEND),
    (FIX / "mismatch.dot", "device", MIS, 0),
    (FIX / "mismatch.dot", "dag", MIS, 0),
    (EXAMPLES / "ma_separation.dot", "device", MA_DEVICE, None),
    (EXAMPLES / "ma_separation.dot", "dag", MA_DAG, None),
]


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    return sympy.expand(a - b) == 0


@pytest.mark.parametrize("path, mode, compute, comm", CASES,
                         ids=[f"{c[0].stem}-{c[1]}" for c in CASES])
def test_closed_form(path: Path, mode: str, compute: sympy.Expr, comm) -> None:
    result = analyze(read_dot(path), concurrency=mode)
    assert _same(result.runtime_compute_only, compute), result.runtime_compute_only
    if comm is not None:
        assert _same(result.runtime, compute + comm), result.runtime


def test_ma_separation_twin_of_the_spec() -> None:
    from symcost.read.loader import load

    spec, dot = load(EXAMPLES / "ma_separation.yaml"), load(EXAMPLES / "ma_separation.dot")
    for mode in ("device", "dag"):
        a, b = analyze(spec, concurrency=mode), analyze(dot, concurrency=mode)
        assert _same(a.runtime_compute_only, b.runtime_compute_only)
        assert _same(a.runtime, b.runtime)


def test_pipeline_layers_stages_and_cluster_gpus() -> None:
    dag = read_dot(FIX / "pipeline.dot")
    assert dag.node("l1_down").layer == 1 and dag.node("l1_down").attrs["stage"] == 0
    assert dag.node("l3_up").layer == 3 and dag.node("l3_up").attrs["stage"] == 1
    assert dag.node("l0_up").devices == frozenset(range(4))
    assert dag.node("l2_up").devices == frozenset(range(4, 8))
    assert dag.node("send01").devices == frozenset(range(8))  # transfer: both sides
    assert dag.node("send01").kind == Kind.COMM


def test_mismatch_diagnostics() -> None:
    dag = read_dot(FIX / "mismatch.dot")
    by_code: dict[str, list] = {}
    for d in dag.diagnostics:
        by_code.setdefault(d.code, []).append(d)
    (mm,) = by_code["dim-mismatch"]
    assert mm.nodes == ("fc1", "fc2") and str(mm.level) == "warning"
    assert [d.node for d in by_code["unknown-op"]] == ["frob"]
    assert dag.node("frob").kind == Kind.UNKNOWN and dag.node("frob").cost == 0
    assert [d.node for d in by_code["duplicate"]] == ["norm"]
    assert by_code["duplicate"][0].line == 10
    assert [d.node for d in by_code["implicit"]] == ["sink_undeclared"]
    assert "norm" in by_code["no-gpu"][0].nodes
    assert dag.node("fc2").source.line == 8


def test_experts_gpu_from_name_and_batch_rule() -> None:
    dag = read_dot(FIX / "experts_shared.dot")
    assert dag.node("e1").devices == frozenset({0})
    assert dag.node("e3").devices == frozenset({1})
    assert dag.node("agg").devices == frozenset({0, 1})
    assert dag.node("e0").name == "Expert 0"
    assert dag.meta["entry"] == {"node": "input", "batch": 32}
    assert dag.node("gate").kind == Kind.COMPUTE


def test_symbol_option_makes_sequence_symbolic() -> None:
    dag = read_dot(FIX / "split_attention.dot", symbols={"seq_len": "S"})
    S = sympy.Symbol("S", positive=True, integer=True)
    assert _same(dag.node("q0").cost, G(B * S, 2048, 1024))
    assert _same(dag.node("scores0").cost, G(8 * B * S, 128, S))
