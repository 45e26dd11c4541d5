"""Speed of report-wide rounding (issue 8): `round_report` over every table of a report.

1. examples/lystkom-2023 (a copy): every table of the report; target under 0.2 s.
2. A generated two-year ledger with 120 verksamheter and 400 projects (the shape of
   benchmarks/generate_ledger.py), through `bokslut new`/`import` and the real statements,
   personnel, key figures and goals: every table; target under 1 s.
3. Synthetic reports in several shapes (verksamheter × cost kinds × years, with budget and
   avvikelse columns, a statement line and a note per kind that share the ledger rows), to
   see how the time grows; the 120-verksamhet shapes have the same target, under 1 s.

Only `round_report` is timed (the tables are computed first); the best of `--runs` is
reported with every run's time.
"""

from __future__ import annotations

import argparse
import functools
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_ledger import generate

from bokslut.pipeline.areas import report_parts
from bokslut.rounding import round_report
from bokslut.statements.engine import fill_derived
from bokslut.table import Column, Row, RowKind, Source, Table, with_sums
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

ROOT = Path(__file__).resolve().parents[1]


def best(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds per run; on a shared machine the best run is the fairest figure."""
    fn()  # warm: imports, HiGHS's first instance
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report_tables(ws: Path) -> dict[str, Table]:
    layout = Layout(ws)
    return {t.id: t for p in report_parts(layout, load_config(layout.config)) for t in p.tables}


def show(what: str, tables: Mapping[str, Table], times: list[float], target: float | None) -> None:
    cells = sum(len(r.values) for t in tables.values() for r in t.rows)
    goal = f"  (mål < {target:g} s)" if target else ""
    print(
        f"{what}: {len(tables)} tabeller, {cells} celler: bäst {min(times) * 1000:.0f} ms "
        f"({', '.join(f'{t * 1000:.0f}' for t in times)}){goal}"
    )


def bokslut(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "bokslut", *args], check=True, capture_output=True)


def synthetic(verks: int, kinds: int, years: int, seed: int = 1) -> dict[str, Table]:
    rnd = random.Random(seed)
    accounts = [f"{5000 + 10 * k}" for k in range(kinds)]
    cols: list[Column] = []
    for y in range(years):
        suffix = "" if y == 0 else f"_fg{y}"
        cols += [
            Column(f"budget{suffix}", "Budget"),
            Column(f"utfall{suffix}", str(2023 - y)),
            Column(f"avvikelse{suffix}", "Avvikelse", derived=(f"budget{suffix}", "-", f"utfall{suffix}")),
        ]
    data_cols = [c for c in cols if c.derived is None]
    value = {
        (v, k, c.id): Decimal(rnd.randint(-(10**9), 10**9)).scaleb(-2)
        for v in range(verks)
        for k in range(kinds)
        for c in data_cols
    }

    def src(k: int, cid: str, objects: list[str] | None, sign: int) -> Source:
        year = 2023 - (0 if "_fg" not in cid else int(cid.rsplit("_fg", 1)[1]))
        kind = "budget" if cid.startswith("budget") else "utfall"
        flt: dict[str, object] = (
            {"budget": True, "year": year, "accounts": [accounts[k]], "sign": sign}
            if kind == "budget"
            else {"accounts": [accounts[k]], "from": f"{year}-01-01", "to": f"{year}-12-31", "sign": sign}
        )
        if objects:
            flt["objects"] = objects
        return Source(flt)

    drift: list[Row] = []
    for v in range(verks):
        ids = [f"{v}.{k}" for k in range(kinds)]
        drift += [
            Row(
                f"{v}.{k}",
                f"Slag {k}",
                values={c.id: value[(v, k, c.id)] for c in data_cols},
                sources={c.id: src(k, c.id, [f"1:{v}"], -1) for c in data_cols},
            )
            for k in range(kinds)
        ]
        drift.append(Row(f"{v}.summa", f"Verksamhet {v}", RowKind.SUBTOTAL, parts=tuple(ids)))
    drift.append(
        Row(
            "totalt",
            "Totalt",
            RowKind.TOTAL,
            parts=tuple(f"{v}.summa" for v in range(verks)),
            quantity="resultat",
        )
    )
    tables = {"drift": fill_derived(with_sums(Table("drift", "Driftredovisning", tuple(cols), tuple(drift))))}
    rr_cols = tuple(c for c in data_cols if c.id.startswith("utfall"))
    rr = [
        Row(
            f"k{k}",
            f"Slag {k}",
            values={c.id: sum((value[(v, k, c.id)] for v in range(verks)), Decimal(0)) for c in rr_cols},
            sources={c.id: src(k, c.id, None, -1) for c in rr_cols},
            note=f"not{k}",
        )
        for k in range(kinds)
    ]
    rr.append(
        Row(
            "resultat",
            "Årets resultat",
            RowKind.TOTAL,
            parts=tuple(f"k{k}" for k in range(kinds)),
            quantity="resultat",
        )
    )
    tables["rr"] = with_sums(Table("rr", "Resultaträkning", rr_cols, tuple(rr)))
    for k in range(kinds):
        rows = [
            Row(
                f"v{v}",
                f"Verksamhet {v}",
                values={c.id: -value[(v, k, c.id)] for c in data_cols},
                sources={c.id: src(k, c.id, [f"1:{v}"], 1) for c in data_cols},
            )
            for v in range(verks)
        ]
        rows.append(Row("summa", "Summa", RowKind.TOTAL, parts=tuple(f"v{v}" for v in range(verks))))
        tables[f"not{k}"] = with_sums(Table(f"not{k}", f"Not {k}", tuple(data_cols), tuple(rows)))
    return tables


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vouchers", type=int, default=20_000, help="per year, in the generated ledger")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "lystkom-2023"
        shutil.copytree(
            ROOT / "examples" / "lystkom-2023", ws, ignore=shutil.ignore_patterns(".bokslut", "build")
        )
        tables = report_tables(ws)
        show("examples/lystkom-2023", tables, best(lambda: round_report(tables), args.runs), 0.2)

        big = Path(tmp) / "stor"
        bokslut("new", str(big), "--org", "Benchmarks kommun", "--orgtyp", "kommun", "--ar", "2023")
        with (big / "bokslut.toml").open("a", encoding="utf-8") as f:
            f.write("\n[dimensioner]\nverksamhet = 1\nprojekt = 6\n")
        for year, seed in ((2022, 2), (2023, 1)):
            ledger = generate(Path(tmp) / f"{year}.se", args.vouchers, year=year, seed=seed)
            bokslut("import", str(big), str(ledger), "--quiet")
        tables = report_tables(big)
        show(
            "120 verksamheter, 2 år (genererad huvudbok)",
            tables,
            best(lambda: round_report(tables), args.runs),
            1.0,
        )

    for verks, kinds, years in ((30, 4, 2), (120, 4, 2), (120, 8, 3), (240, 8, 3)):
        tables = synthetic(verks, kinds, years)
        target = 1.0 if verks == 120 else None
        show(
            f"syntetisk: {verks} verksamheter × {kinds} slag × {years} år",
            tables,
            best(functools.partial(round_report, tables), args.runs),
            target,
        )


if __name__ == "__main__":
    main()
