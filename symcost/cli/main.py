"""The ``symcost`` command line: a thin layer that parses arguments and calls the library.

Each subcommand lives in ``symcost/cli/<name>.py`` with ``add_parser(subparsers)``
and ``run(args) -> int``. User errors (:class:`SymcostError`) print one line on stderr
and exit with status 2; nothing is written half-way.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from symcost.core.errors import SymcostError

#: Subcommand modules under ``symcost.cli``, in the order ``--help`` lists them.
COMMANDS = ["analyze", "info", "compare", "check", "eval", "generate", "strategies"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like argparse but terse
        self.exit(2, f"symcost: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    from symcost.core.version import __version__

    parser = _Parser(prog="symcost", description="Symbolic cost models of parallel "
                     "neural-network deployments: closed-form runtime in the batch size B.")
    parser.add_argument("--version", action="version", version=f"symcost {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"symcost.cli.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except SymcostError as err:
        print(f"symcost: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symcost: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
