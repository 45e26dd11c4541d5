"""A large file copied into the staging area: cloned, written past the page cache, or by the kernel."""

from __future__ import annotations

import errno
import fcntl
import os

import pytest

from bokslut.ledger import filecopy
from bokslut.ledger.filecopy import Copier

# Four chunks of 64 KiB, then two blocks and seven bytes: the copy ends on a partial block.
CHUNK = 64 * 1024
SIZE = 4 * CHUNK + 2 * 4096 + 7


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "stor.se"
    path.write_bytes(os.urandom(SIZE))
    return path


def copied(source, target) -> bytes:
    """Copy ``source`` to ``target`` as journal.Staging.copy_in does (without cloning)."""
    with source.open("rb") as f:
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        copier = Copier(f.fileno(), out)
        try:
            done = 0
            while done < SIZE:
                done += copier.copy(done, SIZE - done)
            assert done == SIZE
        finally:
            copier.close()
            os.close(out)
    return target.read_bytes()


def direct(fd: int) -> bool:
    return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT)


def test_whole_blocks_are_written_past_the_page_cache_and_the_last_bytes_through_it(
    source, tmp_path, monkeypatch
):
    monkeypatch.setattr(filecopy, "CHUNK", CHUNK)
    writes = []
    pwritev, pwrite = os.pwritev, os.pwrite
    monkeypatch.setattr(
        os,
        "pwritev",
        lambda fd, bufs, at: (
            writes.append(("direct" if direct(fd) else "cached", at)) or pwritev(fd, bufs, at)
        ),
    )
    monkeypatch.setattr(
        os,
        "pwrite",
        lambda fd, data, at: (
            writes.append(("direct" if direct(fd) else "cached", at)) or pwrite(fd, data, at)
        ),
    )
    assert copied(source, tmp_path / "kopia") == source.read_bytes()
    # Four full chunks and the two blocks after them written directly, the 7 bytes through the cache.
    assert writes == [
        ("direct", 0),
        ("direct", CHUNK),
        ("direct", 2 * CHUNK),
        ("direct", 3 * CHUNK),
        ("direct", 4 * CHUNK),
        ("cached", 4 * CHUNK + 2 * 4096),
    ]


def test_a_disk_that_refuses_a_direct_write_gets_the_bytes_through_the_page_cache(
    source, tmp_path, monkeypatch
):
    monkeypatch.setattr(filecopy, "CHUNK", CHUNK)
    pwritev = os.pwritev
    refused = []

    def larger_blocks(fd, bufs, at):
        if direct(fd):
            refused.append(at)
            raise OSError(errno.EINVAL, "Invalid argument")
        return pwritev(fd, bufs, at)

    monkeypatch.setattr(os, "pwritev", larger_blocks)
    assert copied(source, tmp_path / "kopia") == source.read_bytes()
    assert refused == [0]  # asked once; the rest went through the cache


def without_direct_writes(fcntl_):
    """fcntl as on a file system that takes no O_DIRECT."""

    def refusing(fd, cmd, arg=0):
        if cmd == fcntl.F_SETFL and arg & os.O_DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return fcntl_(fd, cmd, arg)

    return refusing


def test_a_file_system_without_direct_writes_is_copied_by_the_kernel(source, tmp_path, monkeypatch):
    monkeypatch.setattr(fcntl, "fcntl", without_direct_writes(fcntl.fcntl))
    kernel = []
    copy_file_range = os.copy_file_range
    monkeypatch.setattr(os, "copy_file_range", lambda *a: kernel.append(a[2:]) or copy_file_range(*a))
    assert copied(source, tmp_path / "kopia") == source.read_bytes()
    assert kernel == [(SIZE, 0, 0)]


def test_where_the_kernel_cannot_copy_either_the_bytes_are_read_and_written(source, tmp_path, monkeypatch):
    monkeypatch.setattr(fcntl, "fcntl", without_direct_writes(fcntl.fcntl))

    def cannot(*args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", cannot)
    assert copied(source, tmp_path / "kopia") == source.read_bytes()


def test_a_clone_moves_no_bytes_and_a_refused_one_changes_nothing(source, tmp_path, monkeypatch):
    ioctl = fcntl.ioctl
    asked = []

    def sharing(fd, request, arg):
        asked.append(request)
        if request != filecopy._FICLONERANGE:
            return ioctl(fd, request, arg)
        src, at, length, dest_at = filecopy._CLONE_RANGE.unpack(arg)
        os.pwrite(fd, os.pread(src, length, at), dest_at)  # what the file system would share
        return 0

    monkeypatch.setattr(fcntl, "ioctl", sharing)
    target = tmp_path / "kopia"
    with source.open("rb") as f:
        out = os.open(target, os.O_WRONLY | os.O_CREAT, 0o644)
        copier = Copier(f.fileno(), out)
        assert copier.clone(SIZE)
        copier.close()
        os.close(out)
    assert target.read_bytes() == source.read_bytes()
    assert asked == [filecopy._FICLONERANGE]

    def not_here(fd, request, arg):
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")  # ext4

    monkeypatch.setattr(fcntl, "ioctl", not_here)
    other = tmp_path / "annan"
    with source.open("rb") as f:
        out = os.open(other, os.O_WRONLY | os.O_CREAT, 0o644)
        copier = Copier(f.fileno(), out)
        assert not copier.clone(SIZE)
        copier.close()
        os.close(out)
    assert other.read_bytes() == b""


def test_a_copy_past_the_end_of_the_file_says_so(source, tmp_path):
    with source.open("rb") as f:
        out = os.open(tmp_path / "kopia", os.O_WRONLY | os.O_CREAT, 0o644)
        copier = Copier(f.fileno(), out)
        try:
            with pytest.raises(OSError) as raised:
                copier.copy(SIZE + 4096 - 7, 4096)
        finally:
            copier.close()
            os.close(out)
    assert raised.value.errno == errno.EIO
