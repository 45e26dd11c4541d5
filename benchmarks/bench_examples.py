"""Building the example reports in every format, phase by phase (issue 12: under 2 s each).

Each example is copied to a temporary folder and built once to index its ledger. Then
each run is one fresh process, as a user's `bokslut build` (with Python's compiled
modules kept, as Python does by default): the time to import bokslut,
to compose and check the report, each format (the multi-page site included), and the
whole, measured from the process's start. The best of the runs is printed, with the
median beside it, and the machine's load average, since the machine may be shared. Beside
the time on the clock, the processor time (user + system, Arrow's and Typst's threads
included): on a busy machine the clock mostly measures the wait for a core, processor
time the work, so it is what to compare between two versions measured under load.
`bokslut build` renders the PDF and the Word file in a second process while it composes
(bokslut.pipeline.render_worker; its processor time is in the whole's); the phases are
measured in one process, one after another, each format importing what it needs.

    .venv/bin/python benchmarks/bench_examples.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("lystkom-2023", "sydnarke-2020", "exempelkommun-2024", "exempelkommun-2024-delar")

MEASURE = r"""
import json, sys, time
start, start_cpu = time.perf_counter(), time.process_time()
from pathlib import Path
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import RENDERERS, SITE_RENDERERS
from bokslut.pipeline.check import check_workspace
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout
imported, imported_cpu = time.perf_counter(), time.process_time()
layout = Layout(Path(sys.argv[1]))
checked = check_workspace(layout, load_config(layout.config), [report_parts])
assert checked.ok and checked.report.document is not None, [f.format() for f in checked.findings]
doc = checked.report.document
composed, composed_cpu = time.perf_counter(), time.process_time()
phases = {
    "import": (imported - start, imported_cpu - start_cpu),
    "sammanställ och kontrollera": (composed - imported, composed_cpu - imported_cpu),
}
for name, render in {**RENDERERS, **SITE_RENDERERS}.items():
    t, c = time.perf_counter(), time.process_time()
    render(doc)
    phases[name] = (time.perf_counter() - t, time.process_time() - c)
print(json.dumps(phases))
"""


def _children_cpu() -> float:
    """Processor time (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # As on a user's machine: Python keeps the compiled modules (some shells here turn that off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    print(f"belastning vid start (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in EXAMPLES:
            ws = Path(tmp) / name
            shutil.copytree(ROOT / "examples" / name, ws, ignore=shutil.ignore_patterns(".bokslut", "build"))
            run = [sys.executable, "-m", "bokslut", "build", str(ws), "--quiet"]
            subprocess.run(run, check=True, capture_output=True, env=env)  # indexes the ledger once
            whole: list[float] = []
            whole_cpu: list[float] = []
            phases: list[dict[str, list[float]]] = []
            for _ in range(args.runs):
                t, c = time.perf_counter(), _children_cpu()
                subprocess.run(run, check=True, capture_output=True, env=env)
                whole.append(time.perf_counter() - t)
                whole_cpu.append(_children_cpu() - c)
                out = subprocess.run(
                    [sys.executable, "-c", MEASURE, str(ws)],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=env,
                )
                phases.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(
                f"{name}: bokslut build, alla format: bäst {min(whole):.2f} s, median "
                f"{statistics.median(whole):.2f} s (mål < 2 s); processortid bäst {min(whole_cpu):.2f} s"
            )
            for phase in phases[0]:
                values = [p[phase][0] for p in phases]
                cpu = [p[phase][1] for p in phases]
                print(
                    f"  {phase:<28} bäst {min(values):.2f} s, median {statistics.median(values):.2f} s; "
                    f"processortid bäst {min(cpu):.2f} s"
                )
    print(f"belastning (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
