"""Numeric evaluation of a closed-form runtime over many batch sizes.

The runtime (a sympy expression in ``B`` with cost atoms and ``Max``, optionally nested
through named ``definitions``) is compiled once with ``sympy.lambdify`` into numpy code,
binding each atom family to a :class:`~symcost.costmodels.Machine` function:

* every distinct atom is computed once per chunk of batch sizes (hoisted, the role
  ``cse`` plays in PERFORMANCE.md), then the definitions in order, then the runtime;
* each atom's value is carried as a row vector per *class* (operation kind), so the
  breakdown is exact: every ``Max`` picks, per B, the argument with the largest total and
  takes that argument's whole breakdown. Rows therefore sum to the runtime;
* every ``Max``/``Min`` records which argument won at each B: the *dominant branch*.
  Where it changes between two sampled batch sizes, a crossover is located to an
  integer bracket and, when the models have an exact form, solved exactly
  (:mod:`symcost.crossover`).

Classes default to the atom family (``Get_Time`` -> ``matmul``, ``AllReduce`` ->
``AllReduce``...); :func:`evaluate_result` classifies atoms by the kind of the DAG nodes
whose cost contains them (compute, attention, comm...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from symcost.core.symbols import B, is_atom, is_communication
from symcost.models import Machine, ModelError

#: Bytes of float64 scratch one evaluation chunk may use (bounds memory on huge results).
CHUNK_BYTES = 256 * 2**20

#: Relative difference below which two branch values count as equal (first one wins).
TIE_TOL = 1e-9

Classifier = Callable[[sympy.Basic], str]


def family_class(atom: sympy.Basic) -> str:
    """Default class of an atom: ``matmul`` for ``Get_Time``, else the atom family name."""
    name = atom.func.__name__
    return "matmul" if name == "Get_Time" else name


@dataclass
class Branch:
    """One ``Max``/``Min`` of the runtime and, per batch size, which argument wins."""

    index: int
    kind: str                      # "Max" or "Min"
    args: list[sympy.Expr]         # original arguments (atoms, definitions symbols)
    choice: np.ndarray             # argument index per evaluated B
    defined_in: str = "runtime"    # "runtime" or the definition symbol's name

    def segments(self, batches: np.ndarray) -> list[dict[str, Any]]:
        """Maximal runs of batch sizes with the same winning argument."""
        out: list[dict[str, Any]] = []
        if len(self.choice) == 0:
            return out
        cuts = np.flatnonzero(np.diff(self.choice)) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts - 1, [len(self.choice) - 1]))
        for s, e in zip(starts, ends):
            out.append({"from": int(batches[s]), "to": int(batches[e]),
                        "argument": int(self.choice[s])})
        return out

    def to_dict(self, batches: np.ndarray) -> dict[str, Any]:
        return {"index": self.index, "kind": self.kind, "defined_in": self.defined_in,
                "arguments": [str(a) for a in self.args],
                "segments": self.segments(batches)}


@dataclass
class Evaluation:
    """Runtime per batch size, its breakdown per class, and the branch choices."""

    batches: np.ndarray
    runtime: np.ndarray
    breakdown: dict[str, np.ndarray]
    branches: list[Branch] = field(default_factory=list)
    crossovers: list = field(default_factory=list)  # list[crossover.Crossover]
    machine: dict[str, Any] = field(default_factory=dict)
    expression: str = ""
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per batch size: ``B``, ``runtime_s``, one entry per class."""
        names = list(self.breakdown)
        cols = [self.breakdown[n] for n in names]
        return [{"B": int(b), "runtime_s": float(t),
                 **{n: float(c[i]) for n, c in zip(names, cols)}}
                for i, (b, t) in enumerate(zip(self.batches, self.runtime))]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (arrays as lists)."""
        return {
            "machine": self.machine,
            "expression": self.expression,
            "batches": [int(b) for b in self.batches],
            "runtime_s": [float(t) for t in self.runtime],
            "breakdown_s": {k: [float(x) for x in v] for k, v in self.breakdown.items()},
            "branches": [b.to_dict(self.batches) for b in self.branches],
            "crossovers": [c.to_dict() for c in self.crossovers],
            "notes": list(self.notes),
        }


class Evaluator:
    """A runtime expression compiled against a machine; call it on arrays of B.

    Parameters
    ----------
    expr : the runtime, a sympy expression in ``B`` (and definition symbols).
    machine : the models of the atoms.
    definitions : named terms ``{T_1: expr, ...}`` in dependency order, if nested.
    classify : atom -> class name (default :func:`family_class`).
    """

    def __init__(self, expr: sympy.Expr, machine: Machine, *,
                 definitions: Mapping[sympy.Symbol, sympy.Expr] | None = None,
                 classify: Classifier | None = None) -> None:
        self.expr = sympy.sympify(expr)
        self.machine = machine
        self.definitions = dict(definitions or {})
        classify = classify or family_class
        exprs = [*self.definitions.values(), self.expr]
        free = set().union(*(e.free_symbols for e in exprs)) - {B} - set(self.definitions)
        if free:
            raise ModelError("the runtime has symbols other than B: "
                             f"{', '.join(sorted(map(str, free)))}; give them values first "
                             "(symcost eval --set NAME=VALUE)")
        atoms: list[sympy.Basic] = []
        seen: set[sympy.Basic] = set()
        for e in exprs:
            for a in sorted(e.atoms(AppliedUndef), key=sympy.default_sort_key):
                if is_atom(a) and a not in seen:
                    seen.add(a)
                    atoms.append(a)
        machine.check(set(atoms))
        self.atoms = atoms
        labels = {a: classify(a) for a in atoms}
        self.classes = sorted(set(labels.values()), key=_class_rank) + ["other"]
        atom_class = {a: self.classes.index(c) for a, c in labels.items()}
        self._build(exprs, atom_class)

    # -- compilation
    def _build(self, exprs: list[sympy.Expr], atom_class: dict[sympy.Basic, int]) -> None:
        ns: dict[str, Any] = dict(self.machine.functions())
        n_cls = len(self.classes)
        state: dict[str, Any] = {}
        self._state = state
        hot_fns: dict[int, sympy.FunctionClass] = {}
        for c in range(n_cls):
            hot_fns[c] = sympy.Function(f"_hot{c}")
            ns[f"_hot{c}"] = _make_hot(c, n_cls, state)
        lines: list[tuple[sympy.Symbol, sympy.Expr]] = []
        sub: dict[sympy.Basic, sympy.Basic] = {}
        for i, a in enumerate(self.atoms):
            s = sympy.Symbol(f"_a{i}")
            lines.append((s, hot_fns[atom_class[a]](B, a)))
            sub[a] = s
        self.branch_info: list[tuple[str, list[sympy.Expr], str]] = []
        keys: dict[sympy.Basic, int] = {}
        memo: dict[sympy.Basic, sympy.Basic] = dict(sub)
        const = hot_fns[n_cls - 1]
        where = ["runtime"]

        def rw(e: sympy.Basic) -> sympy.Basic:
            got = memo.get(e)
            if got is not None:
                return got
            if isinstance(e, (sympy.Max, sympy.Min)):
                if e not in keys:
                    keys[e] = len(keys)
                    self.branch_info.append((type(e).__name__, list(e.args), where[0]))
                j = keys[e]
                name = f"_{'max' if isinstance(e, sympy.Max) else 'min'}{j}"
                if name not in ns:
                    ns[name] = _make_choose(j, isinstance(e, sympy.Max), n_cls, state)
                out = sympy.Function(name)(*[const(B, a) if a.is_Number else rw(a)
                                             for a in e.args])
            elif e.is_Add:
                out = sympy.Add(*[const(B, a) if a.is_Number else rw(a) for a in e.args],
                                evaluate=False)
            elif e.args and not e.is_Number:
                out = e.func(*[rw(a) for a in e.args])
            else:
                out = e
            memo[e] = out
            return out

        final: sympy.Basic = sympy.S.Zero
        for target, e in zip([*self.definitions, None], exprs):
            where[0] = "runtime" if target is None else str(target)
            e2 = const(B, e) if e.is_Number and e != 0 else rw(e)
            if target is None:
                final = e2
            else:
                lines.append((target, e2))
        self._lines = lines
        self._final = final
        cse_fn = _fixed_cse(lines)
        self._fn = sympy.lambdify([B], final, modules=[ns, "numpy"], cse=cse_fn)
        self._ns = ns
        self._n_lines = len(lines) + 1

    # -- evaluation
    def __call__(self, batches: Iterable[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """``(runtime, parts[class, i], choices[branch][i])`` for each batch size."""
        bs = np.asarray(batches, dtype=np.float64).ravel()
        n_cls = len(self.classes)
        chunk = max(256, int(CHUNK_BYTES / (8 * n_cls * self._n_lines)))
        parts = np.zeros((n_cls, len(bs)))
        choices = [np.zeros(len(bs), dtype=np.int16) for _ in self.branch_info]
        for start in range(0, len(bs), chunk):
            piece = bs[start:start + chunk]
            self._state["n"] = len(piece)
            self._state["choices"] = {}
            out = self._fn(piece)
            parts[:, start:start + len(piece)] = _as_rows(out, n_cls, len(piece))
            for j, ch in self._state["choices"].items():
                choices[j][start:start + len(piece)] = ch
        return parts.sum(axis=0), parts, choices

    def total(self, batches: Iterable[float] | np.ndarray) -> np.ndarray:
        """The runtime only."""
        return self(batches)[0]


_CLASS_ORDER = ["compute", "matmul", "attention", "comm", "route", "elementwise", "io",
                "unknown"]


def _class_rank(name: str) -> tuple[int, str]:
    """Compute first, then attention, communication, the rest by name."""
    return (_CLASS_ORDER.index(name) if name in _CLASS_ORDER else len(_CLASS_ORDER), name)


def _make_hot(c: int, n_cls: int, state: dict[str, Any]) -> Callable[..., np.ndarray]:
    def hot(_b: Any, value: Any) -> np.ndarray:
        n = state["n"]
        out = np.zeros((n_cls, n))
        out[c] = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
        return out
    return hot


def _as_rows(x: Any, n_cls: int, n: int) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 2:
        return arr
    out = np.zeros((n_cls, n))  # a bare number (or zero) as the whole runtime
    out[-1] = np.broadcast_to(arr, (n,))
    return out


def _make_choose(j: int, is_max: bool, n_cls: int, state: dict[str, Any]) -> Callable[..., np.ndarray]:
    def choose(*args: Any) -> np.ndarray:
        n = state["n"]
        stack = np.stack([_as_rows(a, n_cls, n) for a in args])  # (k, C, n)
        totals = stack.sum(axis=1)
        # values within a relative TIE_TOL of the best count as equal: the first wins,
        # so rounding noise between equal branches never reads as a crossover
        if is_max:
            best = totals.max(axis=0)
            idx = (totals >= best - TIE_TOL * np.abs(best)).argmax(axis=0)
        else:
            best = totals.min(axis=0)
            idx = (totals <= best + TIE_TOL * np.abs(best)).argmax(axis=0)
        state["choices"][j] = idx.astype(np.int16)
        return np.take_along_axis(stack, idx[None, None, :], axis=0)[0]
    return choose


def _fixed_cse(lines: list[tuple[sympy.Symbol, sympy.Expr]]) -> Callable[[Any], Any]:
    """A ``cse`` callable for lambdify emitting ``lines`` in order, each then CSE'd."""
    def cse(expr: Any) -> tuple[list[tuple[sympy.Symbol, sympy.Expr]], Any]:
        out: list[tuple[sympy.Symbol, sympy.Expr]] = []
        counter = 0
        for sym, e in lines:
            if sym.name.startswith("_a"):
                out.append((sym, e))
                continue
            gen = sympy.numbered_symbols(f"_c{counter}_")
            counter += 1
            reps, (red,) = sympy.cse([e], symbols=gen, order="none")
            out.extend(reps)
            out.append((sym, red))
        gen = sympy.numbered_symbols("_r")
        reps, (red,) = sympy.cse([expr], symbols=gen, order="none")
        out.extend(reps)
        return out, red
    return cse


def parse_batches(spec: str, notes: list[str] | None = None) -> np.ndarray:
    """Batch sizes from ``"1:4096"`` (every integer), ``"1:4096:8"`` (step 8),
    ``"1:1e6@200"`` (200 log-spaced integers) or ``"1,2,4,8"``; sorted, unique, >= 1.

    Batch sizes are integers from 1 to ``MAX_BATCH`` (2**53); a range or list of more
    than ``MAX_BATCH_POINTS`` values is sampled geometrically to that many (ends kept),
    and a note saying so is appended to ``notes``.
    """
    from symcost.core.errors import InputError
    from symcost.core.limits import MAX_BATCH_POINTS

    if not isinstance(spec, str) or len(spec) > 1_000_000:
        raise InputError("bad batch range: expected LO:HI, LO:HI:STEP, LO:HI@COUNT or a "
                         "comma list of integers")
    text = spec.strip()
    cap = MAX_BATCH_POINTS
    sampled = None
    low = InputError(f"bad batch range {spec[:60]!r}: batch sizes must be integers >= 1")
    try:
        if "@" in text:
            rng, count = text.split("@", 1)
            lo, hi = (_batch_int(x) for x in rng.split(":"))
            num = _batch_int(count)
            if min(lo, hi) < 1:
                raise low
            if hi < lo or num < 1:
                raise ValueError
            if num > cap:
                sampled, num = f"{num} requested", cap
            vals = _geometric(lo, hi, num)
        elif ":" in text:
            parts = [_batch_int(x) for x in text.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            lo, hi = parts[0], parts[1]
            step = parts[2] if len(parts) == 3 else 1
            if step < 1:
                raise ValueError
            if lo < 1:
                raise low
            n = 0 if hi < lo else (hi - lo) // step + 1
            if n > cap:
                sampled = f"{n} in the range"
                vals = _geometric(lo, hi, cap)
            else:
                vals = np.arange(lo, hi + 1, step, dtype=np.int64)
        else:
            vals = np.unique(np.array([_batch_int(x) for x in text.split(",")],
                                      dtype=np.int64))
            if len(vals) > cap:
                sampled = f"{len(vals)} listed"
                idx = np.unique(np.round(np.geomspace(1, len(vals), cap)).astype(np.int64))
                vals = vals[idx - 1]
    except (ValueError, OverflowError):
        raise InputError(f"bad batch range {spec[:60]!r}: use LO:HI, LO:HI:STEP, LO:HI@COUNT "
                         "or a comma list of integers from 1 to 2**53") from None
    if len(vals) == 0 or vals.min() < 1:
        raise InputError(f"bad batch range {spec[:60]!r}: batch sizes must be integers >= 1")
    if sampled is not None and notes is not None:
        notes.append(f"--batch {spec[:60]}: {sampled} batch sizes, more than the limit "
                     f"{cap}; sampled {len(vals)} geometrically from {vals[0]} to {vals[-1]}")
    return vals


#: Largest batch size (exact as a float, so numpy evaluates it without rounding).
MAX_BATCH = 2**53


def _batch_int(text: str) -> int:
    """One batch size, count or step: a positive integer up to MAX_BATCH (``1e6`` ok)."""
    t = text.strip()
    if len(t) > 40:
        raise ValueError(t)
    v = int(t) if t.isdigit() else float(t)
    if isinstance(v, float):
        if not (v == v and v not in (float("inf"), float("-inf"))) or v != int(v):
            raise ValueError(t)
        v = int(v)
    if abs(v) > MAX_BATCH:
        raise ValueError(t)
    return v


def _geometric(lo: int, hi: int, num: int) -> np.ndarray:
    """About ``num`` log-spaced integers from ``lo`` to ``hi`` (both kept), unique."""
    vals = np.round(np.geomspace(lo, hi, num)).astype(np.int64)
    vals[0], vals[-1] = lo, hi
    return np.unique(vals)


def evaluate(expr: sympy.Expr, machine: Machine, batches: Sequence[int] | np.ndarray, *,
             definitions: Mapping[sympy.Symbol, sympy.Expr] | None = None,
             classify: Classifier | None = None, crossovers: bool = True) -> Evaluation:
    """Evaluate ``expr`` at every batch size under ``machine``.

    Returns the runtime, its breakdown by class, the winning argument of each
    ``Max``/``Min`` per B and (``crossovers=True``) the crossovers between consecutive
    batch sizes, located to an integer and solved exactly where the models allow.

    Examples
    --------
    >>> from symcost.models import Machine, RooflineModel
    >>> from symcost.core.symbols import B, Get_Time
    >>> m = Machine(RooflineModel(1e12, 1e12, dtype="fp32"))
    >>> ev = evaluate(Get_Time(1000 * B, 1000, 1000), m, [1, 2])
    >>> [round(float(t), 6) for t in ev.runtime]
    [0.002, 0.004]
    """
    bs = np.unique(np.asarray(batches, dtype=np.int64))
    ev = Evaluator(expr, machine, definitions=definitions, classify=classify)
    total, parts, choices = ev(bs)
    breakdown = {c: parts[i] for i, c in enumerate(ev.classes)
                 if c != "other" or np.any(parts[i] != 0)}
    branches = [Branch(j, kind, args, choices[j], where)
                for j, (kind, args, where) in enumerate(ev.branch_info)]
    result = Evaluation(bs, total, breakdown, branches, machine=machine.describe(),
                        expression=str(expr))
    if crossovers:
        from symcost.models.crossover import branch_crossovers

        result.crossovers = branch_crossovers(ev, result)
    return result


def kind_classifier(dag: Any) -> Classifier:
    """Classify atoms by the kind of the DAG nodes whose cost contains them.

    An atom found in nodes of several kinds takes the most frequent kind (ties: the
    first in file order); atoms in no node fall back to ``compute`` for ``Get_Time``,
    ``comm`` for communication and the family name otherwise.
    """
    pairs: dict[tuple[sympy.Basic, str], int] = {}  # (cost, kind) -> nodes, file order
    for node in getattr(dag, "nodes", []):
        cost = getattr(node, "cost", 0)
        if isinstance(cost, sympy.Basic) and not cost.is_Number:
            key = (cost, str(getattr(node, "kind", "unknown")))
            pairs[key] = pairs.get(key, 0) + 1
    counts: dict[sympy.Basic, dict[str, int]] = {}
    for (cost, kind), n in pairs.items():
        for a in cost.atoms(AppliedUndef):
            per = counts.setdefault(a, {})
            per[kind] = per.get(kind, 0) + n

    def classify(atom: sympy.Basic) -> str:
        per = counts.get(atom)
        if per:
            return max(per, key=lambda k: per[k])
        if atom.func.__name__ == "Get_Time":
            return "compute"
        return "comm" if is_communication(atom) else atom.func.__name__
    return classify


def evaluate_result(result: Any, machine: Machine, batches: Sequence[int] | np.ndarray, *,
                    compute_only: bool = False, crossovers: bool = True) -> Evaluation:
    """Evaluate an :class:`~symcost.analysis.AnalysisResult` (duck-typed).

    Uses ``result.runtime`` (or ``runtime_compute_only``) with its definitions;
    the breakdown classes are the node kinds of ``result.dag`` (see
    :func:`kind_classifier`).

    >>> import symcost
    >>> r = symcost.analyze(symcost.DagBuilder().node("a", cost=symcost.Get_Time(symcost.B, 64, 64)).build())
    >>> ev = symcost.evaluate_result(r, symcost.Machine.from_options(hw="h100"), [1, 2])
    >>> [int(b) for b in ev.batches]
    [1, 2]
    """
    expr = result.runtime_compute_only if compute_only else result.runtime
    defs = result_definitions(result, compute_only=compute_only)
    used = _used_definitions(expr, defs)
    dag = getattr(result, "dag", None)
    ev = evaluate(expr, machine, batches, definitions=used,
                  classify=kind_classifier(dag) if dag is not None else None,
                  crossovers=crossovers)
    return ev


def _used_definitions(expr: sympy.Expr, defs: Mapping[sympy.Symbol, sympy.Expr]
                      ) -> dict[sympy.Symbol, sympy.Expr]:
    """The definitions ``expr`` needs (transitively), in their given order."""
    if not defs:
        return {}
    need = set(expr.free_symbols) & set(defs)
    for sym in reversed(list(defs)):
        if sym in need:
            need |= set(defs[sym].free_symbols) & set(defs)
    return {s: e for s, e in defs.items() if s in need}


def result_definitions(result: Any, *, compute_only: bool = False
                       ) -> dict[sympy.Symbol, sympy.Expr]:
    """The named terms of an analysis result's runtime (or compute-only runtime)."""
    if compute_only:
        inner = getattr(result, "compute", None)
        defs = getattr(inner, "definitions", None)
        if defs is None:
            defs = getattr(result, "definitions_compute_only", None)
    else:
        defs = getattr(result, "definitions", None)
    return dict(defs or {})
