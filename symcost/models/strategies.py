"""The strategies that can win: every valid layout of a model on N GPUs, its closed form,
the ones provably dominated under opt-in cost classes, memory, and the winner per batch
range under a hardware model.

* Enumeration: every ``TP x PP x DP = N`` with ``EP`` dividing both the expert count and
  ``DP x TP``, valid by :func:`~symcost.models.generate.check_layout`; pipelines run
  ``M = PP`` microbatches (enough to fill them); for MoE models also the reference's
  separation layouts ``A + M = N``. Each is generated as its quotient DAG (one GPU per
  stage, one node per stage and microbatch: exact for the ``device`` runtime, see
  :func:`~symcost.models.generate.generate`; separation layouts in symmetric mode) and
  solved (``device`` concurrency).
* Pruning (:func:`_prune`): ``y`` dominates ``x`` when ``y <= x`` is proved for every cost
  function of the chosen class (:mod:`symcost.algebra.costclasses`) and ``y`` fits in
  memory wherever ``x`` does (``max_batch`` at least ``x``'s); equal formulas keep the
  simpler one. A dominated layout is pruned, with the certificate. A survivor ``x``
  beaten by a survivor ``y`` that fits smaller batches only is *limited*: it can win
  only above ``y``'s largest batch (``limited_by``; :meth:`StrategyReport.candidates`
  gives the layouts that can win at one batch size). On the bundled models the memory
  rule is what keeps most layouts: the layout with less communication holds more
  weights per GPU, so it fits smaller batches.
* Memory (per GPU, bytes of the dtype): weights of the GPU's layers (attention split by TP
  with KV heads replicated, dense MLP split by TP, ``E/EP`` experts, router and shared
  experts whole, embedding and LM head split by TP on the first and last stage) plus the
  KV cache (``2 * layers * kv_heads_per_GPU * head_dim * length`` per sequence of the
  replica: the prefill writes ``S`` positions, decode holds ``L``). Activations are not
  counted. The largest batch that fits is ``max_batch`` (0: the weights alone do not fit).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from symcost.algebra.costclasses import COST_CLASSES, Certificate, strongest
from symcost.core.symbols import B
from symcost.models.base import ModelError, dtype_bytes
from symcost.models.config import ModelConfig
from symcost.models.generate import Layout, check_layout, generate, stage_layers


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def enumerate_layouts(cfg: ModelConfig, gpus: int, *,
                      separation: bool = True) -> tuple[list[Layout], list[tuple[Layout, str]]]:
    """``(valid layouts, [(invalid layout, reason)])`` of ``cfg`` on ``gpus`` GPUs."""
    if gpus < 1:
        raise ModelError(f"--gpus must be positive, got {gpus}")
    valid, invalid = [], []
    for tp in _divisors(gpus):
        for pp in _divisors(gpus // tp):
            dp = gpus // (tp * pp)
            eps = [e for e in _divisors(dp * tp) if cfg.moe and cfg.experts % e == 0] or [1]
            for ep in eps:
                lay = Layout(tp=tp, pp=pp, dp=dp, ep=ep, microbatches=pp)
                try:
                    check_layout(cfg, lay)
                except ModelError as err:
                    invalid.append((lay, err.message))
                    continue
                valid.append(lay)
    if separation and cfg.moe:
        for a in range(1, gpus):
            lay = Layout(separate_attention=a, experts_on=gpus - a)
            try:
                check_layout(cfg, lay)
            except ModelError:
                continue
            valid.append(lay)
    return valid, invalid


def memory_per_gpu(cfg: ModelConfig, lay: Layout, *, phase: str, seq: int, kv_len: int,
                   dtype: str = "bf16") -> tuple[float, float]:
    """``(weight bytes, KV-cache bytes per unit of B)`` of the fullest GPU."""
    nb = dtype_bytes(dtype)
    length = seq if phase == "prefill" else kv_len
    H, hd = cfg.hidden, cfg.head_dim
    if lay.separated:
        a, m = lay.separate_attention, lay.experts_on
        hq, hkv = cfg.heads // a, max(1, cfg.kv_heads // a)
        att = cfg.layers * (H * (hq + 2 * hkv) * hd)
        gpu0 = att + cfg.layers * (cfg.heads * hd * H + H * cfg.experts)
        experts = cfg.layers * (cfg.experts // m) * cfg.mlp_params(cfg.expert_intermediate)
        kv = cfg.layers * 2 * hkv * hd * length
        return float(max(gpu0, experts) * nb), float(kv * nb)
    T = lay.tp
    hq, hkv = cfg.heads // T, max(1, cfg.kv_heads // T)
    worst_w, worst_kv = 0.0, 0.0
    stages = stage_layers(cfg.layers, lay.pp)
    for p, layers in enumerate(stages):
        w = 0
        for li in layers:
            w += H * (hq + 2 * hkv) * hd + hq * hd * H
            if cfg.is_moe_layer(li):
                w += H * cfg.experts + (cfg.experts // lay.ep) * cfg.mlp_params(
                    cfg.expert_intermediate) + cfg.shared_experts * cfg.mlp_params(
                    cfg.shared_intermediate)
            else:
                w += cfg.mlp_params(cfg.intermediate) // T
        vshard = -(-cfg.vocab // T) * H
        if p == 0:
            w += vshard
        if p == len(stages) - 1:
            w += vshard
        kv = len(layers) * 2 * hkv * hd * length / lay.dp
        worst_w = max(worst_w, w * nb)
        worst_kv = max(worst_kv, kv * nb)
    return worst_w, worst_kv


@dataclass
class Strategy:
    """One layout with its closed forms, memory and (when pruned) the certificate."""

    layout: Layout
    runtime: sympy.Expr
    runtime_compute_only: sympy.Expr | None
    nodes: int
    weights_bytes: float = 0.0
    kv_bytes_per_b: float = 0.0
    max_batch: float = float("inf")
    pruned_by: dict[str, tuple[str, Certificate]] = field(default_factory=dict)
    #: class -> (y, b, certificate): never faster than ``y``, which fits for B <= b
    limited_by: dict[str, tuple[str, int, Certificate]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.layout.label

    def to_dict(self) -> dict[str, Any]:
        return {"strategy": self.label, "runtime": str(self.runtime),
                "runtime_compute_only": None if self.runtime_compute_only is None
                else str(self.runtime_compute_only), "nodes": self.nodes,
                "weights_gb_per_gpu": self.weights_bytes / 1e9,
                "max_batch": None if self.max_batch == float("inf") else int(self.max_batch),
                "pruned": {c: {"by": y, "certificate": cert.text(y, self.label)}
                           for c, (y, cert) in self.pruned_by.items()},
                "can_win_only_above": {c: {"batch": b, "by": y,
                                           "certificate": cert.text(y, self.label)}
                                       for c, (y, b, cert) in self.limited_by.items()}}


@dataclass
class StrategyReport:
    """Everything ``symcost strategies`` prints."""

    model: str
    gpus: int
    phase: str
    strategies: list[Strategy]
    invalid: list[tuple[Layout, str]]
    classes: list[str]
    seconds: float = 0.0
    winners: list[dict[str, Any]] = field(default_factory=list)
    machine: str = ""

    def survivors(self, cost_class: str | None = None) -> list[Strategy]:
        """Strategies not pruned under ``cost_class`` (default: the strongest chosen)."""
        c = cost_class or strongest(self.classes)
        return [s for s in self.strategies if c is None or c not in s.pruned_by]

    def candidates(self, batch: float, cost_class: str | None = None) -> list[Strategy]:
        """The layouts that can be fastest at ``batch`` under the class: survivors that
        fit it and are not beaten there by a survivor that also fits it."""
        c = cost_class or strongest(self.classes)
        return [s for s in self.survivors(c) if batch <= s.max_batch
                and (c not in s.limited_by or s.limited_by[c][1] < batch)]

    def pruned_counts(self) -> dict[str, int]:
        """Per class, how many layouts it prunes (never fastest wherever they fit)."""
        return {c: sum(c in s.pruned_by for s in self.strategies) for c in self.classes}

    def limited_counts(self) -> dict[str, int]:
        """Per class, how many survivors can win only above some batch size."""
        return {c: sum(c in s.limited_by for s in self.strategies) for c in self.classes}

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "gpus": self.gpus, "phase": self.phase,
                "classes": {c: COST_CLASSES[c] for c in self.classes},
                "pruned": self.pruned_counts(), "limited": self.limited_counts(),
                "strategies": [s.to_dict() for s in self.strategies],
                "invalid": [{"strategy": lay.label, "reason": r} for lay, r in self.invalid],
                "machine": self.machine, "winners": self.winners,
                "seconds": self.seconds}


#: Pairs (GEMM, collective) of cost functions that are non-negative, non-decreasing and
#: subadditive in each size argument (members of ``monotone`` and ``subadditive``; the
#: ``flops`` ones are functions of ``m*k*n`` alone): ``y <= x`` for all of a class implies
#: it for these, so a pair that fails on one of them is not tried (a screen, never a
#: proof). Zero parts compare compute and communication separately.
def _zero(*xs):
    return 0.0 * xs[0]


_SCREENS = (
    (lambda m, k, n: m * k * n, lambda e, p: e * p),
    (lambda m, k, n: m + k + n, lambda e, p: e + 0 * p),
    (lambda m, k, n: np.sqrt(m) * k + np.log1p(n), lambda e, p: 1.0 + p + 0 * e),
    (lambda m, k, n: 1.0 + 0 * m, lambda e, p: np.sqrt(e)),
    (lambda m, k, n: m * k * n, _zero), (_zero, lambda e, p: e * p),
    (lambda m, k, n: 1.0 + 0 * m, _zero), (_zero, lambda e, p: 1.0 + 0 * e),
    (lambda m, k, n: m + 0 * k, _zero), (lambda m, k, n: k + 0 * m, _zero),
    (lambda m, k, n: n + 0 * m, _zero))
_SCREENS_FLOPS = (
    (lambda m, k, n: m * k * n, lambda e, p: e * p),
    (lambda m, k, n: np.sqrt(m * k * n), lambda e, p: e + 0 * p),
    (lambda m, k, n: np.log1p(m * k * n), lambda e, p: 1.0 + p + 0 * e),
    (lambda m, k, n: 1.0 + 0 * m, lambda e, p: np.sqrt(e)),
    (lambda m, k, n: m * k * n, _zero), (_zero, lambda e, p: e * p),
    (lambda m, k, n: 1.0 + 0 * m, _zero), (_zero, lambda e, p: 1.0 + 0 * e),
    (lambda m, k, n: np.sqrt(m * k * n), _zero))
_SCREEN_B = np.array([1.0, 3.0, 64.0, 1000.0])


def _screen_values(expr: sympy.Expr, cache: dict, cost_class: str = "monotone") -> np.ndarray:
    """Values of ``expr`` under each screening cost function at a few batch sizes
    (a small evaluator over Add/Mul/Max; atoms are cached across strategies)."""
    from symcost.models.comm import OPERATIONS

    screens = _SCREENS_FLOPS if cost_class == "flops" else _SCREENS

    def arg(a):
        key = ("arg", a)
        if key not in cache:
            cache[key] = np.array([float(a.subs(B, b)) for b in _SCREEN_B])
        return cache[key]

    def val(e, i):
        if e.is_Number:
            return np.full(len(_SCREEN_B), float(e))
        if e.is_Add:
            return sum(val(t, i) for t in e.args)
        if e.is_Mul:
            out = np.ones(len(_SCREEN_B))
            for t in e.args:
                out = out * val(t, i)
            return out
        if isinstance(e, sympy.Max):
            return np.max([val(t, i) for t in e.args], axis=0)
        if isinstance(e, sympy.Min):
            return np.min([val(t, i) for t in e.args], axis=0)
        key = ("atom", e, i, screens is _SCREENS_FLOPS)
        if key not in cache:
            name = e.func.__name__
            xs = [arg(a) for a in e.args]
            if name == "Get_Time" and len(xs) == 3:
                cache[key] = np.asarray(screens[i][0](*xs), dtype=float) + 0 * xs[0]
            elif name in OPERATIONS and len(xs) == 2:
                cache[key] = np.asarray(screens[i][1](*xs), dtype=float) + 0 * xs[0]
            else:
                cache[key] = np.ones(len(_SCREEN_B))
        return cache[key]

    return np.concatenate([val(sympy.sympify(expr), i) for i in range(len(screens))])


def _prune(strats: list[Strategy], cost_class: str, *, compute_only: bool) -> None:
    """Mark every fitting strategy that a fitting one provably never loses to.

    ``y`` dominates ``x`` when ``y <= x`` is proved for every cost function of the class
    and ``y`` fits in memory wherever ``x`` does (``max_batch`` at least ``x``'s); when
    both dominate each other (equal formulas and memory) the simpler one (fewer terms,
    then name) is kept. The survivors are the undominated ones; each pruned one names a
    surviving dominator when one was proved (else the dominator it was proved against,
    itself dominated). Layouts that do not fit at all are not pruned (they are listed
    as such). A proof blocked only by memory (``y <= x`` but ``y`` fits smaller batches)
    is kept in ``limited_by`` when ``y`` survives: ``x`` can win only above ``y``'s
    largest batch. (Limits run from a smaller capacity to a larger one, so at every
    batch size each excluded layout has a dominator that fits and is not excluded.)
    """
    from symcost.algebra.costclasses import prepare, prove_le_prepared

    def formula(s):
        return s.runtime_compute_only if compute_only else s.runtime

    memo: dict = {}
    fitting = [s for s in strats if s.max_batch > 0]
    prep = {id(s): prepare(formula(s)) for s in fitting}
    screen = {id(s): _screen_values(formula(s), memo, cost_class) for s in fitting}
    rank = {id(s): (sum(len(u) for u in prep[id(s)].uppers), s.label) for s in fitting}
    proved: dict[tuple[int, int], Certificate | None] = {}

    def le(y, x) -> Certificate | None:
        key = (id(y), id(x))
        if key not in proved:
            ok = bool(np.all(screen[id(y)] <= screen[id(x)] * (1 + 1e-9)))
            proved[key] = prove_le_prepared(prep[id(y)], prep[id(x)], cost_class) \
                if ok else None
        return proved[key]

    def beats(y, x) -> Certificate | None:
        """``y`` dominates ``x`` and is preferred to it (the tie rule)."""
        if y is x or y.max_batch < x.max_batch:
            return None
        cert = le(y, x)
        if cert is None:
            return None
        if x.max_batch < y.max_batch:
            return cert
        back = le(x, y)
        return cert if back is None or rank[id(y)] < rank[id(x)] else None

    # one pass, most memory first: x goes when a layout still alive beats it. The one
    # that beat x stays alive at that moment, so every pruned layout has a chain of
    # dominators ending at a survivor, and the last layout alive is never pruned
    # (sound even where the prover finds y <= x but not its transitive consequences).
    alive = {id(s): s for s in fitting}
    for x in sorted(fitting, key=lambda s: (-s.max_batch, rank[id(s)])):
        for y in list(alive.values()):
            cert = beats(y, x)
            if cert is not None:
                x.pruned_by[cost_class] = (y.label, cert)
                del alive[id(x)]
                break
    # name a survivor as the dominator where one was proved
    for x in fitting:
        got = x.pruned_by.get(cost_class)
        if got is None or any(got[0] == y.label for y in alive.values()):
            continue
        for y in alive.values():
            if y.max_batch >= x.max_batch and (cert := le(y, x)) is not None:
                x.pruned_by[cost_class] = (y.label, cert)
                break
    # limits come from survivors only: a pruned y may be dominated by x itself
    for x in alive.values():
        limits = [(y.max_batch, y, c) for y in alive.values() if y is not x
                  and y.max_batch < x.max_batch and (c := le(y, x)) is not None]
        if limits:
            mb, y, cert = max(limits, key=lambda t: (t[0], t[1].label))
            x.limited_by[cost_class] = (y.label, int(mb), cert)


def runtime_of(dag, *, communication: bool = True) -> sympy.Expr:
    """The ``device``-concurrency runtime of ``dag``, inlined: the same longest path as
    :func:`symcost.solve.analysis.analyze` without its critical path and branch verdicts
    (the strategy search needs only the formula; equality with ``analyze`` is tested)."""
    from symcost.algebra.constraints import Assumptions
    from symcost.algebra.forms import AtomTable
    from symcost.algebra.order import OrderEngine
    from symcost.solve.concurrency import device_edges
    from symcost.solve.longest_path import longest_path

    order = dag.topological_order()
    extra = device_edges(dag, order)
    table = AtomTable()
    engine = OrderEngine(table, Assumptions.parse(()))
    cache: dict = {}
    costs = []
    for node in dag.nodes:
        f = cache.get(node.cost)
        if f is None:
            f = table.form_of(node.cost, where=f"node {node.id!r}")
            if not communication:
                f = {k: v for k, v in f.items() if not table.comm[k]}
            cache[node.cost] = f
        costs.append(f)
    sol = longest_path(dag, costs, engine, extra, order)
    return table.to_sympy(sol.total)


def _derive(job: tuple) -> tuple[sympy.Expr, sympy.Expr | None, int]:
    """Generate and solve one layout (top level: runs in worker processes too)."""
    cfg, lay, phase, seq, kv_len, load, compute_only = job
    dag = generate(cfg, lay, phase=phase, seq=seq, kv_len=kv_len, load=load,
                   symmetric=True, compact=True, quotient=True)
    comp = runtime_of(dag, communication=False) if compute_only else None
    return runtime_of(dag), comp, len(dag.nodes)


def _derive_all(jobs: list[tuple], workers: int) -> list[tuple]:
    if workers <= 1 or len(jobs) < 8:
        return [_derive(j) for j in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return [_derive(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(_derive, jobs, chunksize=max(1, len(jobs) // (4 * workers))))


def analyse_strategies(cfg: ModelConfig, gpus: int, *, phase: str = "prefill",
                       seq: int = 2048, kv_len: int = 2048, classes: tuple[str, ...] = (),
                       memory_gb: float | None = None, dtype: str = "bf16",
                       compute_only: bool = False, separation: bool = True,
                       load: str = "balanced", workers: int | None = None) -> StrategyReport:
    """Enumerate, derive, size and prune the layouts of ``cfg`` on ``gpus`` GPUs.

    ``workers``: processes deriving the closed forms (default: up to 2, the CPUs).
    """
    import os

    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    for name, v in (("seq", seq), ("kv_len", kv_len)):
        if not isinstance(v, int) or v < 1:
            raise ModelError(f"strategies need a numeric {name} (got {v!r})")
    for c in classes:
        if c not in COST_CLASSES:
            raise ModelError(f"unknown cost class {c!r}; known: {', '.join(COST_CLASSES)}")
    cfg.check_supported()
    t0 = time.perf_counter()
    layouts, invalid = enumerate_layouts(cfg, gpus, separation=separation)
    strats = []
    jobs = [(cfg, lay, phase, seq, kv_len, load, compute_only) for lay in layouts]
    for lay, (full, comp, nodes) in zip(layouts, _derive_all(jobs, workers)):
        s = Strategy(lay, full, comp, nodes)
        s.weights_bytes, s.kv_bytes_per_b = memory_per_gpu(cfg, lay, phase=phase, seq=seq,
                                                           kv_len=kv_len, dtype=dtype)
        if memory_gb is not None:
            free = memory_gb * 1e9 - s.weights_bytes
            s.max_batch = 0 if free < 0 else (float("inf") if s.kv_bytes_per_b == 0
                                              else np.floor(free / s.kv_bytes_per_b))
        strats.append(s)
    for c in classes:
        _prune(strats, c, compute_only=compute_only)
    return StrategyReport(cfg.name, gpus, phase, strats, invalid, list(classes),
                          seconds=time.perf_counter() - t0)


def winners(report: StrategyReport, machine, batches: np.ndarray, *,
            compute_only: bool = False) -> list[dict[str, Any]]:
    """Fastest fitting layout per batch size under ``machine``, as ranges
    ``{from, to, strategy, pruned_under}``. Every layout that fits is evaluated, pruned
    or not, so the answer is the hardware model's own; ``pruned_under`` lists the chosen
    classes that pruned (or excluded at that batch) the winner: empty unless the model
    is outside the class (e.g. ``flops`` for a roofline whose small GEMMs are
    memory-bound)."""
    from symcost.models.evaluate import Evaluator

    cands = [s for s in report.strategies if s.max_batch > 0]
    times = np.full((len(cands), len(batches)), np.inf)
    for i, s in enumerate(cands):
        expr = s.runtime_compute_only if compute_only else s.runtime
        t = Evaluator(expr, machine).total(batches)
        fits = batches <= s.max_batch
        times[i] = np.where(fits, t, np.inf)
    best = np.argmin(times, axis=0) if cands else np.zeros(len(batches), dtype=int)
    none = ~np.isfinite(times.min(axis=0)) if cands else np.ones(len(batches), dtype=bool)
    out: list[dict[str, Any]] = []
    for j, b in enumerate(batches):
        name = "none fits" if none[j] else cands[best[j]].label
        sec = None if none[j] else float(times[best[j], j])
        under = [] if none[j] else [
            c for c in report.classes
            if not any(s is cands[best[j]] for s in report.candidates(b, c))]
        if out and out[-1]["strategy"] == name and out[-1]["pruned_under"] == under:
            out[-1]["to"] = int(b)
            out[-1]["seconds_at_to"] = sec
        else:
            out.append({"from": int(b), "to": int(b), "strategy": name,
                        "seconds_at_from": sec, "seconds_at_to": sec,
                        "pruned_under": under})
    return out


__all__ = ["enumerate_layouts", "memory_per_gpu", "analyse_strategies", "winners",
           "Strategy", "StrategyReport"]
