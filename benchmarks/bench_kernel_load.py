"""The import's kernels prebuilt (``bokslut.sie.prebuilt``) against numba's cache, alternating.

Two measures, each in fresh processes, the two ways taking turns (the machine's speed varies
from one minute to the next):

* **load**: importing the kernel modules and calling the scanner's first kernel once
  (``fastscan._stats`` on 1 KB), in a process that has imported NumPy and PyArrow already;
* **import**: ``bokslut import -q --json`` of each shape of benchmarks/generate_shapes.py into a
  new workspace, end to end, with its processor time (files are written to --data, outside
  the repository, and reused when already there).

"numba" runs the same command with ``bokslut.sie.prebuilt.exports`` returning nothing, so every
kernel is loaded from numba's disk cache as without the prebuilt modules. Both need the
setup's warm-up (``python -m bokslut.ledger.warmup``) to have run on the current sources.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_import_shapes import _new_workspace
from generate_shapes import SHAPES, generate

_NUMBA_ONLY = "import bokslut.sie.prebuilt as p\np.exports = lambda: {}\n"

_LOAD = """
import time
import numpy as np, pyarrow
t0 = time.perf_counter()
from bokslut.sie import distinct, fastscan, plainheader, running
from bokslut.ledger import sums_writer
fastscan._stats(np.zeros(1024, np.uint8))
print(time.perf_counter() - t0)
"""

_IMPORT = """
import runpy, sys
sys.argv = ["bokslut", *sys.argv[1:]]
runpy.run_module("bokslut", run_name="__main__")
"""


def _run(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and processor time of ``python -c code args`` (its own, from wait4) and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{args[:2]} gick fel: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bokslut-shapes")
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--shape", action="append", choices=SHAPES)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each way (alternating)")
    args = parser.parse_args()
    shapes = args.shape or ["present", "header", "longtext"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    print(f"belastning (1, 5, 15 min) före: {os.getloadavg()}, {os.cpu_count()} kärnor")

    loads: dict[str, list[float]] = {"förkompilerade": [], "numba": []}
    for _ in range(max(args.repeat, 5)):
        for way, prefix in (("förkompilerade", ""), ("numba", _NUMBA_ONLY)):
            loads[way].append(float(_run(prefix + _LOAD, [], env)[2]))
    print("laddning av kärnorna (s, median och spann):")
    for way, times in loads.items():
        print(f"  {way:<15} {statistics.median(times):.3f}  ({min(times):.3f}–{max(times):.3f})")

    print(f"{'form':<12} {'sätt':<15} {'import s':>9} {'cpu s':>7}  spann")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            path = generate(shape, args.data, args.vouchers)
            path.read_bytes()  # in the page cache
            runs: dict[str, list[tuple[float, float]]] = {"förkompilerade": [], "numba": []}
            for _ in range(args.repeat):
                for way, prefix in (("förkompilerade", ""), ("numba", _NUMBA_ONLY)):
                    ws = Path(tmp) / shape
                    shutil.rmtree(ws, ignore_errors=True)
                    _new_workspace(ws, env)
                    wall, cpu, _ = _run(prefix + _IMPORT, ["import", "-q", "--json", str(ws), str(path)], env)
                    runs[way].append((wall, cpu))
                    shutil.rmtree(ws, ignore_errors=True)
            for way, measured in runs.items():
                walls = [w for w, _ in measured]
                cpus = [c for _, c in measured]
                print(
                    f"{shape:<12} {way:<15} {statistics.median(walls):>9.2f} {statistics.median(cpus):>7.2f}"
                    f"  ({min(walls):.2f}–{max(walls):.2f})",
                    flush=True,
                )
    print(f"belastning (1, 5, 15 min) efter: {os.getloadavg()}")


if __name__ == "__main__":
    main()
