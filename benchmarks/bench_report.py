"""End-to-end speed of `bokslut build` (issue 4), as a user runs it.

1. examples/lystkom-2023 (a copy, so the example stays clean) in all formats
   (html, pdf, docx, xlsx, json); target under 5 s.
2. A workspace made with `bokslut new` (verksamhet and projekt dimensions set) holding
   the 5-million-row benchmark ledger
   (benchmarks/generate_ledger.py: 1 000 000 vouchers × 5 rows, generated once and
   cached), imported once, then built in all formats; target under 10 s.

Each build runs as its own process (`bokslut build --quiet`); the best of three
runs is reported, with every run's time.

``--shape`` (issue 13) takes the large ledger from generate_shapes.py instead (e.g. ``dims``:
90 000 ansvar and 10 000 projekt on the rows). Its workspace is set up as a region would:
``[dimensioner] ansvar = 1`` with data/organisation.csv placing every ansvar in one of 600
enheter, 60 förvaltningar and 12 nämnder, and ``projekt = 6``. ``--years 5`` imports that
many years of it (the report year 2023 and the years before, each its own draw), so the report
has its four comparison years; as the draws do not carry one year's closing balances into the
next, `bokslut check` rightly stops them, and they are built with ``--utkast`` (all the same
work, every page marked as a draft). ``--data`` keeps the generated ledgers between runs;
``--utan-exempel`` skips the example.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import generate_shapes
from generate_ledger import default_path, generate

ROOT = Path(__file__).resolve().parents[1]


def bokslut(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bokslut", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def timed_builds(ws: Path, out: Path, runs: int, *flags: str) -> list[float]:
    times = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        times.append(bokslut("build", str(ws), "--ut", str(out), "--quiet", *flags))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--shape", choices=generate_shapes.SHAPES[1:], help="a ledger of generate_shapes.py")
    parser.add_argument("--years", type=int, default=1, help="years of --shape's ledger, 2023 the last")
    parser.add_argument("--data", type=Path, help="where generate_shapes.py's ledger is kept")
    parser.add_argument("--utan-exempel", action="store_true", help="only the large ledger")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.utan_exempel:
            ws = Path(tmp) / "lystkom-2023"
            shutil.copytree(
                ROOT / "examples" / "lystkom-2023", ws, ignore=shutil.ignore_patterns(".bokslut", "build")
            )
            bokslut("build", str(ws), "--ut", f"{tmp}/warm", "--quiet")  # indexes the ledger once
            example = timed_builds(ws, Path(tmp) / "out-example", args.runs)
            print(
                f"examples/lystkom-2023, alla format: bäst {min(example):.2f} s "
                f"({', '.join(f'{t:.2f}' for t in example)})  (mål < 5 s)"
            )

        big = Path(tmp) / "stor"
        bokslut("new", str(big), "--org", "Benchmarks kommun", "--orgtyp", "kommun", "--ar", "2023")
        if args.shape is None:
            ledgers = [generate(default_path(args.vouchers), args.vouchers)]
            # Verksamhet and projekt as the generator writes them: 120 verksamheter in the
            # driftredovisning, 400 projects in the investment figures.
            dimensions = "\n[dimensioner]\nverksamhet = 1\nprojekt = 6\n"
        else:
            data = args.data or Path(tmp)
            years = range(2024 - args.years, 2024)
            ledgers = [
                generate_shapes.generate(args.shape, data, args.vouchers, y, 1 if y == 2023 else y)
                for y in years
            ]
            generate_shapes.organisation(big / "data" / "organisation.csv")
            dimensions = generate_shapes.REGION_DIMENSIONS
        with (big / "bokslut.toml").open("a", encoding="utf-8") as f:
            f.write(dimensions)
        imported = sum(bokslut("import", str(big), str(ledger), "--quiet") for ledger in ledgers)
        draft = ("--utkast",) if len(ledgers) > 1 else ()
        large = timed_builds(big, Path(tmp) / "out-large", args.runs, *draft)
        rows = args.vouchers * 5
        name = args.shape or "generate_ledger"
        print(
            f"huvudbok {name}, {len(ledgers)} år med {rows:,} #TRANS vart: import {imported:.2f} s (en gång)"
        )
        print(
            f"  bokslut build, alla format: bäst {min(large):.2f} s "
            f"({', '.join(f'{t:.2f}' for t in large)})  (mål < 10 s)"
        )


if __name__ == "__main__":
    main()
