"""The digest a ledger file is known by: BLAKE3, the same for a file read whole or in pieces."""

from __future__ import annotations

import os

from bokslut.ledger import filehash


def test_the_digest_is_blake3_as_b3sum_prints_it():
    # The published test vectors of BLAKE3 (the empty input, and "abc").
    assert filehash.of_bytes(b"") == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    assert filehash.of_bytes(b"abc") == "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"


def test_a_file_read_in_pieces_has_the_digest_of_its_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(filehash, "_CHUNK", 4096)  # several pieces, the last one short
    data = os.urandom(5 * 4096 + 123)
    path = tmp_path / "2023.se"
    path.write_bytes(data)
    assert filehash.of_file(path) == filehash.of_bytes(data)
    empty = tmp_path / "tom.se"
    empty.write_bytes(b"")
    assert filehash.of_file(empty) == filehash.of_bytes(b"")


def test_a_digest_fed_in_pieces_is_the_digest_of_the_whole():
    data = os.urandom(100_000)
    h = filehash.hasher()
    for at in range(0, len(data), 7_000):
        h.update(memoryview(data)[at : at + 7_000])
    assert h.hexdigest() == filehash.of_bytes(data)
