"""A large municipality's year as SIE 4E, written with bokslut's own SIE writer.

Deterministic (seeded): the same arguments give the same bytes, so a file made
once is reused from benchmarks/data/ by later runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator
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

DATA = Path(__file__).parent / "data"

SUPPLIERS = [
    "Åkesson & Söner AB",
    "Öbergs Bygg",
    'Café "Kanelen"',
    "Ljungström IT",
    "Västerås Energi",
    "Norrlands Skog",
    "Älvdalens Buss",
    "Göteborgs Konsult",
    "Bäckström Städ",
    "Kvarnens Måleri",
]
WHAT = [
    "Faktura",
    "Hyra",
    "Lön",
    "Konsultarvode",
    "Licenser",
    "Avgift",
    "Reparation",
    "Resa",
    "Utbildning",
]
REVENUE = ["3010", "3020", "3110", "3410", "3510"]
COSTS = [
    "4010",
    "4410",
    "5010",
    "5110",
    "5410",
    "5460",
    "6110",
    "6210",
    "6410",
    "6550",
    "7010",
    "7510",
    "7690",
]
BALANCE = ["1510", "1610", "1930", "2440", "2710", "2890"]
VERKSAMHET = [f"81{n:03d}" for n in range(120)]
PROJEKT = [f"P{n:04d}" for n in range(400)]


def accounts() -> list[Account]:
    names = {
        "1510": "Kundfordringar",
        "1610": "Fordringar hos staten",
        "1930": "Bank",
        "2440": "Leverantörsskulder",
        "2710": "Personalens skatter",
        "2890": "Övriga kortfristiga skulder",
        "2010": "Eget kapital",
    }
    out = [Account(a, names.get(a, f"Konto {a}"), 0) for a in sorted({*REVENUE, *COSTS, *BALANCE, "2010"})]
    return out


def vouchers(n_vouchers: int, rows_per_voucher: int, year: int, seed: int) -> Iterator[Voucher]:
    rnd = random.Random(seed)
    start = dt.date(year, 1, 1)
    for i in range(n_vouchers):
        date = start + dt.timedelta(days=(i * 365) // n_vouchers)
        series = "A" if i % 3 else "B"
        rows = []
        total = 0
        for _ in range(rows_per_voucher - 1):
            revenue = rnd.random() < 0.25
            account = rnd.choice(REVENUE if revenue else COSTS)
            amount = rnd.randint(100, 5_000_000) * (-1 if revenue else 1)
            total += amount
            text = f"{rnd.choice(WHAT)} {rnd.choice(SUPPLIERS)} {rnd.randint(1000, 99999)}"
            rows.append(
                Transaction(
                    account,
                    amount,
                    ((1, rnd.choice(VERKSAMHET)), (6, rnd.choice(PROJEKT))),
                    date,
                    text,
                )
            )
        rows.append(Transaction(rnd.choice(("1930", "2440")), -total, (), date, "Motkonto"))
        yield Voucher(
            series,
            str(i + 1),
            date,
            f"{rnd.choice(WHAT)} {rnd.choice(SUPPLIERS)}",
            tuple(rows),
            date + dt.timedelta(days=1),
        )


def generate(path: Path, n_vouchers: int, rows_per_voucher: int = 5, year: int = 2023, seed: int = 1) -> Path:
    """Write the file (unless it is already there) and return its path."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # The opening balances must match what the vouchers then move: 1930 and 2010 only here.
    header = Header(
        program="bokslut benchmark",
        program_version="1",
        generated=dt.date(year + 1, 1, 15),
        sietyp=4,
        orgnr="212000-0000",
        fnamn="Benchmarks kommun",
        fiscal_years=(FiscalYear(0, dt.date(year, 1, 1), dt.date(year, 12, 31), 0),),
    )
    with tmp.open("wb") as out:
        write_sie(
            out,
            header,
            accounts=accounts(),
            dimensions=[Dimension(1, "Verksamhet", 0), Dimension(6, "Projekt", 0)],
            objects=[Object(1, v, f"Verksamhet {v}", 0) for v in VERKSAMHET]
            + [Object(6, p, f"Projekt {p}", 0) for p in PROJEKT],
            balances=[
                Balance("IB", 0, "1930", 100_000_000_00, 0),
                Balance("IB", 0, "2010", -100_000_000_00, 0),
            ],
            vouchers=vouchers(n_vouchers, rows_per_voucher, year, seed),
        )
    tmp.replace(path)
    return path


def default_path(n_vouchers: int, rows_per_voucher: int = 5) -> Path:
    return DATA / f"ledger-{n_vouchers}x{rows_per_voucher}.se"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=5)
    args = parser.parse_args()
    print(generate(default_path(args.vouchers, args.rows), args.vouchers, args.rows))
