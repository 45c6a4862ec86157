"""Options shared by the commands that read a DAG file."""

from __future__ import annotations

import argparse

from ..errors import SymcostError


def add_dag_options(p: argparse.ArgumentParser) -> None:
    """``--rules FILE`` and ``--symbol NAME=SYMBOL`` (used by the DOT reader)."""
    p.add_argument("--rules", metavar="FILE", help="extra operation rules (YAML) for DOT input")
    p.add_argument("--symbol", action="append", default=[], metavar="DIM=SYMBOL",
                   help="make a dimension symbolic, e.g. seq_len=S (repeatable)")


def load_options(args: argparse.Namespace) -> dict[str, object]:
    """Reader options from the parsed arguments (only those the user gave)."""
    opts: dict[str, object] = {}
    if getattr(args, "rules", None):
        opts["rules"] = args.rules
    symbols = {}
    for item in getattr(args, "symbol", []) or []:
        name, sep, sym = item.partition("=")
        if not sep or not name.strip() or not sym.strip():
            raise SymcostError(f"--symbol {item!r}: expected DIM=SYMBOL, e.g. seq_len=S")
        symbols[name.strip()] = sym.strip()
    if symbols:
        opts["symbols"] = symbols
    return opts
