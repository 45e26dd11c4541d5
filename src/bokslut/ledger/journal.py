"""Atomic changes to several files in data/ledger: stage, journal, rename, forget.

Files are first written completely (and fsynced) under .bokslut/staging/<nonce>/.
Only then is a journal written that lists every rename and removal. If the
process dies before the journal exists, data/ is untouched (the staging area is
cache and is cleared next time). If it dies after, the next command that takes
the workspace's writer lock finishes the journal's work before doing anything
else. Either way no reader ever sees a half-written file in data/.

Everything here runs under the writer lock (:mod:`bokslut.lock`): recovery
never races an import that is still staging its files.

A journal is only ever trusted to move files from this workspace's staging
area into its data/ledger: it names the workspace (resolved) and a nonce, and
every path in it must have exactly the shape this module writes — otherwise it
is set aside, untouched, with a finding. A workspace received from someone else
(a zip, a share) can therefore not make bokslut delete or move the user's files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bokslut.diagnostics import BokslutError, Finding, warning
from bokslut.environment import environment_reason
from bokslut.ledger import filehash
from bokslut.ledger.filecopy import Copier
from bokslut.workspace.layout import Layout

JOURNAL_FORMAT = 2
_NONCE = re.compile(r"[0-9a-f]{32}")
# One plain file name: no separators, no NUL, not hidden (so never "." or "..").
_NAME = re.compile(r"[^./\x00][^/\x00]{0,200}")


@dataclass(frozen=True, slots=True)
class Change:
    """Put ``staged`` at ``target`` (both workspace-relative), or remove ``target`` if staged is None.

    ``size`` and ``mtime_ns`` are the staged file's, so that recovery can tell a
    file already moved from one that went missing.
    """

    target: str
    staged: str | None
    size: int = 0
    mtime_ns: int = 0


def journal_path(layout: Layout) -> Path:
    return layout.cache / "import-journal.json"


def staging_dir(layout: Layout) -> Path:
    return layout.cache / "staging"


@dataclass(frozen=True, slots=True)
class Staging:
    """One import's own staging folder, named by a fresh random nonce."""

    layout: Layout
    nonce: str

    @staticmethod
    def begin(layout: Layout) -> Staging:
        return Staging(layout, secrets.token_hex(16))

    @property
    def folder(self) -> Path:
        return staging_dir(self.layout) / self.nonce

    def rel(self, name: str) -> str:
        return (self.folder / name).relative_to(self.layout.root).as_posix()

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a staging name: {name!r}")
        _refuse_links(self.layout, staging_dir(self.layout))
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / name

    def folder_for_writing(self) -> Path:
        """The staging folder, made if need be (never through a symlink), for files written in place."""
        _refuse_links(self.layout, staging_dir(self.layout))
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder

    def stage_file(self, name: str, source: Path, mtime_ns: int, seen: os.stat_result) -> Change:
        """Copy ``source`` here, if it is still the file that was read and checked.

        ``seen`` is the file's status when it was read; a different size or
        modification time now means it changed in between, and nothing is imported.
        Copying from the file (the kernel copies) lets the importer free a large
        file's bytes once parsed.
        """
        path = self._path(name)
        shutil.copyfile(source, path)
        if not same_file_as_read(source.stat(), seen):
            path.unlink()
            raise changed_while_read(source)
        return self.settle(name, mtime_ns)

    def copy_in(self, name: str, fd: int, size: int, stop: threading.Event) -> str | None:
        """Copy the first ``size`` bytes of the open file ``fd`` here as ``name``, in pieces (as
        :class:`~bokslut.ledger.filecopy.Copier` can: cloned, or read and written past the page
        cache), and sync them; returns their digest (:mod:`bokslut.ledger.filehash`), taken as
        they are copied. None, with nothing left here, once ``stop`` is set.

        The importer copies a large file while it is still being read; whether the file
        changed meanwhile it checks itself, and :meth:`settle` gives the copy its time.
        """
        path = self._path(name)
        digest = filehash.hasher()
        try:
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            copier = Copier(fd, out, digest)
            try:
                step = copier.read if size and copier.clone(size) else copier.copy
                done = 0
                while done < size and not stop.is_set():
                    done += step(done, size - done)
                if not stop.is_set():
                    os.fsync(out)
            finally:
                copier.close()
                os.close(out)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if stop.is_set():
            path.unlink(missing_ok=True)
            return None
        return digest.hexdigest()

    def settle(self, name: str, mtime_ns: int) -> Change:
        """A file :meth:`copy_in` wrote, given the modification time it will have in data/ledger."""
        path = self._path(name)
        os.utime(path, ns=(mtime_ns, mtime_ns))
        with path.open("rb") as f:
            os.fsync(f.fileno())
        return Change("", self.rel(name), path.stat().st_size, mtime_ns)

    def stage_bytes(self, name: str, data: bytes, mtime_ns: int) -> Change:
        """Write ``data`` completely to the staging area (with a chosen mtime) and sync it."""
        path = self._path(name)
        with path.open("wb") as f:
            f.write(data)
            f.flush()
            os.utime(f.fileno(), ns=(mtime_ns, mtime_ns))
            os.fsync(f.fileno())
        return Change("", self.rel(name), len(data), mtime_ns)

    def commit(self, changes: list[Change]) -> None:
        """Apply ``changes`` so that either all of them happen or (after a crash) all will."""
        for c in changes:
            problem = _invalid(self.layout, self.nonce, c)
            if problem:
                raise ValueError(f"journal change refused: {problem}")
        journal = journal_path(self.layout)
        tmp = journal.with_suffix(".tmp")
        payload = {
            "format": JOURNAL_FORMAT,
            "workspace": str(self.layout.root.resolve()),
            "nonce": self.nonce,
            "changes": [
                {"target": c.target, "staged": c.staged, "size": c.size, "mtime_ns": c.mtime_ns}
                for c in changes
            ],
        }
        with tmp.open("w", encoding="utf-8") as f:
            f.write(json.dumps(payload))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, journal)
        fsync_dir(journal.parent)
        try:
            missing = _apply(self.layout, changes)
        except OSError as exc:
            # The journal is durable: the next command that takes the lock completes it.
            raise BokslutError(
                f"importen är sparad men kunde inte flyttas på plats i data/ledger "
                f"({environment_reason(exc)}); den slutförs av nästa bokslut-kommando, "
                "t.ex. 'bokslut saldon', när felet är åtgärdat"
            ) from None
        if missing:
            # Only possible if someone removed staged files under a running import;
            # the journal stays, and the next command reports what it cannot finish.
            raise BokslutError(
                "importen kunde inte slutföras: " + ", ".join(missing) + " saknas i .bokslut/staging"
            )
        journal.unlink()
        fsync_dir(journal.parent)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def same_file_as_read(now: os.stat_result, seen: os.stat_result) -> bool:
    """Whether a file's status now is the one it had when it was read (size and modification time)."""
    return (now.st_size, now.st_mtime_ns) == (seen.st_size, seen.st_mtime_ns)


def changed_while_read(source: Path) -> BokslutError:
    return BokslutError(f"{source}: filen ändrades medan den importerades – försök igen")


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (best effort: not every file system can)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _refuse_links(layout: Layout, *paths: Path) -> None:
    """Refuse to write through a symlinked folder: it could lead anywhere on the machine."""
    for path in (layout.cache, layout.data, layout.ledger_dir, *paths):
        if path.is_symlink():
            raise BokslutError(f"{path}: är en symbolisk länk – bokslut skriver inte genom länkar")


def _invalid(layout: Layout, nonce: str, c: Change) -> str | None:
    """Why ``c`` is not a change this module would have written, or None."""
    target = c.target.split("/")
    if len(target) != 3 or target[:2] != ["data", "ledger"] or not _NAME.fullmatch(target[2]):
        return f"målet {c.target!r} ligger inte direkt i data/ledger"
    if c.staged is not None:
        staged = c.staged.split("/")
        if len(staged) != 4 or staged[:3] != [".bokslut", "staging", nonce] or not _NAME.fullmatch(staged[3]):
            return f"källan {c.staged!r} ligger inte i importens egen mapp i .bokslut/staging"
    root = layout.root.resolve()
    for rel in (c.target, c.staged):
        if rel is None:
            continue
        path = layout.root / rel
        if path.parent.resolve() != root / Path(rel).parent or path.is_symlink():
            return f"{rel} leder utanför arbetsytan (symbolisk länk)"
    return None


def _apply(layout: Layout, changes: list[Change]) -> list[str]:
    """Carry out ``changes``; returns the staged files that were neither there nor already moved."""
    touched: set[Path] = set()
    missing: list[str] = []
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
            elif not _is_moved(target, c):
                missing.append(c.staged)
        touched.add(target.parent)
    for folder in touched:
        fsync_dir(folder)
    return missing


def _is_moved(target: Path, c: Change) -> bool:
    try:
        st = target.stat()
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == (c.size, c.mtime_ns)


def _parse(layout: Layout, text: str) -> tuple[str, list[Change]] | str:
    """The journal's nonce and changes, or why it is refused."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return "den är inte läsbar"
    if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT:
        return "den har inte bokslut-journalens form"
    nonce = data.get("nonce")
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        return "den saknar giltig nyckel"
    if data.get("workspace") != str(layout.root.resolve()):
        return "den skrevs för en annan arbetsyta"
    items = data.get("changes")
    if not isinstance(items, list):
        return "den har inte bokslut-journalens form"
    changes: list[Change] = []
    for item in items:
        if not isinstance(item, dict):
            return "den har inte bokslut-journalens form"
        target, staged = item.get("target"), item.get("staged")
        size, mtime_ns = item.get("size"), item.get("mtime_ns")
        if (
            not isinstance(target, str)
            or not (staged is None or isinstance(staged, str))
            or type(size) is not int
            or type(mtime_ns) is not int
        ):
            return "den har inte bokslut-journalens form"
        changes.append(Change(target, staged, size, mtime_ns))
    for c in changes:
        problem = _invalid(layout, nonce, c)
        if problem:
            return problem
    return nonce, changes


def recover(layout: Layout) -> list[Finding]:
    """Finish an interrupted commit, and clear staging left by interrupted imports.

    Call only under the writer lock. A journal that this module did not write
    for this workspace is set aside untouched, with a warning.
    """
    findings: list[Finding] = []
    journal = journal_path(layout)
    if journal.is_symlink() or journal.exists():
        try:
            text = "" if journal.is_symlink() else journal.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        parsed = _parse(layout, text)
        if isinstance(parsed, str):
            aside = journal.with_name("import-journal.avvisad.json")
            os.replace(journal, aside)
            findings.append(
                warning(
                    f"importjournalen används inte: {parsed}; inga filer har flyttats eller tagits bort. "
                    "Den ligger kvar som .bokslut/import-journal.avvisad.json – kontrollera data/ledger "
                    "och importera filerna igen om något saknas",
                    file=str(journal),
                )
            )
        else:
            _refuse_links(layout, staging_dir(layout))
            missing = _apply(layout, parsed[1])
            if missing:
                findings.append(
                    warning(
                        "en avbruten import kunde inte slutföras: "
                        + ", ".join(missing)
                        + " saknas; kontrollera data/ledger och importera filen igen",
                        file=str(journal),
                    )
                )
            journal.unlink()
            fsync_dir(journal.parent)
    with contextlib.suppress(FileNotFoundError):
        journal.with_suffix(".tmp").unlink()
    folder = staging_dir(layout)
    if folder.is_symlink():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
    return findings
