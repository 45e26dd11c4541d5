"""`bokslut check` on the balanskrav over the years: a deficit past its deadline, a reservation
over the limit and a history file with a mistake reach the user with file and line; a
register that is in order passes, and its table is expected in a chapter."""

from __future__ import annotations

from bokslut.diagnostics import Level
from bokslut.pipeline.check import check_workspace
from bokslut.workspace.config import load_config


def ledger(ws, result_2024: int):
    """2023: result 100 000; 2024: ``result_2024``; skatteintäkter 10 000 000 each year."""
    ws.config(ar=2024)
    ws.year(
        2023,
        ib={"1930": 1_000_000, "2010": -1_000_000},
        vouchers=[("2023-12-31", [("8010", -10_000_000), ("5010", 9_900_000), ("1930", 100_000)])],
    )
    ws.year(
        2024,
        ib={"1930": 1_100_000, "2010": -1_100_000},
        vouchers=[
            ("2024-12-31", [("8010", -10_000_000), ("5010", 10_000_000 - result_2024), ("1930", result_2024)])
        ],
    )
    return ws


def checked(ws, *tables):
    ws.chapter("resultatrakning", "balansrakning", "kassaflodesanalys", "balanskravsutredning", *tables)
    return check_workspace(ws.layout, load_config(ws.layout.config))


def by_code(findings, code):
    return [f for f in findings if f.code == code]


def test_a_register_in_order_passes(ws):
    ledger(ws, 300_000)
    ws.write(
        "data/balanskrav.yaml",
        "ar:\n  2022:\n    balanskravsresultat: -400000\n    atgardsplan: Besparingar enligt KF § 9.\n",
    )
    result = checked(ws, "balanskrav_aterstallande")
    assert result.ok, [f.format() for f in result.findings]
    shown = result.report.document.tables["balanskrav_aterstallande"]
    assert [
        shown.get("ar_2022", c) for c in ("underskott", "aterstallt_tidigare", "aterstallt_i_ar", "kvar")
    ] == [
        400,
        100,
        300,
        0,
    ]
    assert not [f for f in result.findings if (f.code or "").startswith("balanskrav")]


def test_the_register_table_is_expected_in_a_chapter(ws):
    ledger(ws, 300_000)
    ws.write(
        "data/balanskrav.yaml",
        "ar:\n  2022:\n    balanskravsresultat: -400000\n    atgardsplan: Besparingar enligt KF § 9.\n",
    )
    result = checked(ws)
    missing = [f for f in by_code(result.findings, "tabell-ej-placerad") if "återställande" in f.message]
    assert len(missing) == 1 and missing[0].level is Level.WARNING
    assert 'tabell("balanskrav_aterstallande")' in missing[0].message


def test_a_deficit_past_its_deadline_fails_the_check(ws):
    ledger(ws, 100_000)
    ws.write(
        "data/balanskrav.yaml",
        "ar:\n  2020:\n    balanskravsresultat: -500000\n    atgardsplan: Plan KF § 3.\n"
        "  2021:\n    balanskravsresultat: 0\n  2022:\n    balanskravsresultat: 0\n",
    )
    result = checked(ws, "balanskrav_aterstallande")
    assert not result.ok
    (late,) = by_code(result.findings, "balanskrav-ej-aterstallt")
    assert late.level is Level.ERROR and (late.file, late.line) == ("data/balanskrav.yaml", 3)
    assert "senast 2023" in late.message and "300\u00a0000,00 kr återstår" in late.message


def test_a_reservation_over_the_limit_fails_the_check(ws):
    ledger(ws, 150_000)
    ws.write(
        "data/balanskrav.yaml",
        "ar:\n  2024:\n    ansvarsforbindelse: 0\n    reservering:\n      belopp: 100000\n"
        "      beslut: KF 2025-04-28 § 40\n",
    )
    result = checked(ws)
    (over,) = by_code(result.findings, "balanskrav-reservering-over-gransen")
    assert over.level is Level.ERROR and (over.file, over.line) == ("data/balanskrav.yaml", 4)
    text = over.message.replace("\u00a0", " ")
    assert "(100 000,00 kr) är större än gränsen 50 000,00 kr" in text
    assert "1 % av skatteintäkter och generella statsbidrag (10 000 000,00 kr)" in text


def test_a_mistake_in_the_history_file_is_named_with_its_line(ws):
    ledger(ws, 150_000)
    ws.write("data/balanskrav.yaml", "ar:\n  2022:\n    reservering:\n      belopp: -5\n      beslut: x\n")
    result = checked(ws)
    (bad,) = [f for f in result.findings if f.file == "data/balanskrav.yaml"]
    assert bad.level is Level.ERROR and bad.line == 4
    assert bad.message.startswith("ar.2022.reservering.belopp är för litet (minst 0)")
