"""Fastställande in a process of its own: what the separate, limited process costs.

Copies the Lystkom example to a temporary folder, imports its ledger once, then builds the
report in every format three ways and prints the wall time of each: ``build_report`` in this
process (as fastställande did before), the web's ``freeze`` (a spawned process under
``FreezeLimits``, checked and renamed into the versions folder), and the peak resident memory
of the freeze process. The load average is printed with the figures.

    .venv/bin/python benchmarks/bench_freeze.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import FORMATS, build_report
from bokslut.web.engine import ReportCache
from bokslut.web.freeze import FreezeLimits, freeze
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lystkom-2023"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-freeze-") as tmp:
        root = Path(tmp) / "lystkom"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build", ".bokslut", ".bokslut-webb"))
        layout = Layout(root)
        ReportCache(layout).get()  # the ledger imported once, as on a server that has run a while
        for i in range(args.repeat):
            start = time.perf_counter()
            build_report(
                layout,
                load_config(layout.config),
                [report_parts],
                FORMATS,
                out_dir=root / f"inne-{i}",
                quiet=True,
            )
            inside = time.perf_counter() - start
            start = time.perf_counter()
            done = freeze(layout, i + 1, FORMATS, FreezeLimits(), lambda folder, sums: True)
            separate = time.perf_counter() - start
            assert done
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"round {i + 1}: build in the server process {inside:.2f} s; "
                f"fastställande in its own process {separate:.2f} s; "
                f"peak memory of a freeze process so far {peak_mb:.0f} MB"
            )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
