"""Reports (symcost analyze --format md|tex): content, LaTeX escaping, pdflatex compile."""

from __future__ import annotations

import subprocess

import pytest
import sympy

import symcost
from symcost.core.symbols import Get_Time
from symcost.output.context import NOT_FOUND, report_context
from symcost.output.formats import report as format_result

from conftest import ROOT, latex_missing, run_cli

EX = "examples/ma_separation.yaml"
B = symcost.B


@pytest.fixture(scope="module")
def ma():
    return symcost.analyze(symcost.load(str(ROOT / EX)))


@pytest.fixture(scope="module")
def ctx(ma):
    return report_context(ma, source=EX)


def test_parameters_inferred(ctx):
    p = {x["name"]: x["value"] for x in ctx["parameters"]}
    assert p["Layers"] == "4"
    assert p["Hidden dimension"] == "4096"
    assert p["Sequence length (tokens per sample)"] == "2048"
    assert p["Attention heads"].startswith("32 (4 per GPU across 8 GPUs")
    assert p["Head dimension"] == "128"
    assert p["Experts"].startswith("16 (2 per GPU across 8 GPUs")
    assert p["Expert hidden dimension"] == "16384"
    assert p["Batch size"].startswith("B")


def test_parameters_not_found_on_a_bare_dag():
    b = symcost.DagBuilder("bare")
    b.node("x", cost=Get_Time(B, 3, 5), devices=[0])
    ctx = report_context(symcost.analyze(b.build()))
    p = {x["name"]: x["value"] for x in ctx["parameters"]}
    assert p["Attention heads"] == NOT_FOUND and p["Experts"] == NOT_FOUND
    assert p["Layers"] == NOT_FOUND


def test_matmul_groups(ctx):
    groups = {g["term"]["text"]: g for g in ctx["matmul_groups"]}
    assert len(groups) == 7
    q = groups["Get_Time(2048*B, 4096, 512)"]
    assert q["gpus"] == "0-7" and q["per_layer"] == 24 and q["on_path_per_layer"] == 3
    assert q["input"] == ["2048*B", "4096"] and q["weight"] == ["4096", "512"]
    up = groups["Get_Time(2048*B, 4096, 16384)"]
    assert up["gpus"] == "8-15" and up["per_layer"] == 16 and up["on_path_per_layer"] == 2
    assert groups["Get_Time(2048*B, 4096, 16)"]["operation"] == "Router gate"


def test_path_by_layer_and_factored_total(ma, ctx):
    path = ctx["path"]
    layered = [c for c in path["chunks"] if c["first"] is not None]
    assert [(c["first"], c["last"], c["repeats"]) for c in layered] == [(0, 3, 4)]
    ops = [s["operation"] for s in layered[0]["steps"]]
    assert ops.index("Q projection") < ops.index("Attention scores Q x K^T") \
        < ops.index("Router gate") < ops.index("Expert up-projection")
    per_layer = symcost.parse_expr(path["by_layer"]["per_layer"]["text"])
    assert path["by_layer"]["layers"] == 4
    assert sympy.expand(4 * per_layer - ma.runtime_compute_only) == 0
    serial = {(s["before"], s["after"]) for s in ctx["serializations"]}
    assert ("Q projection", "K projection") in serial
    assert ("Expert up-projection", "Expert up-projection") in serial


def test_markdown_sections(ma):
    md = format_result(ma, "md", source=EX)
    for heading in ("# DAG Runtime Analysis: ma_separation", "## Overview",
                    "## Model Parameters", "## Matrix Multiplication Operations",
                    "## Longest Path Analysis", "### Total runtime", "## Fork-Joins",
                    "## Parallelism Notes", "## Validity", "## Conventions"):
        assert heading in md
    assert f"T_compute(B) = {symcost.to_text(ma.runtime_compute_only)}" in md
    assert "dominated by the branch from" in md
    assert str(ROOT) not in md


def test_undecided_fork_join_in_words():
    b = symcost.DagBuilder("fork")
    b.node("s", kind="io")
    b.node("a", cost=Get_Time(B, 1, 1), devices=[0])
    b.node("b", cost=Get_Time(1, B, 1), devices=[1])
    b.node("t", kind="io")
    b.edge("s", "a").edge("s", "b").edge("a", "t").edge("b", "t")
    res = symcost.analyze(b.build())
    md = format_result(res, "md", source="fork.yaml")
    assert "undecided: kept as `Max(" in md
    assert "longest when B=" in md


def test_fragment_and_document(ma):
    doc = format_result(ma, "tex", source=EX)
    frag = format_result(ma, "tex", source=EX, fragment=True)
    assert doc.startswith("\\documentclass") and doc.rstrip().endswith("\\end{document}")
    assert "\\documentclass" not in frag and "\\begin{document}" not in frag
    assert "\\subsection*{Overview}" in frag and "\\section" not in frag
    assert "longtable" not in frag and "longtable" not in doc
    assert "\\providecommand{\\GetTime}" in frag and "\\GetTime(" in doc
    assert "\\usepackage{lmodern}" in doc
    top = format_result(ma, "tex", source=EX, fragment=True, section_level="section")
    assert "\\section*{Overview}" in top


WEIRD = "a_b%c&d#e$f{g}h"


def _weird_dag():
    b = symcost.DagBuilder("we_ird & co")
    b.node("in", kind="io")
    b.node(WEIRD, name="Linear 50% {fused} #1 $x_y", cost=Get_Time(B, 64, 64), devices=[0],
           layer=0)
    b.node("out", kind="io")
    b.chain("in", WEIRD, "out")
    return symcost.analyze(b.build())


def test_latex_escaping_of_names():
    tex = format_result(_weird_dag(), "tex", source="dir_x/we%rd#1.yaml")
    plain = tex.replace(r"\allowbreak{}", "")
    assert r"a\_b\%c\&d\#e\$f\{g\}h" in plain
    assert r"dir\_x/we\%rd\#1.yaml" in plain
    assert r"we\_ird \& co" in plain
    assert WEIRD not in tex
    assert r"\subsection{Linear \% \{fused\} \# \$x\_\allowbreak{}y}" in tex


def test_tex_filter_maps_unicode():
    from symcost.output.render import tex_text

    assert tex_text("Q·K^T × 2 é") == r"Q\textperiodcentered{}K\textasciicircum{}T \texttimes{} 2 ?"


def _pdflatex(tmp_path, tex: str, name: str) -> None:
    src = tmp_path / f"{name}.tex"
    src.write_text(tex)
    p = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                        src.name], cwd=tmp_path, capture_output=True, text=True, errors="replace",
                       timeout=120)
    assert p.returncode == 0, p.stdout[-3000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000


@pytest.mark.skipif(latex_missing() is not None, reason=str(latex_missing()))
@pytest.mark.parametrize("report", sorted(p.name for p in (ROOT / "reports").glob("*.tex")))
def test_checked_in_tex_compiles(tmp_path, report):
    _pdflatex(tmp_path, (ROOT / "reports" / report).read_text(), report[:-4])


@pytest.mark.skipif(latex_missing() is not None, reason=str(latex_missing()))
def test_weird_names_and_fragment_compile(tmp_path):
    _pdflatex(tmp_path, format_result(_weird_dag(), "tex", source="we%rd_#.yaml"), "weird")
    frag = format_result(_weird_dag(), "tex", fragment=True, source="x.yaml")
    wrapper = ("\\documentclass[twocolumn]{article}\\usepackage{amsmath,amssymb,booktabs,"
               "graphicx,array}\\begin{document}\\input{frag}\\end{document}\n")
    (tmp_path / "frag.tex").write_text(frag)
    _pdflatex(tmp_path, wrapper, "wrapper")


def test_cli_formats(tmp_path):
    out = tmp_path / "r.tex"
    p = run_cli("analyze", EX, "--format", "tex", "--fragment", "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert "\\subsection*{Overview}" in out.read_text()
    p = run_cli("analyze", EX, "--format", "md")
    assert p.returncode == 0 and "## Fork-Joins" in p.stdout
