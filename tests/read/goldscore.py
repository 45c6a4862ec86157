"""Scores the reading of the shared corpus against its gold files, in process.

This is the suite's own scorer (it does not run ``../shared/tools/score_gold.py``): for
each gold file it reads the DOT file with :func:`symcost.load`, builds
:func:`symcost.dag_info` and counts, node by node, what the gold README defines (``ok``,
``wrong_*``, ``missed_*``, ``unknown_*``, ``spurious``, ``comm_*``, ``runtime_*``).
Run it as a script for a per-file table: ``python tests/read/goldscore.py [-v]``.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from collections import Counter
from pathlib import Path

import sympy as sp

CORPUS = Path(os.environ.get("SYMCOST_CORPUS")
              or Path(__file__).resolve().parents[3] / "shared" / "corpus")
GOLD = CORPUS / "gold"

_GT = sp.Function("Get_Time")
_B = sp.Symbol("B")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_COLL = {"AllReduce": "all_reduce", "AllGather": "all_gather",
         "ReduceScatter": "reduce_scatter", "AllToAll": "all_to_all",
         "SendRecv": "send_recv", "Broadcast": "broadcast"}
SILENT = ("wrong_silent", "missed_silent", "spurious", "unknown_bad")
KNOWN = ("ok", "wrong_silent", "wrong_diagnosed", "missed_silent", "missed_diagnosed")


def _sym(text: str) -> sp.Expr | str:
    """``text`` as a sympy expression with every name a plain symbol (else the text)."""
    text = text.strip()
    if text == "unknown":
        return text
    ns = {n: sp.Symbol(n) for n in _IDENT.findall(text)}
    ns.update(Get_Time=_GT, Max=sp.Max, Min=sp.Min)
    try:
        return sp.sympify(text, locals=ns)
    except (sp.SympifyError, SyntaxError, TypeError):
        return text


def _term(text: str) -> tuple | None:
    m = re.match(r"\s*Get_Time\((.*)\)\s*$", text)
    return tuple(_sym(a) for a in m.group(1).split(",")) if m else None


def _slot_ok(want: object, got: object) -> bool:
    if want == "unknown":
        return isinstance(got, str) or bool(getattr(got, "free_symbols", set()) - {_B})
    if isinstance(want, sp.Expr) and isinstance(got, sp.Expr):
        return sp.expand(want - got) == 0
    return str(want) == str(got)


def _multiset(wants: list, gots: list) -> bool:
    gots = list(gots)
    for w in wants:
        hit = next((i for i, g in enumerate(gots) if w is not None and g is not None
                    and len(w) == len(g) and all(map(_slot_ok, w, g))), None)
        if hit is None:
            return False
        del gots[hit]
    return not gots


def _options(flags: list[str]) -> dict[str, object]:
    opts: dict[str, object] = {"allow_no_edges": True}
    if "--salvage" in flags:
        opts["salvage"] = True
    if "--break-cycles" in flags:
        opts["break_cycles"] = True
    return opts


def _declared(text: str) -> set[str]:
    ids = set(re.findall(r'(?m)^\s*"?([A-Za-z_][\w.]*)"?\s*\[', text))
    ids |= set(re.findall(r'"?([A-Za-z_][\w.]*)"?\s*->', text))
    ids |= set(re.findall(r'->\s*"?([A-Za-z_][\w.]*)"?', text))
    return ids


def _runtime_ok(got: sp.Expr, want_text: str) -> bool:
    want = _sym(want_text)
    got = _sym(str(got))
    if isinstance(want, str) or isinstance(got, str):
        return False
    if (got.free_symbols | want.free_symbols) - {_B}:
        return sp.expand(got - want) == 0
    rng = random.Random(7)
    for _ in range(12):
        a, b, c = (rng.choice([0.0, rng.random()]) for _ in range(3))

        def fn(m, k, n, a=a, b=b, c=c):
            return a * m * k * n + b * (m * k + k * n + m * n) + c * max(m, k, n) + 1e-3
        bv = rng.choice([1, 3, 64, 1000])
        vals = [float(sp.N(e.subs(_B, bv).replace(_GT, lambda *x: sp.Float(
            fn(*[float(v) for v in x]))))) for e in (got, want)]
        if abs(vals[0] - vals[1]) > 1e-9 * max(1.0, abs(vals[1])):
            return False
    return True


def score_file(gold_path: Path) -> tuple[Counter, list[str]]:
    """Counts and notes for one gold file."""
    from symcost import analyze, dag_info, load
    from symcost.core.errors import SymcostError

    gold = json.loads(gold_path.read_text())
    dot = CORPUS / gold["file"]
    c: Counter = Counter()
    notes: list[str] = []
    try:
        dag = load(dot, **_options(gold.get("flags", [])))
    except SymcostError as err:
        c["rejected"] += 1
        c["missed_diagnosed"] += sum(1 for v in gold["nodes"].values() if "terms" in v)
        return c, [f"rejected: {err}"]
    info = dag_info(dag)
    got: dict[str, list] = {}
    for mm in info["matmuls"]:
        t = _term(f"Get_Time({mm['m']}, {mm['k']}, {mm['n']})")
        got.setdefault(mm["node"], []).extend([t] * int(mm.get("count", 1)))
    warned = set()
    for d in info["diagnostics"]:
        if str(d.get("level")).lower() in ("warning", "error"):
            warned.update([d["node"]] if d.get("node") else [])
            warned.update(d.get("nodes") or [])
    atoms = {u["node"] for u in info.get("unknown_costs", [])}
    for node, g in gold["nodes"].items():
        mine = got.get(node, [])
        if "ambiguous" in g:
            c["ambiguous"] += 1
        elif "unknown" in g:
            partial = [_term(t) for t in g.get("partial_terms", [])]
            all_unknown = all(t is not None and all(a == "unknown" for a in t)
                              for t in partial)
            if mine and partial and _multiset(partial, mine):
                c["unknown_symbol"] += 1
            elif node in atoms and (not partial or all_unknown):
                c["unknown_symbol"] += 1
            elif mine and not partial and any(
                    any(isinstance(a, sp.Expr) and a.free_symbols - {_B} for a in t)
                    for t in mine if t):
                c["unknown_symbol"] += 1
            elif not mine and node in warned:
                c["unknown_warned"] += 1
                notes.append(f"unknown_warned {node}: partial {g.get('partial_terms')}")
            else:
                c["unknown_bad"] += 1
                notes.append(f"unknown_bad {node}: got {mine}; partial "
                             f"{g.get('partial_terms')}")
        else:
            want = [_term(t) for t in g["terms"]]
            if mine and _multiset(want, mine):
                c["ok"] += 1
            else:
                kind = ("wrong" if mine else "missed") + (
                    "_diagnosed" if node in warned else "_silent")
                c[kind] += 1
                notes.append(f"{kind} {node}: want {g['terms']} got {mine}")
    ids = _declared(dot.read_text(errors="replace"))
    for node, mine in got.items():
        if node not in gold["nodes"] and mine and node in ids:
            c["spurious"] += 1
            notes.append(f"spurious {node}: got {mine}")
    comm: dict[str, tuple[str, str]] = {}
    for x in info["communication"]:
        m = re.match(r"\s*(?:\d+\s*\*\s*)?(\w+)\((.*),\s*([^,]+)\)\s*$", str(x["term"]))
        if m:
            comm[x["node"]] = (_COLL.get(m.group(1), m.group(1)), m.group(3).strip())
    for node, g in gold.get("comm", {}).items():
        have = comm.get(node)
        good = have is not None and have[0] == g["collective"] and (
            g["collective"] == "send_recv" or str(g["group"]) == have[1])
        c["comm_ok" if good else "comm_wrong"] += 1
        if not good:
            notes.append(f"comm {node}: want {g['collective']}/{g['group']} got {have}")
    want_rt = gold.get("runtime_compute_only_expected")
    if want_rt:
        try:
            ok = _runtime_ok(analyze(dag).runtime_compute_only, want_rt)
        except SymcostError:
            ok = False
        c["runtime_ok" if ok else "runtime_wrong"] += 1
        if not ok:
            notes.append("whole-file runtime differs")
    return c, notes


#: the node a silent note is about: ``unknown_bad NODE: ...``
_SILENT_NOTE = re.compile(rf"^({'|'.join(SILENT)}) (\S+?):")


def score_all(verbose: bool = False, silent: list | None = None) -> Counter:
    """Totals over every gold file (prints a table when ``verbose``); ``silent``, when
    given, receives ``(file stem, node)`` for every silently wrong node."""
    total: Counter = Counter()
    for gp in sorted(GOLD.glob("*.json")):
        c, notes = score_file(gp)
        total += c
        if silent is not None:
            silent.extend((gp.stem, m.group(2)) for n in notes
                          if (m := _SILENT_NOTE.match(n)))
        if verbose:
            known = sum(c[k] for k in KNOWN)
            print(f"{gp.stem[:56]:56s} ok {c['ok']}/{known} unk "
                  f"{c['unknown_symbol']}/{c['unknown_warned']}/{c['unknown_bad']} silent "
                  f"{sum(c[k] for k in SILENT)} comm {c['comm_ok']}/"
                  f"{c['comm_ok'] + c['comm_wrong']}")
            for n in notes:
                print("    " + n)
    return total


if __name__ == "__main__":
    t = score_all("-v" in sys.argv)
    known = sum(t[k] for k in KNOWN)
    print(dict(sorted(t.items())))
    print(f"ok {t['ok']}/{known}; silent {sum(t[k] for k in SILENT)}; unknown_symbol "
          f"{t['unknown_symbol']}; comm {t['comm_ok']}/{t['comm_ok'] + t['comm_wrong']}; "
          f"runtime {t['runtime_ok']}/{t['runtime_ok'] + t['runtime_wrong']}")
