"""nyckeltal.csv: numbers in ASCII digits and within range, each bad cell named, the rest read."""

from decimal import Decimal

from bokslut import kpi
from bokslut.diagnostics import Level

from .conftest import config


def test_years_and_values_in_other_digits_or_beyond_range_are_named(workspace):
    text = (
        "id,benamning,ar,varde\n"
        "nki,NKI,2023,7.5\n"
        "nki,NKI,²023,7.4\n"  # superscript two: str.isdigit() says yes, int() says no
        "nki,NKI,٢٠٢٢,7.3\n"  # Arabic-Indic digits would silently be read as 2022
        "nmi,NMI,2023,-٣٠٠.00\n"
        "nmi,NMI,2022,1e400\n"
        "nmi,NMI,2021,NaN\n"
        "nmi,NMI,2020,10000000000000000\n"
        'nmi,NMI,2019,"88,3"\n'
    )
    part = kpi.build_part(workspace("nyckeltal.csv", text), config(), {})
    errors = [(f.line, f.where, f.message) for f in part.findings if f.level is Level.ERROR]
    assert errors == [
        (3, "kolumn ar", "'²023' är inget årtal (ÅÅÅÅ, 1900–2200)"),
        (4, "kolumn ar", "'٢٠٢٢' är inget årtal (ÅÅÅÅ, 1900–2200)"),
        (5, "kolumn varde", "'-٣٠٠.00' är inget tal (siffrorna 0–9, decimalkomma)"),
        (6, "kolumn varde", "'1e400' är inget tal (siffrorna 0–9, decimalkomma)"),
        (7, "kolumn varde", "'NaN' är inget tal (siffrorna 0–9, decimalkomma)"),
        (8, "kolumn varde", "'10000000000000000' är för stort (högst 15 siffror före decimaltecknet)"),
    ]
    assert part.values["nki_2023"] == Decimal("7.5")
    assert part.values["nmi_2019"] == Decimal("88.3")
    assert "nki_2022" not in part.values


def test_a_row_with_a_cell_too_many_is_named_and_the_rows_after_it_keep_their_numbers(workspace):
    text = "id;benamning;ar;varde\nnki;NKI;2023;7,5\nnki;NKI;2022;7;4\nnki;NKI;x;7,3\n"
    part = kpi.build_part(workspace("nyckeltal.csv", text), config(), {})
    assert [(f.line, f.code or f.where) for f in part.findings] == [(3, "falt-antal"), (4, "kolumn ar")]
    assert part.values["nki_2023"] == Decimal("7.5")
