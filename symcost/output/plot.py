"""Plots for people: runtime vs batch size with its breakdown, and deployment speedups.

matplotlib with the non-interactive Agg backend; the file type follows the extension
(``.png``, ``.svg``, ``.pdf``). Figures carry their own title, axis units, legend and
crossover marks, so they read without the table next to them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from symcost.core.errors import SymcostError

FORMATS = (".png", ".svg", ".pdf")
_UNITS = [(1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")]


def _check_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise SymcostError(f"cannot plot to {path}: use a .png, .svg or .pdf file name")
    if not p.parent.exists():
        raise SymcostError(f"cannot write {path}: folder {p.parent} does not exist")
    return p


def _save(fig: Any, plt: Any, p: Path) -> Path:
    """Render into memory, then write atomically (no half-written file on failure)."""
    import io

    from symcost.core.files import write_output

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format=p.suffix.lower()[1:], dpi=120)
    finally:
        plt.close(fig)
    write_output(buf.getvalue(), str(p))
    return p


def _unit(values: np.ndarray) -> tuple[float, str]:
    top = float(np.nanmax(values)) if values.size else 1.0
    for scale, name in _UNITS:
        if top >= scale:
            return scale, name
    return _UNITS[-1]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def plot_evaluation(evaluation: Any, path: str | os.PathLike[str], *, title: str = "",
                    subtitle: str = "",
                    arg_names: dict[int, dict[int, str]] | None = None) -> Path:
    """Write runtime vs B (top: total and each class; bottom: share of each class, only
    when there are two classes or more).

    ``evaluation`` is a :class:`symcost.evaluate.Evaluation`. Crossovers are dashed
    vertical lines labelled with the branches (``arg_names``: the names of each Max's
    arguments, e.g. their source nodes) and the first integer batch size of the new
    winner. One time unit for the axis, chosen for its range; the legend sits outside
    the axes, so no label can hide under it.
    """
    p = _check_path(path)
    plt = _pyplot()
    bs = np.asarray(evaluation.batches, dtype=float)
    total = np.asarray(evaluation.runtime, dtype=float)
    scale, unit = _unit(total)
    wide = len(bs) > 1 and bs[-1] / max(bs[0], 1) >= 100
    names = [n for n in evaluation.breakdown if np.any(evaluation.breakdown[n] > 0)]
    if len(names) > 1:
        fig, (ax, share) = plt.subplots(2, 1, figsize=(10, 7.5), sharex=True,
                                        gridspec_kw={"height_ratios": [3, 2]})
    else:  # one kind of cost: its share is 100% everywhere, no panel for that
        fig, ax = plt.subplots(1, 1, figsize=(10, 5))
        share = None
    colors = plt.get_cmap("tab10").colors
    ax.plot(bs, total / scale, color="black", lw=2.4, label="total runtime")
    for i, name in enumerate(names):
        ax.plot(bs, evaluation.breakdown[name] / scale, color=colors[i % 10], lw=1.4,
                label=name)
    ax.set_ylabel(f"time per step [{unit}]")
    if wide:
        ax.set_xscale("log")
        if np.all(total > 0):
            ax.set_yscale("log")
    ax.grid(True, which="major", alpha=0.35)
    for b, t in ((bs[0], total[0]), (bs[-1], total[-1])):
        ax.annotate(f"B={int(b)}: {t / scale:.4g} {unit}", (b, t / scale),
                    textcoords="offset points", xytext=(8, 14) if b == bs[0] else (-8, -22),
                    fontsize=8, ha="left" if b == bs[0] else "right",
                    bbox={"boxstyle": "round", "fc": "white", "ec": "gray", "alpha": 0.9},
                    arrowprops={"arrowstyle": "-", "color": "gray"})
    if share is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            fractions = [np.where(total > 0, evaluation.breakdown[n] / total * 100, 0.0)
                         for n in names]
        share.stackplot(bs, *fractions, colors=[colors[i % 10] for i in range(len(names))],
                        labels=names, alpha=0.85)
        share.set_ylim(0, 100)
        share.set_ylabel("share of runtime [%]")
        share.grid(True, alpha=0.35)
    (share if share is not None else ax).set_xlabel("batch size B")
    arg_names = arg_names or {}
    for k, c in enumerate(evaluation.crossovers):
        x = c.value if c.value is not None else c.above
        for a in (ax, share):
            if a is not None:
                a.axvline(x, color="crimson", ls="--", lw=1)
        names_c = arg_names.get(c.branch, {}) if c.branch is not None else {}
        before = names_c.get(c.before, f"argument {c.before}")
        after = names_c.get(c.after, f"argument {c.after}")
        ax.annotate(f"{c.label}: {before} → {after}\nfrom B = {c.first_integer}", (x, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3, -12 - 22 * (k % 3)),
                    textcoords="offset points", fontsize=8, color="crimson", va="top")
    # outside the axes: no curve, mark or label can be hidden under the legend
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, framealpha=0.9)
    fig.suptitle(title or "Runtime vs batch size", fontsize=13)
    if subtitle:
        ax.set_title(subtitle, fontsize=9, color="dimgray")
    fig.tight_layout()
    return _save(fig, plt, p)


def plot_comparison(data: dict[str, Any], path: str | os.PathLike[str], *,
                    title: str = "") -> Path:
    """Write both runtimes and the speedup vs B from :func:`compare_deployments` data."""
    p = _check_path(path)
    plt = _pyplot()
    bs = np.asarray(data["batches"], dtype=float)
    a, b = data["names"]
    ta = np.asarray(data["runtime_s"][a])
    tb = np.asarray(data["runtime_s"][b])
    scale, unit = _unit(np.maximum(ta, tb))
    wide = len(bs) > 1 and bs[-1] / max(bs[0], 1) >= 100
    fig, (ax, sp) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    ax.plot(bs, ta / scale, lw=2, label=f"{a}")
    ax.plot(bs, tb / scale, lw=2, label=f"{b}")
    ax.set_ylabel(f"time per step [{unit}]")
    sp.plot(bs, data["speedup"], color="black", lw=2)
    sp.axhline(1.0, color="gray", lw=1)
    sp.set_ylabel(f"speedup of {b} over {a}\n(runtime {a} / runtime {b})")
    sp.set_xlabel("batch size B")
    if wide:
        ax.set_xscale("log")
        ax.set_yscale("log")
    for c in data["crossovers"]:
        x = c["value"] if c["value"] is not None else c["above"]
        for axis in (ax, sp):
            axis.axvline(x, color="crimson", ls="--", lw=1)
        first = c.get("first_integer", c["above"])
        sp.annotate(f"{c['after']} faster\nfrom B = {first}", (x, 1.0),
                    textcoords="offset points", xytext=(4, 8), fontsize=8, color="crimson")
    for axis in (ax, sp):
        axis.grid(True, alpha=0.35)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(title or f"{a} vs {b}", fontsize=13)
    fig.tight_layout()
    return _save(fig, plt, p)
