"""Reading small user text files (rules, parameters) with one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

from symcost.core.errors import InputError


def read_text_file(path: str | os.PathLike[str], what: str, max_bytes: int) -> str:
    """The UTF-8 text of ``path``; :class:`InputError` naming the file (and ``what`` it
    should be) when it is missing, unreadable, too large or not UTF-8."""
    file = str(path)
    p = Path(path)
    try:
        if p.stat().st_size > max_bytes:
            raise InputError(f"{what} file too large", file=file)
        return p.read_text("utf-8")
    except OSError as err:
        raise InputError(f"cannot read {what} file: {err.strerror}", file=file) from None
    except UnicodeDecodeError:
        raise InputError(f"{what} file is not UTF-8 text", file=file) from None
