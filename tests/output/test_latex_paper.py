"""LaTeX for papers: every example and every analyzable corpus file compiles as a full
document and as a fragment inside a two-column and a one-column article, with no overfull
line wider than 20 pt (reached by breaking lines: the output never scales boxes) and only
Type 1 fonts. One pdflatex run per document; the fragments go into two documents."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import symcost

from conftest import latex_missing

pytestmark = pytest.mark.skipif(latex_missing() is not None, reason=str(latex_missing()))

#: Widest overfull line accepted (pt).
MAX_OVERFULL = 20.0
PAPER = ("\\documentclass[{opts}]{{article}}\n"
         "\\usepackage{{amsmath,amssymb,booktabs,graphicx,array}}\n"
         "\\usepackage[T1]{{fontenc}}\\usepackage{{lmodern}}\n"
         "\\begin{{document}}\n{body}\\end{{document}}\n")


def _name(p: Path) -> str:
    return re.sub(r"[^A-Za-z0-9]", "-", p.name)


def _compile(tmp: Path, name: str, tex: str) -> str:
    (tmp / f"{name}.tex").write_text(tex)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                          f"{name}.tex"], cwd=tmp, capture_output=True, text=True,
                         errors="replace", timeout=300)
    log = (tmp / f"{name}.log").read_text(errors="replace")
    assert run.returncode == 0, log[-3000:]
    return log


def _overfull(log: str) -> list[tuple[float, str]]:
    """(width, where) of every overfull hbox, ``where`` the last file marker before it."""
    out, where = [], "?"
    for line in log.splitlines():
        m = re.match(r"FILE: (\S+)", line)
        if m:
            where = m.group(1)
        m = re.match(r"Overfull \\hbox \(([\d.]+)pt too wide\)", line)
        if m:
            out.append((float(m.group(1)), where))
    return out


def _type3(pdf: Path) -> list[str]:
    if shutil.which("pdffonts") is None:
        return []
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    return [line for line in fonts.splitlines() if "Type 3" in line]


def _check(tmp: Path, name: str, log: str) -> None:
    wide = [(w, f) for w, f in _overfull(log) if w > MAX_OVERFULL]
    assert not wide, f"{name}: overfull lines {wide}"
    assert not _type3(tmp / f"{name}.pdf"), f"{name}: Type 3 fonts {_type3(tmp / f'{name}.pdf')}"


@pytest.mark.parametrize("opts", ["twocolumn", "onecolumn"])
def test_fragments_compile_in_a_paper(tmp_path, analyzable, opts):
    body = []
    for p, result in analyzable:
        frag = symcost.report(result, "tex", source=p.name, fragment=True)
        assert "longtable" not in frag and "\\section{" not in frag
        assert "resizebox" not in frag and "scalebox" not in frag
        (tmp_path / f"{_name(p)}.tex").write_text(frag)
        body.append(f"\\typeout{{FILE: {p.name}}}\\input{{{_name(p)}}}\\clearpage\n")
    log = _compile(tmp_path, "paper", PAPER.format(opts=opts, body="".join(body)))
    _check(tmp_path, "paper", log)


def test_documents_compile(tmp_path, analyzable):
    for p, result in analyzable:
        doc = symcost.report(result, "tex", source=p.name)
        assert "resizebox" not in doc and "scalebox" not in doc
        doc = doc.replace("\\begin{document}", f"\\begin{{document}}\\typeout{{FILE: {p.name}}}")
        log = _compile(tmp_path, _name(p), doc)
        _check(tmp_path, _name(p), log)


def test_document_embeds_figures(tmp_path, analyzable):
    p, result = analyzable[0]
    fig = tmp_path / "fig.pdf"
    # a one-page PDF made by pdflatex itself: no picture tool needed
    (tmp_path / "fig.tex").write_text("\\documentclass{article}\\pagestyle{empty}"
                                      "\\begin{document}x\\end{document}\n")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "fig.tex"], cwd=tmp_path,
                   capture_output=True, timeout=120)
    doc = symcost.report(result, "tex", source=p.name, figure=fig.name, plot=fig.name)
    assert doc.count("\\includegraphics") == 2
    _compile(tmp_path, "withfig", doc)
