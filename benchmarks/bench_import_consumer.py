"""CPU of the import's per-piece consumer (issue 13): the checks, the Parquet files and the sums.

`bokslut import` scans a large file in pieces on worker threads and hands each piece, in
order, to a consumer in the main thread (``bokslut.ledger.importer._stream``): the running
checks (``RunningChecks.add``), the vouchers and rows files (``StagedWriter.write``) and the
sums (``Summer.add``). This benchmark scans the file once into memory, then gives the
pieces to each part on its own and to the whole consumer, one after another in this
thread, and reports each part's CPU seconds (``time.process_time``; best of ``--repeat``).

The file is benchmarks/generate_ledger.py's (5 M rows, generated once into
benchmarks/data) unless ``--file`` names another (e.g. a shape of generate_shapes.py).
Target (issue 13): the whole consumer ≤ 1.2 s of CPU on the 5 M-row file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_ledger import default_path, generate

from bokslut.ledger.indexer import StagedWriter
from bokslut.ledger.sums import SumsDims, report_dims
from bokslut.ledger.sums_writer import Summer
from bokslut.sie import fastscan, reader
from bokslut.sie.distinct import encoded
from bokslut.sie.running import RunningChecks
from bokslut.workspace.config import OrgTyp
from bokslut.workspace.new import create_workspace


def scanned(path: Path) -> tuple[list[fastscan.Piece], fastscan.Streamed]:
    pieces: list[fastscan.Piece] = []
    with path.open("rb") as f:
        streamed = fastscan.stream_fast(f, str(path), pieces.append, reader.ExactLines, reader.sniff)
    if streamed is None:
        raise SystemExit(f"{path}: filen läses inte i delar (den exakta läsaren tar den)")
    return pieces, streamed


def best(repeat: int, run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        run()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--file", type=Path, help="a SIE file (default: the generated 5 M-row file)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = args.file or generate(default_path(1_000_000, 5), 1_000_000, 5)
    t0 = time.perf_counter()
    pieces, streamed = scanned(path)
    read = time.perf_counter() - t0
    rows_in = sum(p.rows.num_rows for p in pieces)
    print(f"fil: {path.name}, {len(pieces)} delar, {rows_in:,} rader ({read:.1f} s)")
    print(f"belastning före: {os.getloadavg()}")

    with tempfile.TemporaryDirectory() as tmp:
        dims = report_dims(create_workspace(Path(tmp) / "ws", "B", OrgTyp.KOMMUN, 2023))
        folder = Path(tmp) / "staged"
        folder.mkdir()

        rows = [encoded(p.rows) for p in pieces]

        def encode() -> None:
            for p in pieces:
                encoded(p.rows)

        def checks() -> None:
            running = RunningChecks(str(path))
            for p, r in zip(pieces, rows, strict=True):
                running.add(p.vouchers, r)
            running.findings(streamed.sie)

        def parquet(dims: SumsDims | None = None) -> None:
            writer = StagedWriter(folder, "bench", 1, dims)
            for p, r in zip(pieces, rows, strict=True):
                writer.write(p.vouchers, r, p.others)
            writer.close(0, 0, None)
            writer.discard()

        def sums() -> None:
            summer = Summer(dims)
            for r in rows:
                summer.add(r)
            summer.table(1)

        def consumer() -> None:
            # As importer._stream's consume does it, and the files closed at the end.
            running = RunningChecks(str(path))
            writer = StagedWriter(folder, "bench", 1, dims)
            for p in pieces:
                piece_rows = encoded(p.rows)
                running.add(p.vouchers, piece_rows)
                writer.write(p.vouchers, piece_rows, p.others)
            writer.close(running.vouchers, running.counted, running.first_date)
            running.findings(streamed.sie)
            writer.discard()

        parts = {
            "kodning (distinct.encoded)": encode,
            "kontroller (RunningChecks.add + findings)": checks,
            "Parquet (StagedWriter.write, utan summor)": parquet,
            "summor (Summer.add + table)": sums,
            "hela konsumenten": consumer,
        }
        for name, run in parts.items():
            print(f"{name:45} {best(args.repeat, run):6.2f} s CPU")
    print(f"belastning efter: {os.getloadavg()}")


if __name__ == "__main__":
    main()
