"""Fuzzing the DOT reader: mutated real DAG files and generated labels, through the CLI.

Seeds are the DOT fixtures of the repository (real-world shapes: the corpus conventions in
miniature). Mutations cut, duplicate and splice text, insert hostile tokens (unbalanced
quotes and brackets, huge numbers, ``1e999999999``, NUL and non-UTF-8 bytes, long edge
chains) and flip bytes. Every run must end with a documented status (see ``fuzzkit``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st

from fuzzkit import FIXTURES, ROOT, assert_handled, examples

SEEDS = sorted(FIXTURES.glob("*.dot")) + [ROOT / "examples" / "ma_separation.dot"]
SEED_BYTES = [p.read_bytes() for p in SEEDS if p.stat().st_size < 20_000]

HOSTILE = [b'"', b"[", b"]", b"{", b"}", b"->", b";", b"\\n", b"=", b"<", b">", b"\x00",
           b"\xff\xfe", b"9" * 30, b"9" * 5000, b"1e999999999", b"-1", b"0", b"nan", b"inf",
           b"GPU: 99999999999999999999", b"batch_size=0", b"hidden=?", b"Input: [",
           b"Output: [batch_size=1e400]", b"subgraph cluster_x {", b"digraph", b"strict",
           b"/*", b"*/", b"//", b"#", b"\xe2\x80\xa8", b"label=<<b>x</b>>",
           b" -> ".join(b"n%d" % i for i in range(3000)) + b";"]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "dup", "insert", "flip", "truncate"]))
        i = draw(st.integers(0, len(data)))
        j = draw(st.integers(i, min(len(data), i + 400)))
        if kind == "cut":
            del data[i:j]
        elif kind == "dup":
            data[i:i] = data[i:j] * draw(st.integers(1, 3))
        elif kind == "insert":
            data[i:i] = draw(st.one_of(st.sampled_from(HOSTILE), st.binary(max_size=20)))
        elif kind == "flip" and data:
            k = min(i, len(data) - 1)
            data[k] = draw(st.integers(0, 255))
        else:
            del data[i:]
    return bytes(data)


def _run(data: bytes, *options: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.dot"
        path.write_bytes(data)
        out = Path(tmp) / "out.json"
        status = assert_handled(["analyze", str(path), "--format", "json", "-o", str(out),
                                 *options])
        if status != 0:
            assert not out.exists(), "a failed run left its output"
        event(f"status {status}")  # --hypothesis-show-statistics: how many were read
        return status


@examples(40)
@given(mutated())
def test_mutated_dot_files(data):
    _run(data)


@examples(25)
@given(mutated())
def test_mutated_dot_files_salvaged(data):
    _run(data, "--salvage", "--break-cycles")


_KEYS = ["batch_size", "seq_len", "hidden", "heads", "d_k", "experts", "ffn_dim", "tokens",
         "vocab", "top_k", "x", "B"]
_VALUES = st.one_of(st.integers(-5, 2**70).map(str), st.sampled_from(
    ["?", "B", "S", "1e999999999", "64x128", "9" * 40, "1-8", "~512", "", "[", "nan"]))
_OPS = ["Linear", "MatMul", "QKV Projection", "Attention", "Expert MLP", "AllReduce",
        "All-to-All", "Router Gate", "LayerNorm", "Softmax", "Input", "Output", "???", ""]


@st.composite
def labelled_graph(draw) -> bytes:
    nodes = []
    n = draw(st.integers(1, 5))
    for i in range(n):
        dims = ", ".join(f"{draw(st.sampled_from(_KEYS))}={draw(_VALUES)}"
                         for _ in range(draw(st.integers(0, 4))))
        gpu = draw(st.one_of(st.integers(0, 2**65).map(str), st.sampled_from(["0-7", "x", ""])))
        label = (f"{draw(st.sampled_from(_OPS))}\\nInput: [{dims}]\\nOutput: [{dims}]"
                 f"\\nGPU: {gpu}")
        label = label.replace('"', "'")
        nodes.append(f'  n{i} [label="{label}"];')
    edges = [f"  n{i} -> n{i + 1};" for i in range(n - 1)]
    if draw(st.booleans()) and n > 1:
        edges.append(f"  n{n - 1} -> n0;")  # a cycle
    return ("digraph G {\n" + "\n".join(nodes + edges) + "\n}\n").encode()


@examples(40)
@given(labelled_graph())
def test_generated_labels(data):
    _run(data)
