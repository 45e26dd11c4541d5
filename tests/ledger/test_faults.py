"""Fault injection: every file operation of import and build fails in turn (disk full, I/O error,
a kill), and each time the workspace is unharmed and the next command recovers."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.ledger.sie_texts import small

from bokslut.diagnostics import BokslutError
from bokslut.ledger import journal
from bokslut.ledger.importer import import_files
from bokslut.ledger.queries import trial_balance
from bokslut.ledger.store import open_store
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import OrgTyp, load_config
from bokslut.workspace.new import create_workspace

ROOT = Path(__file__).resolve().parents[2]

# (module, attribute) of every kind of file operation the import and the build use.
OPERATIONS: list[tuple[Any, str]] = [
    (os, "replace"),
    (os, "fsync"),
    (os, "utime"),
    (shutil, "copyfile"),
    (pq, "write_table"),
    (Path, "write_bytes"),
    (Path, "write_text"),
]


def tree_digest(root: Path) -> dict[str, str]:
    """Every file people own in the workspace (everything but the .bokslut cache)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith(".bokslut/")
    }


def movements(ws) -> list[int]:
    with open_store(ws) as store:
        return [r.movement for r in trial_balance(store, 2023).rows]


def counting(monkeypatch, module: Any, name: str) -> list[int]:
    real = getattr(module, name)
    calls = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def failing_at(monkeypatch, module: Any, name: str, k: int, code: int) -> None:
    real = getattr(module, name)
    calls = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == k:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


def count_calls(run: Callable[[], object], monkeypatch) -> dict[tuple[Any, str], int]:
    counters = {op: counting(monkeypatch, *op) for op in OPERATIONS}
    run()
    monkeypatch.undo()
    return {op: c[0] for op, c in counters.items()}


def test_every_file_operation_of_an_import_failing_leaves_a_recoverable_workspace(
    tmp_path, sie_file, monkeypatch
):
    old, new = sie_file(small(2023, "50.00"), "old.se"), sie_file(small(2023, "70.00"), "new.se")
    template = create_workspace(tmp_path / "template", "T", OrgTyp.KOMMUN, 2023)
    import_files(template, [old])
    probe = tmp_path / "probe"
    shutil.copytree(template.root, probe.parent / "probe")
    counts = count_calls(lambda: import_files(type(template)(probe), [new]), monkeypatch)
    assert counts[(os, "replace")] >= 4 and counts[(shutil, "copyfile")] >= 2  # the test sees the work

    outcomes: dict[str, int] = {"unchanged": 0, "completed": 0}
    for (module, name), n in counts.items():
        for k in range(1, n + 1):
            code = errno.ENOSPC if k % 2 else errno.EIO
            root = tmp_path / f"{name}-{k}"
            shutil.copytree(template.root, root)
            ws = type(template)(root)
            before = tree_digest(root)
            failing_at(monkeypatch, module, name, k, code)
            try:
                import_files(ws, [new])
            except BokslutError as exc:
                assert "Traceback" not in exc.message
            finally:
                monkeypatch.undo()
            # The next command recovers: data/ is the old state or the new one, and the
            # store answers for exactly that.
            shown = movements(ws)
            after = tree_digest(root)
            if after == before:
                assert shown == [5000, -5000], (name, k)
                outcomes["unchanged"] += 1
            else:
                assert (root / "data/ledger/2023.se").read_bytes() == new.read_bytes(), (name, k)
                assert shown == [7000, -7000], (name, k)
                outcomes["completed"] += 1
            assert not journal.journal_path(ws).exists()
            shutil.rmtree(root)
    # Failures before the journal undo the import; failures after it are completed on recovery.
    assert outcomes["unchanged"] >= 10 and outcomes["completed"] >= 1, outcomes


def test_every_file_operation_of_a_build_failing_keeps_the_previous_report(tmp_path, monkeypatch):
    from tests.pipeline.test_build import sample_parts

    layout = create_workspace(tmp_path / "ws", "Lystkom", OrgTyp.KOMMUNALFORBUND, 2023)
    config = load_config(layout.config)

    def build() -> object:
        return build_report(layout, config, [sample_parts], formats=["json", "html"], quiet=True)

    build()
    previous = {p.name: p.read_bytes() for p in layout.build.iterdir()}
    counts = count_calls(build, monkeypatch)
    assert counts[(os, "replace")] >= 2
    for (module, name), n in counts.items():
        for k in range(1, n + 1):
            failing_at(monkeypatch, module, name, k, errno.ENOSPC)
            try:
                build()
            except (OSError, BokslutError):
                pass
            finally:
                monkeypatch.undo()
            now = {p.name: p.read_bytes() for p in layout.build.iterdir()}
            assert now.keys() == previous.keys(), (name, k)
            build()  # the next build works and leaves nothing behind
            assert sorted(p.name for p in layout.root.iterdir() if p.name.startswith(".build")) == []


KILL_AT = """
import os, signal, sys
from pathlib import Path
marker, k = sys.argv[1], int(sys.argv[2])
real = os.replace
calls = [0]
def replace(src, dst, *a, **kw):
    calls[0] += 1
    if (marker and marker in str(src)) or calls[0] == k:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst, *a, **kw)
os.replace = replace
"""

IMPORT = """
from bokslut.ledger.importer import import_files
from bokslut.workspace.layout import Layout
import_files(Layout(Path(sys.argv[3])), [Path(sys.argv[4])])
"""

BUILD = """
from tests.pipeline.test_build import sample_parts
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout
layout = Layout(Path(sys.argv[3]))
build_report(layout, load_config(layout.config), [sample_parts], formats=["json"], quiet=True)
"""


def killed(script: str, marker: str, k: int, *args: str) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AT + script, marker, str(k), *args], cwd=ROOT, env=env, timeout=120
    )
    return proc.returncode


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_an_import_killed_at_each_rename_is_finished_or_undone(tmp_path, sie_file, k):
    ws = create_workspace(tmp_path / "ws", "T", OrgTyp.KOMMUN, 2023)
    import_files(ws, [sie_file(small(2023, "50.00"), "old.se")])
    new = sie_file(small(2023, "70.00"), "new.se")
    before = tree_digest(ws.root)
    assert killed(IMPORT, "", k, str(ws.root), str(new)) == -9
    shown = movements(ws)  # the next command recovers first
    if tree_digest(ws.root) == before:
        assert shown == [5000, -5000]
    else:
        assert (ws.root / "data/ledger/2023.se").read_bytes() == new.read_bytes()
        assert shown == [7000, -7000]
    assert not journal.journal_path(ws).exists()


def test_a_build_killed_between_its_two_renames_is_put_back_by_the_next_build(tmp_path):
    from tests.pipeline.test_build import sample_parts

    layout = create_workspace(tmp_path / "ws", "Lystkom", OrgTyp.KOMMUNALFORBUND, 2023)
    config = load_config(layout.config)
    build_report(layout, config, [sample_parts], formats=["json"], quiet=True)
    previous = {p.name: p.read_bytes() for p in layout.build.iterdir()}
    assert killed(BUILD, ".build-ny-", 0, str(layout.root)) == -9
    assert not layout.build.exists()  # the kill came after "build → .build-gammal-PID"
    with pytest.raises(BokslutError):

        def broken(layout, config):
            raise BokslutError("fel i data")

        build_report(layout, config, [broken], formats=["json"], quiet=True)
    assert {p.name: p.read_bytes() for p in layout.build.iterdir()} == previous
    assert sorted(p.name for p in layout.root.iterdir() if p.name.startswith(".build")) == []
