"""Writing SIE 4 and reading it back gives the same ledger (the round trip)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import sie_sample

from bokslut.diagnostics import Level
from bokslut.sie.checks import validate
from bokslut.sie.model import (
    Account,
    Balance,
    Dimension,
    FiscalYear,
    Header,
    Object,
    PeriodBalance,
    Transaction,
    Voucher,
    iter_vouchers,
)
from bokslut.sie.reader import read_sie_bytes
from bokslut.sie.writer import amount_text, write_sie

YEAR = FiscalYear(0, dt.date(2023, 1, 1), dt.date(2023, 12, 31), 0)


def write(**kw) -> bytes:
    out = io.BytesIO()
    write_sie(out, **kw)
    return out.getvalue()


def strip_lines(v: Voucher) -> tuple:
    return (
        v.series,
        v.number,
        v.date,
        v.text,
        v.regdate,
        v.sign,
        tuple(
            (t.account, t.amount, t.objects, t.date or v.date, t.text, t.quantity, t.sign, t.kind)
            for t in v.rows
        ),
    )


def test_amount_text():
    assert [amount_text(x) for x in (0, 5, -5, 123456, -100)] == [
        "0.00",
        "0.05",
        "-0.05",
        "1234.56",
        "-1.00",
    ]


def test_header_chart_balances_and_ksumma_round_trip():
    header = Header(
        program="bokslut",
        program_version="0.1",
        generated=dt.date(2024, 1, 2),
        sietyp=4,
        orgnr="222000-1234",
        fnamn='Kommunalförbundet "Lystkom"',
        fiscal_years=(YEAR,),
        kptyp="BAS2014",
        valuta="SEK",
    )
    data = write(
        header=header,
        accounts=[
            Account("1930", "Företagskonto", 0, "T"),
            Account("60150", "Konsult", 0, "K", "st", ("7513",)),
        ],
        dimensions=[Dimension(1, "Verksamhet", 0), Dimension(21, "Underverksamhet", 0, 1)],
        objects=[Object(1, "81141", "IT", 0)],
        balances=[
            Balance("IB", 0, "1930", 12345, 0),
            Balance("OUB", 0, "1930", -5, 0, ((1, "81141"),)),
        ],
        period_balances=[PeriodBalance("PBUDGET", 0, 202301, "60150", 99, 0, ((1, "81141"),), Decimal("2"))],
        with_ksumma=True,
    )
    sie = read_sie_bytes(data, "rt.se", fast=False)
    assert not [f for f in sie.findings if f.level is Level.ERROR]
    assert sie.header.fnamn == 'Kommunalförbundet "Lystkom"'
    assert [(a.number, a.name, a.ktyp, a.unit, a.sru) for a in sie.accounts] == [
        ("1930", "Företagskonto", "T", None, ()),
        ("60150", "Konsult", "K", "st", ("7513",)),
    ]
    assert [(d.number, d.parent) for d in sie.dimensions] == [(1, None), (21, 1)]
    assert sie.period_balances[0].quantity == Decimal("2")
    assert sie.header.ksumma is not None


ALPHABET = 'abcdefghijklmnopqrstuvwxyzåäöABCÅÄÖéü0123456789 -.,:;/#{}"\\%&()'
texts = st.text(alphabet=ALPHABET, max_size=30).filter(lambda s: not s.endswith("\\"))
objects = st.lists(
    st.tuples(
        st.integers(1, 30),
        st.text(alphabet="0123456789ABCÅÄÖ ab|:\\", min_size=1, max_size=8).filter(
            lambda s: not s.endswith("\\")
        ),
    ),
    max_size=3,
    unique_by=lambda p: p[0],
)


@st.composite
def vouchers(draw):
    n = draw(st.integers(1, 4))
    amounts = draw(st.lists(st.integers(-(10**12), 10**12), min_size=n, max_size=n))
    rows = [
        Transaction(
            draw(st.sampled_from(["1930", "3010", "60150", "797199"])),
            a,
            tuple(draw(objects)),
            draw(st.none() | st.dates(dt.date(2023, 1, 1), dt.date(2023, 12, 31))),
            draw(st.none() | texts.filter(bool)),
            draw(st.none() | st.decimals(-1000, 1000, places=2)),
            draw(st.none() | texts.filter(bool)),
        )
        for a in amounts
    ]
    rows.append(Transaction("2440", -sum(amounts)))
    return Voucher(
        draw(st.text(alphabet="ABC", max_size=2)),
        str(draw(st.integers(1, 10**6))),
        draw(st.dates(dt.date(2023, 1, 1), dt.date(2023, 12, 31))),
        draw(texts),
        tuple(rows),
        draw(st.none() | st.dates(dt.date(2023, 1, 1), dt.date(2024, 1, 31))),
        draw(st.none() | texts.filter(bool)),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(vouchers(), min_size=1, max_size=5), st.sampled_from(["cp437", "utf-8"]), st.booleans())
def test_vouchers_round_trip(vs, encoding, ksumma):
    data = write(
        header=Header(sietyp=4, fiscal_years=(YEAR,)),
        vouchers=vs,
        encoding=encoding,
        with_ksumma=ksumma,
    )
    sie = read_sie_bytes(data, "rt.se", fast=False)
    assert not [f.format() for f in sie.findings if f.level is Level.ERROR]
    assert not [f for f in validate(sie) if f.level is Level.ERROR]
    back = list(iter_vouchers(sie))
    expected = [
        Voucher(
            v.series,
            v.number,
            v.date,
            v.text,
            tuple(
                Transaction(
                    t.account,
                    t.amount,
                    tuple(sorted(t.objects)),
                    t.date,
                    t.text,
                    t.quantity,
                    t.sign,
                    t.kind,
                )
                for t in v.rows
            ),
            v.regdate,
            v.sign,
        )
        for v in vs
    ]
    assert [strip_lines(v) for v in back] == [strip_lines(v) for v in expected]


def test_real_file_survives_write_and_read():
    from bokslut.sie.reader import read_sie

    sie = read_sie(sie_sample("04_"))
    data = write(
        header=sie.header,
        accounts=sie.accounts,
        dimensions=sie.dimensions,
        objects=sie.objects,
        balances=sie.balances,
        period_balances=sie.period_balances,
        vouchers=iter_vouchers(sie),
    )
    again = read_sie_bytes(data, "rt.se", fast=False)
    assert again.counts == {k: v for k, v in sie.counts.items()}
    assert again.transactions.drop_columns(["line"]).equals(sie.transactions.drop_columns(["line"]))
    assert [b.amount for b in again.balances] == [b.amount for b in sie.balances]
