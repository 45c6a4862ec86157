"""Notebook display: sympy's own printers spell the atoms right; results, DAGs,
comparisons and claim checks have short rich representations."""

from __future__ import annotations

import sympy

import symcost
from symcost import B, Get_Time

from conftest import ROOT


def test_sympy_latex_prints_the_atoms_as_operator_names():
    e = 2 * Get_Time(2048 * B, 4096, 512) + symcost.AllReduce(B, 8)
    tex = sympy.latex(e)
    assert r"\operatorname{Get\_Time}\left(2048 B, 4096, 512\right)" in tex
    assert r"\operatorname{AllReduce}\left(B, 8\right)" in tex
    assert r"\operatorname{Get}_{Time}" not in tex
    assert sympy.sstr(e) == "AllReduce(B, 8) + 2*Get_Time(2048*B, 4096, 512)"


def test_short_rich_representations():
    dag = symcost.load(str(ROOT / "examples" / "ma_separation.yaml"))
    assert repr(dag) == "<Dag 'ma_separation': 406 nodes, 585 edges, GPUs 0-15>"
    assert "406 nodes" in dag._repr_markdown_()
    r = symcost.analyze(dag)
    md = r._repr_markdown_()
    assert "$$" in md and len(md) < 3000
    assert r._repr_latex_().startswith("$$T_{")
    c = symcost.compare("Get_Time(B, 1, 1)", "Get_Time(1, B, 1)")
    assert c._repr_markdown_().startswith("**incomparable**")
    chk = symcost.check_claim(r, "Get_Time(B, 1, 1)")
    assert chk._repr_markdown_().startswith("**Claim underestimates**")
