"""A header's lines cut from one copy of their stretch, and swept where they stand."""

from __future__ import annotations

import numpy as np
import pytest

from bokslut.sie import encoding as enc
from bokslut.sie.model import PeriodBalances
from bokslut.sie.otherlines import OtherLines, cut
from bokslut.sie.plainheader import PlainSweep
from bokslut.sie.reader import SWEEP_AFTER, ExactLines


def _stretch(raws: list[bytes], gap: bytes = b"\n") -> tuple[bytes, np.ndarray, np.ndarray]:
    body, starts, stops = b"#VER A 1 20230101\n", [], []
    for raw in raws:
        starts.append(len(body))
        body += raw
        stops.append(len(body))
        body += gap
    return body + b"{\n}\n", np.array(starts, np.int64), np.array(stops, np.int64)


def _header(n: int) -> list[bytes]:
    kinds = [
        b'#OBJEKT 1 "A%d" "Ansvar \xc3\xb6 %d"',
        b'#KONTO %d "Konto %d"',
        b'#PSALDO 0 202301 3010 {1 "A%d"} %d.00',
        b'#DIM %d "Dimension %d"',
    ]
    return [kinds[k % 4] % (k, k) for k in range(n)]


def test_a_headers_many_lines_are_one_copy_read_as_the_lines():
    raws = _header(1500)
    body, starts, stops = _stretch(raws, b"\r\n")
    numbers = [k + 7 for k in range(1500)]
    handed = np.array(numbers, np.int64), starts, stops
    got = cut(memoryview(body), *handed)
    assert isinstance(got, OtherLines)
    for arr in handed:
        arr[:] = -1  # the scanner fills its arrays again for its next piece
    expected = list(zip(numbers, raws, strict=True))
    assert list(got) == expected
    assert got == expected
    assert len(got) == 1500
    assert got[0] == (7, raws[0])
    assert got[-1] == (1506, raws[-1])
    with pytest.raises(IndexError):
        got[1500]
    part = got[100:300]
    assert isinstance(part, OtherLines)
    assert list(part) == expected[100:300]
    assert list(got[::500]) == expected[::500]
    assert list(got.shifted(1000)) == [(no + 1000, raw) for no, raw in expected]
    buf, a, b = part.joined()
    assert [bytes(buf[x:y]) for x, y in zip(a.tolist(), b.tolist(), strict=True)] == raws[100:300]
    assert buf.base is not None  # a view of the copy, not another copy
    assert len(got[5:5]) == 0
    assert got[5:5].joined()[0].shape == (0,)


@pytest.mark.parametrize("shape", ["few", "scattered"])
def test_few_or_scattered_lines_are_copied_one_by_one(shape):
    # Scattered: most of the stretch between the lines is vouchers' bytes, which a copy of
    # the stretch would hold as long as the lines are.
    n = 10 if shape == "few" else 1500
    raws = _header(n)
    body, starts, stops = _stretch(raws, b"\n" + b"x" * (200 if shape == "scattered" else 0) + b"\n")
    numbers = list(range(1, n + 1))
    got = cut(memoryview(body), np.arange(1, n + 1, dtype=np.int64), starts, stops)
    assert isinstance(got, list)
    assert got == list(zip(numbers, raws, strict=True))


@pytest.mark.parametrize("encoding", [enc.UTF8, enc.CP437])
def test_lines_swept_where_they_stand_are_swept_as_joined(encoding):
    raws = [*_header(1200), b"#KONTO 1930", b"#PSALDO 0 202301 3010 {} 1.00 ", b"#SRU 1930 7000"]
    body, starts, stops = _stretch(raws, b"\r\n")
    lines = cut(memoryview(body), np.arange(3, len(raws) + 3, dtype=np.int64), starts, stops)
    assert isinstance(lines, OtherLines)
    for part in (lines, lines[1:1001]):
        got = PlainSweep(encoding).sweep(part)
        expected = PlainSweep(encoding).sweep(list(part))
        assert np.array_equal(got.kind, expected.kind)
        assert np.array_equal(got.numbers, expected.numbers)
        assert np.array_equal(got.lines, expected.lines)
        assert got.texts[0].equals(expected.texts[0]) and got.texts[1].equals(expected.texts[1])
        assert np.array_equal(got.pair_offsets, expected.pair_offsets)
        assert np.array_equal(got.pair_dims, expected.pair_dims)
        assert got.pair_ids.equals(expected.pair_ids)
        assert (got.kind != 0).sum() >= 3 * len(part) // 4


def _read(batches: list[tuple[list[tuple[int, bytes]], int]]):
    reader = ExactLines("f.se", enc.Detected(enc.UTF8, False, ""))
    for batch, coming in batches:
        reader.feed(batch, coming)
    return reader


def test_a_batch_with_more_lines_coming_is_swept_and_reads_the_same():
    raws = [b"#FLAGGA 0", b"#SIETYP 4", *_header(SWEEP_AFTER + 50)]
    lines = list(zip(range(1, len(raws) + 1), raws, strict=True))
    first = lines[:SWEEP_AFTER]
    told = _read([(first, len(lines) - SWEEP_AFTER)])
    assert told._sweep is not None  # swept from the first batch
    untold = _read([(first, 0)])
    assert untold._sweep is None  # read one by one: no more lines known
    for reader in (told, untold):
        reader.feed(lines[SWEEP_AFTER:])
    a, b = told.finish(), untold.finish()
    assert a.objects.objects() == b.objects.objects()
    assert len(a.objects.objects()) == (SWEEP_AFTER + 50 + 3) // 4
    assert a.accounts == b.accounts
    detected = enc.Detected(enc.UTF8, False, "")
    swept, one_by_one = a.result(detected).period_balances, b.result(detected).period_balances
    assert isinstance(swept, PeriodBalances)  # the records swept as columns
    assert swept == one_by_one
    assert a.dimensions == b.dimensions
    assert a.counts == b.counts
    assert a.findings == b.findings
