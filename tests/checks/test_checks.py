"""`bokslut check`: each finding says where and why."""

from __future__ import annotations

from bokslut.diagnostics import Level


def codes(findings):
    return {f.code for f in findings}


def test_a_clean_ledger_has_no_findings(ws):
    ws.year(
        2022,
        ib={"1930": 100, "2010": -100},
        vouchers=[("2022-12-31", [("3010", -10), ("1930", 10)])],
    )
    ws.year(2023, ib={"1930": 110, "2010": -110}, vouchers=[("2023-12-31", [("3010", -5), ("1930", 5)])])
    ws.chapter()
    assert ws.checks() == []


def test_opening_balance_differs_from_last_closing(ws):
    ws.year(
        2022,
        ib={"1930": 100, "2010": -100},
        vouchers=[("2022-03-01", [("3010", -10), ("1930", 10)])],
    )
    ws.year(2023, ib={"1930": 111, "2010": -111})
    findings = ws.checks()
    bad = [f for f in findings if f.code == "ib-ub"]
    assert len(bad) == 1 and "1930" in bad[0].message and bad[0].file == "data/ledger/2023.se"
    assert "ib-eget-kapital" in codes(findings)


def test_unmapped_account_is_named(ws):
    ws.year(2023, vouchers=[("2023-03-01", [("9010", 10), ("1930", -10)])])
    f = next(f for f in ws.checks() if f.code == "konto-omappat")
    assert "9010" in f.message and "[kontoplan.rad]" in f.message


def test_unbalanced_voucher_is_named_by_the_check(ws):
    ws.year(2023, vouchers=[("2023-03-01", [("3010", -10), ("1930", 9)])])
    findings = ws.checks()
    bad = [f for f in findings if f.file == "data/ledger/2023.se" and f.line is not None]
    assert len(bad) == 1 and bad[0].level is Level.ERROR


def test_equity_moved_outside_the_result(ws):
    ws.year(
        2023,
        ib={"1930": 100, "2010": -100},
        vouchers=[("2023-03-01", [("2010", 10), ("1930", -10)])],
    )
    f = next(f for f in ws.checks() if f.code == "eget-kapital-rorelse")
    assert "2010" in f.message and "4 kap. 4 §" in f.message


def test_result_without_verksamhet_object(ws):
    ws.config(extra="[dimensioner]\nverksamhet = 1\n")
    ws.year(2023, vouchers=[("2023-03-01", [("3010", -10, {1: "A"}), ("3011", -5), ("1930", 15)])])
    f = next(f for f in ws.checks() if f.code == "objekt-saknas")
    assert "3011" in f.message and "Ej fördelat" in f.message
