"""The compiled scanner gives exactly what the exact reader gives, or declines."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import sie_sample
from tests.sie.test_reader import LINES
from tests.sie.test_writer import vouchers

from bokslut.sie import encoding as enc
from bokslut.sie import fastscan
from bokslut.sie.model import FiscalYear, Header
from bokslut.sie.reader import read_exact, read_exact_lines, read_sie_bytes
from bokslut.sie.writer import write_sie


def same(a, b) -> None:
    assert a.header == b.header
    assert a.accounts == b.accounts
    assert a.dimensions == b.dimensions
    assert a.objects == b.objects
    assert a.balances == b.balances
    assert a.period_balances == b.period_balances
    assert a.counts == b.counts
    assert a.findings == b.findings
    assert a.vouchers.equals(b.vouchers), (a.vouchers.to_pylist()[:3], b.vouchers.to_pylist()[:3])
    assert a.transactions.equals(b.transactions), (
        a.transactions.slice(0, 3).to_pylist(),
        b.transactions.slice(0, 3).to_pylist(),
    )


def both(data: bytes, parts: int = 1):
    detected = fastscan.detect(data)
    assert detected == enc.detect(data)
    fast = fastscan.read_fast(data, "f.se", detected, read_exact_lines, parts=parts)
    return fast, read_exact(data, "f.se", detected)


# Files the scanner reads itself; the others it hands to the exact reader, for the reason given.
SCANNED = {"01", "02", "04", "07", "08", "09", "11", "12", "14"}
DECLINED = {
    "05": "a Windows-1252 line in a CP437 file",
    "06": "#KSUMMA",
    "15": "#KSUMMA",
    "16": "a #VER without '{'",
}


@pytest.mark.parametrize("parts", [1, 2, 3])
@pytest.mark.parametrize("prefix", sorted(SCANNED | set(DECLINED)))
def test_real_files_scanned_or_declined(prefix, parts):
    fast, exact = both(sie_sample(prefix + "_").read_bytes(), parts)
    if prefix in DECLINED:
        assert fast is None
    else:
        assert fast is not None
        same(fast, exact)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(vouchers(), min_size=1, max_size=6),
    st.sampled_from(["cp437", "utf-8", "cp1252"]),
    st.sampled_from(["\n", "\r\n"]),
    st.integers(1, 3),
)
def test_written_files_scan_like_the_exact_reader(vs, encoding, newline, parts):
    out = io.BytesIO()
    year = FiscalYear(0, dt.date(2023, 1, 1), dt.date(2023, 12, 31), 0)
    try:
        write_sie(
            out,
            Header(sietyp=4, fiscal_years=(year,)),
            vouchers=vs,
            encoding=encoding,
            newline=newline,
        )
    except UnicodeEncodeError:
        return  # a letter that Windows-1252 cannot hold
    fast, exact = both(out.getvalue(), parts)
    # Object ids with the key's escape characters are left to the exact reader, by design.
    escaped = any(c in obj for v in vs for t in v.rows for _, obj in t.objects for c in "|:\\")
    assert (fast is None) == escaped
    if fast is not None:
        same(fast, exact)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=30), st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_record_sequence_scans_like_the_exact_reader_or_is_declined(lines, newline):
    data = (newline.join(lines) + newline).encode()
    fast, exact = both(data)
    if fast is not None:
        same(fast, exact)


@pytest.mark.parametrize("quantity", ["0.00", "007", "-0.50", "12", ".5", "5.", "1,5", "+2", "x"])
def test_quantities_are_normalised_like_the_exact_reader(quantity):
    text = (
        f'#FLAGGA 0\n#RAR 0 20230101 20231231\n#VER A 1 20230105 "x"\n{{\n'
        f'#TRANS 1930 {{}} 5 "" "" {quantity}\n#TRANS 3010 {{}} -5\n}}\n'
    )
    fast, exact = both(text.encode())
    if fast is not None:
        same(fast, exact)
    else:
        assert quantity in {".5", "5.", "1,5", "+2", "x"}


def test_read_sie_bytes_uses_the_scanner_for_large_files():
    data = sie_sample("04_").read_bytes()
    assert read_sie_bytes(data, "f.se", fast=True).transactions.equals(
        read_sie_bytes(data, "f.se", fast=False).transactions
    )
