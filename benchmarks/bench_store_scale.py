"""The ledger store at a region's size: one year of 50 M rows, and ten such years in one workspace.

Generating 50 M rows as SIE text and importing them takes about ten minutes per year on a
2-core machine, so this benchmark writes the store's Parquet files **directly through the
store's own writer API** (``StagedWriter`` → ``Store.replace_files``, the path a streamed
import takes after its scan) from vouchers it generates as Arrow columns. Each year's file in
data/ledger is a real SIE 4E file with the header, accounts, dimensions, objects and #IB (no
#VER: its rows are those written through the API), so the store answers for it like for any
imported file. The sums (bokslut.ledger.sums) are written by ``replace_files`` as in an import.
To show that the real path writes the same, it also times a real ``bokslut import`` of a
generated SIE file at a smaller size (--import-vouchers).

Shape per year: vouchers of 10 rows; of the first 9, 70 % on result accounts (200) with a
verksamhet (600 objects, each using 40 accounts), 30 % on balance accounts (59) with a projekt
(3 000 objects) on the six investment accounts; the tenth on 1930; dates spread over the year.
No #RTRANS/#BTRANS here (tests/ledger/test_sums.py covers them).

Prints, with ``uptime`` before and after:
* the 50 M-row year: writing it; opening the store; all statement tables (``compute_for`` as a
  build runs it, full check included, and with the status check only); ``bokslut saldon`` end to
  end; last, drill-down from a table cell to its rows (cell → accounts → first page of vouchers
  with their rows → one voucher's rows), p50/p95 over --samples random cells, from the views
  over the rows unless --drill-index writes the drill-down index first;
* ten years: opening the store and computing the report year with four comparison years;
  re-importing one year (which files changed);
* peak memory of this process and of the subprocesses.

Targets (issue 13): statements < 2 s, saldon < 0.5 s, drill-down p95 < 50 ms, ten years < 3 s.
Data goes under --dir (default /tmp/storeagg) and is deleted at the end unless --keep. With
--keep and then --reuse, a second run measures the workspaces the first one wrote (writing ten
years of 50 M rows takes a quarter of an hour); --parts runs only some of the measurements.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).parent))

from bokslut.ledger import filehash
from bokslut.ledger.indexer import StagedWriter
from bokslut.ledger.parsed import Parsed
from bokslut.ledger.rowfiles import Verify, rows_dir
from bokslut.ledger.store import open_store, update_store
from bokslut.lock import writer_lock
from bokslut.sie.model import Account, Balance, Dimension, FiscalYear, Header, Object
from bokslut.sie.reader import read_sie
from bokslut.sie.writer import write_sie
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

RESULT = [f"{a}" for a in range(3010, 8990, 30)]  # 200 result accounts
BALANCE = [f"{a}" for a in range(1110, 2990, 32)]  # 59 balance accounts (and 1930)
INVESTMENT_ACCOUNTS = 6  # the first six balance accounts (1110–1270) carry a projekt
ACCOUNTS = RESULT + BALANCE
VERKSAMHET = [f"8{n:04d}" for n in range(600)]
PROJEKT = [f"P{n:05d}" for n in range(3000)]
TEXTS = [f"Faktura leverantör {n}" for n in range(1000)]
ROWS_PER_VOUCHER = 10
PIECE_VOUCHERS = 100_000
CONFIG_DIMS = "\n[dimensioner]\nverksamhet = 1\nprojekt = 6\n"
BOKSLUT = [sys.executable, "-m", "bokslut"]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _strings(values: list[str], idx: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), pa.array(values)).cast(pa.string())


def piece(year: int, first: int, n: int, total: int, rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    """Vouchers ``first`` … ``first + n`` of ``total`` in the year and their rows, as the scanner
    gives them."""
    v = np.arange(first, first + n, dtype=np.int64)
    epoch = (dt.date(year, 1, 1) - dt.date(1970, 1, 1)).days
    days = (epoch + (v * 365) // total).astype(np.int32)
    vouchers = pa.table(
        {
            "voucher_idx": v,
            "series": pa.array(["A"] * n),
            "number": pa.array((v + 1).astype(str)),
            "date": pa.array(days, pa.date32()),
            "text": _strings(TEXTS, rng.integers(0, len(TEXTS), n)),
            "regdate": pa.nulls(n, pa.date32()),
            "sign": pa.nulls(n, pa.string()),
            "line": v * (ROWS_PER_VOUCHER + 3) + 10,
        }
    )
    k = ROWS_PER_VOUCHER - 1
    # 70 % of rows on result accounts with a verksamhet, each verksamhet using 40 of the 200
    # result accounts; the rest on balance accounts, with a projekt on the investment accounts
    # (below 1300) and no object on the others; the tenth row on 1930.
    result = rng.random((n, k)) < 0.7
    verk = rng.integers(0, len(VERKSAMHET), (n, k))
    acc_r = (verk * 7 + rng.integers(0, 40, (n, k)) * 13) % len(RESULT)
    acc_b = len(RESULT) + rng.integers(0, len(BALANCE), (n, k))
    acc = np.where(result, acc_r, acc_b)
    investment = ~result & (acc_b < len(RESULT) + INVESTMENT_ACCOUNTS)
    proj = np.where(investment, rng.integers(0, len(PROJEKT), (n, k)), -1)
    verk = np.where(result, verk, len(VERKSAMHET))
    amount = rng.integers(100, 5_000_000, (n, k)) * np.where(rng.random((n, k)) < 0.3, -1, 1)
    amount = np.concatenate([amount, -amount.sum(axis=1, keepdims=True)], axis=1).ravel()
    acc = np.concatenate([acc, np.full((n, 1), len(ACCOUNTS))], axis=1).ravel()
    verk = np.concatenate([verk, np.full((n, 1), len(VERKSAMHET))], axis=1).ravel()
    proj = np.concatenate([proj, np.full((n, 1), -1)], axis=1).ravel()
    verk_s = _strings([f"1:{o}" for o in VERKSAMHET] + [""], verk)
    proj_s = pa.DictionaryArray.from_arrays(
        pa.array(np.where(proj < 0, 0, proj), pa.int32(), mask=proj < 0),
        pa.array([f"6:{p}" for p in PROJEKT]),
    ).cast(pa.string())
    # Never all null (pyarrow 26 drops such rows from the result): "" stands for no verksamhet.
    joined = pc.binary_join_element_wise(verk_s, proj_s, "|", null_handling="skip")
    objects = pc.if_else(pc.starts_with(joined, "|"), pc.utf8_slice_codeunits(joined, 1), joined)
    m = n * ROWS_PER_VOUCHER
    row_days = np.repeat(days, ROWS_PER_VOUCHER)
    rows = pa.table(
        {
            "voucher_idx": np.repeat(v, ROWS_PER_VOUCHER),
            "row_no": np.tile(np.arange(ROWS_PER_VOUCHER, dtype=np.int32), n),
            "kind": pa.array(["TRANS"] * m).dictionary_encode().cast(pa.string()),
            "account": _strings([*ACCOUNTS, "1930"], acc),
            "amount": pa.array(amount, pa.int64()),
            "date": pa.array(row_days, pa.date32()),
            "text": pa.nulls(m, pa.string()),
            "quantity": pa.nulls(m, pa.string()),
            "sign": pa.nulls(m, pa.string()),
            "objects": objects,
            "line": np.repeat(v * (ROWS_PER_VOUCHER + 3) + 11, ROWS_PER_VOUCHER)
            + np.tile(np.arange(ROWS_PER_VOUCHER), n),
        }
    )
    return vouchers, rows


def header_file(path: Path, year: int) -> None:
    """The year's SIE 4E file as data/ledger holds it: everything but the #VER."""
    header = Header(
        program="bench_store_scale",
        program_version="1",
        generated=dt.date(year + 1, 1, 20),
        sietyp=4,
        orgnr="232100-0000",
        fnamn="Region Benchmark",
        fiscal_years=(FiscalYear(0, dt.date(year, 1, 1), dt.date(year, 12, 31), 0),),
    )
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        write_sie(
            out,
            header,
            accounts=[Account(a, f"Konto {a}", 0) for a in sorted({*ACCOUNTS, "1930", "2010"})],
            dimensions=[Dimension(1, "Verksamhet", 0), Dimension(6, "Projekt", 0)],
            objects=[Object(1, o, f"Verksamhet {o}", 0) for o in VERKSAMHET]
            + [Object(6, p, f"Projekt {p}", 0) for p in PROJEKT],
            balances=[
                Balance("IB", 0, "1930", 900_000_000_00, 0),
                Balance("IB", 0, "2010", -900_000_000_00, 0),
            ],
        )
    tmp.replace(path)


def write_year(layout: Layout, year: int, rows: int, seed: int) -> float:
    """One fiscal year of ``rows`` rows written through the store's writer; returns seconds."""
    t0 = time.perf_counter()
    rel = f"data/ledger/{year}.se"
    path = layout.root / rel
    total = rows // ROWS_PER_VOUCHER
    rng = np.random.default_rng(seed)
    with writer_lock(layout), update_store(layout) as store:
        header_file(path, year)
        sie = read_sie(path, rel)
        writer = StagedWriter(layout.cache / "staging", f"bench-{year}", store.take_file_id())
        (layout.cache / "staging").mkdir(parents=True, exist_ok=True)
        for first in range(0, total, PIECE_VOUCHERS):
            vouchers, trans = piece(year, first, min(PIECE_VOUCHERS, total - first), total, rng)
            writer.write(vouchers, trans, [])
        staged = writer.close(total, total * ROWS_PER_VOUCHER, dt.date(year, 1, 1))
        sha = filehash.of_file(path)  # the digest the store knows a file by (else it reads it again)
        st = path.stat()
        store.replace_files([rel], [(rel, st.st_size, st.st_mtime_ns, Parsed(sie, sha, (), staged))])
    elapsed = time.perf_counter() - t0
    # The store must answer from the rows written here, not from the header file read again
    # (which has no vouchers): every figure below would then be measured on an empty year.
    with open_store(layout) as store:
        ids = store.con.execute("SELECT file_id FROM source_file WHERE fiscal_year = ?", [year]).fetchall()
        (counted,) = store.con.execute(
            f"SELECT count(*) FROM transaction WHERE file_id IN ({', '.join(str(i) for (i,) in ids)})"
        ).fetchone() or (0,)
    if counted != total * ROWS_PER_VOUCHER:
        raise SystemExit(f"år {year}: lagret visar {counted:,} rader, skrevs {total * ROWS_PER_VOUCHER:,}")
    return elapsed


def written(root: Path, years: range) -> bool:
    """Whether a kept workspace already holds these years (for --reuse)."""
    return (root / ".bokslut").is_dir() and all((root / f"data/ledger/{y}.se").is_file() for y in years)


def new_workspace(root: Path, year: int) -> Layout:
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(
        [*BOKSLUT, "new", str(root), "--org", "Region", "--orgtyp", "region", "--ar", str(year)],
        check=True,
        capture_output=True,
    )
    layout = Layout(root)
    layout.config.write_text(layout.config.read_text(encoding="utf-8") + CONFIG_DIMS, encoding="utf-8")
    layout.ledger_dir.mkdir(parents=True, exist_ok=True)
    return layout


def timed(run: object, repeat: int = 3) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


def show(label: str, seconds: list[float], target: str = "") -> None:
    print(f"  {label:<58} bäst {min(seconds):6.2f} s  median {statistics.median(seconds):6.2f} s  {target}")


def pct(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return f"p50 {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  max {ms[-1]:6.1f} ms"


def statements(layout: Layout, verify: Verify) -> None:
    from bokslut.statements import compute_for

    compute_for(layout, load_config(layout.config), verify=verify)


def saldon(layout: Layout) -> None:
    subprocess.run([*BOKSLUT, "saldon", str(layout.root)], check=True, capture_output=True)


def drill_down(layout: Layout, samples: int, index: bool) -> None:
    from bench_drilldown import money_cells

    from bokslut.ledger.drilldown import prepare, voucher_rows
    from bokslut.pipeline.drill import open_drill

    rng = random.Random(13)
    if index:
        from bench_drilldown import write_index

        print(f"  {write_index(layout.root)}; uptime: {uptime()}", flush=True)
    t0 = time.perf_counter()
    with open_drill(layout, load_config(layout.config)) as (drill, _):
        assert drill.store is not None
        opened = time.perf_counter() - t0
        if index:
            t0 = time.perf_counter()
            for year in drill.store.fiscal_years():
                prepare(drill.store, year)
            print(f"  härledningsindex redan skrivet ({time.perf_counter() - t0:.1f} s)")
        else:
            # As a server's pages answer while it writes the index in the background: from the
            # views over the rows (writing the index of 50 M rows took over 14 minutes here).
            drill.store.drill_build = False
        state = "med" if index else "utan"
        print(f"  rapporten beräknad och lagret öppnat {opened:.1f} s; {state} härledningsindex")
        cells = money_cells(drill)
        whole = "hela vägen cell → rader"
        levels: dict[str, list[float]] = {
            "cell → konton": [],
            "konto → första sidan verifikationer": [],
            "verifikation → rader": [],
            whole: [],
        }
        for ref in [rng.choice(cells) for _ in range(samples * 3)]:
            if len(levels[whole]) >= samples:
                break
            t_start = time.perf_counter()
            breakdown = drill.explain(ref)
            t1 = time.perf_counter()
            leaves = [leaf for _, leaf in breakdown.leaves() if leaf.kind == "huvudbok" and leaf.movements]
            pairs = [(leaf, a.account) for leaf in leaves for a in leaf.accounts if a.movement]
            if not pairs:
                continue
            leaf, account = rng.choice(pairs)
            t2 = time.perf_counter()
            page = drill.vouchers(leaf, account)
            t3 = time.perf_counter()
            if not page.vouchers or leaf.selection is None:
                continue
            voucher_rows(drill.store, leaf.selection.fiscal_year, page.vouchers[0].voucher_id, leaf.selection)
            t4 = time.perf_counter()
            levels["cell → konton"].append((t1 - t_start) * 1000)
            levels["konto → första sidan verifikationer"].append((t3 - t2) * 1000)
            levels["verifikation → rader"].append((t4 - t3) * 1000)
            levels[whole].append((t1 - t_start + t4 - t2) * 1000)
    if not levels[whole]:
        raise SystemExit("härledningen nådde inga rader: ingen cell mättes")
    for label, ms in levels.items():
        if ms:
            print(f"  {label:<40} {pct(ms)}  (n={len(ms)}; mål p95 < 50 ms)")


def ten_years(layout: Layout) -> None:
    from bokslut.statements.build import compute
    from bokslut.statements.facts import load_facts

    config = load_config(layout.config)
    year = config.rapport.ar

    def facts() -> None:
        with open_store(layout) as store:
            load_facts(store.con, year, None, years_back=4, result_dims=(1,), balance_dims=(6,))

    def report() -> None:
        with open_store(layout) as store:
            compute(store.con, layout, config)

    show("öppna lagret + läsa årets och fyra jämförelseårs summor", timed(facts), "(mål < 3 s)")
    show("öppna lagret + alla rapporttabeller (statuskontroll)", timed(report), "(mål < 3 s)")
    show("samma med full kontroll (som build)", timed(lambda: statements(layout, "full")), "(mål < 3 s)")


def real_import(root: Path, vouchers: int) -> None:
    from generate_ledger import generate

    path = generate(root.parent / f"import-{vouchers}x5.se", vouchers, 5)
    layout = new_workspace(root, 2023)
    t0 = time.perf_counter()
    r = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *BOKSLUT, "import", str(root), str(path), "-q"],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    peak = int(r.stderr.strip().splitlines()[-1]) // 1024
    sums = sorted(p.name.split(".")[1] for p in rows_dir(layout).glob("*.sums-*"))
    print(
        f"  verklig 'bokslut import' av {vouchers * 5:,} rader ({path.stat().st_size / 1e6:.0f} MB): "
        f"{seconds:.1f} s, topp {peak} MB; summor skrivna: {sums}".replace(",", " ")
    )
    show("  saldon på den", timed(lambda: saldon(layout)), "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000_000, help="rows in the large year")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument(
        "--year-rows", type=int, default=None, help="rows per year of the ten (default --rows)"
    )
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument(
        "--import-vouchers", type=int, default=400_000, help="a real import of this many ×5 rows"
    )
    parser.add_argument("--dir", type=Path, default=Path("/tmp/storeagg"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure the workspaces a --keep run left")
    parser.add_argument(
        "--parts",
        default="one,ten,reimport,import,drill",
        help="which measurements: one (the 50 M-row year), ten, reimport, import, drill",
    )
    parser.add_argument("--drill-index", action="store_true", help="write the drill-down index first")
    parser.add_argument(
        "--drill-only", action="store_true", help="only the drill-down, on the large year a --keep run left"
    )
    args = parser.parse_args()
    base = args.dir / "bench"
    parts = set(args.parts.split(","))
    print(f"uptime: {uptime()}")
    if args.drill_only:
        print(f"Härledning på året i {base / 'one'}:")
        drill_down(Layout(base / "one"), args.samples, args.drill_index)
        print(f"toppminne: denna process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
        print(f"uptime: {uptime()}")
        return
    try:
        one = Layout(base / "one")
        if parts & {"one", "drill"}:
            rows = f"{args.rows:,}".replace(",", " ")
            print(f"Ett år med {rows} rader (skrivet genom lagrets eget skrivar-API, se docstring):")
            if not (args.reuse and written(one.root, range(2030, 2031))):
                one = new_workspace(one.root, 2030)
                print(f"  skrivet (rader, summor, index) på {write_year(one, 2030, args.rows, 1):.1f} s")
        if "one" in parts:
            show("öppna lagret (statuskontroll)", timed(lambda: open_store(one).close()), "")
            show(
                "alla rapporttabeller, full kontroll (som build)",
                timed(lambda: statements(one, "full")),
                "(mål < 2 s)",
            )
            show(
                "alla rapporttabeller, statuskontroll", timed(lambda: statements(one, "stat")), "(mål < 2 s)"
            )
            show(
                "bokslut saldon (hela kommandot, processtart inräknad)",
                timed(lambda: saldon(one)),
                "(mål < 0,5 s)",
            )
            print(f"uptime: {uptime()}")

        if parts & {"ten", "reimport"}:
            per_year = args.year_rows or args.rows
            print(f"{args.years} år med {per_year:,} rader vardera i en arbetsyta:".replace(",", " "))
            first = 2030 - args.years + 1
            ten = Layout(base / "ten")
            if not (args.reuse and written(ten.root, range(first, 2031))):
                ten = new_workspace(ten.root, 2030)
                for y in range(first, 2031):
                    print(f"  år {y} skrivet på {write_year(ten, y, per_year, y):.1f} s", flush=True)
            if "ten" in parts:
                ten_years(ten)
            if "reimport" in parts:
                before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in rows_dir(ten).iterdir()}
                t = write_year(ten, first, per_year, 99)
                after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in rows_dir(ten).iterdir()}
                kept = {n for n in before if after.get(n) == before[n]}
                gone = sorted(set(before) - kept)
                print(
                    f"  år {first} läst in på nytt på {t:.1f} s: {len(kept)} av {len(before)} filer "
                    f"orörda; bytta: {gone}"
                )
                ten_years(ten)
            print(f"uptime: {uptime()}")

        if "import" in parts:
            print("Verklig import i mindre skala:")
            real_import(base / "import", args.import_vouchers)
            print(f"uptime: {uptime()}")
        if "drill" in parts:
            print(f"Härledning på året med {args.rows:,} rader:".replace(",", " "))
            drill_down(one, args.samples, args.drill_index)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"toppminne: denna process {me} MB, underprocesser {kids} MB")
    print(f"uptime: {uptime()}")


if __name__ == "__main__":
    main()
