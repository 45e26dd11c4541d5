"""Speed and memory of computing every statement table on a large ledger.

Generates (once, cached in benchmarks/data/) a workspace whose ledger has two
fiscal years of 500 000 vouchers with 5 #TRANS rows each — 5 million
transaction rows in all — with verksamhet and projekt objects, investments,
depreciation, loans and #PBUDGET, written with bokslut's SIE writer. It is
imported once; then, in a fresh process so that peak memory is the
computation's own, it opens the store and computes and rounds all tables
(RR, BR, kassaflödesanalys, noter, drift, investeringar, balanskrav, nyckeltal), and,
unless --utan-organisation, the driftredovisning per nämnd and the multi-year
investment projects (data/organisation.csv, data/investeringsprojekt.csv).

Target (issue 3): all tables in under 2 s once imported; peak memory under 1 GB.
Timings are noisy while other work runs on the machine; the best of --repeat runs
is reported beside the median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import time
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

DATA = Path(__file__).parent / "data"
VERKSAMHET = [f"8{n:04d}" for n in range(40)]
PROJEKT = [f"P{n:03d}" for n in range(60)]
REVENUE = ["3010", "3110", "3410", "3510", "3810", "8010", "8210", "8410"]
COSTS = [
    "4010",
    "4610",
    "5010",
    "5610",
    "5710",
    "6010",
    "6410",
    "6810",
    "7010",
    "7410",
    "7610",
    "8520",
]
NAMES = {
    "1220": "Inventarier",
    "1229": "Ackumulerade avskrivningar inventarier",
    "1510": "Kundfordringar",
    "1930": "Bank",
    "2010": "Eget kapital",
    "2310": "Lån",
    "2440": "Leverantörsskulder",
    "7910": "Avskrivningar",
}

TOML = """[organisation]
namn = "Benchmarks kommun"
typ = "kommun"

[rapport]
ar = 2023

[dimensioner]
verksamhet = 1
projekt = 6
"""


def vouchers(year: int, n: int, rnd: random.Random) -> Iterator[Voucher]:
    start = dt.date(year, 1, 1)
    for i in range(n):
        date = start + dt.timedelta(days=(i * 365) // n)
        v = rnd.choice(VERKSAMHET)
        if i % 1000 == 0:  # an investment, capitalised on a project
            amount = rnd.randint(10_000_00, 2_000_000_00)
            p = rnd.choice(PROJEKT)
            rows = [
                ("1220", amount, ((1, v), (6, p))),
                ("2440", -amount, ()),
                ("7910", amount // 50, ((1, v),)),
                ("1229", -(amount // 50), ()),
                ("1930", 0, ()),
            ]
        elif i % 997 == 0:  # loans: new or amortised
            amount = rnd.randint(1_000_000_00, 5_000_000_00) * (1 if i % 2 else -1)
            rows = [
                ("2310", -amount, ()),
                ("1930", amount, ()),
                ("1510", 0, ()),
                ("2440", 0, ()),
                ("1930", 0, ()),
            ]
        else:
            rows = []
            total = 0
            for _ in range(4):
                revenue = rnd.random() < 0.3
                account = rnd.choice(REVENUE if revenue else COSTS)
                amount = rnd.randint(100, 2_000_000) * (-1 if revenue else 1)
                total += amount
                rows.append((account, amount, ((1, v),)))
            rows.append(("1510" if total > 0 else "2440", -total, ()))
        yield Voucher("A", str(i + 1), date, "Bokföring", tuple(Transaction(a, x, o) for a, x, o in rows))


def pbudget(year: int, rnd: random.Random) -> Iterator[PeriodBalance]:
    for v in VERKSAMHET:
        for account in REVENUE + COSTS:
            for m in range(1, 13):
                sign = -1 if account in REVENUE else 1
                yield PeriodBalance(
                    "PBUDGET",
                    0,
                    year * 100 + m,
                    account,
                    sign * rnd.randint(1, 10**8),
                    0,
                    ((1, v),),
                )


def ledger_header(year: int) -> Header:
    """The SIE header of the benchmark kommun's ledger for one year."""
    return Header(
        program="bokslut benchmark",
        program_version="1",
        generated=dt.date(year + 1, 1, 15),
        sietyp=4,
        fnamn="Benchmarks kommun",
        fiscal_years=(FiscalYear(0, dt.date(year, 1, 1), dt.date(year, 12, 31), 0),),
    )


def generate(root: Path, vouchers_per_year: int) -> Path:
    """The workspace (unless it is already there), with data/ledger/2022.se and 2023.se."""
    ledger = root / "data" / "ledger"
    if (ledger / "2023.se").exists():
        return root
    ledger.mkdir(parents=True, exist_ok=True)
    (root / "bokslut.toml").write_text(TOML, encoding="utf-8")
    accounts = [Account(a, NAMES.get(a, f"Konto {a}"), 0) for a in sorted({*REVENUE, *COSTS, *NAMES})]
    dims = [Dimension(1, "Verksamhet", 0), Dimension(6, "Projekt", 0)]
    objects = [Object(1, v, f"Verksamhet {v}", 0) for v in VERKSAMHET] + [
        Object(6, p, f"Projekt {p}", 0) for p in PROJEKT
    ]
    rnd = random.Random(3)
    opening = [
        Balance("IB", 0, "1930", 500_000_000_00, 0),
        Balance("IB", 0, "2010", -500_000_000_00, 0),
    ]
    for year in (2022, 2023):
        header = ledger_header(year)
        tmp = ledger / f"{year}.tmp"
        with tmp.open("wb") as out:
            write_sie(
                out,
                header,
                accounts=accounts,
                dimensions=dims,
                objects=objects,
                balances=opening if year == 2022 else [],
                period_balances=pbudget(year, rnd),
                vouchers=vouchers(year, vouchers_per_year, rnd),
            )
        tmp.replace(ledger / f"{year}.se")
    return root


def organisation_files(root: Path, *, present: bool) -> None:
    """data/organisation.csv (the 40 verksamheter as ansvar: 8 enheter, 4 förvaltningar, 2 nämnder),
    a budget per ansvar, data/investeringsprojekt.csv for the 60 projects and the pension,
    borgen, Kommuninvest, loan and leasing files; or none of them."""
    files = {
        "organisation.csv": "ansvar;namn;enhet;forvaltning;namnd\n"
        + "".join(
            f"{v};Ansvar {v};Enhet {i // 5};Förvaltning {i // 10};Nämnd {i // 20}\n"
            for i, v in enumerate(VERKSAMHET)
        ),
        "budget-ansvar.csv": "ansvar;belopp\n"
        + "".join(f"{v};-{1_000_000 + i}\n" for i, v in enumerate(VERKSAMHET)),
        "investeringsprojekt.csv": "projekt;namn;totalbudget_tkr;prognos_tkr\n"
        + "".join(f"{p};Projekt {p};{5000 + i};{5100 + i}\n" for i, p in enumerate(PROJEKT)),
        # Pensions, borgen, Kommuninvest, loans and leasing (bokslut.statements.commitments).
        "pension.csv": "ar;post;avsattning_tkr;ansvarsforbindelse_tkr\n"
        + "".join(
            f"{y};Ingående;{900 + k};{9600 - k}\n{y};Nyintjänad pension;120;\n"
            f"{y};Ränte- och basbeloppsuppräkning;30;250\n{y};Pensionsutbetalningar;-25;-850\n"
            f"{y};Aktualiseringsgrad;96;\n"
            for k, y in enumerate((2022, 2023))
        ),
        "borgen.csv": "ar;namn;kategori;belopp_tkr\n"
        + "".join(f"{y};Bolag {i};Kommunala bolag;{1000 * i}\n" for y in (2022, 2023) for i in range(1, 6)),
        "kommuninvest.csv": "ar;totala_forpliktelser_tkr;totala_tillgangar_tkr;andel_procent\n"
        "2022;500000000;505000000;0,08\n2023;612000000;620000000;0,0823\n",
        "lan.csv": "ar;langivare;belopp_tkr;ranta;forfallodag\n"
        + "".join(
            f"{y};Långivare {i % 4};{100 + i};{1 + i % 5};{y + 1 + i % 8}-06-30\n"
            for y in (2022, 2023)
            for i in range(40)
        ),
        "leasing.csv": "ar;avtal;inom_1_ar_tkr;1_till_5_ar_tkr;senare_an_5_ar_tkr\n"
        + "".join(f"{y};Avtal {i};{10 + i};{20 + i};{i % 3}\n" for y in (2022, 2023) for i in range(20)),
    }
    for name, content in files.items():
        path = root / "data" / name
        if present:
            path.write_text(content, encoding="utf-8")
        else:
            path.unlink(missing_ok=True)


def import_once(root: Path) -> float:
    from bokslut.ledger.store import open_store
    from bokslut.workspace.layout import Layout

    t0 = time.perf_counter()
    with open_store(Layout(root)) as store:
        n = store.con.execute('SELECT count(*) FROM "transaction"').fetchone()
    elapsed = time.perf_counter() - t0
    rows = f"{n[0] if n else 0:,}".replace(",", " ")
    print(f"lagret: {rows} transaktionsrader ({elapsed:.1f} s om det indexerades nu)")
    return elapsed


MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
RESULT = "BOKSLUT-BENCH-RESULT "
from bokslut.ledger.store import open_store
from bokslut.statements.build import compute
from bokslut.rounding import round_table
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout
layout = Layout(Path(sys.argv[1]))
config = load_config(layout.config)
t0 = time.perf_counter()
with open_store(layout) as store:
    t1 = time.perf_counter()
    s = compute(store.con, layout, config)
    rounded = [round_table(t) for t in s.tables]
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(RESULT + json.dumps({"open": t1 - t0, "compute": t2 - t1, "tables": len(rounded), "peak": peak}))
"""

# The measured process prints its figures on one line with this prefix: the rounding's
# LP solver (HiGHS) may print its own lines to stdout too, which json.loads would
# otherwise read as "Extra data".
RESULT_PREFIX = "BOKSLUT-BENCH-RESULT "


def parse_result(stdout: str) -> dict[str, float]:
    """The figures the measured process printed, whatever else it printed."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            data: dict[str, float] = json.loads(line[len(RESULT_PREFIX) :])
            return data
    raise SystemExit(f"mätprocessen skrev inget resultat:\n{stdout[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vouchers", type=int, default=500_000, help="vouchers per year (5 rows each)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--utan-organisation",
        action="store_true",
        help="without data/organisation and data/investeringsprojekt (no tables per nämnd or project)",
    )
    args = parser.parse_args()
    root = DATA / f"statements-{args.vouchers}x2"
    t0 = time.perf_counter()
    generate(root, args.vouchers)
    organisation_files(root, present=not args.utan_organisation)
    print(f"arbetsyta: {root} ({time.perf_counter() - t0:.1f} s att skapa/hitta)")
    import_once(root)
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, str(root)], capture_output=True, text=True, check=True
        )
        runs.append(parse_result(out.stdout))
    compute_s = [r["compute"] for r in runs]
    total_s = [r["open"] + r["compute"] for r in runs]
    peaks = [r["peak"] / 2**20 for r in runs]
    print(f"tabeller: {runs[0]['tables']}")
    print(
        f"alla tabeller (beräkna + avrunda): median {statistics.median(compute_s):.2f} s, bäst "
        f"{min(compute_s):.2f} s "
        f"(mål < 2 s)"
    )
    print(f"inklusive att öppna lagret: median {statistics.median(total_s):.2f} s")
    print(
        f"högsta minnesanvändning: median {statistics.median(peaks):.0f} MiB, "
        f"störst {max(peaks):.0f} MiB (mål < 1024 MiB)"
    )


if __name__ == "__main__":
    main()
