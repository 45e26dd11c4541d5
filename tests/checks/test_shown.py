"""check_shown names every shown number that disagrees with another, and where it is."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bokslut.checks.shown import check_shown
from bokslut.diagnostics import Level
from bokslut.report_data import ReportData
from bokslut.rounding import round_report
from bokslut.table import CellRef, Column, Identity, Row, RowKind, Table, Unit, with_sums

D = Decimal
COLS = (
    Column("budget", "Budget"),
    Column("utfall", "Utfall"),
    Column("avvikelse", "Avvikelse", derived=("budget", "-", "utfall")),
)


def tables() -> dict[str, Table]:
    drift = with_sums(
        Table(
            "drift",
            "Driftredovisning",
            COLS,
            (
                Row("a", "IT", values={"budget": D("1400"), "utfall": D("1449")}),
                Row("b", "Ekonomi", values={"budget": D("2600"), "utfall": D("2449")}),
                Row("s", "Totalt", RowKind.TOTAL, parts=("a", "b"), quantity="resultat"),
            ),
            unit=Unit.TKR,
        )
    )
    drift = replace(
        drift,
        rows=tuple(
            replace(r, values={**r.values, "avvikelse": r.values["budget"] - r.values["utfall"]})
            for r in drift.rows
        ),
    )
    rr = Table(
        "rr",
        "Resultaträkning",
        (Column("utfall", "2023"),),
        (Row("res", "Årets resultat", values={"utfall": D("3898")}, quantity="resultat"),),
        identities=(Identity(CellRef("rr", "res", "utfall"), ((1, CellRef("drift", "s", "utfall")),)),),
    )
    return {"drift": drift, "rr": rr}


def data_with(display_changes: dict[tuple[str, str, str], Decimal] | None = None) -> ReportData:
    ts = tables()
    report = round_report(ts)
    rounded = dict(report.rounded)
    for (tid, rid, cid), v in (display_changes or {}).items():
        r = rounded[tid]
        display = {row: dict(cols) for row, cols in r.display.items()}
        display[rid][cid] = v
        rounded[tid] = replace(r, display=display)
    report = replace(report, rounded=rounded)
    return ReportData(ts, {}, rounded, (), report)


def test_a_consistent_report_has_nothing_to_say():
    data = data_with()
    assert check_shown(data) == []
    assert data.rounded["drift"].get("s", "utfall") == data.rounded["rr"].get("res", "utfall") == D(4)


def test_a_total_that_is_not_its_parts_is_named_with_its_cell():
    data = data_with({("drift", "a", "utfall"): D(9)})
    found = {(f.code, f.where) for f in check_shown(data)}
    assert ("visad-summa", "drift/s/utfall") in found
    assert ("visad-avvikelse", "drift/a/avvikelse") in found
    summa = next(f for f in check_shown(data) if f.code == "visad-summa")
    assert summa.level is Level.ERROR
    b = data.rounded["drift"].get("b", "utfall")
    assert "'Totalt'" in summa.message and f"summerar till {9 + b}" in summa.message


def test_the_same_quantity_shown_twice_differently_is_an_error():
    data = data_with({("rr", "res", "utfall"): D(5)})
    found = [f for f in check_shown(data) if f.code == "samma-storhet"]
    assert [f.where for f in found] == ["rr/res/utfall"] or [f.where for f in found] == ["drift/s/utfall"]
    assert "samma storhet visas olika" in found[0].message
    # the declared identity says the same, as shown
    assert any(f.code == "visad-identitet" and f.where == "rr/res/utfall" for f in check_shown(data))


def test_every_rounding_conflict_is_an_error():
    impossible = Table(
        "f",
        "Fel",
        (Column("utfall", "2023"),),
        (
            Row("a", "A", values={"utfall": D("500")}),
            Row("b", "B", values={"utfall": D("500")}),
            Row("s", "S", RowKind.TOTAL, values={"utfall": D("3000")}, parts=("a", "b")),
        ),
    )
    data = ReportData({"f": impossible}, {}, {}, ())
    found = [f for f in check_shown(data) if f.code == "avrundning-konflikt"]
    assert [(f.level, f.where) for f in found] == [(Level.ERROR, "f/s/utfall")]
    assert "f/a/utfall" in found[0].message
