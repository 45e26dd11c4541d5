"""Speed of drill-down (`bokslut harled`, the web's drill-down pages) on a large municipality's year.

Uses the 5 M-row ledger of bench_import.py (generated once into benchmarks/data/), imports it
into a temporary workspace with verksamhet and projekt dimensions, computes the report once
(as the web application does when it starts) and writes the drill-down index
(`bokslut.ledger.drilldown.prepare`). Then it times 200 random drill-downs at each level:

* cell → accounts: `Drill.explain` of a random money cell of the statements;
* account → the first page of its vouchers: `Drill.vouchers` (totals over all rows);
* voucher → its rows: `voucher_rows`.

Target (issue 10): p95 under 50 ms at every level. Run it niced on a shared machine:
`nice python benchmarks/bench_drilldown.py`. ``--shape`` takes the ledger from
generate_shapes.py instead (e.g. ``dims``: two objects on every row, nearly every row's object
list its own; ``longtext``: its texts read from the ledger file when the index is written),
with a region's settings: ``[dimensioner] ansvar`` and data/organisation.csv
(generate_shapes.organisation), so the driftredovisning is per nämnd.
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import generate_shapes
from generate_ledger import default_path, generate

from bokslut.drilldown import Breakdown, Drill
from bokslut.ledger.drilldown import prepare, voucher_rows
from bokslut.pipeline.drill import open_drill
from bokslut.table import CellRef, ColumnKind
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

DIMENSIONS = "\n[dimensioner]\nverksamhet = 1\nprojekt = 6\n"


def percentiles(seconds: list[float]) -> tuple[float, float, float]:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return statistics.median(ms), p95, ms[-1]


def timed(samples: list[Callable[[], object]]) -> list[float]:
    out = []
    for run in samples:
        t0 = time.perf_counter()
        run()
        out.append(time.perf_counter() - t0)
    return out


_PREPARE = """
import sys, time
from pathlib import Path
from bokslut.ledger.drilldown import prepare
from bokslut.ledger.store import open_store
from bokslut.workspace.layout import Layout
with open_store(Layout(Path(sys.argv[1]))) as store:
    t0 = time.perf_counter()
    for year in store.fiscal_years():
        prepare(store, year)
    print(time.perf_counter() - t0)
"""


def write_index(root: Path) -> str:
    """Write the drill-down index in a process of its own: its time, peak memory and size on disk."""
    r = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-c", _PREPARE, str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = float(r.stdout.strip().splitlines()[-1])
    peak = int(r.stderr.strip().splitlines()[-1]) // 1024
    folder = Layout(root).cache / "drill"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
    return f"härledningsindex skrivet på {seconds:.1f} s, toppminne {peak} MB, {size / 1e6:.0f} MB på disk"


def money_cells(drill: Drill) -> list[CellRef]:
    cells = []
    for tid, t in drill.tables.items():
        for row in t.rows:
            for col in t.columns:
                if (row.column_kind or col.kind) is ColumnKind.MONEY and row.values.get(col.id) is not None:
                    cells.append(CellRef(tid, row.id, col.id))
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=5, help="rows per voucher")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--workspace", type=Path, help="an existing workspace to use (not imported again)")
    parser.add_argument("--shape", choices=generate_shapes.SHAPES, help="a ledger of generate_shapes.py")
    parser.add_argument("--data", type=Path, help="where generate_shapes.py's ledger is kept")
    args = parser.parse_args()
    rng = random.Random(10)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workspace
        if root is None:
            path = (
                generate(default_path(args.vouchers, args.rows), args.vouchers, args.rows)
                if args.shape is None
                else generate_shapes.generate(args.shape, args.data or Path(tmp), args.vouchers)
            )
            root = Path(tmp) / "ws"
            bokslut = [sys.executable, "-m", "bokslut"]
            subprocess.run(
                [*bokslut, "new", str(root), "--org", "B", "--orgtyp", "kommun", "--ar", "2023"],
                check=True,
                capture_output=True,
            )
            if args.shape not in (None, "present"):
                generate_shapes.organisation(root / "data" / "organisation.csv")
                with (root / "bokslut.toml").open("a", encoding="utf-8") as f:
                    f.write(generate_shapes.REGION_DIMENSIONS)
            subprocess.run([*bokslut, "import", str(root), str(path), "-q"], check=True, capture_output=True)
        config_path = Layout(root).config
        if "[dimensioner]" not in config_path.read_text(encoding="utf-8"):
            config_path.write_text(config_path.read_text(encoding="utf-8") + DIMENSIONS, encoding="utf-8")
        layout = Layout(root)
        print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        print(write_index(root), flush=True)
        t0 = time.perf_counter()
        with open_drill(layout, load_config(layout.config)) as (drill, _):
            setup = time.perf_counter() - t0
            assert drill.store is not None
            t0 = time.perf_counter()
            for year in drill.store.fiscal_years():
                prepare(drill.store, year)
            index = time.perf_counter() - t0

            cells = money_cells(drill)
            picked = [rng.choice(cells) for _ in range(args.samples)]
            level1 = timed([functools.partial(drill.explain, ref) for ref in picked])

            leaves: list[Breakdown] = []
            for ref in cells:
                leaves += [
                    leaf
                    for _, leaf in drill.explain(ref).leaves()
                    if leaf.kind == "huvudbok" and leaf.movements
                ]
            pairs = [(leaf, a.account) for leaf in leaves for a in leaf.accounts if a.movement]
            chosen = [rng.choice(pairs) for _ in range(args.samples)]
            pages = []

            def first_page(leaf: Breakdown, account: str) -> None:
                pages.append((leaf, drill.vouchers(leaf, account)))

            level2 = timed([functools.partial(first_page, *p) for p in chosen])

            vouchers = [(leaf, v.voucher_id) for leaf, page in pages for v in page.vouchers]
            chosen_v = [rng.choice(vouchers) for _ in range(args.samples)]
            store = drill.store

            def rows(leaf: Breakdown, vid: int) -> None:
                assert leaf.selection is not None
                voucher_rows(store, leaf.selection.fiscal_year, vid, leaf.selection)

            level3 = timed([functools.partial(rows, *p) for p in chosen_v])

    print(f"rapporten beräknad och lagret öppnat: {setup:.1f} s; index (redan skrivet): {index:.1f} s")
    print(f"{args.samples} slumpvisa härledningar per nivå (ms):      p50     p95     max   (mål p95 < 50)")
    for label, seconds in (
        ("cell → konton", level1),
        ("konto → första sidan verifikationer", level2),
        ("verifikation → rader", level3),
    ):
        p50, p95, top = percentiles(seconds)
        print(f"  {label:<38} {p50:7.1f} {p95:7.1f} {top:7.1f}")
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
