"""One writer at a time per workspace; readers never wait for it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest
from tests.ledger.sie_texts import small

from bokslut.diagnostics import BokslutError
from bokslut.ledger.importer import import_files
from bokslut.ledger.queries import trial_balance
from bokslut.ledger.store import open_store
from bokslut.lock import WorkspaceBusy, lock_path, writer_lock
from bokslut.workspace.config import OrgTyp
from bokslut.workspace.new import create_workspace


@pytest.fixture
def ws(tmp_path):
    return create_workspace(tmp_path / "ws", "Testkommunen", OrgTyp.KOMMUN, 2023)


def bokslut(*args: str, wait: str = "0.3") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOKSLUT_LAS_VANTAN": wait}
    return subprocess.run(
        [sys.executable, "-m", "bokslut", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_a_second_writer_waits_briefly_then_is_told_in_swedish(ws, sie_file):
    path = sie_file(small())
    with writer_lock(ws):
        r = bokslut("import", str(ws.root), str(path))
    assert r.returncode == 1
    assert f"arbetsytan används av ett annat kommando (pid {os.getpid()}) – försök igen" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (ws.ledger_dir / "2023.se").exists()


def test_a_writer_that_finishes_within_the_wait_is_waited_for(ws, sie_file):
    path = sie_file(small())
    held = threading.Event()

    def hold() -> None:
        with writer_lock(ws):
            held.set()
            time.sleep(0.4)

    t = threading.Thread(target=hold)
    t.start()
    held.wait()
    started = time.monotonic()
    (f,) = import_files(ws, [path]).files
    t.join()
    assert f.status == "ny"
    assert time.monotonic() - started >= 0.3


def test_the_wait_is_configurable_and_checked(ws, sie_file, monkeypatch):
    monkeypatch.setenv("BOKSLUT_LAS_VANTAN", "0")
    with writer_lock(ws), pytest.raises(WorkspaceBusy):
        import_files(ws, [sie_file(small())])
    monkeypatch.setenv("BOKSLUT_LAS_VANTAN", "snart")
    with pytest.raises(BokslutError, match="BOKSLUT_LAS_VANTAN='snart': ska vara ett antal sekunder"):
        import_files(ws, [sie_file(small())])


def test_a_reader_does_not_wait_for_a_writer(ws, sie_file):
    import_files(ws, [sie_file(small())])
    with writer_lock(ws):  # held throughout: a reader that waited for it would give up, exit 1
        r = bokslut("saldon", str(ws.root), "--konto", "3010", wait="0")
    assert r.returncode == 0, r.stderr
    assert "−50,00" in r.stdout


def test_a_killed_holder_leaves_the_workspace_unlocked(ws):
    script = (
        "import sys, time; from pathlib import Path; from bokslut.lock import writer_lock;"
        "from bokslut.workspace.layout import Layout\n"
        "with writer_lock(Layout(Path(sys.argv[1]))):\n    print('held', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(ws.root)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    with pytest.raises(WorkspaceBusy, match=f"pid {proc.pid}"), writer_lock(ws, wait=0):
        pass
    proc.kill()
    proc.wait()
    with writer_lock(ws, wait=0):
        pass


def test_deleting_the_cache_while_unlocked_is_safe(ws, sie_file):
    import_files(ws, [sie_file(small())])
    shutil.rmtree(ws.cache)
    with writer_lock(ws, wait=0):
        assert lock_path(ws).is_file()
    with open_store(ws) as store:
        assert [r.movement for r in trial_balance(store, 2023).rows] == [5000, -5000]


def test_a_symlinked_lock_file_is_not_written_through(ws, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    ws.cache.mkdir(exist_ok=True)
    lock_path(ws).symlink_to(victim)
    with writer_lock(ws, wait=0):
        pass
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not lock_path(ws).is_symlink()
