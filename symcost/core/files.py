"""Writing command output: to stdout, or atomically to a file (nothing half-written)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from symcost.core.errors import SymcostError


def write_output(text: str | bytes, path: str | None) -> None:
    """Write ``text`` to ``path`` atomically (temp file + rename), or to stdout."""
    if path is None or path == "-":
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    target = Path(path)
    if target.parent and not target.parent.exists():
        raise SymcostError(f"cannot write {path}: folder {target.parent} does not exist")
    data = text.encode() if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent or "."))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError as err:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise SymcostError(f"cannot write {path}: {err.strerror}") from None
