"""Writing command output: to stdout, or atomically to a file (nothing half-written).

Policy (README "Limits and exit statuses"):

* A file is written through a temporary file in the target's own folder, then renamed
  over the target, so readers see the old file or the new one, never a part. The
  temporary file is removed on any failure, Ctrl-C or SIGTERM included.
* A new file gets the usual permissions (``0666`` less the umask); a replaced file keeps
  its permissions.
* A symbolic link is followed: the file it points to is replaced, the link stays.
* A character device (``/dev/null``, a terminal) is written straight through: there is
  nothing to replace.
* Any other target that exists and is not a regular file (folder, FIFO, block device,
  socket) is refused, never replaced.
* :func:`check_writable` tells, before any work is done, whether a path can be written.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from symcost.core.errors import SymcostError

_TMP_EXTRA = 10  # "." + name + "." + mkstemp's 8 random characters


def _target(path: str) -> Path:
    """The file to write: ``path`` with symbolic links followed."""
    p = Path(path)
    if p.is_symlink():
        return Path(os.path.realpath(p))
    return p


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_special(target: Path, path: str) -> os.stat_result | None:
    try:
        st = target.stat()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise SymcostError(f"cannot write {_clip(path)}: {err.strerror}") from None
    if not stat.S_ISREG(st.st_mode) and not stat.S_ISCHR(st.st_mode):
        raise SymcostError(f"cannot write {_clip(path)}: it is {_kind(st.st_mode)}; only a regular file or a "
                           "character device is written")
    return st


def check_writable(path: str | None, what: str = "output") -> None:
    """Raise :class:`SymcostError` (one line) now if ``path`` could not be written later:
    missing or unwritable folder, a name too long, a target that is not a regular file."""
    if path is None or path == "-":
        return
    if not path:
        raise SymcostError(f"{what}: empty file name")
    try:
        _check_writable(path)
    except OSError as err:
        raise SymcostError(f"cannot write {_clip(path)}: {err.strerror or err}") from None


def _clip(path: str) -> str:
    return path if len(path) <= 80 else path[:77] + "..."


def _check_writable(path: str) -> None:
    if "\x00" in path:
        raise SymcostError("cannot write a file whose name contains a NUL character")
    target = _target(path)
    got = _refuse_special(target, path)
    if got is not None and stat.S_ISCHR(got.st_mode):
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise SymcostError(f"cannot write {_clip(path)}: folder {folder} does not exist")
    try:
        name_max = os.pathconf(str(folder), "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if len(os.fsencode(target.name)) + _TMP_EXTRA > name_max:
        raise SymcostError(f"cannot write {_clip(path)}: file name too long "
                           f"(at most {name_max - _TMP_EXTRA} bytes)")
    try:  # the real test: can a temporary file be made there?
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(folder))
    except OSError as err:
        raise SymcostError(f"cannot write {_clip(path)}: {err.strerror}") from None
    os.close(fd)
    os.unlink(tmp)


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_output(text: str | bytes, path: str | None) -> None:
    """Write ``text`` to ``path`` atomically (temp file + rename), or to stdout."""
    if path is None or path == "-":
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    data = text.encode() if isinstance(text, str) else text
    write_bytes_atomic(data, path)


def write_bytes_atomic(data: bytes, path: str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    try:
        _write(data, path)
    except OSError as err:  # inspecting the path itself failed (name too long, ...)
        raise SymcostError(f"cannot write {_clip(path)}: {err.strerror or err}") from None


def _write(data: bytes, path: str) -> None:
    if "\x00" in path:
        raise SymcostError("cannot write a file whose name contains a NUL character")
    target = _target(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise SymcostError(f"cannot write {_clip(path)}: folder {folder} does not exist")
    old = _refuse_special(target, path)
    if old is not None and stat.S_ISCHR(old.st_mode):
        with open(target, "wb") as fh:  # /dev/null, a terminal: nothing to replace
            fh.write(data)
        return
    mode = stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(folder))
    except OSError as err:
        raise SymcostError(f"cannot write {_clip(path)}: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), mode)
        os.replace(tmp, target)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise SymcostError(f"cannot write {_clip(path)}: {err.strerror or err}") from None
        raise


__all__ = ["write_output", "write_bytes_atomic", "check_writable"]
