"""The atomic writer: permissions, symlinks, special files, early checks, clean-up."""

from __future__ import annotations

import os
import stat

import pytest

from symcost.core import files
from symcost.core.errors import SymcostError


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_honours_umask(tmp_path, mask, expected):
    old = os.umask(mask)
    try:
        files.write_output("x", str(tmp_path / "out.txt"))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "out.txt") == expected
    assert (tmp_path / "out.txt").read_text() == "x"


def test_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    files.write_output("new", str(target))
    assert target.read_text() == "new" and _mode(target) == 0o640


def test_symlink_is_followed(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    files.write_output("new", str(link))
    assert link.is_symlink() and real.read_text() == "new"


def test_fifo_and_folder_are_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (fifo, tmp_path):
        with pytest.raises(SymcostError, match="only a regular file"):
            files.check_writable(str(target))
        with pytest.raises(SymcostError, match="only a regular file"):
            files.write_output("x", str(target))
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize("make", [
    lambda t: str(t / "missing" / "out.txt"),
    lambda t: str(t / ("a" * 300)),
    lambda t: "/proc/symcost-test-out",
    lambda t: str(t / "a\x00b"),
])
def test_unwritable_targets_one_line(tmp_path, make):
    path = make(tmp_path)
    with pytest.raises(SymcostError) as err:
        files.check_writable(path)
    assert "\n" not in str(err.value)
    with pytest.raises(SymcostError):
        files.write_output("x", path)
    assert sorted(os.listdir(tmp_path)) == []


def test_check_writable_leaves_nothing(tmp_path):
    files.check_writable(str(tmp_path / "out.txt"))
    assert os.listdir(tmp_path) == []


def test_interrupted_write_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_output("new", str(target))
    assert os.listdir(tmp_path) == ["out.txt"] and target.read_text() == "old"


def test_character_device_is_written_through(tmp_path) -> None:
    """``-o /dev/null`` works (nothing to replace); the device stays a device."""
    import os
    import stat

    from symcost.core.files import check_writable, write_output

    if not os.path.exists(os.devnull):
        pytest.skip("no /dev/null here")
    check_writable(os.devnull)
    write_output("some output\n", os.devnull)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
