"""The one boundary between symcost and its callers: user errors versus bugs.

Input problems are :class:`~symcost.core.errors.SymcostError` (raised where the input is
read, with file, line or node). Anything else escaping an entry point is a bug in symcost:
:func:`entry_point` re-raises it as :class:`InternalError` (the original chained as its
cause), never as bad input. The command line maps the two to the exit statuses
``BAD_INPUT`` (2) and ``INTERNAL`` (70) of :mod:`symcost.core.exitcodes`
(:func:`run_guarded`); a traceback is printed only with ``--debug`` or ``SYMCOST_DEBUG=1``.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from symcost.core import exitcodes
from symcost.core.errors import SymcostError

F = TypeVar("F", bound=Callable[..., Any])


class InternalError(RuntimeError):
    """A bug in symcost (not caused by the input); ``__cause__`` is the original error."""

    def __init__(self, where: str, cause: BaseException) -> None:
        self.where = where
        detail = " ".join(str(cause).split())
        if len(detail) > 200:
            detail = detail[:197] + "..."
        kind = type(cause).__name__
        super().__init__(f"internal error in {where} (a bug in symcost, not in the input): "
                         f"{kind}{': ' + detail if detail else ''}")


def entry_point(func: F) -> F:
    """Decorate a public library function: user errors pass through unchanged, any other
    exception becomes :class:`InternalError` (``KeyboardInterrupt`` and ``SystemExit``
    pass through)."""
    name = f"symcost.{func.__name__}"

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (SymcostError, InternalError):
            raise
        except Exception as err:  # noqa: BLE001 - the boundary: everything else is a bug
            raise InternalError(name, err) from err

    wrapper.__wrapped__ = func  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM, so that clean-up (temporary files) runs."""


class TimeLimitExceeded(BaseException):
    """Raised in the main thread when a command runs past its time limit (a
    ``BaseException``, so that no ``except Exception`` inside the library swallows it)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeLimitExceeded()


def debug_enabled(flag: bool = False) -> bool:
    """True with ``--debug`` or ``SYMCOST_DEBUG`` set to a non-empty value other than 0."""
    env = os.environ.get("SYMCOST_DEBUG", "")
    return bool(flag) or (env not in ("", "0"))


def run_guarded(body: Callable[[], int], *, debug: bool = False, prog: str = "symcost",
                time_limit: float = 0) -> int:
    """Run a command body and map its outcome to an exit status.

    ``SymcostError`` -> one line on stderr, ``BAD_INPUT``; SIGINT/SIGTERM ->
    ``INTERRUPTED``; past ``time_limit`` seconds (0: none) -> one line, ``BAD_INPUT``;
    any other exception -> one line saying it is an internal error, ``INTERNAL`` (with
    the traceback when :func:`debug_enabled`).
    """
    previous = previous_alarm = None
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        if time_limit > 0:
            previous_alarm = signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, time_limit)
    except (ValueError, OSError, AttributeError):  # not the main thread: leave signals
        previous = previous_alarm = None
    try:
        return int(body() or 0)
    except TimeLimitExceeded:
        print(f"{prog}: error: stopped after {time_limit:g} s (--time-limit): the input "
              "needs more work than the limit allows; raise it with --time-limit SECONDS "
              "(0: no limit)", file=sys.stderr)
        return exitcodes.BAD_INPUT
    except SymcostError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return exitcodes.BAD_INPUT
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return exitcodes.INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()  # the reader went away (`symcost ... | head`): not an error
        return exitcodes.OK
    except Exception as err:  # noqa: BLE001 - the boundary: a bug, said to be one
        cause = err.__cause__ if isinstance(err, InternalError) and err.__cause__ else err
        if debug_enabled(debug):
            traceback.print_exception(type(cause), cause, cause.__traceback__)
        detail = " ".join(str(cause).split())
        if len(detail) > 200:
            detail = detail[:197] + "..."
        print(f"{prog}: internal error (a bug in symcost, not in your input): "
              f"{type(cause).__name__}{': ' + detail if detail else ''}"
              + ("" if debug_enabled(debug) else
                 "; rerun with --debug (or SYMCOST_DEBUG=1) for the traceback"),
              file=sys.stderr)
        return exitcodes.INTERNAL
    finally:
        try:
            if previous_alarm is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous_alarm)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        except (ValueError, OSError):  # pragma: no cover
            pass


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush
    does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover
        pass


__all__ = ["InternalError", "entry_point", "run_guarded", "debug_enabled", "Terminated",
           "TimeLimitExceeded"]
