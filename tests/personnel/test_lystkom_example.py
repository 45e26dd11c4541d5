"""The Lystkom example's generated HR records give the published annual-report figures."""

from decimal import Decimal
from pathlib import Path

import pytest

from bokslut import personnel
from bokslut.rounding import round_table
from bokslut.workspace.layout import Layout

from .conftest import config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lystkom-2023"
D = Decimal


@pytest.fixture(scope="module")
def shown():
    part = personnel.build_part(Layout(EXAMPLE), config(anstallda_rakning="bokslutsdagen"), {})
    assert not part.findings
    return {t.id: round_table(t) for t in part.tables}


def column(rounded, row):
    return [rounded.get(row, f"ar_{y}") for y in (2023, 2022, 2021, 2020)]


def test_medelantal_anstallda(shown):
    t = shown["medelantal_anstallda"]
    assert column(t, "kvinnor") == [D("11.1"), D("10.9"), D("10.9"), D("10.5")]
    assert column(t, "man") == [D("15.9"), D("16.5"), D("16.0"), D("14.4")]
    assert column(t, "totalt") == [D("27.0"), D("27.4"), D("26.9"), D("24.9")]


def test_anstallda_per_anstallningsform(shown):
    t = shown["anstallda_anstallningsform"]
    assert column(t, "tillsvidare_k") == [12, 11, 13, 12]
    assert column(t, "tillsvidare_m") == [14, 15, 15, 15]
    assert column(t, "visstid_k") == [1, 1, 4, 3]
    assert column(t, "visstid_m") == [1, 2, 2, 1]
    assert column(t, "vikariat_k") == [0, 0, 0, 3]
    assert column(t, "vikariat_m") == [0, 4, 0, 0]
    assert column(t, "provanstallning_m") == [0, 0, 0, 1]
    assert column(t, "totalt") == [28, 33, 34, 35]


def test_sjukfranvaro(shown):
    kon, alder, lang = (
        shown["sjukfranvaro_kon"],
        shown["sjukfranvaro_alder"],
        shown["sjukfranvaro_langtid"],
    )
    assert column(kon, "kvinnor") == [D("3.1"), D("4.8"), D("3.4"), D("3.1")]
    assert column(kon, "man") == [D("2.6"), D("3.1"), D("1.7"), D("2.5")]
    assert column(kon, "totalt") == [D("2.9"), D("3.8"), D("2.3"), D("2.7")]
    assert column(alder, "alder_30_49") == [D("2.9"), D("4.2"), D("2.5"), D("4.1")]
    assert column(alder, "alder_50") == [D("3.3"), D("3.9"), D("2.9"), D("1.8")]
    # At most ten people aged 29 or younger: suppressed, as LKBR 11:6 requires.
    assert column(alder, "alder_upp_till_29") == [None] * 4
    assert column(lang, "andel") == [D("0.0"), D("26.7"), D("11.9"), D("0.0")]
