"""The rows files' checks, and following a file while it is written."""

from __future__ import annotations

import mmap
import os
import zlib

import pytest

from bokslut.ledger import rowfiles
from bokslut.ledger.rowfiles import Follower, check_of


def _no_reading(monkeypatch) -> None:
    def refuse(fd: int) -> int:
        raise AssertionError("read again")

    monkeypatch.setattr(rowfiles, "_crc32", refuse)


def test_a_file_followed_while_it_grows_is_summed_to_its_end(tmp_path, monkeypatch):
    path = tmp_path / "rader.parquet"
    parts = [os.urandom(n) for n in (0, 1, 5 * 1024 * 1024 + 3, 17, 1024)]
    follower = Follower([path, tmp_path / "aldrig-skriven.parquet"])
    with path.open("wb") as f:
        for part in parts:
            f.write(part)
            f.flush()
            follower.kick()
    summed = follower.finish()
    data = b"".join(parts)
    assert [(s.size, s.crc32) for s in summed] == [(len(data), zlib.crc32(data))]
    _no_reading(monkeypatch)
    assert check_of(path, summed).crc32 == zlib.crc32(data)


def test_a_growing_file_is_summed_in_mapped_windows_across_their_edges(tmp_path, monkeypatch):
    # Windows of two pages: each part begins inside a page, and one crosses many windows.
    page = mmap.ALLOCATIONGRANULARITY
    monkeypatch.setattr(rowfiles, "_WINDOW", 2 * page)
    path = tmp_path / "rader.parquet"
    parts = [os.urandom(n) for n in (3, page - 3, 1, 2 * page + 1, 7 * page + 5, page)]
    crc, done = 0, 0
    with path.open("wb") as f:
        fd = os.open(path, os.O_RDONLY)
        try:
            for part in parts:
                f.write(part)
                f.flush()
                crc = rowfiles._crc32_range(fd, done, done + len(part), crc)
                done += len(part)
        finally:
            os.close(fd)
    assert crc == zlib.crc32(b"".join(parts))


def test_a_file_shorter_than_its_size_was_is_an_os_error_to_the_follower(tmp_path):
    # The follower leaves a file out on an OSError; mmap says ValueError for this.
    path = tmp_path / "rader.parquet"
    path.write_bytes(b"x" * 10)
    fd = os.open(path, os.O_RDONLY)
    try:
        with pytest.raises(OSError, match="shorter"):
            rowfiles._crc32_range(fd, 0, 100, 0)
    finally:
        os.close(fd)


def test_what_was_summed_of_another_file_is_not_taken_for_this_one(tmp_path):
    path = tmp_path / "rader.parquet"
    path.write_bytes(b"a" * 100)
    follower = Follower([path])
    follower.kick()
    summed = follower.finish()
    replaced = tmp_path / "ny.parquet"
    replaced.write_bytes(b"b" * 100)
    os.replace(replaced, path)  # same name and size, another file
    assert check_of(path, summed).crc32 == zlib.crc32(b"b" * 100)
