"""Speed and memory of `bokslut import` and `bokslut saldon` on a large municipality's year.

Generates (once, cached in benchmarks/data/) a SIE 4E file of 1 million vouchers with
5 million #TRANS rows, two dimensions and texts with quotes and Swedish letters, then
measures, each in a fresh process so peak memory is the command's own:

* reading the file's lines in plain Python (the floor any Python reader stands on);
* `bokslut import` end to end as the user runs it (`python -m bokslut import -q --json`, a
  child of the measuring process: process start, read, validate, store);
* `bokslut saldon` on the store, for the whole organisation and for one object.

Targets: import ≥ 2 000 000 #TRANS rows per second and at most 3× the line read (issue 13;
issue 2 asked for 1 000 000), peak memory < 2 GB; saldon < 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_ledger import default_path, generate

MEASURE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - t0
usage = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
peak = max(u.ru_maxrss for u in usage) * 1024
print(json.dumps({{"seconds": elapsed, "peak_bytes": peak, "extra": extra}}))
"""

READ_LINES = """
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        n += 1
extra = n
"""

IMPORT = """
import subprocess
out = subprocess.run(
    [sys.executable, "-m", "bokslut", "import", "-q", "--json", sys.argv[2], sys.argv[1]],
    capture_output=True, text=True, check=True,
).stdout
extra = json.loads(out)["files"][0]["transactions"]
"""

SALDON = """
from pathlib import Path
from bokslut.ledger.queries import trial_balance, parse_object
from bokslut.ledger.store import open_store
from bokslut.workspace.layout import Layout
with open_store(Layout(Path(sys.argv[2]))) as store:
    obj = parse_object(sys.argv[3]) if len(sys.argv) > 3 else None
    tb = trial_balance(store, 2023, None, obj)
extra = len(tb.rows)
"""


def run(body: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE.format(body=body), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=5, help="rows per voucher")
    args = parser.parse_args()
    path = generate(default_path(args.vouchers, args.rows), args.vouchers, args.rows)
    size = path.stat().st_size
    print(
        f"fil: {path.name}, {size / 1e6:.0f} MB, {args.vouchers:,} verifikationer, "
        f"{args.vouchers * args.rows:,} #TRANS"
    )
    # warm the page cache
    path.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bokslut",
                "new",
                f"{tmp}/warm",
                "--org",
                "B",
                "--orgtyp",
                "kommun",
                "--ar",
                "2023",
            ],
            check=True,
            capture_output=True,
        )
        # An import of its own first: on a fresh clone it compiles the scanner's kernels
        # (tens of seconds, once), which no later import pays.
        subprocess.run(
            [sys.executable, "-m", "bokslut", "import", "-q", f"{tmp}/warm", str(path)],
            check=True,
            capture_output=True,
        )
        lines = run(READ_LINES, str(path))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bokslut",
                "new",
                f"{tmp}/ws",
                "--org",
                "B",
                "--orgtyp",
                "kommun",
                "--ar",
                "2023",
            ],
            check=True,
            capture_output=True,
        )
        imp = run(IMPORT, str(path), f"{tmp}/ws")
        rows = int(imp["extra"])
        saldon = run(SALDON, str(path), f"{tmp}/ws")
        saldon_obj = run(SALDON, str(path), f"{tmp}/ws", "1:81007")
    rate = rows / imp["seconds"]
    print(f"läsa filens rader i Python:   {lines['seconds']:.2f} s ({lines['extra']:,} rader)")
    print(
        f"bokslut import:               {imp['seconds']:.2f} s, {rate:,.0f} #TRANS/s, "
        f"topp {imp['peak_bytes'] / 2**30:.2f} GiB  (mål ≥ 2 000 000/s, < 2 GB)"
    )
    print(f"  kvot mot att bara läsa raderna: {imp['seconds'] / lines['seconds']:.1f}  (mål ≤ 3)")
    print(f"bokslut saldon (alla konton):  {saldon['seconds']:.3f} s  (mål < 0,5 s)")
    print(f"bokslut saldon (ett objekt):   {saldon_obj['seconds']:.3f} s")


if __name__ == "__main__":
    main()
