"""Shared pieces of the fuzz suite: run the CLI in-process and judge the outcome.

A run passes when it ends with a documented status and, on bad input, exactly one line
on stderr: ``OK``/``VERDICT``/``INCOMPLETE`` or ``BAD_INPUT`` with one line. An internal
error (status 70), a traceback or any other exception is a failure: that is what the
fuzzer looks for.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from hypothesis import HealthCheck, settings

from symcost.cli.main import main
from symcost.core import exitcodes

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "dot"
#: The statuses a run may end with on any input.
ALLOWED = {exitcodes.OK, exitcodes.VERDICT, exitcodes.BAD_INPUT, exitcodes.INCOMPLETE}

#: Fixed budget per test: derandomized (CI is deterministic), no per-example deadline.
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


def examples(n: int) -> settings:
    """The fuzz settings with ``n`` examples (``SYMCOST_FUZZ_SCALE`` multiplies them for a
    longer local run)."""
    scale = float(os.environ.get("SYMCOST_FUZZ_SCALE", "1") or 1)
    return settings(FUZZ, max_examples=max(1, int(n * scale)))


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """``symcost ARGV`` in this process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def assert_handled(argv: list[str]) -> int:
    """Run ``argv`` and assert the outcome is documented (see the module docstring)."""
    status, _out, err = run_main(argv)
    assert status != exitcodes.INTERNAL, f"internal error for {argv[:3]}: {err}"
    assert "Traceback" not in err, err
    assert status in ALLOWED, (status, err)
    if status == exitcodes.BAD_INPUT:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("symcost: error: "), err
    return status
