"""Plot files are produced, non-empty and of the requested type."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symcost.core.errors import SymcostError
from symcost.core.symbols import AllReduce, B, Get_Time
from symcost.models import AlphaBetaModel, Machine, RooflineModel
from symcost.models.deployments import compare_deployments
from symcost.models.evaluate import evaluate
from symcost.output.plot import plot_comparison, plot_evaluation

EXPR = (3 * Get_Time(2048 * B, 4096, 512)
        + sympy.Max(Get_Time(B, 8192, 8192), Get_Time(16 * B, 4096, 4096))
        + AllReduce(4096 * B, 8))


@pytest.fixture(scope="module")
def evaluation():
    m = Machine(RooflineModel.from_preset("h100"), AlphaBetaModel.from_preset("nvlink4"))
    return evaluate(EXPR, m, np.arange(1, 2049))


def test_png_and_svg(tmp_path, evaluation):
    png = plot_evaluation(evaluation, tmp_path / "r.png", title="t")
    svg = plot_evaluation(evaluation, tmp_path / "r.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    text = svg.read_text()
    assert "<svg" in text and "batch size B" in text and "Max #1" in text


def test_single_batch_size(tmp_path):
    m = Machine(RooflineModel.from_preset("h100"))
    ev = evaluate(Get_Time(B, 64, 64), m, [8])
    assert plot_evaluation(ev, tmp_path / "one.png").stat().st_size > 0


def test_bad_extension_and_folder(tmp_path, evaluation):
    with pytest.raises(SymcostError, match="png"):
        plot_evaluation(evaluation, tmp_path / "r.bmp")
    with pytest.raises(SymcostError, match="does not exist"):
        plot_evaluation(evaluation, tmp_path / "no" / "r.png")


def test_comparison_plot(tmp_path):
    class R:
        def __init__(self, e):
            self.runtime = self.runtime_compute_only = e
            self.definitions = {}

    m = Machine(RooflineModel.from_preset("h100"))
    data = compare_deployments(R(Get_Time(B, 8192, 8192)), R(Get_Time(16 * B, 4096, 4096)),
                               m, np.arange(1, 300))
    out = plot_comparison(data, tmp_path / "c.png")
    assert out.stat().st_size > 10_000


def _captured(monkeypatch):
    figs = []

    def keep(fig, plt, p):
        fig.canvas.draw()
        figs.append(fig)
        return p

    monkeypatch.setattr("symcost.output.plot._save", keep)
    return figs


def test_legend_outside_the_axes_and_share_panel_only_when_informative(
        tmp_path, evaluation, monkeypatch):
    figs = _captured(monkeypatch)
    plot_evaluation(evaluation, tmp_path / "r.png")
    m = Machine(RooflineModel.from_preset("h100"))
    plot_evaluation(evaluate(Get_Time(B, 64, 64), m, np.arange(1, 64)), tmp_path / "o.png")
    two, one = figs
    assert len(two.axes) == 2 and len(one.axes) == 1     # one kind of cost: no share panel
    for fig in figs:
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent()
        axes = ax.get_window_extent()
        assert legend.x0 >= axes.x1                       # nothing in the axes under it
        units = {t.get_text() for t in [ax.yaxis.label]}
        assert len(units) == 1 and "[" in units.pop()


def test_comparison_legend_names_deployments(tmp_path, monkeypatch):
    figs = _captured(monkeypatch)
    m = Machine(RooflineModel.from_preset("h100"))
    import symcost

    def one(name, n):
        b = symcost.DagBuilder(name)
        b.node("a", cost=Get_Time(n * B, 4096, 4096), devices=[0])
        return symcost.analyze(b.build())

    data = compare_deployments(one("baseline", 2), one("proposal", 1), m, [1, 2, 4],
                               names=("baseline", "proposal"))
    plot_comparison(data, tmp_path / "c.png")
    labels = [t.get_text() for t in figs[0].axes[0].get_legend().get_texts()]
    assert labels == ["baseline", "proposal"]
