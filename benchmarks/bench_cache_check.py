"""What the cache's self-check costs on a large municipality's year (issue 9).

Uses the same file as bench_import.py (1 million vouchers, 5 million #TRANS rows, generated
once into benchmarks/data/), imports it into a fresh workspace, then measures, each in a
fresh process and best of three (the page cache warm, as on a second run):

* opening the store with the check made on every open (size, mtime, inode, ctime, edges);
* opening it with ``verify="full"`` (CRC-32 of every rows file, SHA-256 of every ledger file),
  as `bokslut build` and `bokslut check` do;
* the CRC-32 alone (what the full check reads of the cache);
* `bokslut saldon`'s work (imports, open and trial balance), as bench_import.py measures it.

The opens are timed from after the imports.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_import import IMPORT, SALDON, run
from generate_ledger import default_path, generate

OPEN = """
from pathlib import Path
from bokslut.ledger.store import open_store
from bokslut.workspace.layout import Layout
t0 = time.perf_counter()  # the open, not the imports
with open_store(Layout(Path(sys.argv[2])), verify=sys.argv[3]) as store:
    extra = len(store.findings)
"""

CRC = """
from pathlib import Path
from bokslut.ledger.rowfiles import _crc32, rows_dir
from bokslut.workspace.layout import Layout
import os
t0 = time.perf_counter()
extra = 0
for p in sorted(rows_dir(Layout(Path(sys.argv[2]))).glob("*.parquet")):
    fd = os.open(p, os.O_RDONLY)
    _crc32(fd)
    os.close(fd)
    extra += p.stat().st_size
"""


def best(body: str, *args: str, times: int = 3) -> dict[str, float]:
    runs = [run(body, *args) for _ in range(times)]
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=5, help="rows per voucher")
    args = parser.parse_args()
    path = generate(default_path(args.vouchers, args.rows), args.vouchers, args.rows)
    print(f"fil: {path.name}, {path.stat().st_size / 1e6:.0f} MB, {args.vouchers * args.rows:,} #TRANS")
    with tempfile.TemporaryDirectory() as tmp:
        ws = f"{tmp}/ws"
        subprocess.run(
            [sys.executable, "-m", "bokslut", "new", ws, "--org", "B", "--orgtyp", "kommun", "--ar", "2023"],
            check=True,
            capture_output=True,
        )
        run(IMPORT, str(path), ws)
        rows_bytes = sum(p.stat().st_size for p in Path(ws, ".bokslut", "rows").glob("*.parquet"))
        best(OPEN, str(path), ws, "full")  # warm the page cache with every byte read
        stat = best(OPEN, str(path), ws, "stat")
        full = best(OPEN, str(path), ws, "full")
        crc = best(CRC, str(path), ws)
        saldon = best(SALDON, str(path), ws)
        findings = int(stat["extra"] + full["extra"])
    print(f"radfilerna: {rows_bytes / 1e6:.0f} MB")
    print(f"öppna lagret, kontroll vid varje öppning:  {stat['seconds']:.3f} s")
    print(f"öppna lagret, full kontroll (build/check): {full['seconds']:.3f} s")
    print(f"  varav CRC-32 av radfilerna:               {crc['seconds']:.3f} s")
    print(f"bokslut saldon (import av moduler, öppna, saldolista): {saldon['seconds']:.3f} s")
    assert findings == 0, "the store was rebuilt while measuring"


if __name__ == "__main__":
    main()
