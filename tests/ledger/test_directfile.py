"""A streamed import's rows written past the page cache: the bytes, and their CRC-32, are the writer's."""

from __future__ import annotations

import errno
import os
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bokslut.ledger import directfile, filecopy
from bokslut.ledger.directfile import DirectFile
from bokslut.ledger.filecopy import BLOCK
from bokslut.ledger.rowfiles import Summed

_REAL_PWRITEV = os.pwritev


def _parts() -> list[bytes]:
    # Small buffers (four blocks): parts that fill one exactly, cross several, end inside a
    # block, and a file whose last bytes are less than a block.
    return [os.urandom(n) for n in (0, 1, 4 * BLOCK - 1, 4 * BLOCK, 3, 9 * BLOCK + 5, BLOCK, 17)]


def _written(path: Path, parts: list[bytes]) -> tuple[Summed, bytes]:
    f = DirectFile(path)
    for part in parts:
        f.stream.write(part)
    summed = f.close()
    return summed, path.read_bytes()


def test_a_parquet_file_written_past_the_cache_reads_back_as_written(tmp_path):
    t = pa.table(
        {"konto": pa.array(["4010", "1930"] * 150_000), "text": pa.array(['Faktura "Öbergs"'] * 300_000)}
    )
    path = tmp_path / "rader.parquet"
    f = DirectFile(path)
    with pq.ParquetWriter(f.stream, t.schema, compression="none") as writer:
        writer.write_table(t, row_group_size=100_000)
    summed = f.close()
    data = path.read_bytes()
    assert pq.read_table(path).equals(t)
    assert (summed.ino, summed.size, summed.crc32) == (path.stat().st_ino, len(data), zlib.crc32(data))


def test_the_bytes_and_their_crc_across_the_buffers_edges(tmp_path, monkeypatch):
    monkeypatch.setattr(directfile, "CHUNK", 4 * BLOCK)
    parts = _parts()
    summed, data = _written(tmp_path / "rader.parquet", parts)
    assert data == b"".join(parts)
    assert (summed.size, summed.crc32) == (len(data), zlib.crc32(data))


def test_a_disk_that_refuses_the_write_past_the_cache_gets_it_through_the_cache(tmp_path, monkeypatch):
    # A disk with larger blocks says EINVAL to a write past the cache: written the plain way.
    # (O_DIRECT is played here, so that the test does not depend on the file system under it;
    # writes past the cache are os.pwritev's, see filecopy.write_out.)
    monkeypatch.setattr(directfile, "CHUNK", 4 * BLOCK)
    direct: dict[int, bool] = {}
    refused: list[int] = []

    def set_direct(fd: int, on: bool) -> bool:
        direct[fd] = on
        return on

    def pwritev(fd: int, data, at: int) -> int:
        if direct.get(fd):
            refused.append(at)
            raise OSError(errno.EINVAL, "Invalid argument")
        return _REAL_PWRITEV(fd, data, at)

    monkeypatch.setattr(filecopy, "set_direct", set_direct)
    monkeypatch.setattr(os, "pwritev", pwritev)
    parts = _parts()
    summed, data = _written(tmp_path / "rader.parquet", parts)
    assert refused == [0]  # the first write past the cache, and no other
    assert data == b"".join(parts) and summed.crc32 == zlib.crc32(data)


def _open_files() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


def test_a_failed_write_is_the_writers_error_and_leaves_nothing_open(tmp_path, monkeypatch):
    monkeypatch.setattr(directfile, "CHUNK", 4 * BLOCK)

    def full(fd: int, data, at: int) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "pwrite", full)
    monkeypatch.setattr(os, "pwritev", full)
    t = pa.table({"text": pa.array(["x" * 100] * 10_000)})
    f = DirectFile(tmp_path / "rader.parquet")
    open_before = _open_files()
    with pytest.raises(OSError) as caught:
        with pq.ParquetWriter(f.stream, t.schema, compression="none") as writer:
            writer.write_table(t)
        f.close()
    f.discard()
    assert caught.value.errno == errno.ENOSPC
    assert _open_files() == open_before - 1  # the file's descriptor
