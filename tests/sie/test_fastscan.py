"""The compiled scanner gives exactly what the exact reader gives, or declines."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import sie_sample
from tests.sie.test_reader import LINES
from tests.sie.test_writer import vouchers

from bokslut.diagnostics import Level
from bokslut.ledger import texts
from bokslut.sie import encoding as enc
from bokslut.sie import fastscan, otherlines
from bokslut.sie.checks import validate
from bokslut.sie.model import FiscalYear, Header
from bokslut.sie.reader import (
    FAST_PATH_MIN_BYTES,
    ExactLines,
    _PlainRecords,
    _start,
    read_exact,
    read_sie_bytes,
    sniff,
)
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
    """(scanned, exact); the scan that decides the encoding itself gives the same as the
    scan told the encoding."""
    detected = fastscan.detect(data)
    assert detected == enc.detect(data)
    fast = fastscan.read_fast(data, "f.se", detected, ExactLines, parts=parts)
    deciding = fastscan.read_fast(data, "f.se", None, ExactLines, parts=parts)
    assert (deciding is None) == (fast is None)
    if fast is not None:
        assert deciding is not None and deciding.encoding == detected.encoding
        same(deciding, fast)
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


# -- hostile input (issue 9): both paths refuse, warn and escape alike ----------------------------

HOSTILE = st.sampled_from(
    [
        "#TRANS 1930 {} 12345678901234567890",
        "#TRANS 1930 {} 999999999999999.99",
        "#TRANS 3010 {} -999999999999999.99",
        "#TRANS 1930 {} 600000000000000",
        "#IB 99999999999 1930 5",
        "#IB 0 1930 99999999999999999999999.00",
        '#DIM 99999999999 "x"',
        "#RAR 4294967296 20220101 20221231",
        "#RAR 0 99990101 99991231",
        '#VER A 1 22000101 "x"',
        '#VER A 1 18991231 "x" 19000101',
        '#TRANS 1930 {1² "1"} 5',
        "#TRANS 1930 {} -٣٠٠.00",
        '#TRANS 1930 {9999999999 "1"} 5',
        '#TRANS 1930 {999999999 "1"} 5',
        '#TRANS 1930 {} 5 "hej"',
        '#TRANS 1930 {} 5 "hej" "text"',
        "#TRANS 1930 {} 5 21991231",
        "#TRANS 1930 {} 5 22000101",
        '#TRANS 1930 {} 5 "" "" 1234567890123456789',
        '#TRANS 1930 {} 5 "" "" 123456789012345678.123456',
        '#TRANS 1930 {} 5 "" "" 0.1234567',
        "#SRU 1930",
        "#TAXAR CCMXVIII",
        "#KONTO\x1b[2J 1930 x",
        "#TRANS 1930 {1 a\x1bb} 5",
        '#TRANS 1930 {1 a"b"} 5',
        '#TRANS 1930 {1 "a" 2 b"c"} 5',
        '#KONTO 1931 "\u009b2J"',
        "#KSUMMA " + "9" * 40,
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(LINES | HOSTILE, max_size=30),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["utf-8", "cp437"]),
    st.booleans(),
    st.integers(1, 3),
)
def test_hostile_records_scan_like_the_exact_reader_or_are_declined(lines, newline, encoding, bom, parts):
    data = (b"\xef\xbb\xbf" if bom else b"") + (newline.join(lines) + newline).encode(encoding, "replace")
    fast, exact = both(data, parts)
    if fast is not None:
        same(fast, exact)
        assert validate(fast) == validate(exact)


def head(date: str = "20230105", quantity: str = "") -> bytes:
    return (
        f'#FLAGGA 0\n#RAR 0 20230101 20231231\n#VER A 1 {date} "x"\n{{\n'
        f'#TRANS 1930 {{}} 5 {date} "" {quantity}\n#TRANS 3010 {{}} -5\n}}\n'
    ).encode()


@pytest.mark.parametrize(
    "date, readable", [("19000101", True), ("18991231", False), ("21991231", True), ("22000101", False)]
)
def test_the_scanner_keeps_to_the_years_the_reader_accepts(date, readable):
    fast, exact = both(head(date))
    assert (fast is not None) is readable
    assert (not [f for f in exact.findings if f.level is Level.ERROR]) is readable
    if fast is not None:
        same(fast, exact)


@pytest.mark.parametrize(
    "quantity, kept",
    [
        ("123456789012345678", True),
        ("1234567890123456789", False),
        ("0.123456", True),
        ("0.1234567", False),
        ("-123456789012345678.123456", True),
    ],
)
def test_the_scanner_keeps_to_the_quantities_the_store_holds(quantity, kept):
    fast, exact = both(head(quantity=quantity))
    assert (exact.transactions["quantity"][0].as_py() is not None) is kept
    assert (fast is not None) is kept
    if fast is not None:
        same(fast, exact)


def large(rows_per_voucher_amount: str = "100.00", tail: str = "") -> bytes:
    """A file of at least 4 MB, so read_sie_bytes takes the fast path unless told otherwise."""
    voucher = '#VER A {n} 20230105 "x"\n{{\n#TRANS 1930 {{1 "81141"}} {a}\n#TRANS 3010 {{}} -{a}\n}}\n'
    text = "#FLAGGA 0\n#SIETYP 4\n#RAR 0 20230101 20231231\n#KONTO 1930 Bank\n#KONTO 3010 Avgift\n"
    body = "".join(voucher.format(n=n, a=rows_per_voucher_amount) for n in range(1, 70_000))
    data = (text + body + tail).encode()
    assert len(data) >= FAST_PATH_MIN_BYTES
    return data


def test_a_large_file_with_a_nul_in_a_label_says_what_a_small_one_says():
    tail = '#KONTO\x00 1 "x"\n'
    big = read_sie_bytes(large(tail=tail), "f.se")
    small = read_sie_bytes(("#FLAGGA 0\n" + tail).encode(), "f.se")
    for sie in (big, small):
        (f,) = sie.findings
        assert f.message == "filen innehåller binära data (NUL-tecken) och är ingen SIE-fil"
        assert "\x00" not in f.message
    assert big.findings[0].line == 350_001 and small.findings[0].line == 2
    assert big.findings == read_sie_bytes(large(tail=tail), "f.se", fast=False).findings


def test_a_large_file_whose_amounts_pass_the_limit_is_refused_alike_by_both_paths():
    data = large("1000000000000.00")  # 10¹⁴ öre a row: the limit of 10¹⁷ passes at row 1 000
    fast = read_sie_bytes(data, "f.se", fast=True)
    exact = read_sie_bytes(data, "f.se", fast=False)
    assert fast.transactions.num_rows == 139_998  # the scanner read it: the total is its own check
    same(fast, exact)
    (f,) = [f for f in fast.findings if f.level is Level.ERROR]
    assert f.line == 6 + 5 * 499 + 3 and "blir tillsammans" in f.message


def test_a_large_file_with_a_control_character_escapes_it_like_a_small_one():
    tail = "#KONTO\x1b[2J 1 x\n"
    big = read_sie_bytes(large(tail=tail), "f.se")
    small = read_sie_bytes(("#FLAGGA 0\n" + tail).encode(), "f.se")
    assert [f.message for f in big.findings] == [f.message for f in small.findings]
    assert big.findings[0].message == "#KONTO\\x1b[2J: styrtecken på raden"


def test_a_quote_inside_a_bare_object_id_is_left_to_the_exact_reader():
    # Found by fuzzing: the exact tokenizer ends a bare id at a quote, the scanner did not.
    text = '#FLAGGA 0\n#VER A 1 20230105 "x"\n{\n#TRANS 1930 {1 "2" 20 \xa0"ABC"} 5\n#TRANS 3010 {} -5\n}\n'
    fast, exact = both(text.encode("cp437"))
    assert fast is None
    assert next(f.message for f in exact.findings if f.level is Level.ERROR) == (
        "#TRANS: objektlistan ska bestå av par: dimension och objekt"
    )


# #OBJEKT lines as exporters write them: quoted or bare, with or without a name, padded.
_OBJEKT_LINE = st.sampled_from(
    [
        '#OBJEKT 1 "A{k}" "Ansvar {k}"',
        "#OBJEKT 6 P{k} Projekt",
        '#OBJEKT 1 "A{k}"',
        '  #OBJEKT\t20 "Ö{k}" "Område Älvdalen {k}"  ',
        '#OBJEKT 1 "A{k}" "Namn igen"',  # a second declaration: the later name wins
        '#OBJEKT 01 " A{k} " ""',  # leading zero, padded id
    ]
)
_ODD_OBJEKT = st.sampled_from(
    [
        '#OBJEKT 1 "C:\\\\x" "bakstreck"',
        '#objekt 1 "a" "gemener"',
        '#OBJEKT 1 "a" "b" "extra"',
        '#OBJEKT x "a" "b"',
        "#OBJEKT 1",
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_OBJEKT_LINE, st.integers(0, 400)), min_size=1, max_size=20),
    st.one_of(st.none(), _ODD_OBJEKT),
    st.sampled_from(["cp437", "utf-8"]),
)
def test_many_object_declarations_read_like_the_exact_reader(lines, odd, encoding):
    reps = 1000 // len(lines) + 1
    body = [template.format(k=k + 1000 * rep) for rep in range(reps) for template, k in lines]
    if odd is not None:
        body.insert(len(body) // 2, odd)
    text = (
        "#FLAGGA 0\n#RAR 0 20230101 20231231\n"
        + "\n".join(body)
        + '\n#VER A 1 20230105 "x"\n{\n#TRANS 1930 {1 "A1"} 5\n#TRANS 3010 {} -5\n}\n'
    )
    fast, exact = both(text.encode(encoding))
    if fast is None:  # a line the exact reader refuses: the whole file is its to read
        assert any(f.level is Level.ERROR for f in exact.findings)
        return
    same(fast, exact)
    assert fast.counts.get("#OBJEKT", 0) == len(body) - (odd is not None and odd.startswith("#objekt"))


def taken(lines: list[str], encoding: str = "utf-8") -> list[bool]:
    """Which of ``lines`` (after #FLAGGA) the plain sweep takes itself."""
    detected = enc.Detected(encoding, False, "")
    reader = _start("f.se", detected)
    reader.feed(1, "#FLAGGA 0")
    plain = _PlainRecords(reader, encoding)
    out = []
    for no, line in enumerate(lines, start=2):
        raw = line.encode(encoding)
        took = plain.take(no, raw)
        if not took:
            reader.feed(no, raw.decode(encoding))
        out.append(took)
    return out


def test_plain_header_lines_are_taken_in_one_sweep_and_the_rest_left_to_the_exact_reader():
    assert (
        taken(
            [
                '#KONTO 1930 "Bank"',
                "#KONTO 3010 Avgift",
                "#SRU 1930 7281",
                '#OBJEKT 1 "A1" "Ansvar 1"',
                "#IB 0 1930 100.50",
                "#UB -1 1930 -7 3",
                '#RES 0 3010 5.5 ""',
                '#PSALDO 0 202301 3010 {1 "A1" 6 P7} -5.00',
                "#PBUDGET -1 202212 3010 {} 12 1,5",
            ]
        )
        == [True] * 9
    )
    assert (
        taken(
            [
                '#KONTO 1930 "Bank"',
                '#KONTO 1930 "Bank igen"',  # declared again: a notice
                "#SRU 2440 7368",  # no #KONTO: a warning
                "#SRU 1930",  # no code: a warning
                "#IB 0 1930 1.555",  # three decimals
                '#IB 0 1930 "100"',  # a quoted amount
                "#UB 0 1930 5 x",  # a quantity that is no number: a warning
                "#PSALDO 0 202313 3010 {} 5",  # month 13
                '#PSALDO 0 202301 3010 {"1" A} 5',  # a quoted dimension
                "#PSALDO 0 202301 3010 5",  # no object list: a warning
                "#KONTO 3010 Avgift och annat",  # text without quotes: a warning
                " #KONTO 3011 Avgift",  # indented
                "#konto 3012 Avgift",  # label in lower case
                "#KTYP 1930 T",  # not a header record of the sweep
            ]
        )
        == [True] + [False] * 13
    )


# Header records of every kind the sweep takes, in plain and odd shapes, with fields that
# collide (an account declared twice, #SRU before #KONTO, the same object twice). Values the
# exact reader refuses (an error: the whole file is then its to read) are drawn less often.
def _values(good: list[str], refused: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(good * 4 + refused)


_ACCOUNT = _values(["1930", "3010", '"1930"', '" 3010 "', "2440"], ['""'])
_NAME = st.sampled_from(['"Bank"', "Kassa", '""', '"Å \\"x\\""', '"C:\\"', "Ö", '"\t"'])
_INDEX = _values(["0", "-1", "007", '"1"'], ["x", "100"])
_NUMBER = _values(["0", "-1", "100", "-5.00", "1.5", "1,50", "+2", '"7"', "007", "1.50000"], ["x", "1.555"])
_QUANTITY = st.sampled_from(["0", "-1", "1.5", "1,50", "+2", '""', "x", "1.1234567"])
_PERIOD = _values(["202301", "202312", '"202305"', " 202306"], ["202313", "189912", "2023-01"])
_LIST = _values(["{}", "{ }", '{1 "A1"}', '{1 "A1" 6 P7}', '{"1" A}', "{01 A}", '{1 a 1 "b"}'], ["{1}"])
_SEP = st.sampled_from([" ", "\t", "  "])


@st.composite
def header_lines(draw):
    label = draw(
        st.sampled_from(["#KONTO", "#SRU", "#OBJEKT", "#IB", "#UB", "#RES", "#PSALDO", "#PBUDGET", "#KTYP"])
    )
    if label == "#KONTO":
        fields = [draw(_ACCOUNT), *draw(st.lists(_NAME, max_size=2))]
    elif label == "#SRU":
        fields = [draw(_ACCOUNT), *draw(st.lists(_NUMBER | _NAME, max_size=2))]
    elif label == "#OBJEKT":
        dimension = draw(_values(["1", "6", "01", '"6"'], ["x"]))
        fields = [dimension, draw(_NAME), *draw(st.lists(_NAME, max_size=2))]
    elif label in ("#IB", "#UB", "#RES"):
        fields = [draw(_INDEX), draw(_ACCOUNT), draw(_NUMBER), *draw(st.lists(_QUANTITY, max_size=2))]
    elif label == "#KTYP":
        fields = [draw(_ACCOUNT), "T"]
    else:
        fields = [draw(_INDEX), draw(_PERIOD), draw(_ACCOUNT), draw(_LIST), draw(_NUMBER)]
        fields += draw(st.lists(_QUANTITY, max_size=2))
    line = label
    for f in fields:
        line += draw(_SEP) + f
    return line + draw(st.sampled_from(["", " ", "\t"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(header_lines(), max_size=25),
    st.sampled_from(["cp437", "utf-8"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_header_records_read_in_the_sweep_like_the_exact_reader(lines, encoding, newline):
    text = newline.join(
        [
            "#FLAGGA 0",
            "#RAR 0 20230101 20231231",
            *lines,
            '#VER A 1 20230105 "x"',
            "{",
            "#TRANS 1930 {} 5",
            "#TRANS 3010 {} -5",
            "}",
        ]
    )
    fast, exact = both((text + newline).encode(encoding))
    if fast is None:  # a line the exact reader refuses: the whole file is its to read
        assert any(f.level is Level.ERROR for f in exact.findings)
        return
    same(fast, exact)


def _written(vs: list, encoding: str, newline: str) -> bytes | None:
    """The vouchers as a SIE 4 file of 2023; None if a text has no place in the encoding."""
    out = io.BytesIO()
    year = FiscalYear(0, dt.date(2023, 1, 1), dt.date(2023, 12, 31), 0)
    try:
        write_sie(
            out, Header(sietyp=4, fiscal_years=(year,)), vouchers=vs, encoding=encoding, newline=newline
        )
    except UnicodeEncodeError:
        return None
    return out.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(vouchers(), min_size=1, max_size=4),
    st.sampled_from(["cp437", "utf-8"]),
    st.sampled_from(["\n", "\r\n"]),
    st.integers(3, 9),
)
def test_a_file_cut_into_many_pieces_scans_like_the_exact_reader(vs, encoding, newline, pieces):
    # The vouchers forty times over, cut into pieces of a few vouchers each: every cut falls
    # between a voucher's "}" (and its CR LF) and the next #VER.
    data = _written(vs * 40, encoding, newline)
    if data is None:
        return
    escaped = any(c in obj for v in vs for t in v.rows for _, obj in t.objects for c in "|:\\")
    longest = max(len(data) // (40 * len(vs)), 1)
    detected = fastscan.detect(data)
    fast = fastscan.read_fast(
        data, "f.se", detected, ExactLines, piece_max_bytes=max(len(data) // pieces, 4 * longest)
    )
    assert (fast is None) == escaped
    if fast is not None:
        assert fast.transactions["amount"].num_chunks > 1
        same(fast, read_exact(data, "f.se", detected))


def test_a_stretch_without_vouchers_longer_than_a_piece_goes_to_the_exact_reader():
    head = "#FLAGGA 0\n#RAR 0 20230101 20231231\n" + "".join(
        f'#KONTO {n} "Konto"\n' for n in range(1000, 3000)
    )
    data = (head + '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} 5\n#TRANS 3010 {} -5\n}\n').encode()
    detected = fastscan.detect(data)
    assert fastscan.read_fast(data, "f.se", detected, ExactLines, piece_max_bytes=len(data) // 4) is None
    assert fastscan.read_fast(data, "f.se", detected, ExactLines, piece_max_bytes=len(data)) is not None


# -- the encoding, decided while scanning ---------------------------------------------------------

# Pieces of text as files in the wild have them: UTF-8 letters (one of them, Ä, ends in a
# byte that is a CP437 letter), CP437 and Windows-1252 letters, bytes that are no UTF-8 (a
# lone lead byte, a surrogate, an overlong form), an emoji, undefined Windows-1252 bytes.
_TEXT = st.lists(
    st.sampled_from(
        [
            b"a",
            b" ",
            "å".encode(),
            "Ä".encode(),
            "é".encode(),
            b"\x86",
            b"\x84",
            b"\x94",
            b"\x8e",
            b"\xe5",
            b"\xe4",
            b"\xf6",
            b"\xc4",
            b"\xc3",
            b"\xed\xa0\x80",
            b"\xe0\x80\x80",
            b"\xf0\x9f\x98\x80",
            b"\xf4\x90\x80\x80",
            b"\x81",
            b"\x90",
        ]
    ),
    max_size=6,
).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_TEXT, min_size=1, max_size=6),
    st.booleans(),
    st.sampled_from([b"\n", b"\r\n"]),
    st.integers(1, 3),
)
def test_the_encoding_decided_while_scanning_is_the_exact_readers(texts, bom, newline, parts):
    lines = [b"#FLAGGA 0", b"#RAR 0 20230101 20231231", b'#FNAMN "' + texts[0] + b'"']
    for k, text in enumerate(texts[1:]):
        lines += [
            b'#VER A %d 20230105 "%s"' % (k, text),
            b"{",
            b'#TRANS 1930 {1 "' + text + b'"} 5 20230105 "' + text + b'"',
            b"#TRANS 3010 {} -5",
            b"}",
        ]
    data = (enc.BOM if bom else b"") + newline.join(lines) + newline
    fast, exact = both(data, parts)
    if fast is not None:
        same(fast, exact)
    assert read_sie_bytes(data, "f.se", fast=True).encoding == enc.detect(data).encoding


def test_a_utf8_letter_counts_its_every_byte_when_the_file_is_no_utf8():
    # "Ä" in UTF-8 is C3 84, and 84 is "ä" in CP437: with a Windows-1252 "å" (E5) beside it
    # the votes are even, and an even vote is CP437 (bokslut.sie.encoding).
    data = '#FLAGGA 0\n#FNAMN "Ä"\n'.encode() + b'#ADRESS "\xe5"\n'
    assert enc.detect(data).encoding == enc.CP437
    assert fastscan.detect(data) == enc.detect(data)
    assert read_sie_bytes(data, "f.se", fast=True).encoding == enc.CP437


@pytest.mark.parametrize("prefix", sorted(SCANNED))
def test_real_files_are_read_alike_when_the_scan_decides_the_encoding(prefix):
    data = sie_sample(prefix + "_").read_bytes()
    decided = fastscan.read_fast(data, "f.se", None, ExactLines)
    assert decided is not None and decided.encoding == enc.detect(data).encoding
    same(decided, read_exact(data, "f.se", enc.detect(data)))


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=40) | st.lists(_TEXT, max_size=8).map(b"\n".join), st.booleans())
def test_the_compiled_detection_decides_as_the_exact_one_on_any_bytes(body, bom):
    data = (enc.BOM if bom else b"") + body
    assert fastscan.detect(data) == enc.detect(data)


@pytest.mark.parametrize(
    "middle",
    [
        "Åäö €😀".encode(),
        "Åäö".encode("cp437"),
        "Åäö".encode("cp1252"),
        b"\xc3",  # a character cut short: not UTF-8
        b"x" * 70_000,  # no line break near the middle: tallied whole
    ],
)
def test_a_large_buffer_tallied_in_two_halves_gives_the_whole_ones_facts(middle):
    # The first piece of a streamed file is tallied in two halves, cut after a line break near
    # its middle, so that no character is split.
    body = b'#TRANS 3010 {} 5 "text"\n' * 200_000
    at = (len(body) + len(middle)) // 2 - 1  # the buffer's middle falls inside the first character
    data = body[:at] + middle + body[at:]
    buf = np.frombuffer(data, np.uint8)
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert fastscan._stats_of(buf, pool) == fastscan._stats(buf)
    assert fastscan.detect(data) == enc.detect(data)


@pytest.mark.parametrize("char", ["ö".encode(), "€".encode(), "😀".encode(), b"\x94", b"\xc3", b"\xe2\x82"])
def test_characters_at_every_place_in_a_word_of_ascii_are_tallied_as_the_exact_detection(char):
    # The tally skips eight ASCII bytes at a time: a character begun just before such a word,
    # or cut short right before one, counts as byte by byte.
    for at in range(17):
        for tail in (b"", b"x", b"abcdefgh" * 2, b"abcdefgh\xa4"):
            data = b"#FLAGGA 0" * 2 + b"a" * at + char + tail
            buf = np.frombuffer(data, np.uint8)
            assert fastscan.detect(data) == enc.detect(data), (at, tail)
            assert fastscan._stats(buf)[0] == sum(b >= 128 for b in data)


def test_a_long_period_balance_list_that_never_closes_is_read_like_the_exact_reader():
    text = (
        "#FLAGGA 0\n#RAR 0 20230101 20231231\n#PSALDO 0 202301 3010 {1 " + "a" * 3000 + " 5\n"
        '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} 5\n#TRANS 3010 {} -5\n}\n'
    )
    fast, exact = both(text.encode())
    assert fast is None  # an error: the exact reader's file
    assert [f.message for f in exact.findings if f.level is Level.ERROR] == [
        "#PSALDO: objektlistan öppnas med '{' men stängs aldrig med '}'"
    ]


# -- what the scanner judges while it walks: NUL, #KSUMMA, undefined bytes, line breaks ----------


def _vouchers_text(count: int, text: str = "x", newline: str = "\n") -> str:
    head = ["#FLAGGA 0", "#RAR 0 20230101 20231231", "#KONTO 1930 Bank", "#KONTO 3010 Avgift"]
    body = [
        f'#VER A {n} 20230105 "{text}"\n{{\n#TRANS 1930 {{1 "81{n % 7}"}} 5.{n % 10}0 20230105 "{text}"\n'
        f"#TRANS 3010 {{}} -5.{n % 10}0\n}}"
        for n in range(1, count + 1)
    ]
    return newline.join([*head, *body]).replace("\n", newline) + newline


def _texts_read(rows: list[dict[str, object]], data: bytes, encoding: str) -> list[dict[str, object]]:
    """Streamed rows with each text read from where it stands in the file (as the store shows
    it, bokslut.ledger.texts), in place of its place."""
    at = np.array([r.pop("text_at") for r in rows], np.int64)
    length = np.array([r.pop("text_len") for r in rows], np.int64)
    assert all(r["text"] is None for r in rows)  # a streamed row carries no text of its own
    ledger = texts.LedgerFile(Path("f.se"), "f.se", len(data), 0, encoding)
    read = texts.decoded(lambda lo, hi: data[lo:hi], at, length, ledger).to_pylist()
    for row, text in zip(rows, read, strict=True):
        row["text"] = text
    return rows


def _streamed(
    data: bytes, tmp_path, piece_max_bytes: int = 4096, pieces: list[fastscan.Piece] | None = None
) -> fastscan.Streamed | None:
    """The file streamed in pieces of about half ``piece_max_bytes`` (put in ``pieces``); None
    if declined."""
    from bokslut.sie.reader import sniff

    path = tmp_path / "f.se"
    path.write_bytes(data)
    got: list[fastscan.Piece] = [] if pieces is None else pieces
    with path.open("rb") as f:
        return fastscan.stream_fast(f, "f.se", got.append, ExactLines, sniff, piece_max_bytes)


@pytest.mark.parametrize(
    "old,new",
    [
        ('"y"\n{', '"y\x00"\n{'),  # inside a voucher's text
        ('"y"\n#', '"y\x00"\n#'),  # inside a row's text
        ("\n}", "\n}\x00"),  # after a closing brace
        ("\n}", "\n}\n\x00"),  # a line of its own
        ("\n}", "\n}\n \t\x00"),  # after indentation
        ("\n{", "\n{ \x00"),  # after an opening brace and a space
        ("\n}", "\n}\n#X \x00"),  # a header line among the vouchers
    ],
)
def test_a_nul_in_a_late_piece_sends_the_file_to_the_exact_reader(old, new, tmp_path):
    text = _vouchers_text(200)
    last = text.rindex("#VER")
    tail = text[last:].replace('"x"', '"y"')
    assert tail.count(old) == 1
    raw = (text[:last] + tail.replace(old, new)).encode()
    assert raw.count(b"\x00") == 1 and raw.index(b"\x00") > 3 * 4096
    assert fastscan.read_fast(raw, "f.se", None, ExactLines, parts=3) is None
    assert fastscan.read_fast(raw, "f.se", fastscan.detect(raw), ExactLines, parts=3) is None
    assert _streamed(raw, tmp_path) is None
    assert _streamed((text[:last] + tail).encode(), tmp_path) is not None


def test_a_nul_in_a_header_line_sends_the_file_to_the_exact_reader():
    raw = _vouchers_text(200).replace("#KONTO 3010 Avgift", "#KONTO 3010 Avg\x00ift").encode()
    assert fastscan.read_fast(raw, "f.se", None, ExactLines, parts=2) is None


@pytest.mark.parametrize(
    "record",
    ["#KSUMMA", "#KSUMMA 1234", "#ksumma", "  #KSUMMA", "\t#Ksumma 99", "#KSUMMA\t", "#kſumma"],
)
def test_a_ksumma_record_sends_the_file_to_the_exact_reader(record, tmp_path):
    # At the top (the exact reader sums what follows) and at the end (the closing sum).
    text = _vouchers_text(200)
    for data in (
        text.replace("#RAR", record + "\n#RAR", 1),
        text + record + "\n",
    ):
        raw = data.encode()
        assert fastscan.read_fast(raw, "f.se", None, ExactLines, parts=2) is None
        assert fastscan.read_fast(raw, "f.se", fastscan.detect(raw), ExactLines) is None
    assert _streamed((text + record + "\n").encode(), tmp_path) is None


@pytest.mark.parametrize(
    "text",
    [
        "#KSUMMA",
        "summa #KSUMMA 12",
        "#ksumma",
    ],
)
def test_ksumma_inside_a_text_is_only_text_to_both_readers(text, tmp_path):
    # The bytes "#KSUMMA" in a text are no record: the scanner reads the file, as the exact
    # reader does (the label of a line is its first field; a text cannot span lines).
    data = _vouchers_text(200, text).replace("#KONTO 1930 Bank", f'#KONTO 1930 "{text}"').encode()
    fast, exact = both(data, parts=2)
    assert fast is not None
    same(fast, exact)
    assert exact.header.ksumma is None and not any(f.level is Level.ERROR for f in exact.findings)
    assert fast.vouchers["text"][0].as_py() == text
    assert _streamed(data, tmp_path) is not None


@pytest.mark.parametrize("hole", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
@pytest.mark.parametrize("where", ["row", "voucher", "object", "header"])
def test_a_byte_windows_1252_leaves_undefined_sends_the_file_to_the_exact_reader(hole, where, tmp_path):
    # A Windows-1252 file ("å" is E5, "ö" F6) with one undefined byte in its last voucher.
    text = _vouchers_text(200, "Bj\xf6rk \xe5r").encode("latin-1")
    last = text.rindex(b"#VER")
    marker = {
        "row": b'20230105 "Bj',
        "voucher": b'#VER A 200 20230105 "Bj',
        "object": b'{1 "81',
        "header": b"",
    }
    if where == "header":
        data = text.replace(b"#KONTO 3010 Avgift", b'#KONTO 3010 "Avg' + bytes([hole]) + b'"', 1)
    else:
        at = text.index(marker[where], last) + len(marker[where])
        data = text[:at] + bytes([hole]) + text[at:]
    detected = fastscan.detect(data)
    assert detected.encoding == enc.CP1252 == enc.detect(data).encoding
    assert fastscan.read_fast(data, "f.se", None, ExactLines, parts=3) is None
    assert fastscan.read_fast(data, "f.se", detected, ExactLines, parts=3) is None
    exact = read_exact(data, "f.se", detected)
    assert any("byte som inte är tecken i CP1252" in f.message for f in exact.findings)
    assert _streamed(data, tmp_path) is None
    # Without the byte the scanner reads the file.
    fast, exact = both(text, parts=3)
    assert fast is not None and fast.encoding == enc.CP1252
    same(fast, exact)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("final", [True, False])
@pytest.mark.parametrize("blank", ["", "\n", "  \n\n\t\n"])
def test_line_numbers_and_breaks_are_the_exact_readers(newline, final, blank, tmp_path):
    text = _vouchers_text(300).replace("\n}\n", "\n}\n" + blank).replace("\n", newline)
    if not final:
        text = text[: -len(newline)]
    data = text.encode()
    for parts in (1, 2, 5):
        fast, exact = both(data, parts)
        assert fast is not None
        same(fast, exact)  # every row's and voucher's line, and the findings' lines
    body = np.frombuffer(data, np.uint8)
    lut_len, lut = enc.utf8_forms(enc.UTF8)
    chunk = fastscan._scan_chunk(memoryview(data), 0, True, False, lut_len, lut, 0)
    assert chunk is not None
    ends_in_break = data[-1:] in (b"\n", b"\r")
    assert (
        chunk.breaks == fastscan._count_breaks(body) == len(data.splitlines()) - (0 if ends_in_break else 1)
    )
    pieces: list[fastscan.Piece] = []
    streamed = _streamed(data, tmp_path, pieces=pieces)
    if newline == "\r":
        # Pieces are cut before a line "#VER" that follows a line feed: a file of lone CRs
        # larger than a piece has no cut, and goes to the exact reader whole.
        assert streamed is None
        return
    assert streamed is not None and len(pieces) > 3
    exact = both(data)[1]
    for table, rows in (
        ("transactions", [p.rows for p in pieces]),
        ("vouchers", [p.vouchers for p in pieces]),
    ):
        lines = [line for t in rows for line in t["line"].to_pylist()]
        assert lines == getattr(exact, table)["line"].to_pylist()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_TEXT, _TEXT, _TEXT), min_size=1, max_size=5),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
    st.booleans(),
)
def test_the_facts_tallied_while_copying_are_those_of_every_line(texts, newline, final):
    """The encoding facts the scanner takes as it copies a line's fields are those
    :func:`fastscan._tally` finds walking each line whole (and whether a byte is undefined in
    Windows-1252), and the line breaks are :func:`fastscan._count_breaks`'s."""
    lines = [b"#FLAGGA 0", b'#FNAMN "' + texts[0][0] + b'"']
    for k, (a, b, c) in enumerate(texts):
        lines += [
            b'#VER "%s" %d 20230105 "%s" "" %s' % (a, k, b, c.replace(b" ", b"") or b"s"),
            b"{",
            b'#TRANS 1930 {1 "'
            + a
            + b'" 6 '
            + (c.replace(b" ", b"") or b"p")
            + b"} 5 20230105 "
            + b'"'
            + b
            + b'"',
            b"#TRANS 3010 {} -5",
            b"}",
        ]
    data = newline.join(lines) + (newline if final else b"")
    lut_len, lut = enc.utf8_forms(enc.UTF8)
    body = np.frombuffer(data, np.uint8)
    expected = np.zeros(6, np.int64)
    start = 0
    for i, b in enumerate(data):
        if b in b"\r\n":
            fastscan._tally(body, start, i, expected)  # the line before the break
            start = i + 1
    fastscan._tally(body, start, len(data), expected)
    # The rows' texts copied (a file read whole) or only passed over (a streamed piece's).
    for byte_base in (None, 0):
        chunk = fastscan._scan_chunk(memoryview(data), 0, True, False, lut_len, lut, 0, None, byte_base)
        assert chunk is not None
        assert chunk.tally.tolist() == expected.tolist()
        assert bool(chunk.tally[5]) == any(bytes([h]) in data for h in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
        assert chunk.breaks == fastscan._count_breaks(body)


def test_many_short_header_lines_outgrow_the_guessed_room_and_are_read_alike(monkeypatch):
    # The room for records is guessed from the line breaks at the start of a piece (here its
    # first 256 bytes: a long text, few lines). 5 000 "#X" lines of three bytes later on do
    # not fit: the scanner counts the lines and scans again.
    monkeypatch.setattr(fastscan, "_SAMPLE_BYTES", 256)
    scans: list[int] = []
    scan = fastscan._scan
    monkeypatch.setattr(fastscan, "_scan", lambda *a: scans.append(a[-5].shape[0]) or scan(*a))
    voucher = '#VER A {n} 20230105 "{text}"\n{{\n#TRANS 1930 {{}} 5\n#TRANS 3010 {{}} -5\n}}\n'
    text = (
        "#FLAGGA 0\n"
        + voucher.format(n=1, text="lång text " * 40)
        + "#X\n" * 5000
        + voucher.format(n=2, text="x")
    )
    fast, exact = both(text.encode())
    assert fast is not None
    same(fast, exact)
    assert fast.counts["#X"] == 5000
    assert len(scans) == 2 * 2 and scans[0] < 5000 <= scans[1]  # both() scans twice


def test_a_checksum_that_only_the_header_lines_would_match_is_still_the_exact_readers():
    # Were a #KSUMMA record left to the header lines' reader, it would sum those lines alone:
    # a checksum made over them would pass there, and fail in the exact reader, which sums
    # the vouchers too. The scanner declines any #KSUMMA record, so it never gets that far.
    text = _vouchers_text(200)
    split = text.index("#VER")
    head = "#FLAGGA 0\n#KSUMMA\n" + text[len("#FLAGGA 0\n") : split]
    probe = read_exact((head + "#KSUMMA 0\n").encode(), "f.se", enc.detect(head.encode()))
    (message,) = [f.message for f in probe.findings if "kontrollsumman" in f.message]
    crc = message.split("innehållet ger ")[1].split(" ")[0]
    data = (head + text[split:] + f"#KSUMMA {crc}\n").encode()
    exact = read_exact(data, "f.se", enc.detect(data))
    assert any("kontrollsumman stämmer inte" in f.message for f in exact.findings)
    assert fastscan.read_fast(data, "f.se", None, ExactLines, parts=2) is None


_STREAM_AND_ASK_THE_KERNEL = """
import ctypes, sys
from bokslut.sie import fastscan
from bokslut.sie.reader import ExactLines, sniff

prctl = ctypes.CDLL(None).prctl
prctl(41, 0, 0, 0, 0)  # PR_SET_THP_DISABLE: off, as a parent that streamed a file passed it on
before = prctl(42, 0, 0, 0, 0)  # PR_GET_THP_DISABLE
pieces = []
with open(sys.argv[1], "rb") as f:
    streamed = fastscan.stream_fast(f, "f.se", pieces.append, ExactLines, sniff, 4096)
print(before, prctl(42, 0, 0, 0, 0), streamed is not None and len(pieces) > 1)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="transparent huge pages are Linux's")
def test_a_streamed_file_is_read_in_small_pages_from_then_on(tmp_path):
    # Process-wide, so asked in a process of its own: fresh huge pages cost a virtual machine's
    # host far more than small ones (docs/scale.md, fourteenth session).
    path = tmp_path / "f.se"
    path.write_text(_vouchers_text(400))
    command = [sys.executable, "-c", _STREAM_AND_ASK_THE_KERNEL, str(path)]
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["0", "1", "True"]


def _header_lines(count: int, first_line: int = 2) -> list[tuple[int, bytes]]:
    """#OBJEKT lines whose names read differently in CP437 (0x94 "ö") and Windows-1252 ("”")."""
    return [(first_line + k, b'#OBJEKT 1 "A%d" "Ansvar \x94 %d"' % (k, k)) for k in range(count)]


def _names(sie) -> dict[tuple[int, str], str]:
    return {(o.dimension, o.id): o.name for o in sie.objects}


def _read_all(lines: list[tuple[int, bytes]], detected: enc.Detected):
    exact = ExactLines("f.se", detected)
    exact.feed(lines)
    return exact.finish().result(detected, check_total=False)


CP437 = enc.decide(False, False, False, 5, 0)
CP1252 = enc.decide(False, False, False, 0, 5)


def test_the_other_lines_read_in_batches_beside_the_scan_are_read_as_all_at_once():
    flagga = [(1, b"#FLAGGA 0")]
    lines = _header_lines(2 * fastscan._OTHERS_BATCH + 7)
    others = fastscan._Others("f.se", ExactLines)
    others.add(flagga, CP437)
    others.add(lines[:1000], CP437)
    others.add(lines[1000:], CP437)
    got = others.read(CP437).result(CP437, check_total=False)
    others.close()
    expected = _read_all(flagga + lines, CP437)
    assert got.objects == expected.objects
    assert _names(got)[(1, "A40006")] == "Ansvar ö 40006"
    assert got.counts["#OBJEKT"] == 40_007
    assert got.findings == expected.findings


def test_each_batch_of_a_pieces_other_lines_is_told_how_many_follow_it():
    fed: list[tuple[int, int]] = []

    class Counting:
        def __init__(self, name: str, detected: enc.Detected) -> None:
            pass

        def feed(self, lines, coming: int = 0) -> None:
            fed.append((len(lines), coming))

        def finish(self) -> None:
            return None

    others = fastscan._Others("f.se", Counting)
    n = 2 * fastscan._OTHERS_BATCH + 7
    others.add(_header_lines(n), CP437)
    others.add(_header_lines(3), CP437)
    others.read(CP437)
    others.close()
    batch = fastscan._OTHERS_BATCH
    assert fed == [(batch, batch + 7), (batch, 7), (7, 0), (3, 0)]


@pytest.mark.parametrize("turn", ["later piece", "end of file"])
def test_the_other_lines_are_read_again_when_the_file_decides_another_encoding(turn):
    flagga = [(1, b"#FLAGGA 0")]
    lines = _header_lines(30)
    others = fastscan._Others("f.se", ExactLines)
    others.add(flagga + lines[:10], CP437)
    # A later piece's letters say Windows-1252 (no piece after it sends the decision back).
    others.add(lines[10:], CP1252 if turn == "later piece" else CP437)
    got = others.read(CP1252).result(CP1252, check_total=False)
    others.close()
    assert got.objects == _read_all(flagga + lines, CP1252).objects
    assert _names(got)[(1, "A3")] == "Ansvar \u201d 3"
    assert [f.message for f in got.findings if f.line is None] == [enc.encoding_note(CP1252)]


def test_a_header_read_beside_the_scan_is_the_exact_readers_when_a_later_piece_decides(tmp_path):
    # The first piece is ASCII (decided CP437 as far as it goes); a late voucher's letters are
    # Windows-1252, which changes how the header's lines are reported (the encoding's note).
    head = "".join(f'#OBJEKT 1 "81{k}" "Ansvar {k}"\n' for k in range(7))
    text = _vouchers_text(400)
    last = text.rindex('"x"')
    data = (text[:last] + '"caf\xe9 \xe5\xe4\xf6"' + text[last + 3 :]).encode("cp1252")
    data = data.replace(b"#RAR", head.encode() + b"#RAR", 1)
    assert data.index(b"\xe9") > 3 * 4096
    streamed = _streamed(data, tmp_path)
    assert streamed is not None
    exact = read_exact(data, "f.se", enc.detect(data))
    assert exact.encoding == enc.CP1252
    assert streamed.sie.objects == exact.objects and len(exact.objects) == 7
    assert streamed.sie.findings == exact.findings
    assert streamed.sie.encoding == enc.CP1252


def _pooled(data: bytes, pool: fastscan._OutputPool) -> fastscan._Chunk:
    lut_len, lut = enc.utf8_forms(enc.UTF8)
    chunk = fastscan._scan_chunk(memoryview(data), 0, True, False, lut_len, lut, 0, pool)
    assert chunk is not None
    return chunk


def _address(chunk: fastscan._Chunk, column: str) -> int:
    return chunk.rows[column].buffers()[-1].address


def test_a_pieces_output_arrays_are_used_again_only_once_nothing_refers_to_them():
    pool = fastscan._OutputPool()
    first = _pooled(_vouchers_text(50, "första").encode(), pool)
    texts = first.rows["text"].to_pylist()
    at = _address(first, "text")
    kept = first.rows["text"].slice(3, 2)  # a view of the first piece's arrays, nothing else
    del first
    second = _pooled(_vouchers_text(60, "andra").encode(), pool)
    assert _address(second, "text") != at  # still referred to: not lent again
    assert kept.to_pylist() == texts[3:5] == [None, "första"]
    second_rows = second.rows["text"].to_pylist()
    del kept
    third = _pooled(_vouchers_text(40, "tredje").encode(), pool)
    assert _address(third, "text") == at  # nothing refers to them any more: used again
    assert third.rows["text"].to_pylist()[:2] == ["tredje", None]
    assert second.rows["text"].to_pylist() == second_rows  # untouched by the third
    # A piece larger than the arrays lent grows them, and reads alike.
    fourth = _pooled(_vouchers_text(900, "fjärde").encode(), pool)
    exact = read_exact(_vouchers_text(900, "fjärde").encode(), "f.se", enc.detect(b""))
    assert fourth.rows["amount"].to_pylist() == exact.transactions["amount"].to_pylist()


def test_a_streamed_file_uses_a_few_sets_of_output_arrays_whatever_its_pieces(tmp_path, monkeypatch):
    made: list[fastscan._Outputs] = []
    outputs = fastscan._Outputs

    class Counted(outputs):  # type: ignore[misc, valid-type]
        def __init__(self, records: tuple[int, int, int], cap: int) -> None:
            made.append(self)
            super().__init__(records, cap)

    monkeypatch.setattr(fastscan, "_Outputs", Counted)
    raw = _vouchers_text(1000).encode()
    rows: list[dict[str, object]] = []
    held: list[fastscan.Piece] = []

    def consume(piece: fastscan.Piece) -> None:
        # Each piece read only once three later ones are scanned, as the importer's are written.
        held.append(piece)
        if len(held) > 3:
            rows.extend(held.pop(0).rows.to_pylist())

    path = tmp_path / "f.se"
    path.write_bytes(raw)
    with path.open("rb") as f:
        streamed = fastscan.stream_fast(f, "f.se", consume, ExactLines, sniff, 4096)
    assert streamed is not None
    rows.extend(r for piece in held for r in piece.rows.to_pylist())
    exact = read_exact(raw, "f.se", enc.detect(raw))
    # no piece's data written over by a later one
    assert _texts_read(rows, raw, exact.encoding) == exact.transactions.to_pylist()
    pieces = -(-len(raw) // 2048)
    assert pieces > 20 and len(made) <= fastscan.SCAN_THREADS + fastscan.STREAM_WAITING + 4


def _stretch(lines: list[bytes], breaks: list[bytes]) -> tuple[bytes, list[int], list[int]]:
    body, starts, stops = b"", [], []
    for line, brk in zip(lines, breaks, strict=True):
        starts.append(len(body))
        body += line
        stops.append(len(body))
        body += brk
    return body, starts, stops


@pytest.mark.parametrize(
    "shape",
    ["lf", "crlf", "lone cr", "mixed", "empty line", "line left out", "trimmed", "few"],
)
def test_the_other_lines_are_cut_as_the_scanner_found_them(shape):
    n = 10 if shape == "few" else 1500
    lines = [f'#OBJEKT 1 "A{k}"'.encode() for k in range(n)]
    breaks = [b"\r\n" if shape == "crlf" else b"\n"] * n
    if shape == "lone cr":
        breaks[700] = b"\r"
    if shape == "mixed":
        breaks[700] = b"\r\n"
    if shape == "empty line":
        breaks[700] = b"\n\n"
    body, starts, stops = _stretch(lines, breaks)
    numbers = list(range(1, n + 1))
    if shape == "line left out":
        del numbers[700], starts[700], stops[700]
    if shape == "trimmed":
        starts[700] += 1
    handed = (np.array(numbers, np.int64), np.array(starts, np.int64), np.array(stops, np.int64))
    got = otherlines.cut(memoryview(body), *handed)
    assert list(got) == [(no, body[a:b]) for no, a, b in zip(numbers, starts, stops, strict=True)]


# Bytes the scanner's word-at-a-time copies stop at (each at every place in a word below).
_STOPS = ['\\"', '"', "\t", "\x01", "ä", "é", "\\", "\\x", "|", ":", "}", " ", "{", "\x7f"]
_PLACES = ["text", "id", "bare id", "series", "account"]


def _word_lines(stop: str, k: int, place: str) -> list[str]:
    """A voucher whose ``place`` (a row's text, a quoted or a bare object id, the series or an
    account) holds ``stop`` after ``k`` letters, the rest plain."""
    held = "a" * k + stop + "bcdefghij"
    text, oid, bare, series = (held if p == place else "x" for p in _PLACES[:4])
    account = "1" * k + stop + "9" if place == "account" else "3020"
    return [
        "#FLAGGA 0",
        f'#VER "{series}" 1 20230105 "Text"',
        "{",
        f'#TRANS 1930 {{1 "{oid}"}} 5 20230105 "{text}"',
        f"#TRANS 3010 {{2 {bare} 1 c}} -2 20230105",
        f"#TRANS {account} {{}} -3",
        "}",
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "cp437"])
@pytest.mark.parametrize("place", _PLACES)
@pytest.mark.parametrize("stop", _STOPS)
def test_a_token_that_stops_the_copy_anywhere_in_a_word_scans_like_the_exact_reader(stop, place, encoding):
    scanned = 0
    for k in range(10):
        lines = _word_lines(stop, k, place)
        for cut in (len(lines), 4, 5):  # also with the row of the text or the ids right before the end
            data = "\n".join(lines[:cut]).encode(encoding) + (b"\n}" if cut < len(lines) else b"")
            fast, exact = both(data)
            if fast is not None:
                scanned += 1
                same(fast, exact)
    # A row's quoted text holds any of these but a quote or a control character, wherever it stands.
    if place == "text":
        assert scanned == (0 if stop in ('"', "\x01") else 30)


@pytest.mark.parametrize(
    "line",
    [
        "#TRANS 3010 {} -5 20230105",
        "#TRANS 3010 {} -5 20230105x",
        "#TRANS 3010 {} -5 20230106",
        '#TRANS 3010 {} -5 "20230105"',
        "#TRANS 3010 {} -5 2023010",
        "#TRANSX 3010 {} -5",
        "#TRANS\t3010 {} -5",
        "#RTRANS 3010 {} -5\n#TRANS 3010 {} -5",
        "#BTRANS 3010 {} -5",
        "#BTRANSX 3010 {} -5",
        "#VERX",
    ],
)
@pytest.mark.parametrize("end", ["\n}", "\n}\n#VER A 2 20230105\n{\n#TRANS 3010 {} 5 20230105\n}"])
def test_labels_and_repeated_dates_read_as_words_scan_like_the_exact_reader(line, end):
    data = f"#FLAGGA 0\n#VER A 1 20230105\n{{\n#TRANS 1930 {{}} 5 20230105\n{line}{end}".encode()
    fast, exact = both(data)
    assert (fast is not None) is ("X" not in line and "x" not in line and "2023010 " not in line + " ")
    if fast is not None:
        same(fast, exact)


def test_rows_kinds_are_a_dictionary_in_the_order_they_first_come_with_their_counts():
    # As Arrow's dictionary_encode and value_counts of the kind strings gave them, so that the
    # rows file is written as before and the file's counts are the same, in the same order.
    T, R, B = fastscan.TRANS, fastscan.RTRANS, fastscan.BTRANS
    for codes in ([T, B, R, T, T, R], [R, T], [T] * 5, []):
        kinds = np.array(codes, np.int8)
        column, counts = fastscan._kinds(kinds)
        strings = pa.array([fastscan._KIND_NAMES[c] for c in codes], pa.string())
        assert column.equals(pc.dictionary_encode(strings))
        assert counts == {v["values"]: v["counts"] for v in pc.value_counts(strings).to_pylist()}
        assert list(counts) == [v["values"] for v in pc.value_counts(strings).to_pylist()]
        assert fastscan._kind_strings(column).equals(strings)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(vouchers(), min_size=1, max_size=4),
    st.sampled_from(["cp437", "utf-8", "cp1252"]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_a_streamed_files_texts_read_where_they_stand_are_the_exact_readers(
    tmp_path, vs, encoding, newline, bom
):
    """A streamed file's rows keep where their texts stand in the file; read from there, with
    the file's encoding, they are the texts the exact reader gives, in every piece."""
    written = _written(vs * 20, encoding, newline)
    if written is None:
        return
    data = (enc.BOM if bom and encoding == "utf-8" else b"") + written
    pieces: list[fastscan.Piece] = []
    streamed = _streamed(data, tmp_path, max(len(data) // 6, 600), pieces)
    if streamed is None:
        return  # declined (an object id the scanner leaves to the exact reader)
    exact = read_exact(data, "f.se", enc.detect(data))
    rows = [r for piece in pieces for r in piece.rows.to_pylist()]
    assert [r["text"] for r in _texts_read(rows, data, exact.encoding)] == exact.transactions[
        "text"
    ].to_pylist()


@pytest.mark.parametrize(
    "text",
    [
        '"hyra"',
        '"ränta \\"lån\\""',  # an escaped quote
        '"a\\\\"b"',  # a backslash, then an escaped quote
        '"a\\b"',  # a backslash before another letter stays
        '"\\""',  # only an escaped quote
        'bar\\"e',  # a bare text keeps its backslash and quote as written
        "Öresund",
        '"\t tab"',
        '""',  # empty: no text
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "cp437", "cp1252"])
def test_one_rows_text_read_where_it_stands_is_the_exact_readers(text, encoding, tmp_path):
    lines = [
        "#FLAGGA 0",
        "#RAR 0 20230101 20231231",
        *[
            f'#VER A {n} 20230105 "v"\n{{\n#TRANS 1930 {{}} 5 20230105 {text}\n#TRANS 3010 {{}} -5\n}}'
            for n in range(1, 60)
        ],
    ]
    data = ("\n".join(lines) + "\n").encode(encoding)
    pieces: list[fastscan.Piece] = []
    assert _streamed(data, tmp_path, 1200, pieces) is not None
    exact = read_exact(data, "f.se", enc.detect(data))
    rows = [r for piece in pieces for r in piece.rows.to_pylist()]
    assert len(pieces) > 3
    assert [r["text"] for r in _texts_read(rows, data, exact.encoding)] == exact.transactions[
        "text"
    ].to_pylist()


@pytest.mark.parametrize("quoted", [True, False])
@pytest.mark.parametrize("stop", _STOPS)
def test_a_streamed_rows_text_passed_over_ends_where_a_copied_one_does(stop, quoted, tmp_path):
    """A streamed piece's row texts are passed over, not copied: wherever a byte stops the word
    at a time, the text ends (or the file goes to the exact reader) as when it is copied."""
    for k in range(10):
        held = "a" * k + stop + "bcdefghij"
        field = f'"{held}"' if quoted else held
        lines = ["#FLAGGA 0", '#VER A 1 20230105 "v"', "{", f"#TRANS 1930 {{}} 5 20230105 {field}"]
        data = ("\n".join([*lines, "#TRANS 3010 {} -5", "}"]) + "\n").encode("utf-8")
        fast, exact = both(data)
        pieces: list[fastscan.Piece] = []
        streamed = _streamed(data, tmp_path, 4096, pieces)
        assert (streamed is None) == (fast is None)
        if streamed is not None:
            rows = [r for piece in pieces for r in piece.rows.to_pylist()]
            texts_read = [r["text"] for r in _texts_read(rows, data, exact.encoding)]
            assert texts_read == exact.transactions["text"].to_pylist()
