"""Fuzzing the command-line options: every command with hostile option values, in-process.

Option values mix sensible and abusive ones (``--batch 1:1e12``, ``-o /proc/x``, regex
rules that backtrack, claims nested thousands deep); every run must end with a documented
status and, on bad input, one line (see ``fuzzkit``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st

from fuzzkit import ROOT, assert_handled, examples

YAML = str(ROOT / "examples" / "ma_separation.yaml")
DOT = str(ROOT / "examples" / "ma_separation.dot")

_BATCH = st.sampled_from(["1:4096", "1:1e12", "1:1e400", "0:4", "8", "1,2,4", "5:1", "1:10:0",
                          "1:1e6@1e9", "nan", "1:2:3:4", "", "1e20", "4@", "@", ":"])
_EXPR = st.sampled_from(["B", "Get_Time(B, 4096, 512)", "(" * 5000 + "B" + ")" * 5000,
                         "1e999999999", "B**1000000", "Max(" + ",".join(["B"] * 3000) + ")",
                         "", "'", "Get_Time(", "4*Get_Time(2048*B, 4096, 512)"])
_ASSUME = st.sampled_from(["B>=8", "B<=0", "1<=B<=64", "B", "B>=1e999999999", "x==y", "<="])
_OUT = st.sampled_from(["/proc/x", "/nonexistent/x", "a" * 300, "", "-", "OUT"])
_RULES = st.sampled_from([
    "rules:\n - name: x\n   kind: compute\n   cost: zero\n   match: 'a{99999999999}'\n",
    "rules:\n - name: x\n   kind: compute\n   cost: zero\n   match: '(a|aa)+$'\n",
    "rules: [\n", "a: &a [x]\nb: [*a, *a]\n", "rules:\n - name: [1]\n"])


@st.composite
def command(draw) -> tuple[list[str], str | None]:
    cmd = draw(st.sampled_from(["analyze", "info", "eval", "check", "compare"]))
    dag = draw(st.sampled_from([YAML, DOT]))
    rules = None
    if cmd == "compare":
        argv = ["compare", draw(_EXPR), draw(_EXPR)]
    elif cmd == "check":
        argv = ["check", dag, "--claim", draw(_EXPR)]
    else:
        argv = [cmd, dag]
    if cmd in ("eval",) and draw(st.booleans()):
        argv += ["--batch", draw(_BATCH)]
    if cmd in ("analyze", "eval", "check", "compare") and draw(st.booleans()):
        argv += ["--assume", draw(_ASSUME)]
    if draw(st.booleans()):
        argv += ["-o", draw(_OUT)]
    if cmd != "compare" and dag == DOT and draw(st.booleans()):
        rules = draw(_RULES)
    if cmd != "compare" and draw(st.booleans()):
        argv += [draw(st.sampled_from(["--set", "--symbol", "--repeat"])),
                 draw(st.sampled_from(["S=2048", "x", "=", "seq_len=S", "a=-1", "S=1e999",
                                       "layers=99999999999999999999"]))]
    return argv, rules


@examples(30)
@given(command())
def test_cli_options(case):
    argv, rules = case
    with tempfile.TemporaryDirectory() as tmp:
        argv = [str(Path(tmp) / "out") if a == "OUT" else a for a in argv]
        if rules is not None:
            path = Path(tmp) / "rules.yaml"
            path.write_text(rules)
            argv += ["--rules", str(path)]
        event(f"status {assert_handled(argv)}")
