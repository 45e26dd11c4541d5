"""Imports, builds and reads against one workspace from several processes at once.

Every command either succeeds with its effect visible or fails with a Swedish
message (never a traceback), and data/ always holds one of the committed states.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.ledger.sie_texts import small

from bokslut.ledger.importer import import_files
from bokslut.workspace.config import OrgTyp
from bokslut.workspace.new import create_workspace

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 8.0

WORKER = r"""
import contextlib, io, json, sys, time, traceback
from pathlib import Path
from bokslut.cli import app

role, root, seconds = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
files = [Path(p) for p in sys.argv[4:]]

def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            app.main(args=list(args), prog_name="bokslut")
            code = 0
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            traceback.print_exc()
            code = "traceback"
    return {"args": list(args), "code": code, "out": out.getvalue(), "err": err.getvalue()}

results = []
end = time.monotonic() + seconds
i = 0
while time.monotonic() < end:
    if role == "import":
        source = files[i % len(files)]
        r = run("import", str(root), str(source), "--quiet")
        if r["code"] == 0:
            # Only this worker writes this year: what it imported must be there now.
            target = r["out"].split(" → ")[1].split(":")[0] if " → " in r["out"] else ""
            r["same"] = (root / target).read_bytes() == source.read_bytes() if target else False
    elif role == "read" and i % 3 == 1:
        r = run("tables", str(root), "--json")
    elif role == "read":
        r = run("saldon", str(root), "--ar", str(2022 + i % 2), "--konto", "3010", "--json")
    else:
        # A draft: the small ledger is no whole year, and a refused build would write nothing.
        r = run("build", str(root), "--format", "json", "--quiet", "--utkast")
        if r["code"] == 0:
            r["built"] = sorted(p.name for p in (root / "build").iterdir())
    results.append(r)
    i += 1
print(json.dumps(results))
"""


def test_imports_builds_and_reads_at_the_same_time(tmp_path):
    ws = create_workspace(tmp_path / "ws", "Testkommunen", OrgTyp.KOMMUN, 2023)
    sources = {}
    for year in (2022, 2023):
        for amount in ("50.00", "70.00"):
            path = tmp_path / f"{year}-{amount}.se"
            path.write_bytes(small(year, amount).encode("cp437"))
            sources[year, amount] = path
    import_files(ws, [sources[2022, "50.00"], sources[2023, "50.00"]])
    committed = {year: {sources[year, a].read_bytes() for a in ("50.00", "70.00")} for year in (2022, 2023)}

    seen_bad: list[str] = []
    stop = threading.Event()

    def watch_data() -> None:
        while not stop.is_set():
            for year in (2022, 2023):
                try:
                    data = (ws.ledger_dir / f"{year}.se").read_bytes()
                except FileNotFoundError:
                    data = b"(missing)"
                if data not in committed[year]:
                    seen_bad.append(f"{year}: {data[:40]!r}")
            time.sleep(0.01)

    watcher = threading.Thread(target=watch_data)
    watcher.start()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "BOKSLUT_LAS_VANTAN": "10",
    }
    workers = [
        ("import", [sources[2022, "70.00"], sources[2022, "50.00"]]),
        ("import", [sources[2023, "70.00"], sources[2023, "50.00"]]),
        ("read", []),
        ("build", []),
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, role, str(ws.root), str(SECONDS), *map(str, files)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for role, files in workers
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    stop.set()
    watcher.join()

    assert seen_bad == []
    succeeded: list[str] = []
    for (role, _), proc, (out, err) in zip(workers, procs, outputs, strict=True):
        assert proc.returncode == 0, err
        results = json.loads(out)
        assert results, role
        for r in results:
            assert r["code"] in (0, 1), r
            assert "Traceback" not in r["err"], r
            if r["code"] == 1:
                # A writer that waited long enough is told so, in Swedish; nothing else may fail.
                assert "arbetsytan används av ett annat kommando (pid " in r["err"], r
                continue
            succeeded.append(r["args"][0])
            if role == "import":
                assert r["same"], r
            elif r["args"][0] == "saldon":
                movement = json.loads(r["out"])["rows"][0]["movement"]
                assert movement in (-50, -70), r
            elif r["args"][0] == "tables":
                assert json.loads(r["out"])["tables"][0]["id"] == "resultatrakning", r
            else:
                assert r["built"] == ["SHA256SUMS", "arsredovisning-2023.json"], r
    assert {"import", "saldon", "build"} <= set(succeeded), succeeded

    # At rest, the store answers for exactly the files in data/.
    for year in (2022, 2023):
        shown = subprocess.run(
            [sys.executable, "-m", "bokslut", "saldon", str(ws.root), "--ar", str(year), "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        rows = {row["account"]: row["movement"] for row in json.loads(shown.stdout)["rows"]}
        data = (ws.ledger_dir / f"{year}.se").read_bytes()
        assert rows["3010"] == (-50 if data == sources[year, "50.00"].read_bytes() else -70)
