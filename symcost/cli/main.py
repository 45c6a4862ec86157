"""The ``symcost`` command line: a thin layer that parses arguments and calls the library.

Each subcommand lives in ``symcost/cli/<name>.py`` with ``add_parser(subparsers)``
and ``run(args) -> int``. Exit statuses come from :mod:`symcost.core.exitcodes` (one
table for every command, in the README): user errors (:class:`SymcostError`) print one
line on stderr and exit with ``BAD_INPUT``; nothing is written half-way; a bug in symcost
exits with ``INTERNAL`` and says so.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from symcost.core import exitcodes
from symcost.core.errors import SymcostError

#: Subcommand modules under ``symcost.cli``, in the order ``--help`` lists them.
COMMANDS = ["analyze", "info", "explain", "compare", "check", "eval"]

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
        self.exit(exitcodes.BAD_INPUT, f"symcost: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    from symcost.core.version import __version__

    parser = _Parser(prog="symcost", description="Symbolic cost models of parallel "
                     "neural-network deployments: closed-form runtime in the batch size B.",
                     epilog=EXAMPLES)
    parser.add_argument("--version", action="version", version=f"symcost {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"symcost.cli.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:  # bare `symcost`: the usage and the commands, on stderr
        parser.print_help(sys.stderr)
        return exitcodes.BAD_INPUT
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or exitcodes.OK)
    except SymcostError as err:
        print(f"symcost: error: {err}", file=sys.stderr)
        return exitcodes.BAD_INPUT
    except KeyboardInterrupt:
        print("symcost: interrupted", file=sys.stderr)
        return exitcodes.INTERRUPTED
    except BrokenPipeError:  # the reader went away (`symcost ... | head`): not an error
        return exitcodes.OK
    except Exception as err:  # noqa: BLE001 - a bug: say so, in one line, with its status
        print(f"symcost: internal error (a bug in symcost, please report it): "
              f"{type(err).__name__}: {err}", file=sys.stderr)
        return exitcodes.INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
