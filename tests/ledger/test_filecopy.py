"""A large file copied into the staging area and hashed on the way: cloned, or written past the page cache."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os

import pytest

from bokslut.ledger import filecopy
from bokslut.ledger.filecopy import Copier

# Four chunks of 64 KiB, then two blocks and seven bytes: the copy ends on a partial block.
CHUNK = 64 * 1024
SIZE = 4 * CHUNK + 2 * 4096 + 7


@pytest.fixture
def source(tmp_path, monkeypatch):
    monkeypatch.setattr(filecopy, "CHUNK", CHUNK)
    path = tmp_path / "stor.se"
    path.write_bytes(os.urandom(SIZE))
    return path


def copied(source, target) -> tuple[bytes, str]:
    """``source`` copied to ``target`` range by range as journal.Staging.copy_in copies it
    (without cloning); the copy's bytes and the digest taken."""
    digest = hashlib.sha256()
    with source.open("rb") as f:
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        copier = Copier(f.fileno(), out, digest)
        try:
            done = 0
            while done < SIZE:
                done += copier.copy(done, SIZE - done)
            assert done == SIZE
        finally:
            copier.close()
            os.close(out)
    return target.read_bytes(), digest.hexdigest()


def direct(fd: int) -> bool:
    return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT)


def noting(writes: list[tuple[str, int]], write):
    """``write`` (os.pwrite or os.pwritev), noting whether each went past the page cache, and where."""
    return lambda fd, data, at: (
        writes.append(("direct" if direct(fd) else "cached", at)) or write(fd, data, at)
    )


def test_whole_blocks_are_written_past_the_page_cache_and_the_last_bytes_through_it(
    source, tmp_path, monkeypatch
):
    writes: list[tuple[str, int]] = []
    monkeypatch.setattr(os, "pwritev", noting(writes, os.pwritev))
    monkeypatch.setattr(os, "pwrite", noting(writes, os.pwrite))
    raw = source.read_bytes()
    assert copied(source, tmp_path / "kopia") == (raw, hashlib.sha256(raw).hexdigest())
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
    pwritev = os.pwritev
    refused = []

    def larger_blocks(fd, bufs, at):
        if direct(fd):
            refused.append(at)
            raise OSError(errno.EINVAL, "Invalid argument")
        return pwritev(fd, bufs, at)

    monkeypatch.setattr(os, "pwritev", larger_blocks)
    raw = source.read_bytes()
    assert copied(source, tmp_path / "kopia") == (raw, hashlib.sha256(raw).hexdigest())
    assert refused == [0]  # asked once; the rest went through the cache


def test_a_file_system_without_direct_writes_gets_the_bytes_through_the_page_cache(
    source, tmp_path, monkeypatch
):
    set_flags = fcntl.fcntl

    def refusing(fd, cmd, arg=0):
        if cmd == fcntl.F_SETFL and arg & os.O_DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return set_flags(fd, cmd, arg)

    monkeypatch.setattr(fcntl, "fcntl", refusing)
    writes: list[tuple[str, int]] = []
    monkeypatch.setattr(os, "pwrite", noting(writes, os.pwrite))
    raw = source.read_bytes()
    assert copied(source, tmp_path / "kopia") == (raw, hashlib.sha256(raw).hexdigest())
    assert writes == [("cached", k * CHUNK) for k in range(5)]


def test_a_clone_moves_no_bytes_and_the_file_is_read_only_to_be_hashed(source, tmp_path, monkeypatch):
    ioctl = fcntl.ioctl
    asked = []

    def sharing(fd, request, arg):
        asked.append(request)
        if request != filecopy._FICLONERANGE:
            return ioctl(fd, request, arg)
        src, at, length, dest_at = filecopy._CLONE_RANGE.unpack(arg)
        os.pwrite(fd, os.pread(src, length, at), dest_at)  # what the file system shares
        return 0

    monkeypatch.setattr(fcntl, "ioctl", sharing)
    target = tmp_path / "kopia"
    digest = hashlib.sha256()
    with source.open("rb") as f:
        out = os.open(target, os.O_WRONLY | os.O_CREAT, 0o644)
        copier = Copier(f.fileno(), out, digest)
        assert copier.clone(SIZE)
        monkeypatch.setattr(os, "pwrite", lambda *a: pytest.fail("a cloned file is not written"))
        monkeypatch.setattr(os, "pwritev", lambda *a: pytest.fail("a cloned file is not written"))
        done = 0
        while done < SIZE:
            done += copier.read(done, SIZE - done)
        copier.close()
        os.close(out)
    raw = source.read_bytes()
    assert target.read_bytes() == raw
    assert digest.hexdigest() == hashlib.sha256(raw).hexdigest()
    assert asked == [filecopy._FICLONERANGE]


def test_where_blocks_cannot_be_shared_a_clone_changes_nothing(source, tmp_path, monkeypatch):
    def not_here(fd, request, arg):
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")  # ext4

    monkeypatch.setattr(fcntl, "ioctl", not_here)
    other = tmp_path / "annan"
    with source.open("rb") as f:
        out = os.open(other, os.O_WRONLY | os.O_CREAT, 0o644)
        copier = Copier(f.fileno(), out, hashlib.sha256())
        assert not copier.clone(SIZE)
        copier.close()
        os.close(out)
    assert other.read_bytes() == b""


def test_a_copy_past_the_end_of_the_file_says_so(source, tmp_path):
    with source.open("rb") as f:
        out = os.open(tmp_path / "kopia", os.O_WRONLY | os.O_CREAT, 0o644)
        copier = Copier(f.fileno(), out, hashlib.sha256())
        try:
            for step in (copier.copy, copier.read):
                with pytest.raises(OSError) as raised:
                    step(SIZE + 4096 - 7, 4096)
                assert raised.value.errno == errno.EIO
        finally:
            copier.close()
            os.close(out)
