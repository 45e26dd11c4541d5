"""`bokslut import` on every shape of issue 13, against a bare line read and hledger.

For each shape of benchmarks/generate_shapes.py (default 1 000 000 vouchers, 5 000 000
#TRANS rows; files are written to --data, which should be outside the repository):

* a bare Python line read of the file (``for line in f``), in a fresh process;
* ``python -m bokslut import --json`` into a new workspace, end to end as a subprocess
  (process start included), with its peak RSS and its processor time (user and system, the
  median of the runs: steadier than the wall time from minute to minute, and what the code
  controls; the kernel's writeback of its files is not in it);
* #TRANS rows per second and the ratio to the line read: with ``--repeat``, the median of
  each import's ratio to the line read just before it (the machine's speed varies from one
  minute to the next; a pair is measured in the same minute).

``dims`` and ``utf8`` are the same file, byte for byte (both are written in UTF-8), measured
twice. With hledger on PATH, the first 20 000 vouchers of the ``dims`` shape are converted to a
journal and ``hledger stats`` is timed on it. The load average is printed before and
after: the machine is shared, and every figure depends on it.

``--dimensioner verksamhet=1 --dimensioner projekt=6`` gives each workspace a [dimensioner]
section, as a municipality that reports by verksamhet and projekt has: the import then keeps
those dimensions in its sums. ``--repeat N`` runs each shape N times (line read and import
alternating) and prints the median, with the fastest and slowest import.

Targets (issue 13): ≥ 2 000 000 #TRANS rows/s and ≤ 3× the line read on every shape.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_shapes import SHAPES, generate

READ_LINES = """
import sys
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        n += 1
"""


# Starts the measured command and reports its time and peak RSS. A child started straight
# from the benchmark would be counted with the benchmark's own peak: CPython starts children
# with vfork, and Linux charges the parent's high-water RSS to the child at exec (a generated
# file held in memory made a 0.9 GiB import show 2 GiB). This launcher stays at about 10 MB.
_LAUNCH = """
import os, subprocess, sys, time
report, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
proc = subprocess.Popen(cmd)
_, status, usage = os.wait4(proc.pid, 0)
elapsed = time.perf_counter() - t0
with open(report, "w") as f:
    f.write(f"{elapsed!r} {usage.ru_maxrss * 1024} {usage.ru_utime + usage.ru_stime!r}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def timed_rss(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """The command's wall time, its own peak RSS (from wait4, see ``_LAUNCH``) and its output."""
    elapsed, peak, _, out = timed_usage(cmd, env)
    return elapsed, peak, out


def timed_usage(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, float, str]:
    """As :func:`timed_rss`, with the command's processor time (user and system, its threads and
    children; not the kernel's own threads that write its files back) before its output."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".txt") as report,
    ):
        code = subprocess.run(
            [sys.executable, "-c", _LAUNCH, report.name, *cmd], stdout=out, stderr=err, env=env
        ).returncode
        out.seek(0)
        err.seek(0)
        if code != 0:
            raise RuntimeError(f"{cmd[:4]} gick fel: {err.read().decode(errors='replace')[-2000:]}")
        elapsed, peak, cpu = report.read().split()
        return float(elapsed), int(peak), float(cpu), out.read().decode()


def hledger_journal(sie: Path, journal: Path, vouchers: int) -> int:
    """The first ``vouchers`` vouchers of ``sie`` as an hledger journal; returns the rows written."""
    from bokslut.sie.reader import read_sie_bytes

    lines: list[bytes] = []
    seen = 0
    with sie.open("rb") as f:
        for raw in f:
            if raw.startswith(b"#VER"):
                seen += 1
                if seen > vouchers:
                    break
            lines.append(raw)
    parsed = read_sie_bytes(b"".join(lines), sie.name, fast=False)
    v = parsed.vouchers.to_pydict()
    t = parsed.transactions.select(["voucher_idx", "kind", "account", "objects", "amount"]).to_pydict()
    by_voucher: dict[int, list[tuple[str, int, str]]] = {}
    for idx, kind, account, objects, amount in zip(
        t["voucher_idx"], t["kind"], t["account"], t["objects"], t["amount"], strict=True
    ):
        if kind == "TRANS":
            # Objects as tags, as an hledger user would keep dimensions (not as sub-accounts).
            tags = ", ".join(f"d{p}" for p in objects.split("|")) if objects else ""
            by_voucher.setdefault(idx, []).append((account, amount, tags))
    rows = 0
    with journal.open("w", encoding="utf-8") as out:
        for idx in range(len(v["date"])):
            text = (v["text"][idx] or "").replace(";", ",")
            out.write(f"{v['date'][idx]} {v['series'][idx]}{v['number'][idx]} {text}\n")
            for account, amount, tags in by_voucher.get(idx, []):
                sign = "-" if amount < 0 else ""
                comment = f"  ; {tags}" if tags else ""
                out.write(f"    {account}  {sign}{abs(amount) // 100}.{abs(amount) % 100:02d} SEK{comment}\n")
                rows += 1
            out.write("\n")
    return rows


def _new_workspace(ws: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "bokslut", "new", str(ws), "--org", "B", "--orgtyp", "kommun", "--ar", "2023"],
        check=True,
        capture_output=True,
        env=env,
    )


def _dimensioner(pairs: list[str]) -> str:
    """A [dimensioner] section from "name=number" pairs ("" for none)."""
    lines = []
    for pair in pairs:
        name, _, number = pair.partition("=")
        if not name or not number.isdigit():
            raise SystemExit(f"--dimensioner {pair!r}: väntade NAMN=NR, t.ex. verksamhet=1")
        lines.append(f"{name} = {int(number)}\n")
    return "\n[dimensioner]\n" + "".join(lines) if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bokslut-shapes")
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--shape", action="append", choices=SHAPES)
    parser.add_argument("--hledger-only", action="store_true", help="only the hledger comparison")
    parser.add_argument(
        "--dimensioner", action="append", default=[], metavar="NAMN=NR", help="e.g. verksamhet=1 (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per shape (the median is shown)")
    args = parser.parse_args()
    dimensioner = _dimensioner(args.dimensioner)
    shapes = args.shape or list(SHAPES)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    python = sys.executable
    print(f"belastning (1, 5, 15 min) före: {os.getloadavg()}, {os.cpu_count()} kärnor")
    with tempfile.TemporaryDirectory() as tmp:
        _new_workspace(Path(tmp) / "warm", env)
        print(
            f"{'form':<12} {'MB':>6} {'#TRANS':>10} {'import s':>9} {'rader/s':>11} "
            f"{'läsa s':>7} {'kvot':>5} {'topp GiB':>9} {'cpu s':>6}"
        )
        for shape in [] if args.hledger_only else shapes:
            path = generate(shape, args.data, args.vouchers)
            path.read_bytes()  # in the page cache, as for the line read
            reads: list[float] = []
            imports: list[float] = []
            peaks: list[int] = []
            cpus: list[float] = []
            rows = 0
            for _ in range(args.repeat):
                ws = Path(tmp) / shape
                shutil.rmtree(ws, ignore_errors=True)
                _new_workspace(ws, env)
                if dimensioner:
                    with (ws / "bokslut.toml").open("a", encoding="utf-8") as f:
                        f.write(dimensioner)
                reads.append(timed_rss([python, "-c", READ_LINES, str(path)])[0])
                imp_s, peak, cpu, out = timed_usage(
                    [python, "-m", "bokslut", "import", "-q", "--json", str(ws), str(path)], env
                )
                imports.append(imp_s)
                peaks.append(peak)
                cpus.append(cpu)
                rows = json.loads(out)["files"][0]["transactions"]
                shutil.rmtree(ws, ignore_errors=True)
            imp_s, read_s = statistics.median(imports), statistics.median(reads)
            ratio = statistics.median(i / r for i, r in zip(imports, reads, strict=True))
            spread = f"  ({min(imports):.2f}–{max(imports):.2f})" if len(imports) > 1 else ""
            print(
                f"{shape:<12} {path.stat().st_size / 1e6:>6.0f} {rows:>10,} {imp_s:>9.2f} "
                f"{rows / imp_s:>11,.0f} {read_s:>7.2f} {ratio:>5.1f} "
                f"{max(peaks) / 2**30:>9.2f} {statistics.median(cpus):>6.2f}{spread}",
                flush=True,
            )
        if shutil.which("hledger"):
            dims = generate("dims", args.data, args.vouchers)
            journal = Path(tmp) / "slice.journal"
            sliced = min(20_000, args.vouchers)
            rows = hledger_journal(dims, journal, sliced)
            h_s, h_peak, _ = timed_rss(["hledger", "-f", str(journal), "stats"])
            print(
                f"hledger stats, {sliced:,} verifikationer ({rows:,} rader): {h_s:.2f} s, "
                f"{sliced / h_s:,.0f} verifikationer/s, {rows / h_s:,.0f} rader/s, "
                f"topp {h_peak / 2**30:.2f} GiB"
            )
    print(f"belastning (1, 5, 15 min) efter: {os.getloadavg()}")


if __name__ == "__main__":
    main()
