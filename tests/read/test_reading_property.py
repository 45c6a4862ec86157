"""Property (issue 10): DAGs generated with random known sizes, written in random label
dialects of the corpus CONVENTIONS (key names, ``Input:``/``In:``/``INPUT:`` keys, arrow
and bare-bracket forms, GPU line forms, escaped or literal newlines), read back to the
generator's truth: every node's matmuls equal the ones derived here by hand."""

from __future__ import annotations

from collections import Counter

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symcost.core.symbols import B
from symcost.read.dot.reader import read_dot

SIZES = st.sampled_from([64, 128, 256, 512, 1024, 2048])
BATCH = {"batch_size": "batch_size", "batch": "batch", "B": "B"}
SEQ = ["seq_len", "seq", "L"]
HID = ["hidden", "hidden_dim", "hidden_size", "d_model"]
GPU = ["GPU: {g}", "GPU {g}", "GPU{g}", "GPU: GPU{g}", "Device: {g}"]


@st.composite
def dags(draw):
    b, s = draw(st.sampled_from([1, 8, 128, 1024])), draw(SIZES)
    heads, dk = draw(st.sampled_from([4, 8, 16])), draw(st.sampled_from([32, 64, 128]))
    h, f = heads * dk, draw(SIZES)
    bk, sk, hk = draw(st.sampled_from(list(BATCH))), draw(st.sampled_from(SEQ)), \
        draw(st.sampled_from(HID))
    keys = draw(st.sampled_from([("Input", "Output"), ("In", "Out"), ("INPUT", "OUTPUT")]))
    form = draw(st.sampled_from(["keyed", "arrow", "bare"]))
    gpu = draw(st.sampled_from(GPU))
    nl = draw(st.sampled_from(["\\n", "\n"]))

    def t(width: str) -> str:
        return f"[{bk}={b}, {sk}={s}, {width}]"

    def dims(a: str, c: str) -> str:
        if form == "keyed":
            return f"{keys[0]}: {t(a)}{nl}{keys[1]}: {t(c)}"
        if form == "arrow":
            return f"{t(a)}→{t(c)}"
        return f"{t(a)} {t(c)}"

    hw, hh = f"{hk}={h}", f"heads={heads}, d_k={dk}"
    nodes = [
        ("inp", "Model Input", dims(hw, hw)),
        ("q", "Q Projection", dims(hw, hh)),
        ("attn", "Multi-Head Attention", dims(hh, hh)),
        ("o", "Output Projection", dims(hh, hw)),
        ("up", "FFN Up", dims(hw, f"ffn_hidden={f}")),
        ("down", "FFN Down", dims(f"ffn_hidden={f}", hw)),
        ("out", "Final Output", dims(hw, hw)),
    ]
    lines = ["digraph g {"]
    for i, (nid, name, d) in enumerate(nodes):
        label = nl.join([name, gpu.format(g=i % 2), d]) if nid not in ("inp", "out") \
            else nl.join([name, d])
        lines.append(f'  {nid} [label="{label}"];')
    lines.append("  " + " -> ".join(n for n, _, _ in nodes) + ";")
    lines.append("}")
    m = B * s  # the entry's batch is B
    truth = {
        "q": [(m, h, h)], "attn": [(B * heads * s, dk, s), (B * heads * s, s, dk)],
        "o": [(m, h, h)], "up": [(m, h, f)], "down": [(m, f, h)],
    }
    return "\n".join(lines), truth


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dags())
def test_generated_dags_read_back_to_the_truth(tmp_path, case) -> None:
    text, truth = case
    path = tmp_path / "g.dot"
    path.write_text(text, encoding="utf-8")
    dag = read_dot(path)
    for node in dag.nodes:
        got = Counter()
        for mm in node.matmuls:
            got[tuple(sympy.expand(x) for x in (mm.m, mm.k, mm.n))] += mm.count
        want = Counter(tuple(sympy.expand(x) for x in mm) for mm in truth.get(node.id, []))
        assert got == want, (node.id, node.attrs.get("label"), node.attrs.get("why"))
