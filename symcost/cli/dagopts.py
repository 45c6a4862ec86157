"""Options shared by the commands that read a DAG file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from symcost.core.diagnostics import Diagnostic
from symcost.core.errors import SymcostError
from symcost.core.exitcodes import INCOMPLETE, OK
from symcost.core.limits import MAX_SIZE, MAX_SIZE_DIGITS
from symcost.output.diagnostics import diagnostics_report
from symcost.read.dot.graphviz import parse_size
from symcost.solve.completeness import Completeness


def add_dag_options(p: argparse.ArgumentParser) -> None:
    """The DOT reader's options: ``--rules``, ``--symbol``, ``--set``, ``--params``,
    ``--repeat``, ``--max-bytes``, ``--salvage``, ``--break-cycles``; and what every DAG command does with
    the reading's trustworthiness: ``--strict``, ``--verbose``."""
    p.add_argument("--rules", metavar="FILE", help="extra operation rules (YAML) for DOT input")
    p.add_argument("--symbol", action="append", default=[], metavar="DIM=SYMBOL",
                   help="make a dimension symbolic, e.g. seq_len=S (repeatable)")
    if "--set" not in p._option_string_actions:  # `eval` has its own --set: same option
        p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="model parameter for sizes the labels leave out, e.g. "
                            "expert_hidden=16384, num_experts=16 (repeatable)")
    p.add_argument("--params", metavar="FILE",
                   help="model parameters from a JSON/YAML file (e.g. deployment_config.json)")
    p.add_argument("--repeat", action="append", default=[], metavar="NODE=COUNT",
                   help="repeat count of an abbreviated block (node id, or 'U->V' for an "
                        "edge); on an ordinary node: run it COUNT times (repeatable)")
    p.add_argument("--max-bytes", metavar="SIZE",
                   help="size limit of a DOT file (default 64M, or $SYMCOST_MAX_BYTES; "
                        "e.g. 512M, 2G): raise it to read very large graphs")
    p.add_argument("--salvage", action="store_true",
                   help="recover what parses from a DOT file with syntax errors")
    p.add_argument("--break-cycles", action="store_true",
                   help="remove one back-edge per cycle (named in a warning) instead of "
                        "refusing the graph")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 3 when the result is incomplete (symbols or "
                        "unknown atoms for sizes the DAG does not give, unknown operations, "
                        "elisions, disconnected parts, salvage, broken cycles); the output "
                        "is still written")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="on stderr, list every node of each diagnostic group")


def _pairs(items: list[str], option: str, example: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.rpartition("=")
        if not sep or not name.strip() or not value.strip():
            raise SymcostError(f"{option} {item!r}: expected {example}")
        out[name.strip()] = value.strip()
    return out


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
    sets = _pairs(getattr(args, "set", []), "--set", "NAME=VALUE, e.g. expert_hidden=16384")
    if sets:
        opts["sets"] = sets
    if getattr(args, "params", None):
        opts["params"] = args.params
    repeat = {}
    for key, value in _pairs(getattr(args, "repeat", []), "--repeat",
                             "NODE=COUNT, e.g. layers_1_30=30").items():
        if not value.isdigit() or len(value) > MAX_SIZE_DIGITS or \
                not 1 <= int(value) < MAX_SIZE:
            raise SymcostError(f"--repeat {key}={value[:40]}: COUNT must be a positive "
                               "integer below 2**63")
        repeat[key] = int(value)
    if repeat:
        opts["repeat"] = repeat
    if getattr(args, "max_bytes", None):
        opts["max_bytes"] = parse_size(args.max_bytes)
    if getattr(args, "salvage", False):
        opts["salvage"] = True
    if getattr(args, "break_cycles", False):
        opts["break_cycles"] = True
    return opts


def finish(args: argparse.Namespace, readings: Sequence[tuple[str | None, Sequence[Diagnostic],
                                                              Completeness | None]]) -> int:
    """After the output is written: the completeness line and the grouped diagnostics of
    each reading ``(file, diagnostics, completeness)`` on stderr; the exit status
    (:data:`~symcost.core.exitcodes.INCOMPLETE` under ``--strict`` when a result is
    incomplete, else :data:`~symcost.core.exitcodes.OK`)."""
    verbose = bool(getattr(args, "verbose", False))
    incomplete = False
    for file, diags, comp in readings:
        text = diagnostics_report(diags, comp, verbose=verbose, file=file)
        if text:
            sys.stderr.write(text)
        if comp is not None and not comp.complete:
            incomplete = True
    if incomplete and getattr(args, "strict", False):
        sys.stderr.write("symcost: incomplete result (--strict): exit status "
                         f"{INCOMPLETE}\n")
        return INCOMPLETE
    return OK
