"""The order (dominance) engine.

Decides ``a >= b`` for *every* cost function that is non-negative and non-decreasing in
each argument, under bounds on the symbols (:class:`~symcost.constraints.Assumptions`).

Method
------
* **Certificate (transport).** ``a = sum alpha_i A_i`` covers ``b = sum beta_j B_j`` when
  the mass ``beta`` can be sent to ``alpha`` along pairs with ``A_i >= B_j`` for all
  admissible symbol values (same atom family, every argument ordered). This is a small
  bipartite max-flow; its flow is the certificate. Identical atoms cancel first.
* **Certificate (convexity).** ``Max(f_1, ..., f_n) >= g`` when some convex combination of
  the ``f_i`` covers ``g`` (weights found by linear programming, then checked exactly).
* **Counterexample.** At an admissible point of the symbols, a linear program looks for
  non-negative atom values that respect the order of the arguments at that point (so they
  extend to a monotone function) and make ``g`` exceed every ``f_i``; the values are turned
  into rationals and checked exactly before they are reported.

Verdicts: ``>=``, ``<=``, ``==``, ``incomparable`` (a counterexample each way) or
``unknown`` (neither proof nor counterexample).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from symcost.algebra.constraints import Assumptions
from symcost.algebra.exprparse import parse_expr
from symcost.algebra.forms import (
    CONST,
    AtomTable,
    Coef,
    Form,
    FrozenForm,
    add_into,
    freeze,
    subtract,
)
from symcost.algebra.printing import to_text
from symcost.core.display import Displayable
from symcost.core.errors import ExpressionError

# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Cover:
    """``amount`` of the term ``covered`` (right side) is paid by the term ``by`` (left)."""

    covered: sympy.Expr
    by: sympy.Expr
    amount: Fraction

    def to_dict(self) -> dict[str, str]:
        return {"covered": to_text(self.covered), "by": to_text(self.by),
                "amount": str(self.amount)}


@dataclass(frozen=True)
class Certificate:
    """Why ``left >= right``: transport covers, optionally a convex combination of branches."""

    covers: tuple[Cover, ...]
    weights: tuple[Fraction, ...] = ()
    method: str = "transport"

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {"method": self.method,
                                "covers": [c.to_dict() for c in self.covers]}
        if self.weights:
            d["weights"] = [str(w) for w in self.weights]
        return d


@dataclass(frozen=True)
class Counterexample:
    """Symbol values and monotone atom values under which ``right > left``."""

    point: dict[sympy.Symbol, int]
    values: dict[sympy.Expr, Fraction]
    left: Fraction
    right: Fraction

    def to_dict(self) -> dict[str, object]:
        return {"point": {str(k): v for k, v in self.point.items()},
                "values": {to_text(k): str(v) for k, v in self.values.items()},
                "left": str(self.left), "right": str(self.right)}


@dataclass(frozen=True)
class Comparison(Displayable):
    """Result of :func:`compare`: the verdict and the evidence for each direction."""

    verdict: str
    left: sympy.Expr
    right: sympy.Expr
    ge_certificate: Certificate | None = None   # left >= right
    le_certificate: Certificate | None = None   # left <= right
    ge_counterexample: Counterexample | None = None  # right > left somewhere
    le_counterexample: Counterexample | None = None  # left > right somewhere
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        def opt(x):
            return None if x is None else x.to_dict()
        return {"verdict": self.verdict, "left": to_text(self.left), "right": to_text(self.right),
                "assumptions": list(self.assumptions),
                "left_ge_right": opt(self.ge_certificate),
                "left_le_right": opt(self.le_certificate),
                "right_exceeds_left": opt(self.ge_counterexample),
                "left_exceeds_right": opt(self.le_counterexample)}


# ---------------------------------------------------------------- the engine


def _frac(x: sympy.Expr) -> Fraction | None:
    if x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    return None


def _linear(arg: sympy.Expr) -> tuple[sympy.Symbol | None, Fraction, Fraction] | None:
    """``arg`` as ``a*s + b`` with rationals a, b (s None for a constant), else None.

    Integral coefficients are returned as ``int`` (much faster arithmetic)."""
    got = _linear_exact(arg)
    if got is None:
        return None
    s, a, b = got
    return (s, int(a) if a.denominator == 1 else a, int(b) if b.denominator == 1 else b)


def _linear_exact(arg: sympy.Expr) -> tuple[sympy.Symbol | None, Fraction, Fraction] | None:
    f = _frac(arg)
    if f is not None:
        return (None, Fraction(0), f)
    const = Fraction(0)
    sym = None
    a = Fraction(0)
    for term in sympy.Add.make_args(arg):
        c, rest = term.as_coeff_Mul()
        fc = _frac(c)
        if fc is None:
            return None
        if rest == 1:
            const += fc
        elif isinstance(rest, sympy.Symbol) and (sym is None or sym == rest):
            sym = rest
            a += fc
        else:
            return None
    return (sym, a, const)


class OrderEngine:
    """Dominance between forms of one :class:`AtomTable` under :class:`Assumptions`."""

    def __init__(self, table: AtomTable, assumptions: Assumptions | None = None) -> None:
        self.table = table
        self.assume = assumptions or Assumptions()
        self._geq: dict[tuple[int, int], bool] = {}
        self._lin: dict[int, list] = {}
        self._witness: list[dict[sympy.Symbol, int]] = []
        self._num_cache: dict[tuple, tuple[Fraction, ...] | None] = {}
        self._bounds: dict = {}

    # -- atoms
    def atom_geq(self, i: int, j: int) -> bool:
        """Atom ``i >= `` atom ``j`` for all admissible symbols and all monotone costs."""
        if i == j:
            return True
        key = (i, j)
        hit = self._geq.get(key)
        if hit is None:
            hit = self._atom_geq(i, j)
            self._geq[key] = hit
        return hit

    def _atom_geq(self, i: int, j: int) -> bool:
        t = self.table
        if t.family[i] != t.family[j] or t.is_max(i) or t.is_max(j) or i == CONST or j == CONST:
            return False
        ai, aj = t.exprs[i].args, t.exprs[j].args  # type: ignore[union-attr]
        if len(ai) != len(aj):
            return False
        li, lj = self._lins(i), self._lins(j)
        for x, y, lx, ly in zip(ai, aj, li, lj):
            ok = self._arg_geq_fast(lx, ly)
            if ok is None:
                ok, pt = self.assume.geq_witness(x, y)
                if ok is False and pt:
                    self._witness.append(pt)
            if not ok:
                return False
        return True

    def _lins(self, i: int) -> list:
        got = self._lin.get(i)
        if got is None:
            got = [_linear(a) for a in self.table.exprs[i].args]  # type: ignore[union-attr]
            self._lin[i] = got
        return got

    def _arg_geq_fast(self, x, y) -> bool | None:
        if x is None or y is None:
            return None
        sx, ax, bx = x
        sy, ay, by = y
        if sx is not None and sy is not None and sx != sy:
            return None
        s = sx if sx is not None else sy
        a, b = ax - ay, bx - by
        if s is None:
            return b >= 0
        bd = self._bounds.get(s)
        if bd is None:
            bd = self._bounds[s] = self.assume.of(s)
        at_lo = a * bd.lo + b
        if at_lo < 0:
            self._witness.append({s: bd.lo})
            return False
        if bd.hi is not None:
            if a * bd.hi + b < 0:
                self._witness.append({s: bd.hi})
                return False
            return True
        if a < 0:
            self._witness.append({s: max(bd.lo, int(-b / a) + 1)})
            return False
        return True

    # -- forms
    def covers(self, a: Mapping[int, Coef], b: Mapping[int, Coef]) -> list[tuple[int, int, Coef]] | None:
        """Transport from ``b`` to ``a`` (``a >= b``) as ``(b_atom, a_atom, amount)``, or None."""
        flows: list[tuple[int, int, Coef]] = []
        ra: Form = {}
        rb: Form = {}
        for k, v in b.items():
            w = a.get(k, 0)
            m = v if v < w else w
            if m:
                flows.append((k, k, m))
            if v - m:
                rb[k] = v - m
        if not rb:
            return flows
        for k, v in a.items():
            r = v - b.get(k, 0) if k in b else v
            if r > 0:
                ra[k] = r
        total_a = sum(ra.values())
        if total_a < sum(rb.values()):
            return None
        adj: dict[int, list[int]] = {}
        for j in rb:
            adj[j] = [i for i in ra if self.atom_geq(i, j)]
            if not adj[j]:
                return None
        extra = _bipartite_flow(rb, ra, adj)
        if extra is None:
            return None
        return flows + extra

    def geq(self, a: Mapping[int, Coef], b: Mapping[int, Coef], depth: int = 2) -> bool:
        """``a >= b`` proven (transport, then case splits on Max terms up to ``depth``)."""
        if self.covers(a, b) is not None:
            return True
        if depth <= 0:
            return False
        t = self.table
        bm = [k for k in b if t.is_max(k) and a.get(k, 0) < b[k]]
        if bm:
            k = bm[0]
            c = b[k]
            base = dict(b)
            del base[k]
            return all(self.geq(a, add_into(dict(base), dict(r), c), depth - 1)
                       for r in t.residuals[k])  # type: ignore[union-attr]
        am = [k for k in a if t.is_max(k)]
        for k in am:
            c = a[k]
            base = dict(a)
            del base[k]
            if any(self.geq(add_into(dict(base), dict(r), c), b, depth - 1)
                   for r in t.residuals[k]):  # type: ignore[union-attr]
                return True
        return False

    def convex_cover(self, fs: Sequence[Mapping[int, Coef]], g: Mapping[int, Coef]
                     ) -> tuple[list[Fraction], list[tuple[int, int, Coef]]] | None:
        """Weights ``w`` (summing to 1) with ``sum w_i f_i >= g`` by transport, or None."""
        n = len(fs)
        if n < 2:
            return None
        atoms_f = sorted({k for f in fs for k in f})
        atoms_g = sorted(g)
        pairs = [(j, i) for j in atoms_g for i in atoms_f if self.atom_geq(i, j)]
        if any(all(p[0] != j for p in pairs) for j in atoms_g):
            return None
        try:
            import numpy as np
            from scipy.optimize import linprog
        except ImportError:  # pragma: no cover
            return None
        # variables: w_1..w_n, x_p for each pair p = (j, i)
        nv = n + len(pairs)
        A_ub, b_ub, A_eq, b_eq = [], [], [], []
        for j in atoms_g:  # sum_i x_(j,i) >= g_j
            row = np.zeros(nv)
            for p, (jj, _) in enumerate(pairs):
                if jj == j:
                    row[n + p] = -1
            A_ub.append(row)
            b_ub.append(-float(g[j]))
        for i in atoms_f:  # sum_j x_(j,i) <= sum_k w_k f_k[i]
            row = np.zeros(nv)
            for p, (_, ii) in enumerate(pairs):
                if ii == i:
                    row[n + p] = 1
            for k, f in enumerate(fs):
                row[k] = -float(f.get(i, 0))
            A_ub.append(row)
            b_ub.append(0.0)
        row = np.zeros(nv)
        row[:n] = 1
        A_eq.append(row)
        b_eq.append(1.0)
        res = linprog(np.zeros(nv), A_ub=np.array(A_ub), b_ub=np.array(b_ub),
                      A_eq=np.array(A_eq), b_eq=np.array(b_eq), bounds=(0, None),
                      method="highs")
        if res.status != 0:
            return None
        w = [Fraction(float(x)).limit_denominator(1000) for x in res.x[:n]]
        s = sum(w)
        if s <= 0:
            return None
        w = [x / s for x in w]
        combo: Form = {}
        for wi, f in zip(w, fs):
            if wi:
                add_into(combo, f, wi)
        flows = self.covers(combo, g)
        if flows is None:
            return None
        return w, flows

    # -- counterexamples
    def counterexample(self, fs: Sequence[Mapping[int, Coef]], g: Mapping[int, Coef],
                       points: Iterable[dict[sympy.Symbol, int]] | None = None,
                       extra: Iterable[int] = ()) -> tuple[dict, dict[int, Fraction]] | None:
        """A point and monotone atom values with ``g > f`` for every ``f`` in ``fs``.

        The values cover the atoms of ``fs``, ``g`` and ``extra`` (so that they are one
        monotone assignment of every atom the caller shows)."""
        atoms = sorted({k for f in fs for k in f} | set(g) | set(extra))
        if any(self.table.is_max(k) for k in atoms):
            return None
        syms = sorted({s for k in atoms if k != CONST
                       for s in self.table.exprs[k].free_symbols}, key=str)  # type: ignore
        pts = list(points if points is not None else self.candidate_points(syms))
        for pt in pts:  # exact and cheap first: indicator of the up-set of g's atoms
            vals = self._upset_counterexample(fs, g, atoms, pt)
            if vals is not None:
                return pt, vals
        for pt in pts:
            vals = self._lp_counterexample(fs, g, atoms, pt)
            if vals is not None:
                return pt, vals
        return None

    def _upset_counterexample(self, fs, g, atoms, pt) -> dict[int, Fraction] | None:
        """Value 1 on every atom at or above one of ``g``'s atoms at ``pt``, else 0.

        Such values extend to a monotone cost (the indicator of an up-set); they are a
        counterexample when ``g`` then exceeds every ``f``."""
        args = {}
        for k in atoms:
            if k != CONST:
                a = self._numeric_args(k, pt)
                if a is None:
                    return None
                args[k] = a
        fam = self.table.family
        vals: dict[int, Fraction] = {}
        for k in atoms:
            if k == CONST:
                vals[k] = Fraction(1)
                continue
            up = any(j != CONST and fam[j] == fam[k] and len(args[j]) == len(args[k]) and
                     all(x >= y for x, y in zip(args[k], args[j])) for j in g)
            vals[k] = Fraction(1 if up else 0)
        gv = sum(Fraction(c) * vals[k] for k, c in g.items())
        if all(sum(Fraction(c) * vals[k] for k, c in f.items()) < gv for f in fs):
            return vals
        return None

    def candidate_points(self, syms: Sequence[sympy.Symbol]) -> list[dict[sympy.Symbol, int]]:
        """Points to try counterexamples at: bounds, witnesses of failed comparisons."""
        pts: list[dict] = [self.assume.default_point(syms)]
        for w in self._witness[-32:]:
            pt = self.assume.default_point(syms)
            pt.update({s: v for s, v in w.items() if s in pt})
            pts.append(pt)
        pts.extend(self.assume.sample_points(list(syms)))
        out, seen = [], set()
        for p in pts:
            key = tuple(sorted((str(k), v) for k, v in p.items()))
            if key not in seen:
                seen.add(key)
                out.append(p)
        return out[:24]

    def _numeric_args(self, k: int, pt: dict) -> tuple[Fraction, ...] | None:
        key = (k, tuple(sorted((str(s), v) for s, v in pt.items())))
        if key in self._num_cache:
            return self._num_cache[key]
        e = self.table.exprs[k]
        vals: list[Fraction] | None = []
        for a, lin in zip(e.args, self._lins(k)):  # type: ignore[union-attr]
            if lin is not None and (lin[0] is None or lin[0] in pt):
                s, ca, cb = lin
                vals.append(cb if s is None else ca * pt[s] + cb)  # type: ignore[union-attr]
                continue
            v = a.subs(pt) if a.free_symbols else a
            f = _frac(v) if v.is_Rational else None
            if f is None:
                vals = None
                break
            vals.append(f)  # type: ignore[union-attr]
        out = None if vals is None else tuple(vals)
        self._num_cache[key] = out
        return out

    def _lp_counterexample(self, fs, g, atoms, pt) -> dict[int, Fraction] | None:
        import numpy as np
        from scipy.optimize import linprog

        idx = {k: n for n, k in enumerate(atoms)}
        args = {}
        for k in atoms:
            if k == CONST:
                continue
            a = self._numeric_args(k, pt)
            if a is None:
                return None
            args[k] = a
        order = []  # (big, small): value[big] >= value[small]
        for i in args:
            for j in args:
                if i != j and self.table.family[i] == self.table.family[j] and \
                        len(args[i]) == len(args[j]) and \
                        all(x >= y for x, y in zip(args[i], args[j])):
                    order.append((i, j))
        n = len(atoms)
        A_ub, b_ub = [], []
        for i, j in order:
            row = np.zeros(n)
            row[idx[j]] = 1
            row[idx[i]] = -1
            A_ub.append(row)
            b_ub.append(0.0)
        for f in fs:  # f(v) - g(v) <= -1
            row = np.zeros(n)
            for k, c in f.items():
                row[idx[k]] += float(c)
            for k, c in g.items():
                row[idx[k]] -= float(c)
            A_ub.append(row)
            b_ub.append(-1.0)
        bounds = [(1.0, 1.0) if k == CONST else (0.0, None) for k in atoms]
        res = linprog(np.ones(n), A_ub=np.array(A_ub), b_ub=np.array(b_ub), bounds=bounds,
                      method="highs")
        if res.status != 0:
            return None
        vals = {k: Fraction(float(x)).limit_denominator(10_000) for k, x in zip(atoms, res.x)}
        vals = {k: (v if v > 0 else Fraction(0)) for k, v in vals.items()}
        if CONST in vals:
            vals[CONST] = Fraction(1)
        if any(vals[i] < vals[j] for i, j in order):
            return None
        gv = sum(Fraction(c) * vals[k] for k, c in g.items())
        if all(sum(Fraction(c) * vals[k] for k, c in f.items()) < gv for f in fs):
            return vals
        return None


def _bipartite_flow(supply: Mapping[int, Coef], capacity: Mapping[int, Coef],
                    adj: Mapping[int, list[int]]) -> list[tuple[int, int, Coef]] | None:
    """Send all ``supply[j]`` to ``capacity[i]`` along ``adj[j]``; flows or None (exact)."""
    flow: dict[tuple[int, int], Coef] = {}
    left = dict(capacity)
    need = dict(supply)
    # greedy first: most constrained supplies first
    for j in sorted(need, key=lambda j: len(adj[j])):
        for i in adj[j]:
            if need[j] == 0:
                break
            m = min(need[j], left[i])
            if m > 0:
                flow[(j, i)] = flow.get((j, i), 0) + m
                left[i] -= m
                need[j] -= m
    # augmenting paths for what greedy left
    rev: dict[int, list[int]] = {}
    for j, iis in adj.items():
        for i in iis:
            rev.setdefault(i, []).append(j)
    for j0 in list(need):
        while need[j0] > 0:
            # BFS over supplies: j -> i (edge) ; i -> j' (if flow (j', i) > 0)
            parent: dict[tuple[str, int], tuple[str, int] | None] = {("s", j0): None}
            q = deque([("s", j0)])
            found = None
            while q and found is None:
                side, x = q.popleft()
                if side == "s":
                    for i in adj[x]:
                        if ("c", i) not in parent:
                            parent[("c", i)] = (side, x)
                            if left[i] > 0:
                                found = ("c", i)
                                break
                            q.append(("c", i))
                else:
                    for j in rev.get(x, []):
                        if flow.get((j, x), 0) > 0 and ("s", j) not in parent:
                            parent[("s", j)] = (side, x)
                            q.append(("s", j))
            if found is None:
                return None
            # bottleneck
            path = []
            node = found
            while parent[node] is not None:
                path.append((parent[node], node))
                node = parent[node]  # type: ignore[assignment]
            bott = min(need[j0], left[found[1]])
            for (a, b) in path:
                if a[0] == "c":  # backward edge: flow (b_j, a_i) decreases
                    bott = min(bott, flow[(b[1], a[1])])
            for (a, b) in path:
                if a[0] == "s":
                    flow[(a[1], b[1])] = flow.get((a[1], b[1]), 0) + bott
                else:
                    flow[(b[1], a[1])] -= bott
            left[found[1]] -= bott
            need[j0] -= bott
    return [(j, i, v) for (j, i), v in flow.items() if v]


# ---------------------------------------------------------------- public API


def _to_maxforms(expr: sympy.Expr, table: AtomTable) -> list[Form]:
    """``expr`` as ``Max`` of linear forms (Max distributed over sums and positive scaling)."""
    if isinstance(expr, sympy.Max):
        out: list[Form] = []
        for a in expr.args:
            out.extend(_to_maxforms(a, table))
        return _dedupe(out)
    if isinstance(expr, sympy.Add):
        acc: list[Form] = [{}]
        for a in expr.args:
            parts = _to_maxforms(a, table)
            acc = [add_into(dict(x), y) for x in acc for y in parts]
            if len(acc) > 4096:
                raise ExpressionError("expression has too many Max combinations to compare")
        return _dedupe(acc)
    if isinstance(expr, sympy.Mul):
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_Rational and coeff > 0 and rest != expr:
            c = Fraction(int(coeff.p), int(coeff.q))
            return [{k: v * c for k, v in f.items()} for f in _to_maxforms(rest, table)]
        if expr.has(sympy.Max):
            raise ExpressionError(f"cannot compare a product {expr}")
    if isinstance(expr, sympy.Min):
        raise ExpressionError("Min(...) is not supported in comparisons")
    if expr.has(sympy.Max):
        raise ExpressionError(f"cannot compare {expr}")
    if isinstance(expr, sympy.Symbol):
        raise ExpressionError(f"{expr} is a symbol, not a cost term (use Get_Time(...), "
                              "a communication atom or a declared atom)")
    return [table.form_of(expr, where=str(expr))]


def _dedupe(forms: list[Form]) -> list[Form]:
    seen: dict[FrozenForm, Form] = {}
    for f in forms:
        f = {k: v for k, v in f.items() if v}
        seen.setdefault(freeze(f), f)
    return list(seen.values())


def _linear_sides(a: list[Form], b: list[Form]) -> tuple[list[Form], list[Form]]:
    """Move negative coefficients to the other side (only for Max-free sides)."""
    if len(a) == 1 and len(b) == 1:
        fa, fb = dict(a[0]), dict(b[0])
        for k in list(fa):
            if fa[k] < 0:
                fb[k] = fb.get(k, 0) - fa.pop(k)
        for k in list(fb):
            if fb[k] < 0:
                fa[k] = fa.get(k, 0) - fb.pop(k)
        common = {k: min(fa[k], fb[k]) for k in fa if k in fb}
        return [subtract(fa, common)], [subtract(fb, common)]
    for f in a + b:
        if any(v < 0 for v in f.values()):
            raise ExpressionError("negative terms are only supported without Max")
    return a, b


def _signed_forms(expr: sympy.Expr, table: AtomTable) -> list[Form]:
    if not expr.has(sympy.Max):
        form: Form = {}
        for term in sympy.Add.make_args(sympy.expand(expr)):
            if term == 0:
                continue
            coeff, rest = term.as_coeff_Mul()
            if not coeff.is_Rational:
                raise ExpressionError(f"term {term} has a non-rational coefficient")
            if isinstance(rest, sympy.Symbol):
                raise ExpressionError(f"{rest} is a symbol, not a cost term")
            k = 0 if rest == 1 else table.atom(rest)
            c = Fraction(int(coeff.p), int(coeff.q))
            form[k] = form.get(k, 0) + c
        return [form]
    return _to_maxforms(expr, table)


def _engine_geq(eng: OrderEngine, a: list[Form], b: list[Form]
                ) -> tuple[Certificate | None, Counterexample | None]:
    t = eng.table
    all_covers: list[Cover] = []
    weights: tuple[Fraction, ...] = ()
    method = "transport"
    for g in b:
        done = False
        for f in a:
            flows = eng.covers(f, g)
            if flows is not None:
                all_covers += [Cover(t.exprs[j], t.exprs[i], Fraction(c)) for j, i, c in flows]
                done = True
                break
        if not done and len(a) > 1:
            got = eng.convex_cover(a, g)
            if got is not None:
                w, flows = got
                weights, method = tuple(w), "convex"
                all_covers += [Cover(t.exprs[j], t.exprs[i], Fraction(c)) for j, i, c in flows]
                done = True
        if not done:
            cx = eng.counterexample(a, g, extra=[k for f in b for k in f])
            if cx is None:
                return None, None
            pt, vals = cx
            values = {t.exprs[k]: v for k, v in vals.items() if k != CONST}
            left = max(sum(Fraction(c) * vals[k] for k, c in f.items()) for f in a)
            right = max(sum(Fraction(c) * vals[k] for k, c in f.items()) for f in b)
            return None, Counterexample(dict(pt), values, left, right)
    return Certificate(tuple(all_covers), weights, method), None


def compare(a: sympy.Expr | str, b: sympy.Expr | str, assume: Iterable[str] = (),
            ) -> Comparison:
    """Decide how ``a`` and ``b`` compare for every non-negative, non-decreasing cost.

    Parameters
    ----------
    a, b : sympy expression or text
        Sums of cost atoms with non-negative coefficients, possibly inside ``Max``.
        Text is read by the whitelist parser (:func:`symcost.parse_expr`).
    assume : iterable of str
        Bounds on the symbols, e.g. ``["B>=8"]`` (``B >= 1`` always holds).

    Returns
    -------
    Comparison
        ``verdict`` is ``">="``, ``"<="``, ``"=="``, ``"incomparable"`` or ``"unknown"``,
        with a certificate for each direction that holds and a counterexample for each
        that fails.

    Examples
    --------
    >>> from symcost import compare
    >>> compare("Get_Time(2*B, 64, 64)", "Get_Time(B, 64, 64)").verdict
    '>='
    """
    ea = parse_expr(a) if isinstance(a, str) else sympy.sympify(a)
    eb = parse_expr(b) if isinstance(b, str) else sympy.sympify(b)
    assumptions = Assumptions.parse(assume)
    table = AtomTable()
    oa, ob = _signed_forms(ea, table), _signed_forms(eb, table)
    fa, fb = _linear_sides(oa, ob)
    eng = OrderEngine(table, assumptions)
    ge_cert, ge_cx = _engine_geq(eng, fa, fb)
    le_cert, le_cx = _engine_geq(eng, fb, fa)

    def restate(cx: Counterexample | None) -> Counterexample | None:
        """Values of the caller's own expressions (before common terms were cancelled)."""
        if cx is None:
            return None
        vals = {CONST: Fraction(1)}
        vals.update({table.atom(k): v for k, v in cx.values.items()})
        # atoms cancelled on both sides: the least value that keeps the order monotone
        missing = sorted({k for f in oa + ob for k in f if k not in vals})
        for k in missing:
            ak = eng._numeric_args(k, cx.point)
            best = Fraction(0)
            for j, v in list(vals.items()):
                if j == CONST or table.family[j] != table.family[k]:
                    continue
                aj = eng._numeric_args(j, cx.point)
                if ak is not None and aj is not None and len(ak) == len(aj) and \
                        all(x >= y for x, y in zip(ak, aj)):
                    best = max(best, v)
            vals[k] = best
        values = dict(cx.values)
        values.update({table.exprs[k]: v for k, v in vals.items()
                       if k != CONST and table.exprs[k] not in values})
        left = max(sum(Fraction(c) * vals[k] for k, c in f.items()) for f in oa)
        right = max(sum(Fraction(c) * vals[k] for k, c in f.items()) for f in ob)
        return Counterexample(cx.point, values, left, right)

    ge_cx, le_cx = restate(ge_cx), restate(le_cx)
    if ge_cert and le_cert:
        verdict = "=="
    elif ge_cert:
        verdict = ">="
    elif le_cert:
        verdict = "<="
    elif ge_cx and le_cx:
        verdict = "incomparable"
    else:
        verdict = "unknown"
    return Comparison(verdict, ea, eb, ge_cert, le_cert, ge_cx, le_cx,
                      tuple(assumptions.describe()))
