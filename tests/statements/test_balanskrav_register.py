"""Balanskrav over the years: deficits by year of origin, their återställande, the reserve.

The ledgers (kronor, report year 2024, a kommun):

    2023  skatteintäkter 10 000 000, kostnader 9 800 000 → årets resultat 200 000
    2024  skatteintäkter 10 000 000, kostnader 9 500 000 → årets resultat 500 000

and data/balanskrav.yaml says 2022 had a balanskravsresultat of −500 000. The 2023
surplus återställer 200 000 of it, the 2024 surplus the remaining 300 000 (deadline
2022 + 3 = 2025).
"""

from __future__ import annotations

from decimal import Decimal

from bokslut.diagnostics import Level
from bokslut.rounding import round_table

HISTORY = """\
# Balanskravets historik (kronor)
ar:
  2022:
    balanskravsresultat: -500000
    atgardsplan: "Fullmäktige beslutade 2023-06-19 § 71 om besparingar inom äldreomsorgen."
"""


def two_years(ws, *, result_2023: int = 200_000, result_2024: int = 500_000, tax: int = 10_000_000):
    ws.year(
        2023,
        ib={"1930": 1_000_000, "2010": -1_000_000},
        vouchers=[
            ("2023-03-01", [("8010", -tax), ("1930", tax)]),
            ("2023-06-01", [("5010", tax - result_2023), ("1930", -(tax - result_2023))]),
        ],
    )
    ws.year(
        2024,
        ib={"1930": 1_000_000 + result_2023, "2010": -1_000_000 - result_2023},
        vouchers=[
            ("2024-03-01", [("8010", -tax), ("1930", tax)]),
            ("2024-06-01", [("5010", tax - result_2024), ("1930", -(tax - result_2024))]),
        ],
    )
    return ws


def shown(table):
    rounded = round_table(table)
    return {r.id: {c.id: rounded.get(r.id, c.id) for c in table.columns} for r in table.rows}


def codes(findings, level=None):
    return [f.code for f in findings if level is None or f.level is level]


def test_a_deficit_restored_over_two_years(ws):
    ws.config(ar=2024)
    two_years(ws)
    ws.write("data/balanskrav.yaml", HISTORY)
    s = ws.compute()
    bk = shown(s.table("balanskravsutredning"))
    assert bk["bk_arets_resultat"] == {"ar_2024": 500, "ar_2023": 200}
    assert bk["bk_efter_justeringar"] == {"ar_2024": 500, "ar_2023": 200}
    assert bk["bk_balanskravsresultat"] == {"ar_2024": 500, "ar_2023": 200}
    reg = s.table("balanskrav_aterstallande")
    assert reg.title == "Återställande av negativa balanskravsresultat"
    assert [c.label for c in reg.columns] == [
        "Ursprungligt underskott",
        "Återställt tidigare år",
        "Återställt 2024",
        "Kvar att återställa",
        "Återställs senast",
    ]
    assert shown(reg) == {
        "ar_2022": {
            "underskott": 500,
            "aterstallt_tidigare": 200,
            "aterstallt_i_ar": 300,
            "kvar": 0,
            "senast": "2025",
        },
        "summa": {
            "underskott": 500,
            "aterstallt_tidigare": 200,
            "aterstallt_i_ar": 300,
            "kvar": 0,
            "senast": None,
        },
    }
    assert s.values["balanskrav_aterstallt_i_ar"] == Decimal(300_000)
    assert s.values["balanskrav_kvar_att_aterstalla"] == 0
    assert "balanskrav_senast_ar" not in s.values  # nothing left to restore
    assert not [
        f for f in s.findings if (f.code or "").startswith("balanskrav") and f.level is not Level.NOTICE
    ]


def test_a_deficit_in_the_ledger_and_one_due_next_year(ws):
    # 2022 from the 2023 file's #RES: −300 000; 2023 restores 100 000, 2024 another 100 000.
    ws.config(ar=2024)
    ws.year(
        2023,
        ib={"1930": 1_000_000, "2010": -1_000_000},
        vouchers=[
            ("2023-03-01", [("8010", -1_000_000), ("1930", 1_000_000)]),
            ("2023-06-01", [("5010", 900_000), ("1930", -900_000)]),
        ],
        res_prev={"8010": -1_000_000, "5010": 1_300_000},
    )
    ws.year(
        2024,
        ib={"1930": 1_100_000, "2010": -1_100_000},
        vouchers=[
            ("2024-03-01", [("8010", -1_000_000), ("1930", 1_000_000)]),
            ("2024-06-01", [("5010", 900_000), ("1930", -900_000)]),
        ],
    )
    s = ws.compute()
    assert shown(s.table("balanskravsutredning"))["bk_balanskravsresultat"] == {
        "ar_2024": 100,
        "ar_2023": 100,
        "ar_2022": -300,
    }
    assert shown(s.table("balanskrav_aterstallande"))["ar_2022"] == {
        "underskott": 300,
        "aterstallt_tidigare": 100,
        "aterstallt_i_ar": 100,
        "kvar": 100,
        "senast": "2025",
    }
    due = [f for f in s.findings if f.code == "balanskrav-aterstalls-nasta-ar"]
    assert len(due) == 1 and due[0].level is Level.WARNING
    assert (
        "underskottet från 2022 ska vara återställt senast 2025: 100\u00a0000,00 kr återstår"
        in due[0].message
    )
    assert due[0].where == "balanskrav_aterstallande/ar_2022/kvar"
    plan = [f for f in s.findings if f.code == "balanskrav-atgardsplan-saknas"]
    assert len(plan) == 1 and "ar.2022.atgardsplan" in plan[0].message
    assert s.values["balanskrav_senast_ar"] == "2025"


DEADLINE_PASSED = """\
ar:
  2019:
    balanskravsresultat: -800000
    atgardsplan: "Plan beslutad av KF 2020-06-15 § 60."
  2020:
    balanskravsresultat: 0
  2021:
    balanskravsresultat: 100000
  2022:
    balanskravsresultat: 100000
"""


def test_a_deficit_past_its_deadline_is_an_error(ws):
    ws.config(ar=2024)
    two_years(ws, result_2023=100_000, result_2024=100_000)
    ws.write("data/balanskrav.yaml", DEADLINE_PASSED)
    s = ws.compute()
    assert shown(s.table("balanskrav_aterstallande"))["ar_2019"] == {
        "underskott": 800,
        "aterstallt_tidigare": 300,
        "aterstallt_i_ar": 100,
        "kvar": 400,
        "senast": "2022",
    }
    late = [f for f in s.findings if f.code == "balanskrav-ej-aterstallt"]
    assert len(late) == 1 and late[0].level is Level.ERROR
    assert late[0].file == "data/balanskrav.yaml" and late[0].line == 3
    assert "underskottet från 2019 skulle ha återställts senast 2022" in late[0].message
    assert "400\u00a0000,00 kr återstår" in late[0].message


SYNNERLIGA_SKAL = (
    DEADLINE_PASSED
    + """\
synnerliga_skal:
  - underskott_ar: 2019
    belopp: 400000
    beslut: "KF 2020-04-27 § 45"
    skal: "Underskottet beror på en engångsnedskrivning av en fastighet."
"""
)


def test_synnerliga_skal_leave_nothing_to_restore(ws):
    ws.config(ar=2024)
    two_years(ws, result_2023=100_000, result_2024=100_000)
    ws.write("data/balanskrav.yaml", SYNNERLIGA_SKAL)
    s = ws.compute()
    reg = s.table("balanskrav_aterstallande")
    assert [c.id for c in reg.columns][:2] == ["underskott", "synnerliga_skal"]
    assert shown(reg)["ar_2019"] == {
        "underskott": 800,
        "synnerliga_skal": 400,
        "aterstallt_tidigare": 300,
        "aterstallt_i_ar": 100,
        "kvar": 0,
        "senast": "2022",
    }
    assert "balanskrav-ej-aterstallt" not in codes(s.findings)
    assert s.values["balanskrav_synnerliga_skal"] == Decimal(400_000)
    assert s.values["balanskrav_synnerliga_skal_beslut"] == "KF 2020-04-27 § 45 (underskottet 2019)"


RESERVATION = """\
ar:
  2024:
    reservering:
      belopp: 250000
      beslut: "KF 2025-04-28 § 40"
    ansvarsforbindelse: {af}
"""


def test_a_reservation_over_the_limit(ws):
    # Årets resultat 300 000, skatteintäkter 10 000 000: 1 % leaves 200 000 to reserve.
    ws.config(ar=2024)
    two_years(ws, result_2024=300_000)
    ws.write("data/balanskrav.yaml", RESERVATION.format(af=0))
    s = ws.compute()
    bk = s.table("balanskravsutredning")
    assert bk.row("bk_reservering").label == "Reservering till resultatreserv"
    assert shown(bk)["bk_reservering"] == {"ar_2024": -250, "ar_2023": 0}
    assert shown(bk)["bk_balanskravsresultat"] == {"ar_2024": 50, "ar_2023": 200}
    over = [f for f in s.findings if f.code == "balanskrav-reservering-over-gransen"]
    assert len(over) == 1 and over[0].level is Level.ERROR
    assert over[0].file == "data/balanskrav.yaml" and over[0].line == 3
    message = over[0].message.replace("\u00a0", " ")
    assert "reserveringen 2024 till resultatreserven (250 000,00 kr)" in message
    assert "är större än gränsen 200 000,00 kr" in message
    assert "överstiger 1 % av skatteintäkter" in over[0].message
    # The 5 % ceiling (500 000) is not reached; the reserve after the year is 250 000.
    assert "balanskrav-reserv-over-taket" not in codes(s.findings)
    assert s.values["balanskrav_reserv_saldo"] == Decimal(250_000)
    assert s.values["balanskrav_reserv"] == "resultatreserven"


def test_negative_equity_with_the_ansvarsforbindelse_halves_the_room(ws):
    # Eget kapital 1 500 000 minus an ansvarsförbindelse of 2 000 000 is negative: 2 % applies.
    ws.config(ar=2024)
    two_years(ws, result_2024=300_000)
    ws.write("data/balanskrav.yaml", RESERVATION.format(af=2_000_000).replace("250000", "150000"))
    s = ws.compute()
    over = [f for f in s.findings if f.code == "balanskrav-reservering-over-gransen"]
    assert len(over) == 1
    assert "är större än gränsen 100\u00a0000,00 kr" in over[0].message and "2 %" in over[0].message


def test_without_the_ansvarsforbindelse_the_1_percent_rule_with_a_notice(ws):
    ws.config(ar=2024)
    two_years(ws, result_2024=300_000)
    ws.write("data/balanskrav.yaml", "ar:\n  2024:\n    reservering: {belopp: 150000, beslut: KF § 1}\n")
    s = ws.compute()
    assert "balanskrav-reservering-over-gransen" not in codes(s.findings)
    told = [f for f in s.findings if f.code == "balanskrav-ansvarsforbindelse-saknas"]
    assert len(told) == 1 and told[0].level is Level.NOTICE


def test_use_beyond_the_reserve_and_without_a_deficit(ws):
    ws.config(ar=2024)
    two_years(ws, result_2024=-200_000)
    ws.write(
        "data/balanskrav.yaml",
        "reserv:\n  ar: 2024\n  resultatreserv: 100000\n"
        "ar:\n  2024:\n    anvandning: {belopp: 150000, beslut: KF 2025-04-28 § 41}\n",
    )
    s = ws.compute()
    bk = shown(s.table("balanskravsutredning"))
    assert bk["bk_anvandning"] == {"ar_2024": 150, "ar_2023": 0}
    assert bk["bk_balanskravsresultat"] == {"ar_2024": -50, "ar_2023": 200}
    beyond = [f for f in s.findings if f.code == "balanskrav-anvandning-over-reserven"]
    assert len(beyond) == 1 and beyond[0].level is Level.ERROR and beyond[0].line == 6
    assert "(150\u00a0000,00 kr) är större än reserven (100\u00a0000,00 kr)" in beyond[0].message
    assert "balanskrav-anvandning-andamal-saknas" in codes(s.findings)


def test_the_reserve_is_named_by_year(ws):
    ws.config(
        ar=2024,
        extra='[balanskrav]\nreservering_resultatreserv = { "2023" = 10000 }\n'
        'anvandning_resultatutjamningsreserv = { "2024" = 5000 }\n',
    )
    two_years(ws, result_2024=-5_000)
    bk = s_bk = ws.compute().table("balanskravsutredning")
    labels = {r.id: r.label for r in bk.rows}
    assert labels["bk_rur_reservering"] == "Reservering till resultatutjämningsreserv"
    assert labels["bk_rur_anvandning"] == "Användning av medel från resultatutjämningsreserv"
    assert "bk_reservering" not in labels  # nothing reserved to the resultatreserv
    assert shown(s_bk)["bk_rur_reservering"] == {"ar_2024": 0, "ar_2023": -10}
    assert shown(s_bk)["bk_rur_anvandning"] == {"ar_2024": 5, "ar_2023": 0}


def test_bad_history_input_is_named_with_file_and_line(ws):
    ws.config(ar=2024)
    two_years(ws)
    ws.write(
        "data/balanskrav.yaml",
        "ar:\n  2022:\n    balanskravsresultat: mycket\n  2021:\n    overskott: 5\n"
        "synnerliga_skal:\n  - underskott_ar: 2020\n    belopp: 10\n",
    )
    s = ws.compute()
    bad = [f for f in s.findings if f.file == "data/balanskrav.yaml" and f.level is Level.ERROR]
    by_line: dict[int | None, list[str]] = {}
    for f in bad:
        by_line.setdefault(f.line, []).append(f.message)
    assert by_line[3] == ["ar.2022.balanskravsresultat ska vara ett tal, fick 'mycket'"]
    assert by_line[5] == ["ar.2021.overskott är ingen känd inställning"]
    assert sorted(by_line[7]) == [
        "synnerliga_skal[0].beslut saknas men måste anges",
        "synnerliga_skal[0].skal saknas men måste anges",
    ]
    # The tables are still there; the file is left out.
    assert "balanskrav_aterstallande" not in {t.id for t in s.tables}
    assert s.table("balanskravsutredning") is not None


def test_a_gemensam_namnd_has_no_register(ws):
    ws.config(ar=2024, typ="gemensam-namnd")
    two_years(ws)
    ws.write("data/balanskrav.yaml", HISTORY)
    s = ws.compute()
    assert "balanskrav_aterstallande" not in {t.id for t in s.tables}


def test_a_kommunalforbund_reservation_cannot_be_tried_against_the_limit(ws):
    # Class 80 is medlemsavgifter in a kommunalförbund: no skatteintäkter to take 1 % of.
    ws.config(ar=2024, typ="kommunalforbund")
    two_years(ws, result_2024=300_000)
    ws.write(
        "data/balanskrav.yaml", "ar:\n  2024:\n    reservering: {belopp: 250000, beslut: Direktionen § 4}\n"
    )
    s = ws.compute()
    assert "balanskrav-reservering-over-gransen" not in codes(s.findings)
    (told,) = [f for f in s.findings if f.code == "balanskrav-reservering-ej-provad"]
    assert told.level is Level.NOTICE and told.line == 3


def test_the_pension_files_ansvarsforbindelse_decides_the_2_percent_rule(ws):
    # No figure in the history: the pension administrator's 2 000 000 (2 485 200 with löneskatt)
    # is more than eget kapital 1 500 000, so the 2 % limit (100 000) applies.
    ws.config(ar=2024)
    two_years(ws, result_2024=300_000)
    ws.write("data/balanskrav.yaml", "ar:\n  2024:\n    reservering: {belopp: 150000, beslut: KF § 1}\n")
    ws.write(
        "data/pension.csv",
        "ar;post;avsattning;ansvarsforbindelse\n"
        "2024;Ingående;0;2100000\n2024;Pensionsutbetalningar;0;-100000\n2024;Utgående;0;2000000\n",
    )
    s = ws.compute()
    assert s.values["ansvarsforbindelse_pensioner_ub"] == Decimal("2485200.00")
    assert "balanskrav-ansvarsforbindelse-saknas" not in codes(s.findings)
    over = [f for f in s.findings if f.code == "balanskrav-reservering-over-gransen"]
    assert len(over) == 1
    assert "är större än gränsen 100\u00a0000,00 kr" in over[0].message and "2 %" in over[0].message
