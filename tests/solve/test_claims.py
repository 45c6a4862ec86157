"""symcost check: claims with verdicts derived by hand on the MA-separation example.

Derived compute-only runtime (device concurrency, DESIGN.md):
    4*(3*Q + QK + AV + O + G + 2*U + 2*D)
with Q = Get_Time(2048*B, 4096, 512), QK = Get_Time(8192*B, 128, 2048),
AV = Get_Time(8192*B, 2048, 128), O = Get_Time(2048*B, 4096, 4096),
G = Get_Time(2048*B, 4096, 16), U = Get_Time(2048*B, 4096, 16384),
D = Get_Time(2048*B, 16384, 4096).
"""

from __future__ import annotations

import json

import pytest
import sympy

import symcost
from symcost.solve.claims import check_claim

from conftest import run_cli

EX = "examples/ma_separation.yaml"
Q = "Get_Time(2048*B, 4096, 512)"
QK = "Get_Time(8192*B, 128, 2048)"
AV = "Get_Time(8192*B, 2048, 128)"
O = "Get_Time(2048*B, 4096, 4096)"  # noqa: E741
G = "Get_Time(2048*B, 4096, 16)"
U = "Get_Time(2048*B, 4096, 16384)"
D = "Get_Time(2048*B, 16384, 4096)"
DERIVED = f"4*(3*{Q} + {QK} + {AV} + {O} + {G} + 2*{U} + 2*{D})"
REFERENCE = "4*(Get_Time(B*2048, 4096, 16384) + Get_Time(B*2048, 16384, 4096))"


@pytest.fixture(scope="module")
def result():
    return symcost.analyze(symcost.load(EX))


@pytest.fixture(scope="module")
def result_dag():
    return symcost.analyze(symcost.load(EX), concurrency="dag")


def _terms(items):
    return {t.atom: t.coefficient for t in items}


def P(text):  # noqa: N802
    return symcost.parse_expr(text)


def test_equal(result):
    chk = check_claim(result, DERIVED)
    assert chk.verdict == "equal" and chk.ok
    assert chk.missing == [] and chk.extra == []


def test_reference_claim_underestimates(result):
    """The reference's final expression: misses attention, gate and the second expert."""
    chk = check_claim(result, REFERENCE)
    assert chk.verdict == "underestimates"
    missing = _terms(chk.missing)
    assert missing == {P(Q): 12, P(QK): 4, P(AV): 4, P(O): 4, P(G): 4, P(U): 4, P(D): 4}
    assert chk.extra == []
    by_atom = {t.atom: t for t in chk.missing}
    assert "L0.gate" in by_atom[P(G)].nodes
    assert by_atom[P(QK)].nodes[0] == "L0.g0.qk"          # critical-path node first
    assert "L0.e1.up" in by_atom[P(U)].nodes              # the second expert of GPU 8
    assert by_atom[P(U)].node_count == 64
    assert by_atom[P(U)].gpus == "8-15"


def test_overestimates(result):
    chk = check_claim(result, f"{DERIVED} + 4*{O}")
    assert chk.verdict == "overestimates"
    assert _terms(chk.extra) == {P(O): -4} and chk.missing == []


def test_bigger_atom_overestimates(result):
    # the gate with 32 outputs instead of 16: larger for every monotone Get_Time
    claim = DERIVED.replace(G, "Get_Time(2048*B, 4096, 32)")
    chk = check_claim(result, claim)
    assert chk.verdict == "overestimates"
    assert _terms(chk.missing) == {P(G): 4}
    assert _terms(chk.extra) == {P("Get_Time(2048*B, 4096, 32)"): -4}
    assert [t for t in chk.extra if t.node_count] == []     # no node has the made-up term


def test_incomparable(result):
    # Q x K^T written with m and k swapped around: neither argument-wise larger nor smaller
    claim = DERIVED.replace(QK, "Get_Time(2048*B, 512, 2048)")
    chk = check_claim(result, claim)
    assert chk.verdict == "incomparable"
    d = chk.to_dict()
    assert d["derived_larger_when"] and d["claim_larger_when"]


def test_dag_concurrency_coefficients(result_dag):
    """Under --concurrency dag the coefficients 3 and 2 become 1 (DESIGN.md)."""
    claim = f"4*({Q} + {QK} + {AV} + {O} + {G} + {U} + {D})"
    assert check_claim(result_dag, claim).verdict == "equal"
    assert check_claim(result_dag, DERIVED).verdict == "overestimates"


def test_with_comm_misses_collectives(result):
    chk = check_claim(result, DERIVED, with_comm=True)
    assert chk.verdict == "underestimates"
    fams = {t.atom.func.__name__ for t in chk.missing}
    assert fams == {"AllReduce", "Broadcast"}
    assert check_claim(result, DERIVED + " + 4*AllReduce(8388608*B, 8) + "
                       "4*Broadcast(8388608*B, 9)", with_comm=True).verdict == "equal"


def test_max_claim_has_no_termwise_difference():
    b = symcost.DagBuilder("tiny")
    b.node("a", cost=P("Get_Time(B, 1, 1)"), devices=[0])
    b.node("b", cost=P("Get_Time(1, B, 1)"), devices=[1])
    b.node("s", kind="io").node("t", kind="io")
    b.edge("s", "a").edge("s", "b").edge("a", "t").edge("b", "t")
    res = symcost.analyze(b.build())
    assert res.runtime_compute_only.has(sympy.Max)
    chk = check_claim(res, "Max(Get_Time(B, 1, 1), Get_Time(1, B, 1))")
    assert chk.verdict == "equal" and not chk.termwise
    assert check_claim(res, "Get_Time(B, 1, 1)").verdict == "underestimates"


def test_cli_text_and_exit_status():
    p = run_cli("check", EX, "--claim", REFERENCE)
    assert p.returncode == 1, p.stderr
    out = p.stdout
    assert out.startswith("claim UNDERESTIMATES")
    for needle in ("Terms the claim misses", "12*Get_Time(2048*B, 4096, 512)",
                   "Router gate", "L0.gate", "Attention scores", "L0.e1.up"):
        assert needle in out
    p = run_cli("check", EX, "--claim", DERIVED, "--format", "json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["verdict"] == "equal" and data["missing"] == [] and data["dag"] == EX


def test_cli_bad_claim_is_one_line_error():
    p = run_cli("check", EX, "--claim", "__import__('os').system('true')")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "error" in p.stderr


def test_nested_runtime_is_refused_in_one_line():
    b = symcost.DagBuilder("nested")
    b.node("s", kind="io")
    prev = ["s"]
    k = 0
    for d in range(30):
        cur = []
        for w in range(5):
            k += 1
            b.node(f"n{d}_{w}", cost=P(f"Get_Time({k}*B, {1000 - k}, 1)"), devices=[w])
            for p in (prev[w % len(prev)], prev[(w + 1) % len(prev)]):
                b.edge(p, f"n{d}_{w}")
            cur.append(f"n{d}_{w}")
        prev = cur
    b.node("t", kind="io")
    for p in prev:
        b.edge(p, "t")
    res = symcost.analyze(b.build(), concurrency="dag")
    if not res.compute.nested:
        pytest.skip("this DAG's runtime inlines")
    with pytest.raises(symcost.SymcostError, match="nested form"):
        check_claim(res, "Get_Time(B, 1, 1)")
