"""Atomic changes to several files in data/: stage, journal, rename, forget.

Files are first written completely (and fsynced) under .bokslut/staging/. Only
then is a journal written that lists every rename and removal. If the process
dies before the journal exists, data/ is untouched (the staging area is cache
and is cleared next time). If it dies after, the next bokslut command finishes
the journal's work before doing anything else. Either way no reader ever sees
a half-written file in data/.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bokslut.diagnostics import BokslutError
from bokslut.workspace.layout import Layout


@dataclass(frozen=True, slots=True)
class Change:
    """Put ``staged`` at ``target`` (both workspace-relative), or remove ``target`` if staged is None."""

    target: str
    staged: str | None


def _journal_path(layout: Layout) -> Path:
    return layout.cache / "import-journal.json"


def staging_dir(layout: Layout) -> Path:
    return layout.cache / "staging"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def stage_file(layout: Layout, name: str, source: Path, mtime_ns: int, seen: os.stat_result) -> str:
    """Copy ``source`` to the staging area, if it is still the file that was read and checked.

    ``seen`` is the file's status when it was read; a different size or modification
    time now means it changed in between, and nothing is imported. Copying from the
    file (the kernel copies) lets the importer free a large file's bytes once parsed.
    """
    folder = staging_dir(layout)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(source, path)
    now = source.stat()
    if (now.st_size, now.st_mtime_ns) != (seen.st_size, seen.st_mtime_ns):
        path.unlink()
        raise BokslutError(f"{source}: filen ändrades medan den importerades – försök igen")
    os.utime(path, ns=(mtime_ns, mtime_ns))
    with path.open("rb") as f:
        os.fsync(f.fileno())
    return path.relative_to(layout.root).as_posix()


def stage_bytes(layout: Layout, name: str, data: bytes, mtime_ns: int | None = None) -> str:
    """Write ``data`` completely to the staging area (with a chosen mtime) and sync it."""
    folder = staging_dir(layout)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        if mtime_ns is not None:
            os.utime(f.fileno(), ns=(mtime_ns, mtime_ns))
        os.fsync(f.fileno())
    return path.relative_to(layout.root).as_posix()


def commit(layout: Layout, changes: list[Change]) -> None:
    """Apply ``changes`` so that either all of them happen or (after a crash) all will."""
    journal = _journal_path(layout)
    tmp = journal.with_suffix(".tmp")
    payload = [{"target": c.target, "staged": c.staged} for c in changes]
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, journal)
    _fsync_dir(journal.parent)
    _apply(layout, changes)
    journal.unlink()


def _apply(layout: Layout, changes: list[Change]) -> None:
    touched: set[Path] = set()
    for c in changes:
        target = layout.root / c.target
        target.parent.mkdir(parents=True, exist_ok=True)
        if c.staged is None:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
        else:
            staged = layout.root / c.staged
            if staged.exists():
                os.replace(staged, target)
            # else: already moved before an interruption
        touched.add(target.parent)
    for folder in touched:
        _fsync_dir(folder)


def discard_staging(layout: Layout) -> None:
    shutil.rmtree(staging_dir(layout), ignore_errors=True)


def recover(layout: Layout) -> None:
    """Finish an interrupted commit, and clear staging left by an interrupted stage."""
    journal = _journal_path(layout)
    if journal.exists():
        try:
            items = json.loads(journal.read_text(encoding="utf-8"))
            changes = [Change(i["target"], i["staged"]) for i in items]
        except (ValueError, KeyError, TypeError):
            changes = None
        if changes is not None:
            _apply(layout, changes)
        journal.unlink()
    with contextlib.suppress(FileNotFoundError):
        journal.with_suffix(".tmp").unlink()
    folder = staging_dir(layout)
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
