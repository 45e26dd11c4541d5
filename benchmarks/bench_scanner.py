"""The compiled SIE scanner's cost per byte, on each shape of benchmarks/generate_shapes.py.

For each shape (default 200 000 vouchers, 1 000 000 #TRANS rows; files are written to
--data, outside the repository, and reused when already there) the file is cut into the
pieces `bokslut import` streams (``fastscan._pieces``) and every piece is scanned in this
thread (``fastscan._scan_piece``: the scan, its line breaks, NUL / #KSUMMA / undefined
Windows-1252 bytes, and the Arrow arrays built from it), as the import's workers do, into
output arrays used again from piece to piece. The
text is transcoded while scanned when the file's first piece decides an encoding with high
bytes, as ``fastscan.stream_fast`` does.

Printed per shape: the best of --runs passes in processor time of this thread and in wall
time, in ns per byte, and a bare Python line read of the same file (``for line in f``, wall
time, ns per byte) for comparison. The
first pass also loads (or compiles) the scanner and is not counted. The load average is
printed before and after: the machine is shared, and every figure depends on it.

Target (issue 13): at most 4 ns/byte on the 5 M-row `present` file (it was 7.5).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from generate_shapes import SHAPES, generate

from bokslut.sie import encoding as enc
from bokslut.sie import fastscan


def encoding_for(path: Path) -> str:
    """The encoding the import transcodes with: decided from the first piece, as stream_fast does."""
    with path.open("rb") as f:
        head = f.read(fastscan.STREAM_PIECE_BYTES)
    bom = head[:3] == enc.BOM
    high, valid, cp, lat = fastscan._stats(np.frombuffer(head, np.uint8, offset=3 if bom else 0))
    encoding: str = enc.decide(bom, False, valid == 1, cp, lat).encoding if high else enc.UTF8
    return encoding


def scan_once(path: Path, encoding: str) -> tuple[float, float, int, int]:
    """(processor s, wall s, bytes, rows) of scanning every piece of the file in this thread."""
    lut_len, lut = enc.utf8_forms(encoding)
    free: list[fastscan.Room] = []
    # Output arrays used again once a piece's are dropped, as stream_fast's workers use them
    # (fresh ones would add the kernel's zeroing of their pages to every piece).
    pool = fastscan._OutputPool()
    cpu = wall = 0.0
    size = rows = 0
    first = True
    with path.open("rb") as f:
        for got in fastscan._pieces(f, fastscan.STREAM_PIECE_BYTES, 1 << 40, free):
            assert got is not None
            buf, stop = got
            start = 3 if first and buf[:3] == enc.BOM else 0
            c0, w0 = time.thread_time(), time.perf_counter()
            # Room for every byte to grow to three when transcoding, as stream_fast gives.
            high = 0 if encoding == enc.UTF8 else stop - start
            chunk, _, _ = fastscan._scan_piece(buf, start, stop, first, False, lut_len, lut, high, pool)
            cpu += time.thread_time() - c0
            wall += time.perf_counter() - w0
            if chunk is None:
                raise SystemExit(f"{path.name}: skannern lämnar filen till den exakta läsaren")
            free.append(buf)
            first = False
            size += stop - start
            rows += chunk.nt
            del chunk  # its output arrays go back to the pool
    return cpu, wall, size, rows


def line_read(path: Path) -> float:
    t0 = time.perf_counter()
    with path.open("rb") as f:
        for _ in f:
            pass
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bokslut-bench-shapes")
    parser.add_argument("--vouchers", type=int, default=200_000)
    parser.add_argument("--shape", action="append", choices=SHAPES)
    parser.add_argument(
        "--file", type=Path, action="append", help="en befintlig SIE-fil i stället för en form"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"belastning (1, 5, 15 min) före: {os.getloadavg()}, {os.cpu_count()} kärnor")
    paths = list(args.file or [])
    if args.shape or not args.file:
        shapes = args.shape or [
            "present",
            "dims",
            "header",
            "utf8",
            "cp437",
            "crlf",
            "corrections",
            "longtext",
        ]
        paths += [generate(shape, args.data, args.vouchers) for shape in shapes]
    columns = [("kodning", 7), ("MB", 7), ("rader", 9)]
    columns += [("ns/byte cpu", 12), ("ns/byte vägg", 13), ("radläsning", 11)]
    print(f"{'fil':<28}" + "".join(f" {title:>{width}}" for title, width in columns))
    for path in paths:
        encoding = encoding_for(path)
        scan_once(path, encoding)  # loads the kernels; the file into the page cache
        cpu, wall = float("inf"), float("inf")
        size = rows = 0
        for _ in range(args.runs):
            c, w, size, rows = scan_once(path, encoding)
            cpu, wall = min(cpu, c), min(wall, w)
        read = min(line_read(path) for _ in range(args.runs))
        print(
            f"{path.name:<28} {encoding:>7} {size / 1e6:7.1f} {rows:9d} {cpu / size * 1e9:12.2f} "
            f"{wall / size * 1e9:13.2f} {read / size * 1e9:11.2f}",
            flush=True,
        )
    print(f"belastning (1, 5, 15 min) efter: {os.getloadavg()}")


if __name__ == "__main__":
    main()
