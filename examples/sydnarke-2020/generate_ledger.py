"""Generate the example ledger of Sydnärkes IT-nämnd (SIE 4E): 2019 and 2020 to 31 July.

The 2020 file is cut at the interim closing date (bokslutsdatum 2020-07-31):
vouchers January–July. 2019 is a whole year, so the interim report can show the
same period last year. Budget and forecast are files in data/budget and
data/prognos, in the nämnd's own sign (revenue negative), in tkr — as the
published delårsbokslut shows them. Deterministic: same script, same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

from bokslut.sie.model import (
    Account,
    Balance,
    Dimension,
    FiscalYear,
    Header,
    Object,
    Transaction,
    Voucher,
)
from bokslut.sie.writer import write_sie
from bokslut.swedish import MONTHS

HERE = Path(__file__).resolve().parent

# kostnadsslag -> account (the nämnd's local accounts; see bokslut.toml [kontoplan.kostnadsslag])
ACCOUNTS = {
    "intakter": ("3011", "Försäljning av IT-tjänster till medlemskommuner"),
    "personalkostnader": ("5010", "Löner och sociala avgifter"),
    "datorer_basutrustning": ("6420", "Datorer och basutrustning"),
    "datakommunikation": ("6810", "Datakommunikation"),
    "licenser_serviceavtal": ("6540", "Licenser och serviceavtal"),
    "ovrigt_tjanstekop": ("7490", "Övrigt tjänsteköp"),
    "resor_kurser": ("7010", "Resor och kurser"),
    "lokalhyror": ("6010", "Lokalhyror"),
    "ovriga_kostnader": ("7610", "Övriga kostnader"),
}
BALANCE_ACCOUNTS = {
    "1221": "Inventarier, IT-utrustning",
    "1229": "Ackumulerade avskrivningar IT-utrustning",
    "1510": "Kundfordringar medlemskommuner",
    "1930": "Avräkning med Lekebergs kommun",
    "2010": "Eget kapital",
    "2440": "Leverantörsskulder",
    "7910": "Avskrivningar IT-utrustning",
    "8560": "Intern ränta",
}
PROJEKT = {
    "9101": "IT INVEST LEKEBERG",
    "9102": "IT INVEST LAXÅ",
    "9103": "IT INVEST ASKERSUND",
    "9104": "IT INVEST HALLSBERG",
    "9105": "IT-INVEST. GEMENSAMT",
}

# Outcome per kostnadsslag in tkr, ledger sign (revenue negative), and the months covered.
OUTCOME = {
    2019: (
        12,
        {
            "intakter": -33_410,
            "personalkostnader": 11_020,
            "datorer_basutrustning": 180,
            "datakommunikation": 2_310,
            "licenser_serviceavtal": 5_640,
            "ovrigt_tjanstekop": 1_950,
            "resor_kurser": 240,
            "lokalhyror": 345,
            "ovriga_kostnader": 290,
        },
    ),
    2020: (
        7,
        {
            "intakter": -20_222,
            "personalkostnader": 5_672,
            "datorer_basutrustning": 27,
            "datakommunikation": 810,
            "licenser_serviceavtal": 3_193,
            "ovrigt_tjanstekop": 2_212,
            "resor_kurser": 109,
            "lokalhyror": 219,
            "ovriga_kostnader": 100,
        },
    ),
}
# Kapitalkostnader: depreciation and internal interest, tkr.
CAPITAL = {2019: (9_950, 1_450), 2020: (5_400, 901)}
INVESTMENTS = {
    2019: {"9101": 1_210, "9102": 1_050, "9103": 2_400, "9104": 1_980, "9105": 2_650},
    2020: {"9101": 621, "9102": 198, "9103": 1_219, "9104": 660, "9105": 2_529},
}
OPENING_2019 = {
    "1221": 48_000_000_00,
    "1229": -21_000_000_00,
    "1510": 2_100_000_00,
    "2440": -2_600_000_00,
    "2010": -29_500_000_00,
}

BUDGET_2020 = {
    "intakter": -34_559,
    "personalkostnader": 12_337,
    "datorer_basutrustning": 200,
    "datakommunikation": 2_380,
    "licenser_serviceavtal": 6_000,
    "ovrigt_tjanstekop": 1_015,
    "resor_kurser": 230,
    "lokalhyror": 349,
    "ovriga_kostnader": 320,
    "kapitalkostnader": 11_728,
}
PROGNOS_2020 = {
    "intakter": -34_620,
    "personalkostnader": 10_800,
    "datorer_basutrustning": 200,
    "datakommunikation": 2_380,
    "licenser_serviceavtal": 6_400,
    "ovrigt_tjanstekop": 2_810,
    "resor_kurser": 230,
    "lokalhyror": 349,
    "ovriga_kostnader": 320,
    "kapitalkostnader": 10_711,
}
INVEST_BUDGET_2020 = {"9101": 1_478, "9102": 1_336, "9103": 2_773, "9104": 2_182, "9105": 3_000}


def split(total: int, weights: list[int]) -> list[int]:
    s = sum(weights)
    parts = [total * w // s if total >= 0 else -((-total) * w // s) for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def month_end(year: int, m: int) -> dt.date:
    return (dt.date(year, m + 1, 1) if m < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)


def build(year: int, opening: dict[str, int], rng: random.Random) -> tuple[list[Voucher], dict[str, int]]:
    n_months, outcome = OUTCOME[year]
    balance: dict[str, int] = defaultdict(int, opening)
    vouchers: list[Voucher] = []
    numbers: dict[str, int] = defaultdict(int)

    def post(
        series: str, d: dt.date, text: str, rows: list[tuple[str, int, tuple[tuple[int, str], ...]]]
    ) -> None:
        rows = [r for r in rows if r[1]]
        assert sum(r[1] for r in rows) == 0
        numbers[series] += 1
        for a, x, _ in rows:
            balance[a] += x
        vouchers.append(
            Voucher(
                series,
                str(numbers[series]),
                d,
                text,
                tuple(Transaction(a, x, o) for a, x, o in rows),
                regdate=d,
            )
        )

    weights = [rng.randint(85, 115) for _ in range(n_months)]
    dep, interest = CAPITAL[year]
    for m in range(n_months):
        d = month_end(year, m + 1)
        for slag, tkr in outcome.items():
            account = ACCOUNTS[slag][0]
            part = split(tkr * 1000_00, weights)[m]
            if slag == "intakter":
                post(
                    "K",
                    d,
                    f"Fakturering medlemskommuner {MONTHS[m]}",
                    [("1510", -part, ()), (account, part, ())],
                )
            elif slag == "personalkostnader":
                post("L", d, f"Lön {MONTHS[m]}", [(account, part, ()), ("1930", -part, ())])
            else:
                post(
                    "I",
                    d,
                    f"Leverantörsfaktura {ACCOUNTS[slag][1].lower()}",
                    [(account, part, ()), ("2440", -part, ())],
                )
        post(
            "A",
            d,
            f"Avskrivningar {MONTHS[m]}",
            [
                ("7910", split(dep * 1000_00, [1] * n_months)[m], ()),
                ("1229", -split(dep * 1000_00, [1] * n_months)[m], ()),
            ],
        )
        post(
            "A",
            d,
            f"Intern ränta {MONTHS[m]}",
            [
                ("8560", split(interest * 1000_00, [1] * n_months)[m], ()),
                ("1930", -split(interest * 1000_00, [1] * n_months)[m], ()),
            ],
        )
        for p, tkr in INVESTMENTS[year].items():
            part = split(tkr * 1000_00, [1] * n_months)[m]
            post(
                "I",
                d,
                f"Investering {PROJEKT[p]}",
                [("1221", part, ((6, p),)), ("2440", -part, ())],
            )
        # Payments: customers pay what was invoiced two months ago; suppliers are paid monthly.
        if balance["1510"] > 2_000_000_00:
            paid = balance["1510"] - 2_000_000_00
            post("B", d, "Inbetalningar medlemskommuner", [("1930", paid, ()), ("1510", -paid, ())])
        if balance["2440"] < -2_500_000_00:
            paid = -balance["2440"] - 2_500_000_00
            post("B", d, "Utbetalningar leverantörer", [("2440", paid, ()), ("1930", -paid, ())])
    return vouchers, dict(balance)


def write(
    year: int,
    vouchers: list[Voucher],
    opening: dict[str, int],
    closing: dict[str, int],
    prev: list[Balance],
) -> None:
    balances = [Balance("IB", 0, a, x, 0) for a, x in sorted(opening.items()) if x]
    # The 2020 file is cut at the interim date: no closing balances for the year yet.
    if OUTCOME[year][0] == 12:
        balances += [Balance("UB", 0, a, x, 0) for a, x in sorted(closing.items()) if a[0] in "12" and x]
        balances += [Balance("RES", 0, a, x, 0) for a, x in sorted(closing.items()) if a[0] not in "12" and x]
    balances += prev
    accounts = {**{a: n for a, n in ACCOUNTS.values()}, **BALANCE_ACCOUNTS}
    header = Header(
        flagga=0,
        program="bokslut exempelgenerator",
        program_version="1",
        format="PC8",
        generated=dt.date(year, 8, 10) if OUTCOME[year][0] < 12 else dt.date(year + 1, 2, 10),
        sietyp=4,
        fnamn="Sydnärkes IT-nämnd",
        kptyp="KOMMUN",
        valuta="SEK",
        fiscal_years=(
            FiscalYear(0, dt.date(year, 1, 1), dt.date(year, 12, 31), 0),
            FiscalYear(-1, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31), 0),
        ),
        omfattn=month_end(year, OUTCOME[year][0]),
    )
    with (HERE / "data" / "ledger" / f"{year}.se").open("wb") as out:
        write_sie(
            out,
            header,
            accounts=[Account(a, n, 0) for a, n in sorted(accounts.items())],
            dimensions=[Dimension(6, "Projekt", 0)],
            objects=[Object(6, k, n, 0) for k, n in PROJEKT.items()],
            balances=balances,
            vouchers=vouchers,
        )


def main() -> None:
    rng = random.Random(2020)
    opening_2019 = dict(OPENING_2019)
    opening_2019["1930"] = -sum(opening_2019.values())
    v2019, c2019 = build(2019, opening_2019, rng)
    write(2019, v2019, opening_2019, c2019, [])
    result_2019 = sum(x for a, x in c2019.items() if a[0] not in "12")
    opening_2020 = {a: x for a, x in c2019.items() if a[0] in "12" and x}
    opening_2020["2010"] += result_2019
    v2020, c2020 = build(2020, opening_2020, rng)
    prev = [Balance("UB", -1, a, x, 0) for a, x in sorted(opening_2020.items())]
    write(2020, v2020, opening_2020, c2020, prev)

    def table(path: Path, header: str, rows: list[str]) -> None:
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    table(
        HERE / "data" / "budget" / "budget-2020.csv",
        "ar;kostnadsslag;projekt;belopp_tkr",
        [f"2020;{k};;{v}" for k, v in BUDGET_2020.items()]
        + [f"2020;;{p};{v}" for p, v in INVEST_BUDGET_2020.items()],
    )
    table(
        HERE / "data" / "prognos" / "prognos-2020.csv",
        "ar;kostnadsslag;projekt;belopp_tkr",
        [f"2020;{k};;{v}" for k, v in PROGNOS_2020.items()]
        + [f"2020;;{p};{v}" for p, v in INVEST_BUDGET_2020.items()],
    )
    print(f"2019: {len(v2019)} verifikationer; 2020 t.o.m. juli: {len(v2020)} verifikationer")


if __name__ == "__main__":
    main()
