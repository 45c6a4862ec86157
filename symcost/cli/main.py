"""The ``symcost`` command line: a thin layer that parses arguments and calls the library.

Each subcommand lives in ``symcost/cli/<name>.py`` with ``add_parser(subparsers)``
and ``run(args) -> int``. Every command runs inside the boundary of
:mod:`symcost.core.boundary`: a user error prints one line on stderr and exits with
``BAD_INPUT`` (2), a bug prints one line saying so and exits with ``INTERNAL`` (70; the
traceback with ``--debug`` or ``SYMCOST_DEBUG=1``), SIGINT/SIGTERM exit with
``INTERRUPTED`` (130). Output paths (``-o``, ``--plot``) are checked before any work is
done, and nothing is written half-way.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from symcost.core import exitcodes
from symcost.core.boundary import run_guarded
from symcost.core.errors import SymcostError
from symcost.core.files import check_writable

#: Subcommand modules under ``symcost.cli``, in the order ``--help`` lists them.
COMMANDS = ["analyze", "info", "explain", "compare", "check", "eval", "generate",
            "strategies"]
#: Seconds a command may run before it stops with a one-line error (``--time-limit``).
DEFAULT_TIME_LIMIT = 55.0  # with start-up (imports), a whole run stays within a minute
#: Options naming files a command writes, checked before the command runs.
OUTPUT_OPTIONS = ("output", "plot")

EXAMPLES = """\
examples:
  symcost analyze examples/ma_separation.yaml                  runtime in B, as text
  symcost analyze examples/ma_separation.yaml -o report.md     Markdown report (from .md)
  symcost analyze model.dot --fragment -o runtime.tex          LaTeX to \\input in a paper
  symcost info model.dot                                       what the reader found
  symcost compare '2*Get_Time(B, 4096, 512)' 'Get_Time(2*B, 4096, 512)'
  symcost check model.dot --claim '4*Get_Time(2048*B, 4096, 4096)'
  symcost eval model.dot --hw h100 --batch 1:4096 --plot runtime.png

exit status: 0 success, 1 a verdict other than success (compare, check),
2 bad input, 3 incomplete result under --strict, 70 internal error, 130 interrupted.
`symcost COMMAND --help` describes each command's options and defaults.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help with every option's default (unless its text already names one)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if ("default" in text.lower() or default in (None, False, [], argparse.SUPPRESS)
                or not action.option_strings or isinstance(default, bool)):
            return text
        return f"{text} (default: {default})"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # one line, exit 2, like argparse but terse
        self.exit(exitcodes.BAD_INPUT, f"symcost: error: {' '.join(message.split())}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    from symcost.core.version import __version__

    parser = _Parser(prog="symcost", description="Symbolic cost models of parallel "
                     "neural-network deployments: closed-form runtime in the batch size B.",
                     epilog=EXAMPLES)
    parser.add_argument("--version", action="version", version=f"symcost {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the traceback (also SYMCOST_DEBUG=1)")
    parser.add_argument("--time-limit", type=_seconds, default=_default_time_limit(),
                        metavar="SECONDS",
                        help=f"stop with a one-line error after SECONDS (default "
                        f"{DEFAULT_TIME_LIMIT:g}, or $SYMCOST_TIME_LIMIT; 0: no limit)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"symcost.cli.{name}").add_parser(sub)
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < 1e9:
        raise argparse.ArgumentTypeError(f"{text!r}: seconds from 0 (no limit) to 1e9")
    return value


def _default_time_limit() -> float:
    env = os.environ.get("SYMCOST_TIME_LIMIT", "").strip()
    if not env:
        return DEFAULT_TIME_LIMIT
    try:
        return _seconds(env)
    except argparse.ArgumentTypeError:
        return DEFAULT_TIME_LIMIT


def _time_limit(argv: list[str]) -> float:
    """``--time-limit`` as given before the command (read before the parser runs, so
    that parsing and loading are inside the limit too)."""
    for i, a in enumerate(argv):
        value = a.partition("=")[2] if a.startswith("--time-limit=") else \
            (argv[i + 1] if a == "--time-limit" and i + 1 < len(argv) else None)
        if value is not None:
            try:
                return _seconds(value)
            except argparse.ArgumentTypeError:
                return _default_time_limit()  # the parser reports the bad value
    return _default_time_limit()


def _cancel_time_limit() -> None:
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
    except (ValueError, OSError, AttributeError):  # not the main thread, or no itimer
        pass


def _limit_given(argv: list[str]) -> bool:
    """Whether the user asked for a time limit (option or environment)."""
    return bool(os.environ.get("SYMCOST_TIME_LIMIT", "").strip()) or any(
        a == "--time-limit" or a.startswith("--time-limit=") for a in argv)


def _is_batch(args: argparse.Namespace) -> bool:
    """A run over several files (or a folder, or with batch options): the default time
    limit, meant for one input, does not apply to the whole run."""
    from symcost.cli import batchopts

    try:
        return isinstance(getattr(args, "dag", None), list) and batchopts.is_batch(args)
    except (AttributeError, TypeError):
        return False


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any work, output paths that could not be written."""
    for option in OUTPUT_OPTIONS:
        path = getattr(args, option, None)
        if option == "plot" and path:
            from symcost.output.plot import FORMATS

            if not str(path).lower().endswith(FORMATS):
                raise SymcostError(f"cannot plot to {path}: use a "
                                   f"{', '.join(FORMATS)} file name")
        check_writable(path, f"--{option}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere on the line, not only before COMMAND
    argv = [a for a in argv if a != "--debug"]

    def body() -> int:
        parser = build_parser()
        if not argv:  # bare `symcost`: the usage and the commands, on stderr
            parser.print_help(sys.stderr)
            return exitcodes.BAD_INPUT
        try:
            args = parser.parse_args(argv)
        except SystemExit as done:  # --help, --version, or a usage error (one line)
            code = done.code
            return code if isinstance(code, int) else exitcodes.BAD_INPUT
        _check_outputs(args)
        if _is_batch(args) and not _limit_given(argv):
            _cancel_time_limit()  # a batch run: no default limit
        return int(args.run(args) or 0)

    return run_guarded(body, debug=debug, time_limit=_time_limit(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
