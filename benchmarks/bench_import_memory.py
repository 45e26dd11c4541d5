"""Peak memory of `bokslut import` on one large file: does it stay flat as the file grows?

Generates a file of ``--rows`` million #TRANS rows (five per voucher) of one shape of
benchmarks/generate_shapes.py into ``--data`` (outside the repository; about 90 MB per
million rows), then times ``python -m bokslut import --json`` into a new workspace as a
subprocess, process start included, and reads its peak RSS from wait4. A bare Python line
read of the same file is timed beside it. The load average is printed before and after:
the machine is shared, and every figure depends on it.

With ``--repeat K`` the file is the vouchers of a K times smaller file written K times, each
copy with series of its own (A0, B0, A1, …): a 50 M-row file in a minute instead of an hour.

``--src`` runs another checkout's code (e.g. the main branch's ``src``) for a comparison.
The file is deleted afterwards unless ``--keep``.

Target (issue 13): a 50 M-row file (about 4.5 GB) in under 30 s with a peak under 3 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_import_shapes import READ_LINES, timed_rss
from generate_shapes import ROWS_PER_VOUCHER, SHAPES, generate

# A #VER line's series, quoted (``present``: '#VER "A" "2" …') or not ('#VER A 2 …').
_SERIES = re.compile(rb'^#VER (?:"([^"\s]*)"|([^"\s]+)) ', re.MULTILINE)


def repeated(base: Path, k: int) -> Path:
    """``base``'s header, then its vouchers ``k`` times, each copy's series renamed (A → A0, A1,
    …), so that no voucher number occurs twice: a copy under the same series would make the
    import report millions of duplicate numbers, which is not the work being measured."""
    path = base.with_name(f"{base.stem}-x{k}.se")
    if path.exists():
        return path
    data = base.read_bytes()
    cut = data.index(b"\n#VER ") + 1
    body = data[cut:]
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        out.write(data[:cut])
        for i in range(k):
            out.write(_SERIES.sub(b'#VER "\\g<1>\\g<2>%d" ' % i, body))
    tmp.rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=float, default=5, help="millions of #TRANS rows")
    parser.add_argument("--shape", choices=SHAPES, default="dims")
    parser.add_argument("--repeat", type=int, default=1, help="copies of a smaller file's vouchers")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bokslut-memory")
    parser.add_argument("--src", type=Path, default=Path(__file__).parents[1] / "src")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--no-read", action="store_true", help="skip the bare line read")
    args = parser.parse_args()
    vouchers = int(args.rows * 1_000_000) // ROWS_PER_VOUCHER
    path = generate(args.shape, args.data, vouchers // args.repeat)
    if args.repeat > 1:
        path = repeated(path, args.repeat)
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    python = sys.executable
    print(f"kod: {args.src.resolve()}")
    print(f"fil: {path} ({path.stat().st_size / 1e9:.2f} GB, form {args.shape})")
    print(f"belastning (1, 5, 15 min) före: {os.getloadavg()}, {os.cpu_count()} kärnor", flush=True)
    try:
        with tempfile.TemporaryDirectory(dir=args.data) as tmp:
            ws = Path(tmp) / "ws"
            subprocess.run(
                [python, "-m", "bokslut", "new", str(ws), "--org", "B", "--orgtyp", "kommun", "--ar", "2023"],
                check=True,
                capture_output=True,
                env=env,
            )
            # The file may be larger than the default limit of [granser] sie_mb.
            config = ws / "bokslut.toml"
            config.write_text(config.read_text(encoding="utf-8") + "\n[granser]\nsie_mb = 1048576\n", "utf-8")
            read_s = None if args.no_read else timed_rss([python, "-c", READ_LINES, str(path)])[0]
            imp_s, peak, out = timed_rss(
                [python, "-m", "bokslut", "import", "-q", "--json", str(ws), str(path)], env
            )
            rows = json.loads(out)["files"][0]["transactions"]
            store = sum(p.stat().st_size for p in (ws / ".bokslut").rglob("*") if p.is_file())
            print(
                f"#TRANS {rows:,}: import {imp_s:.1f} s, {rows / imp_s:,.0f} rader/s, "
                f"topp-RSS {peak / 2**30:.2f} GiB, lagret {store / 2**30:.2f} GiB"
                + ("" if read_s is None else f"; radläsning {read_s:.1f} s, kvot {imp_s / read_s:.1f}")
            )
    finally:
        print(f"belastning (1, 5, 15 min) efter: {os.getloadavg()}")
        if not args.keep:
            path.unlink(missing_ok=True)  # the base of a repeated file is kept: it is 1/k the size


if __name__ == "__main__":
    main()
