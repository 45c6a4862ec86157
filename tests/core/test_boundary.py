"""The boundary: user errors are one line with exit 2, bugs are internal errors (70)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import symcost
from symcost.core import exitcodes
from symcost.core.boundary import InternalError, entry_point, run_guarded
from symcost.core.errors import InputError

from conftest import ROOT


def test_entry_point_passes_user_errors():
    @entry_point
    def bad_input():
        raise InputError("no", file="f.dot", line=3)

    with pytest.raises(InputError, match="f.dot:3: no"):
        bad_input()


def test_entry_point_turns_bugs_into_internal_errors():
    @entry_point
    def buggy():
        return {}["missing"]

    with pytest.raises(InternalError, match="internal error in symcost.buggy") as err:
        buggy()
    assert isinstance(err.value.__cause__, KeyError)
    assert not isinstance(err.value, symcost.SymcostError)  # never "bad input"


def test_public_api_is_inside_the_boundary(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("atoms:\n - name: Foo\n   arity: [1]\nnodes:\n - id: a\n")
    with pytest.raises(InputError, match="arity"):
        symcost.load(bad)
    with pytest.raises(symcost.ExpressionError):
        symcost.compare("(" * 5000 + "B" + ")" * 5000, "B")
    for f in (symcost.load, symcost.analyze, symcost.compare, symcost.evaluate,
              symcost.check_claim):
        assert hasattr(f, "__wrapped__")


@pytest.mark.parametrize("exc, status", [
    (InputError("bad"), exitcodes.BAD_INPUT), (KeyboardInterrupt(), exitcodes.INTERRUPTED),
    (ZeroDivisionError("x"), exitcodes.INTERNAL), (RecursionError(), exitcodes.INTERNAL),
    (MemoryError(), exitcodes.INTERNAL)])
def test_run_guarded_statuses(capsys, exc, status):
    def body():
        raise exc

    assert run_guarded(body) == status
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    if status == exitcodes.INTERNAL:
        assert "internal error" in err and "bad input" not in err


def test_debug_prints_the_traceback(capsys, monkeypatch):
    monkeypatch.setenv("SYMCOST_DEBUG", "1")
    assert run_guarded(lambda: 1 // 0) == exitcodes.INTERNAL
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize("sig", [signal.SIGTERM])  # SIGINT: test_run_guarded_statuses
def test_signal_leaves_no_partial_output(tmp_path, sig):
    """A run interrupted while it works exits 130 with no output and no temp file."""
    spec = tmp_path / "big.yaml"
    spec.write_text("nodes:\n - id: 'n{i}'\n   matmul: ['{i+1}*B', 4096, 4096]\n"
                    "   foreach: {i: 20000}\n")
    out = tmp_path / "out.json"
    proc = subprocess.Popen([sys.executable, "-m", "symcost", "--time-limit", "0", "analyze",
                             str(spec),
                             "--format", "json", "-o", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(8)  # past the imports (a signal there is Python's, not symcost's)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:  # finished before the signal: then the output is whole
        assert out.exists()
        return
    if proc.returncode == -sig:  # a very slow machine: still importing, Python's default
        assert sorted(os.listdir(tmp_path)) == ["big.yaml"]
        return
    assert proc.returncode == exitcodes.INTERRUPTED, err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["big.yaml"]


def test_time_limit_is_a_one_line_error(tmp_path):
    spec = tmp_path / "big.yaml"
    spec.write_text("nodes:\n - id: 'n{i}'\n   matmul: ['{i+1}*B', 4096, 4096]\n"
                    "   foreach: {i: 20000}\n")
    out = tmp_path / "out.json"
    proc = subprocess.run([sys.executable, "-m", "symcost", "--time-limit", "1", "analyze",
                           str(spec), "-o", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == exitcodes.BAD_INPUT
    assert proc.stderr.count("\n") == 1 and "--time-limit" in proc.stderr
    assert sorted(os.listdir(tmp_path)) == ["big.yaml"]
