"""Output options shared by the commands: ``--format``, ``-o FILE`` (the format from the
file's extension unless ``--format`` is given) and the refusal to write binary formats
to a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import PurePath

from symcost.core.errors import SymcostError
from symcost.core.files import write_output

#: Format named by each file extension (where a command offers it).
EXTENSIONS = {".md": "md", ".markdown": "md", ".tex": "tex", ".json": "json",
              ".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot", ".txt": "text",
              ".csv": "csv"}


def add_output_options(p: argparse.ArgumentParser, formats: tuple[str, ...],
                       default: str) -> None:
    """``--format`` (choices ``formats``) and ``-o/--output``."""
    p.add_argument("--format", choices=formats, default=None,
                   help=f"output format (default: from the extension of -o, else {default})")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE instead of stdout; its extension picks the format "
                        f"({', '.join(sorted(e for e, f in EXTENSIONS.items() if f in formats))})"
                        " unless --format is given")
    p.set_defaults(default_format=default, formats=formats)


def resolve_format(args: argparse.Namespace) -> str:
    """The format asked for: ``--format``, else the extension of ``-o``, else the default.

    An extension that names no format of this command keeps the default."""
    if args.format:
        return args.format
    if args.output and args.output != "-":
        fmt = EXTENSIONS.get(PurePath(args.output).suffix.lower())
        if fmt in args.formats:
            return fmt
    return args.default_format


def emit(data: str | bytes, args: argparse.Namespace) -> None:
    """Write ``data`` to ``-o`` or stdout; binary data never goes to a terminal."""
    to_stdout = not args.output or args.output == "-"
    if isinstance(data, bytes) and to_stdout and sys.stdout.isatty():
        raise SymcostError("binary output (png) is not written to a terminal: give -o FILE "
                           "or redirect stdout")
    write_output(data, args.output)
