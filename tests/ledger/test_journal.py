"""The import journal: finished after a crash, but never trusted to reach outside its workspace."""

from __future__ import annotations

import errno
import json
import os
import threading

import pytest
from blake3 import blake3
from tests.ledger.sie_texts import small

from bokslut.diagnostics import BokslutError, Level
from bokslut.ledger import filecopy, journal
from bokslut.ledger.filecopy import Copier
from bokslut.ledger.importer import import_files
from bokslut.ledger.queries import trial_balance
from bokslut.ledger.store import open_store
from bokslut.lock import WorkspaceBusy, writer_lock
from bokslut.workspace.config import OrgTyp
from bokslut.workspace.new import create_workspace


@pytest.fixture
def ws(tmp_path):
    return create_workspace(tmp_path / "ws", "Testkommunen", OrgTyp.KOMMUN, 2023)


def write_journal(ws, changes, workspace=None, nonce="0" * 32):
    ws.cache.mkdir(exist_ok=True)
    payload = {
        "format": journal.JOURNAL_FORMAT,
        "workspace": workspace or str(ws.root.resolve()),
        "nonce": nonce,
        "changes": changes,
    }
    journal.journal_path(ws).write_text(json.dumps(payload), encoding="utf-8")


def refused_warning(store) -> str:
    (w,) = [f for f in store.findings if f.level is Level.WARNING]
    return w.message


def test_a_journal_naming_a_file_outside_the_workspace_deletes_nothing(ws, tmp_path):
    victim = tmp_path / "x" / "evil.txt"
    victim.parent.mkdir()
    victim.write_text("the user's file", encoding="utf-8")
    rel = os.path.relpath(victim, ws.root)
    write_journal(ws, [{"target": rel, "staged": None, "size": 0, "mtime_ns": 0}])
    with open_store(ws) as store:
        message = refused_warning(store)
    assert victim.read_text(encoding="utf-8") == "the user's file"
    assert "importjournalen används inte" in message and "inga filer har flyttats" in message
    assert not journal.journal_path(ws).exists()
    assert (ws.cache / "import-journal.avvisad.json").is_file()


def test_a_journal_moving_an_arbitrary_file_into_the_ledger_is_refused(ws, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    staged = os.path.relpath(secret, ws.root)
    write_journal(ws, [{"target": "data/ledger/2023.se", "staged": staged, "size": 7, "mtime_ns": 0}])
    with open_store(ws) as store:
        assert "ligger inte i importens egen mapp" in refused_warning(store)
    assert secret.read_text(encoding="utf-8") == "private"
    assert not (ws.ledger_dir / "2023.se").exists()


def test_a_journal_written_for_another_workspace_is_refused(ws, tmp_path):
    (ws.ledger_dir / "2022.se").write_text(small(2022), encoding="cp437")
    write_journal(
        ws,
        [{"target": "data/ledger/2022.se", "staged": None, "size": 0, "mtime_ns": 0}],
        workspace=str(tmp_path / "somewhere-else"),
    )
    with open_store(ws) as store:
        assert "skrevs för en annan arbetsyta" in refused_warning(store)
        assert store.fiscal_years() == [2022]


def test_a_journal_through_a_symlinked_ledger_folder_is_refused(ws, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2023.se").write_text("not a ledger of ours", encoding="utf-8")
    ws.ledger_dir.rmdir()
    ws.ledger_dir.symlink_to(elsewhere)
    write_journal(ws, [{"target": "data/ledger/2023.se", "staged": None, "size": 0, "mtime_ns": 0}])
    with pytest.raises(BokslutError, match=r"data/ledger/2023\.se: filen i data/ledger går inte att läsa in"):
        open_store(ws).close()
    assert (elsewhere / "2023.se").read_text(encoding="utf-8") == "not a ledger of ours"
    assert (ws.cache / "import-journal.avvisad.json").is_file()


def test_an_interrupted_commit_is_finished_by_the_next_command(ws, sie_file, monkeypatch):
    import_files(ws, [sie_file(small(2023), "a.se")])
    real_replace = os.replace

    def fail_on_the_ledger(src, dst):
        if "data/ledger" in str(dst):
            raise OSError(errno.EIO, "I/O error", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_the_ledger)
    completes_later = r"läs- eller skrivfel på disken.*slutförs av nästa bokslut-kommando"
    with pytest.raises(BokslutError, match=completes_later):
        import_files(ws, [sie_file(small(2023, "70.00"), "b.se")])
    monkeypatch.setattr(os, "replace", real_replace)
    assert journal.journal_path(ws).exists()  # the commit had begun: it must complete
    with open_store(ws) as store:
        assert [r.movement for r in trial_balance(store, 2023).rows] == [7000, -7000]
    assert not journal.journal_path(ws).exists()
    assert not journal.staging_dir(ws).exists()


def test_a_reader_never_removes_the_staging_of_an_import_in_progress(ws, sie_file, monkeypatch):
    """The old bug: any command cleared .bokslut/staging before taking a lock, losing the import."""
    import_files(ws, [sie_file(small(2023), "a.se")])
    monkeypatch.setenv("BOKSLUT_LAS_VANTAN", "0.2")
    with writer_lock(ws):  # an import holds the lock and is staging its copy
        staging = journal.Staging.begin(ws)
        staging.stage_bytes("0-2023.se", small(2023, "70.00").encode("cp437"), 1)
        with open_store(ws) as store:  # the store answers for data/ as it is: read, no recovery
            assert [r.movement for r in trial_balance(store, 2023).rows] == [5000, -5000]
        (ws.ledger_dir / "2022.se").write_text(small(2022), encoding="cp437")
        with pytest.raises(WorkspaceBusy):  # now it must update the store: it waits, then gives up
            open_store(ws)
        assert (staging.folder / "0-2023.se").is_file()


def test_a_hand_made_journal_in_our_shape_does_no_more_than_a_hand_edit_of_data_ledger(ws, tmp_path):
    """A journal is not signed. Keeping to its shape buys an attacker nothing new: it can only
    put files from the workspace's own staging into data/ledger or remove them from there,
    which whoever can write the workspace can do by hand, and what lands there is read and
    checked like any ledger file."""
    outside = tmp_path / "outside.se"
    outside.write_text(small(2021), encoding="cp437")
    (ws.ledger_dir / "2022.se").write_text(small(2022), encoding="cp437")
    nonce = "ab" * 16
    staged = ws.cache / "staging" / nonce / "2023.se"
    staged.parent.mkdir(parents=True)
    staged.write_text("#FLAGGA 0\n#TRANS utan verifikation\n", encoding="cp437")
    write_journal(
        ws,
        [
            {
                "target": "data/ledger/2023.se",
                "staged": staged.relative_to(ws.root).as_posix(),
                "size": 1,
                "mtime_ns": 1,
            },
            {"target": "data/ledger/2022.se", "staged": None, "size": 0, "mtime_ns": 0},
        ],
        nonce=nonce,
    )
    with pytest.raises(BokslutError, match=r"data/ledger/2023\.se: filen i data/ledger går inte att läsa in"):
        open_store(ws).close()
    assert sorted(p.name for p in ws.ledger_dir.iterdir()) == ["2023.se"]
    assert outside.read_text(encoding="cp437") == small(2021)  # nothing outside data/ledger moved
    (ws.ledger_dir / "2023.se").write_text(small(2023, "70.00"), encoding="cp437")  # the owner's fix
    with open_store(ws) as store:
        assert store.fiscal_years() == [2023]
        assert [r.movement for r in trial_balance(store, 2023).rows] == [7000, -7000]


def test_a_file_copied_in_while_it_is_read_is_all_there_and_synced(ws, tmp_path, monkeypatch):
    source = tmp_path / "stor.se"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    monkeypatch.setattr(filecopy, "CHUNK", 1024 * 1024)  # several pieces
    synced = []
    fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.fstat(fd).st_size) or fsync(fd))
    staging = journal.Staging.begin(ws)
    with source.open("rb") as f:
        digest = staging.copy_in("0-rader.kopia", f.fileno(), source.stat().st_size, threading.Event())
    assert digest == blake3(source.read_bytes()).hexdigest()
    assert (staging.folder / "0-rader.kopia").read_bytes() == source.read_bytes()
    assert synced == [source.stat().st_size]
    change = staging.settle("0-rader.kopia", 1_700_000_000_000_000_000)
    assert (change.staged, change.size) == (staging.rel("0-rader.kopia"), source.stat().st_size)
    assert (staging.folder / "0-rader.kopia").stat().st_mtime_ns == 1_700_000_000_000_000_000


def test_a_copy_stopped_midway_leaves_nothing(ws, tmp_path, monkeypatch):
    source = tmp_path / "stor.se"
    source.write_bytes(b"x" * 100)
    monkeypatch.setattr(filecopy, "CHUNK", 10)
    stop = threading.Event()
    copy = Copier.copy
    calls = []

    def stop_after_the_third(self, at, count):
        calls.append((at, count))
        if len(calls) == 3:
            stop.set()
        return copy(self, at, count)

    monkeypatch.setattr(Copier, "copy", stop_after_the_third)
    monkeypatch.setattr(Copier, "clone", lambda self, size: False)  # as on ext4
    staging = journal.Staging.begin(ws)
    with source.open("rb") as f:
        assert staging.copy_in("0-rader.kopia", f.fileno(), 100, stop) is None
    assert calls == [(0, 100), (10, 90), (20, 80)]
    assert list(staging.folder.iterdir()) == []


def test_a_copy_of_a_file_that_shrank_meanwhile_raises_and_leaves_nothing(ws, tmp_path):
    source = tmp_path / "stor.se"
    source.write_bytes(os.urandom(3 * 4096 + 5))
    staging = journal.Staging.begin(ws)
    with source.open("rb") as f, pytest.raises(OSError) as raised:
        staging.copy_in("0-rader.kopia", f.fileno(), 5 * 4096, threading.Event())
    assert raised.value.errno == errno.EIO
    assert list(staging.folder.iterdir()) == []
