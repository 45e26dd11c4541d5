"""Speed of the personnel statistics and the operational key figures (issue 5).

Targets: one million tickets and five million calls to key figures in under 3 s;
20 000 employees with four years of absence records in under 2 s. Each timing
covers reading the CSV files, validating every row and computing all tables and
values (``build_part``). The data is generated here (numpy, fixed seed) into a
temporary workspace; generation is not timed.

    .venv/bin/python benchmarks/bench_followup.py [--tickets N] [--calls N] [--employees N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from bokslut.kpi import build_part as build_kpi_part
from bokslut.personnel import build_part as build_personnel_part
from bokslut.workspace.config import Config, Kpi, Organisation, OrgTyp, Rapport
from bokslut.workspace.layout import Layout

YEAR = 2023


def _timestamps(rng: np.random.Generator, n: int, years: int) -> np.ndarray:
    start = np.datetime64(f"{YEAR - years + 1}-01-01T00:00:00", "s")
    span = int(np.timedelta64(365 * years, "D") / np.timedelta64(1, "s"))
    return start + rng.integers(0, span, n).astype("timedelta64[s]")


def _write(path: Path, columns: dict[str, np.ndarray]) -> None:
    table = pa.table({k: pa.array(v.astype(str)) for k, v in columns.items()})
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def make_kpi(root: Path, tickets: int, calls: int) -> None:
    rng = np.random.default_rng(5)
    kpi_dir = root / "data" / "kpi"
    kpi_dir.mkdir(parents=True)
    created = _timestamps(rng, tickets, 3)
    response = created + rng.integers(60, 3 * 86400, tickets).astype("timedelta64[s]")
    solved = response + rng.integers(60, 10 * 86400, tickets).astype("timedelta64[s]")
    _write(
        kpi_dir / "arenden.csv",
        {
            "id": np.char.add("T", np.arange(tickets).astype(str)),
            "skapad": np.datetime_as_string(created),
            "prioritet": rng.choice(["akut", "hög", "normal", "låg"], tickets),
            "forsta_aterkoppling": np.datetime_as_string(response),
            "lost": np.datetime_as_string(solved),
            "kanal": rng.choice(["telefon", "e-post", "serviceportal", "besök"], tickets),
            "kategori": rng.choice(["incident", "beställning", "fråga"], tickets),
            "verksamhet": rng.choice(["IT", "Kundtjänst"], tickets),
            "forsta_linjen": rng.choice(["ja", "nej"], tickets),
        },
    )
    _write(
        kpi_dir / "samtal.csv",
        {
            "ko": rng.choice(["Kundtjänst", "IT-support", "Växel"], calls),
            "inkommande": np.datetime_as_string(_timestamps(rng, calls, 3)),
            "vantetid_s": rng.integers(0, 300, calls),
            "besvarat": rng.choice(["ja", "nej"], calls, p=[0.95, 0.05]),
        },
    )


def make_personnel(root: Path, employees: int) -> int:
    rng = np.random.default_rng(20)
    folder = root / "data" / "personal"
    folder.mkdir(parents=True)
    ids = np.arange(employees)
    start = np.datetime64("2015-01-01") + rng.integers(0, 9 * 365, employees).astype("timedelta64[D]")
    ends = start + rng.integers(200, 4000, employees).astype("timedelta64[D]")
    ongoing = rng.random(employees) < 0.6
    _write(
        folder / "anstallda.csv",
        {
            "anstallningsnummer": ids,
            "kon": rng.choice(["K", "M"], employees),
            "fodelsear": rng.integers(1958, 2004, employees),
            "anstallningsform": rng.choice(
                ["tillsvidare", "visstid", "vikariat"], employees, p=[0.8, 0.15, 0.05]
            ),
            "fran": np.datetime_as_string(start),
            "till": np.where(ongoing, "", np.datetime_as_string(ends)),
            "sysselsattningsgrad": rng.choice([100, 75, 80, 50], employees),
            "veckoarbetstid": np.full(employees, 40),
        },
    )
    per_person = 10 * 4  # about ten absences a year, four years
    n = employees * per_person
    who = np.repeat(ids, per_person)
    first = np.datetime64("2020-01-01") + rng.integers(0, 4 * 365, n).astype("timedelta64[D]")
    length = np.where(rng.random(n) < 0.02, rng.integers(60, 120, n), rng.integers(1, 8, n))
    _write(
        folder / "franvaro.csv",
        {
            "anstallningsnummer": who,
            "fran": np.datetime_as_string(first),
            "till": np.datetime_as_string(first + (length - 1).astype("timedelta64[D]")),
            "omfattning": rng.choice([100, 50, 25], n, p=[0.8, 0.15, 0.05]),
            "orsak": rng.choice(["sjuk", "vab", "semester"], n, p=[0.6, 0.2, 0.2]),
        },
    )
    return n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--employees", type=int, default=20_000)
    args = parser.parse_args()
    config = Config(
        organisation=Organisation(namn="Benchmark", typ=OrgTyp.KOMMUN),
        rapport=Rapport(ar=YEAR),
        kpi=Kpi(
            servicenivaer_min={"akut": 30, "hög": 120, "normal": 480, "låg": 2400},
            kontorstid="08:00-17:00",
        ),
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_kpi(root, args.tickets, args.calls)
        layout = Layout(root)
        t0 = time.perf_counter()
        part = build_kpi_part(layout, config, {})
        elapsed = time.perf_counter() - t0
        assert not part.findings, part.findings[:3]
        print(
            f"nyckeltal: {args.tickets:,} ärenden + {args.calls:,} samtal: {elapsed:.2f} s "
            f"(mål < 3 s), {len(part.tables)} tabeller, {len(part.values)} värden"
        )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        absences = make_personnel(root, args.employees)
        layout = Layout(root)
        t0 = time.perf_counter()
        part = build_personnel_part(layout, config, {})
        elapsed = time.perf_counter() - t0
        # Random periods overlap now and then; they are merged (and warned about), which the
        # timing includes.
        other = [f for f in part.findings if f.code != "overlappande-franvaro"]
        assert not other, other[:3]
        print(
            f"personal: {args.employees:,} anställda, {absences:,} frånvaroperioder (4 år): "
            f"{elapsed:.2f} s (mål < 2 s), {len(part.tables)} tabeller, "
            f"{len(part.findings)} varningar om överlappande sjukfrånvaro"
        )


if __name__ == "__main__":
    main()
