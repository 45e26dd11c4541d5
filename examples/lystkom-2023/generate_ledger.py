"""Generate the example ledger of Kommunalförbundet Lystkom (SIE 4E, 2022 and 2023).

The vouchers run through the year the way a kommunalförbund books: monthly and
quarterly invoices to the member municipalities, supplier invoices, payroll,
monthly depreciation, investments per project, loan amortisation and the
payments that settle receivables and payables. Amounts are chosen so that the
statements reproduce the published annual report 2023 (see README.md for the
figures and for where the published report contradicts itself).

Run from anywhere: ``python examples/lystkom-2023/generate_ledger.py``. The output
is deterministic: the same script writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

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
)
from bokslut.sie.writer import write_sie

HERE = Path(__file__).resolve().parent
IT, KT, REV, LK = "81141", "81143", "81145", "81146"
VERKSAMHETER = {IT: "IT", KT: "Kundtjänst", REV: "Revision", LK: "LYSTKOM"}
PROJEKT = {
    "1003": "IT-utrustning 3 år",
    "1004": "IT-utrustning 4 år",
    "1005": "IT-utrustning 5 år",
    "1006": "IT-utrustning 6 år",
    "1010": "Fordon",
}

ACCOUNTS = {
    "1221": "Inventarier",
    "1229": "Ackumulerade avskrivningar inventarier",
    "1241": "Fordon",
    "1249": "Ackumulerade avskrivningar fordon",
    "1510": "Kundfordringar",
    "1640": "Fordringar avs. mervärdesskatt",
    "1650": "F-skatt",
    "1790": "Interimsfordringar",
    "1930": "Plusgiro",
    "2010": "Balanserat resultat",
    "2310": "Upplåning i kreditinstitut",
    "2440": "Leverantörsskulder",
    "2510": "Skatteavräkning och övriga skulder till staten",
    "2640": "Skuld avs mervärdesskatt",
    "2710": "Källskatt och diverse avdrag",
    "2890": "Övriga korta skulder",
    "2920": "Skuld till anställda",
    "2940": "Upplupen pensionskostnad, individuell del",
    "2950": "Upplupna sociala avgifter",
    "2990": "Upplupna kostnader och förutbetalda intäkter",
    "3011": "Försäljning av tjänster till medlemskommuner",
    "3510": "Statsbidrag",
    "5010": "Löner",
    "5610": "Sociala avgifter",
    "5710": "Pensionskostnader inkl. särskild löneskatt",
    "6010": "Lokalhyror",
    "6310": "Leasing av fordon och maskiner",
    "6410": "Förbrukningsmaterial",
    "6810": "Tele- och datakommunikation",
    "6890": "Licenser och serviceavtal",
    "7010": "Resor och kurser",
    "7410": "Konsulttjänster och entreprenader",
    "7610": "Diverse kostnader",
    "7611": "Revisionsarvode",
    "7910": "Avskrivningar inventarier",
    "7920": "Avskrivningar fordon",
    "8010": "Medlemsavgifter från medlemskommuner",
    "8520": "Räntekostnader",
}


def kr(x: str | int | float) -> int:
    """Kronor as written in this script ("36 206 700", "9 229 200.50") -> öre."""
    text = str(x).replace(" ", "")
    whole, _, frac = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((frac + "00")[:2]))


# --- Result accounts per year and verksamhet, in the report's sign (revenue +) ---
# Each verksamhet's revenue, personnel, other costs (by account) and depreciation.
RESULT: dict[int, dict[str, dict[str, int]]] = {
    2022: {
        IT: {
            "3011": kr("32 809 900"),
            "pers": kr("-9 514 600"),
            "7410": kr("-1 273 000"),
            "6010": kr("-400 000"),
            "6310": kr("-1 300 000"),
            "6410": kr("-650 000"),
            "ovrigt": kr("-7 180 600"),
            "8520": kr("-91 000"),
            "7910": kr("-11 032 000"),
            "7920": kr("-53 500"),
        },
        KT: {
            "3011": kr("7 020 000"),
            "pers": kr("-4 813 000"),
            "7410": kr("-100 000"),
            "6010": kr("-650 000"),
            "6410": kr("-160 000"),
            "ovrigt": kr("-1 221 000"),
        },
        REV: {"pers": kr("-19 000"), "7611": kr("-155 000")},
        LK: {
            "3011": kr("454 600"),
            "3510": kr("75 000"),
            "8010": kr("790 000"),
            "pers": kr("-843 400"),
            "7410": kr("-100 000"),
            "6010": kr("-81 000"),
            "6410": kr("-49 000"),
            "ovrigt": kr("-22 000"),
        },
    },
    2023: {
        IT: {
            "3011": kr("36 206 700"),
            "pers": kr("-10 430 000"),
            "7410": kr("-1 200 000"),
            "6010": kr("-796 000"),
            "6310": kr("-1 304 000"),
            "6410": kr("-700 000"),
            "ovrigt": kr("-8 296 100"),
            "8520": kr("-209 600"),
            "7910": kr("-11 291 200"),
            "7920": kr("-12 300"),
        },
        KT: {
            "3011": kr("7 109 600"),
            "pers": kr("-5 493 000"),
            "7410": kr("-100 000"),
            "6010": kr("-700 000"),
            "6410": kr("-150 000"),
            "ovrigt": kr("-935 400"),
        },
        REV: {"pers": kr("-12 100"), "7611": kr("-155 000")},
        LK: {
            "3011": kr("585 200"),
            "8010": kr("810 000"),
            "pers": kr("-1 040 600"),
            "7410": kr("-177 000"),
            "6010": kr("-104 000"),
            "6410": kr("-52 000"),
            "ovrigt": kr("-177 200"),
        },
    },
}
PENSION = {2022: kr("698 000"), 2023: kr("2 209 000")}  # of the personnel costs
# 2021 as the 2022 file restates it (#RES -1): the result was 1 688 000 kr.
RESULT_2021 = {
    "3011": kr("-38 120 000"),
    "8010": kr("-770 000"),
    "5010": kr("10 300 000"),
    "5610": kr("3 620 000"),
    "5710": kr("650 000"),
    "6890": kr("10 402 000"),
    "7910": kr("10 900 000"),
    "7610": kr("1 230 000"),
    "8520": kr("100 000"),
}

# --- Budget per verksamhet (report sign); written as #PBUDGET per account and month ---
BUDGET: dict[int, dict[str, dict[str, int]]] = {
    2022: {
        IT: {
            "3011": kr("34 272 600"),
            "pers": kr("-9 803 400"),
            "ovrigt": kr("-11 289 400"),
            "8520": kr("-100 000"),
            "7910": kr("-12 400 000"),
        },
        KT: {"3011": kr("6 807 400"), "pers": kr("-4 747 600"), "ovrigt": kr("-1 923 600")},
        REV: {"7611": kr("-174 000")},
        LK: {
            "3011": kr("433 600"),
            "8010": kr("790 000"),
            "pers": kr("-872 400"),
            "ovrigt": kr("-177 400"),
        },
    },
    2023: {
        IT: {
            "3011": kr("34 750 800"),
            "pers": kr("-10 768 800"),
            "ovrigt": kr("-11 345 800"),
            "8520": kr("-170 000"),
            "7910": kr("-11 768 000"),
        },
        KT: {"3011": kr("7 679 000"), "pers": kr("-5 644 000"), "ovrigt": kr("-1 931 600")},
        REV: {"pers": kr("-20 000"), "7611": kr("-160 000")},
        LK: {
            "3011": kr("267 400"),
            "8010": kr("790 000"),
            "pers": kr("-686 600"),
            "ovrigt": kr("-180 000"),
        },
    },
}

# --- Investments per project (öre) and the year's other fixed-asset events ---
INVESTMENTS = {
    2022: {
        "1003": kr("7 000 000"),
        "1004": kr("3 500 000"),
        "1005": kr("1 200 000"),
        "1006": kr("674 000"),
    },
    2023: {
        "1003": kr("4 600 000"),
        "1004": kr("3 165 000"),
        "1005": kr("302 000"),
        "1006": kr("985 200"),
        "1010": kr("177 000"),
    },
}
INVESTMENT_BUDGET = {
    2023: {"1003": 6_000_000, "1004": 3_300_000, "1005": 1_300_000, "1006": 1_000_000, "1010": 0}
}
SCRAPPED = {2022: 0, 2023: kr("15 181 200")}  # fully depreciated equipment taken out
AMORTISATION = {2022: 0, 2023: kr("2 000 000")}

# --- Balances at the end of 2021 and the targets at each year-end (cash is the rest) ---
UB_2021 = {
    "1221": kr("47 281 000"),
    "1229": kr("-25 808 000"),
    "1241": kr("299 800"),
    "1249": kr("-200 000"),
    "1510": kr("500 000"),
    "1640": kr("300 000"),
    "1650": kr("150 000"),
    "1790": kr("3 421 000"),
    "2010": kr("-3 595 500"),
    "2310": kr("-18 000 000"),
    "2440": kr("-6 000 000"),
    "2640": kr("-200 000"),
    "2510": kr("-300 000"),
    "2710": kr("-220 000"),
    "2940": kr("-400 000"),
    "2920": kr("-1 500 000"),
    "2950": kr("-270 000"),
    "2990": kr("-600 000"),
    "2890": kr("-45 000"),
}
SETTLED_UB = {  # receivables and short-term liabilities at each year-end
    2022: {
        "1510": kr("376 000"),
        "1640": kr("461 000"),
        "1650": kr("164 000"),
        "1790": kr("4 040 490"),
        "2440": kr("-5 101 000"),
        "2640": 0,
        "2510": kr("-340 000"),
        "2710": kr("-230 000"),
        "2940": kr("-422 000"),
        "2920": kr("-1 384 000"),
        "2950": kr("-278 000"),
        "2990": kr("-442 000"),
        "2890": kr("-11 000"),
    },
    2023: {
        "1510": kr("966 000"),
        "1640": 0,
        "1650": kr("126 000"),
        "1790": kr("4 189 000"),
        "2440": kr("-6 350 600"),
        "2640": kr("-600 000"),
        "2510": kr("-529 800"),
        "2710": kr("-239 800"),
        "2940": kr("-406 600"),
        "2920": kr("-1 207 384"),
        "2950": kr("-294 000"),
        "2990": kr("-21 816"),
        "2890": 0,
    },
}
OVRIGT_SPLIT = (("6810", 30), ("6890", 50), ("7010", 8), ("7610", 12))  # per cent of "övrigt"
PAY_SPLIT = (("5010", 74), ("5610", 26))  # of personnel costs after pension


def split(total: int, weights: list[int]) -> list[int]:
    """``total`` in parts proportional to ``weights``; exact to the öre (last takes the rest)."""
    s = sum(weights)
    parts = [total * w // s if total >= 0 else -((-total) * w // s) for w in weights[:-1]]
    return [*parts, total - sum(parts)]


MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def months(year: int) -> list[dt.date]:
    return [dt.date(year, m, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31) for m in range(1, 13)]


def expand(amounts: dict[str, int], year: int) -> dict[str, int]:
    """Account amounts of one verksamhet, "pers" and "ovrigt" spread over their accounts."""
    out: dict[str, int] = defaultdict(int)
    for key, amount in amounts.items():
        if key == "ovrigt":
            for (account, _), part in zip(
                OVRIGT_SPLIT, split(amount, [w for _, w in OVRIGT_SPLIT]), strict=True
            ):
                out[account] += part
        elif key != "pers":
            out[key] += amount
    return out


class Book:
    """Vouchers of one year, numbered per series, with running balances."""

    def __init__(self, year: int, opening: dict[str, int]) -> None:
        self.year = year
        self.balance: dict[str, int] = defaultdict(int, opening)
        self.vouchers: list[Voucher] = []
        self.numbers: dict[str, int] = defaultdict(int)

    def post(
        self,
        series: str,
        date: dt.date,
        text: str,
        rows: list[tuple[str, int, tuple[tuple[int, str], ...]]],
    ) -> None:
        rows = [r for r in rows if r[1] != 0]
        if not rows:
            return
        assert sum(r[1] for r in rows) == 0, (text, rows)
        self.numbers[series] += 1
        for account, amount, _ in rows:
            self.balance[account] += amount
        self.vouchers.append(
            Voucher(
                series=series,
                number=str(self.numbers[series]),
                date=date,
                text=text,
                rows=tuple(Transaction(account=a, amount=x, objects=o) for a, x, o in rows),
                regdate=date,
            )
        )


def obj(v: str, p: str | None = None) -> tuple[tuple[int, str], ...]:
    return ((1, v),) if p is None else ((1, v), (6, p))


def build_year(year: int, opening: dict[str, int], rng: random.Random) -> Book:
    book = Book(year, opening)
    ms = months(year)
    weights = [rng.randint(90, 110) for _ in range(12)]
    for v, amounts in RESULT[year].items():
        accounts = expand(amounts, year)
        pers_total = -amounts.get("pers", 0)
        all_pers = sum(-a.get("pers", 0) for a in RESULT[year].values())
        pension = PENSION[year] * pers_total // all_pers if v != LK else 0
        if v == LK:
            pension = PENSION[year] - sum(
                PENSION[year] * -a.get("pers", 0) // all_pers for k, a in RESULT[year].items() if k != LK
            )
        wages, social = split(pers_total - pension, [w for _, w in PAY_SPLIT])
        for m, d in enumerate(ms):
            mw = weights
            # Payroll every month.
            w, s, p = (split(x, mw)[m] for x in (wages, social, pension))
            tax = w * 30 // 100
            book.post(
                "L",
                d,
                f"Lön {MONTH_NAMES[d.month - 1]} {VERKSAMHETER[v]}",
                [
                    ("5010", w, obj(v)),
                    ("5610", s, obj(v)),
                    ("5710", p, obj(v)),
                    ("2710", -tax, ()),
                    ("2950", -s, ()),
                    ("2940", -p, ()),
                    ("2920", -(w - tax), ()),
                ],
            )
            for account, amount in sorted(accounts.items()):
                part = split(amount, mw)[m]
                if account in ("3011", "3510", "8010"):
                    book.post(
                        "K",
                        d,
                        f"Faktura {ACCOUNTS[account].lower()} {d:%m/%Y}",
                        [
                            ("1510", part, ()),
                            (account, -part, obj(v)),
                        ],
                    )
                elif account in ("7910", "7920"):
                    ack = "1229" if account == "7910" else "1249"
                    book.post(
                        "A",
                        d,
                        f"Avskrivningar {MONTH_NAMES[d.month - 1]}",
                        [(account, -part, obj(v)), (ack, part, ())],
                    )
                elif account == "8520":
                    book.post("B", d, "Ränta lån", [(account, -part, obj(v)), ("1930", part, ())])
                else:
                    book.post(
                        "I",
                        d,
                        f"Leverantörsfaktura {ACCOUNTS[account].lower()}",
                        [
                            (account, -part, obj(v)),
                            ("2440", part, ()),
                        ],
                    )
    for p, amount in INVESTMENTS[year].items():
        account = "1241" if p == "1010" else "1221"
        n = 1 if p == "1010" else 4
        for q, part in enumerate(split(amount, [1] * n)):
            d = dt.date(year, 11, 15) if p == "1010" else ms[2 + 3 * q]
            book.post(
                "I",
                d,
                f"Investering {PROJEKT[p]}",
                [(account, part, obj(IT, p)), ("2440", -part, ())],
            )
    if SCRAPPED[year]:
        book.post(
            "M",
            dt.date(year, 12, 31),
            "Utrangering av fullt avskriven IT-utrustning",
            [
                ("1229", SCRAPPED[year], ()),
                ("1221", -SCRAPPED[year], ()),
            ],
        )
    if AMORTISATION[year]:
        book.post(
            "B",
            dt.date(year, 6, 30),
            "Amortering lån",
            [
                ("2310", AMORTISATION[year], ()),
                ("1930", -AMORTISATION[year], ()),
            ],
        )
    # Payments: each month end the receivables and payables are settled against the
    # bank down to their year-end level, so the year ends exactly at the ledger's UB.
    for d in ms:
        for account, target in SETTLED_UB[year].items():
            diff = book.balance[account] - target
            if diff:
                text = "Inbetalningar" if account < "2000" else "Utbetalningar"
                book.post(
                    "B",
                    d,
                    f"{text} {ACCOUNTS[account].lower()}",
                    [(account, -diff, ()), ("1930", diff, ())],
                )
    return book


def header(year: int) -> Header:
    return Header(
        flagga=0,
        program="bokslut exempelgenerator",
        program_version="1",
        format="PC8",
        generated=dt.date(year + 1, 2, 15),
        sietyp=4,
        fnamn="Kommunalförbundet Lystkom",
        fiscal_years=(
            FiscalYear(0, dt.date(year, 1, 1), dt.date(year, 12, 31), 0),
            FiscalYear(-1, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31), 0),
        ),
        kptyp="KOMMUN",
        valuta="SEK",
    )


def result_of(book: Book) -> int:
    return sum(x for a, x in book.balance.items() if a[0] in "345678")


def pbudget(year: int) -> Iterator[PeriodBalance]:
    for v, amounts in BUDGET[year].items():
        accounts = dict(expand(amounts, year))
        if "pers" in amounts:
            accounts["5010"] = accounts.get("5010", 0) + amounts["pers"]
        for account, amount in sorted(accounts.items()):
            for m, part in enumerate(split(-amount, [1] * 12), start=1):
                yield PeriodBalance("PBUDGET", 0, year * 100 + m, account, part, 0, ((1, v),))


def write(year: int, book: Book, opening: dict[str, int], prev_balances: list[Balance]) -> None:
    balances: list[Balance] = []
    for a in sorted(ACCOUNTS):
        if a[0] in "12":
            if opening.get(a):
                balances.append(Balance("IB", 0, a, opening[a], 0))
            if book.balance.get(a):
                balances.append(Balance("UB", 0, a, book.balance[a], 0))
        elif book.balance.get(a):
            balances.append(Balance("RES", 0, a, book.balance[a], 0))
    balances += prev_balances
    path = HERE / "data" / "ledger" / f"{year}.se"
    with path.open("wb") as out:
        write_sie(
            out,
            header(year),
            accounts=[Account(a, n, 0) for a, n in sorted(ACCOUNTS.items())],
            dimensions=[Dimension(1, "Verksamhet", 0), Dimension(6, "Projekt", 0)],
            objects=[Object(1, k, n, 0) for k, n in VERKSAMHETER.items()]
            + [Object(6, k, n, 0) for k, n in PROJEKT.items()],
            balances=balances,
            period_balances=list(pbudget(year)),
            vouchers=book.vouchers,
        )


def main() -> None:
    rng = random.Random(2023)
    opening_2022 = dict(UB_2021)
    opening_2022["1930"] = -sum(opening_2022.values())
    book_2022 = build_year(2022, opening_2022, rng)
    # 2021 as the 2022 file restates it: its closing balances and its result.
    prev_2022 = [Balance("UB", -1, a, x, 0) for a, x in sorted(opening_2022.items()) if x]
    prev_2022 += [Balance("RES", -1, a, x, 0) for a, x in sorted(RESULT_2021.items())]
    write(2022, book_2022, opening_2022, prev_2022)

    opening_2023 = {a: x for a, x in book_2022.balance.items() if a[0] in "12" and x}
    opening_2023["2010"] = opening_2023.get("2010", 0) + result_of(book_2022)
    book_2023 = build_year(2023, opening_2023, rng)
    # The year before as this file restates it: closed, so its UB equals this year's IB.
    prev_2023 = [Balance("UB", -1, a, x, 0) for a, x in sorted(opening_2023.items()) if x]
    prev_2023 += [Balance("IB", -1, a, x, 0) for a, x in sorted(opening_2022.items()) if x]
    prev_2023 += [
        Balance("RES", -1, a, x, 0) for a, x in sorted(book_2022.balance.items()) if a[0] in "345678" and x
    ]
    write(2023, book_2023, opening_2023, prev_2023)

    budget = HERE / "data" / "budget" / "investeringar-2023.csv"
    lines = ["ar;projekt;belopp"] + [f"2023;{p};{b}" for p, b in INVESTMENT_BUDGET[2023].items()]
    budget.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for y, b in ((2022, book_2022), (2023, book_2023)):
        print(
            f"{y}: {len(b.vouchers)} verifikationer, årets resultat {-result_of(b) / 100:.2f} kr, "
            f"likvida medel {b.balance['1930'] / 100:.2f} kr"
        )


if __name__ == "__main__":
    main()
