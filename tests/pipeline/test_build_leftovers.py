"""A build killed or failing at its very end never leaves the user without build/."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.pipeline.test_build import sample_parts

from bokslut.diagnostics import BokslutError
from bokslut.lock import WorkspaceBusy
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import OrgTyp, load_config
from bokslut.workspace.new import create_workspace


@pytest.fixture
def ws(tmp_path):
    layout = create_workspace(tmp_path / "ws", "Kommunalförbundet Lystkom", OrgTyp.KOMMUNALFORBUND, 2023)
    return layout, load_config(layout.config)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_build_killed_between_the_two_renames_gets_its_old_report_back(ws):
    layout, config = ws
    build_report(layout, config, [sample_parts], formats=["json"], quiet=True)
    before = contents(layout.build)
    pid = dead_pid()
    # The state a kill between "build → .build-gammal-PID" and ".build-ny-PID → build" leaves.
    layout.build.replace(layout.root / f".build-gammal-{pid}")
    (layout.root / f".build-ny-{pid}").mkdir()
    (layout.root / f".build-ny-{pid}" / "half.pdf").write_bytes(b"%PDF-")

    def broken_parts(layout, config):
        raise BokslutError("budgetfilen har fel")

    with pytest.raises(BokslutError) as info:  # the next build fails on its data...
        build_report(layout, config, [broken_parts], formats=["json"], quiet=True)
    assert "budgetfilen har fel" in [f.message for f in info.value.findings]
    assert contents(layout.build) == before  # ...and still puts the old report back first
    assert sorted(p.name for p in layout.root.iterdir() if p.name.startswith(".build")) == []


def test_folders_of_killed_builds_go_and_a_running_builds_stay(ws):
    layout, config = ws
    gone = dead_pid()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        for name in (f".build-ny-{gone}", f".build-gammal-{gone}", f".build-ny-{running.pid}"):
            (layout.root / name).mkdir()
        build_report(layout, config, [sample_parts], formats=["json"], quiet=True)
        left = sorted(p.name for p in layout.root.iterdir() if p.name.startswith(".build"))
        assert left == [f".build-ny-{running.pid}"]
    finally:
        running.kill()
        running.wait()
    assert sorted(p.name for p in layout.build.iterdir()) == ["SHA256SUMS", "arsredovisning-2023.json"]


def test_a_failed_final_rename_keeps_the_previous_report(ws, monkeypatch):
    layout, config = ws
    build_report(layout, config, [sample_parts], formats=["json"], quiet=True)
    before = contents(layout.build)
    real_replace = os.replace

    def fail_into_build(src, dst):
        if Path(dst) == layout.build and ".build-ny-" in str(src):
            raise OSError(errno.EIO, "I/O error", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_into_build)
    with pytest.raises(OSError):
        build_report(layout, config, [sample_parts], formats=["json", "html"], quiet=True)
    monkeypatch.setattr(os, "replace", real_replace)
    assert contents(layout.build) == before
    assert sorted(p.name for p in layout.root.iterdir() if p.name.startswith(".build")) == []


def test_a_build_while_another_command_holds_the_workspace_keeps_the_previous_report(ws, monkeypatch):
    layout, config = ws
    build_report(layout, config, [sample_parts], formats=["json"], quiet=True)
    before = contents(layout.build)
    script = (
        "import sys, time; from pathlib import Path; from bokslut.lock import writer_lock;"
        "from bokslut.workspace.layout import Layout\n"
        "with writer_lock(Layout(Path(sys.argv[1]))):\n    print('held', flush=True); time.sleep(60)"
    )
    command = [sys.executable, "-c", script, str(layout.root)]
    holder = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("BOKSLUT_LAS_VANTAN", "0.2")
        with pytest.raises(WorkspaceBusy, match=f"används av ett annat kommando \\(pid {holder.pid}\\)"):
            build_report(layout, config, [sample_parts], formats=["json", "html"], quiet=True)
        # The held workspace is untouched: the old report, and no scratch folder of this build.
        assert contents(layout.build) == before
        assert sorted(p.name for p in layout.root.iterdir() if p.name.startswith(".build")) == []
    finally:
        holder.kill()
        holder.wait()
    build_report(layout, config, [sample_parts], formats=["json", "html"], quiet=True)
    assert sorted(p.name for p in layout.build.iterdir()) == [
        "SHA256SUMS",
        "arsredovisning-2023.html",
        "arsredovisning-2023.json",
    ]
