"""The report's sections: the chapters in text/*.md, read and saved as the folder holds them.

A section id is a chapter's file name without ``.md``, and only ids of files that are
in text/ right now are accepted: nothing taken from a URL is ever joined to a path.

Saving is a compare-and-swap under a lock file: the editor sends the hash of the text it
started from, and the save goes through only if the file still has that hash. Otherwise
the writer gets :class:`Conflict` with both versions – whether the other change came
through the web or from an editor or ``git pull`` in the folder. The file is replaced
atomically (:func:`bokslut.workspace.safe_files.write_plain_file`) and every version
is recorded in the web database, so nothing is lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bokslut.diagnostics import BokslutError, Finding
from bokslut.web.db import WEB_DIR, Status, WebDb, sha256_text
from bokslut.workspace.layout import Layout
from bokslut.workspace.safe_files import Refused, read_plain_file, write_plain_file

SECTION_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,150}")
_HEADING = re.compile(r"^#{1,2}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    file: str  # workspace-relative: text/01-forvaltningsberattelse.md
    title: str


@dataclass(frozen=True, slots=True)
class Saved:
    save_id: int
    sha256: str


class Conflict(Exception):
    """The section changed since the writer opened it; ``current`` is what it holds now."""

    def __init__(self, current: str) -> None:
        super().__init__("konflikt")
        self.current = current
        self.sha256 = sha256_text(current)


def _title(text: str, fallback: str) -> str:
    m = _HEADING.search(text)
    if m is None:
        return fallback
    # A heading may hold an expression ({{ … }}); the table of contents shows plain words.
    title = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "…", m.group(1)).strip()
    return title or fallback


def list_sections(layout: Layout, max_bytes: int) -> list[Section]:
    folder = layout.text_dir
    if folder.is_symlink() or not folder.is_dir():
        return []
    out: list[Section] = []
    for path in sorted(folder.glob("*.md")):
        sid = path.name.removesuffix(".md")
        if not SECTION_ID.fullmatch(sid) or path.is_symlink() or not path.is_file():
            continue
        data = read_plain_file(layout.root, path, max_bytes, f"text/{path.name}")
        text = "" if isinstance(data, Finding) else data.decode("utf-8", errors="replace")
        out.append(Section(sid, f"text/{path.name}", _title(text, sid)))
    return out


def find_section(layout: Layout, sid: str, max_bytes: int) -> Section | None:
    """The section ``sid`` if text/ holds a plain file of that name now; None otherwise."""
    folder = layout.text_dir
    if not SECTION_ID.fullmatch(sid) or folder.is_symlink() or not folder.is_dir():
        return None
    name = f"{sid}.md"
    if name not in {p.name for p in folder.iterdir()}:  # the id names an entry of text/, never a path
        return None
    path = folder / name
    if path.is_symlink() or not path.is_file():
        return None
    data = read_plain_file(layout.root, path, max_bytes, f"text/{name}")
    text = "" if isinstance(data, Finding) else data.decode("utf-8", errors="replace")
    return Section(sid, f"text/{name}", _title(text, sid))


def read_section(layout: Layout, section: Section, max_bytes: int) -> str:
    data = read_plain_file(layout.root, layout.root / section.file, max_bytes, section.file)
    if isinstance(data, Finding):
        raise BokslutError(data.message, [data])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BokslutError(f"{section.file}: filen är inte UTF-8 ({exc.reason})") from None


def normalise(text: str) -> str:
    """A browser sends CRLF line ends; the folder keeps LF, and a file ends with one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if not text or text.endswith("\n") else text + "\n"


@contextlib.contextmanager
def save_lock(layout: Layout, section_id: str) -> Iterator[None]:
    """One save at a time per section, across threads and server processes.

    A lock per section, not per workspace: writers of different sections never wait for
    each other's file syncs, only for the database's own short write lock.
    """
    folder = layout.root / WEB_DIR / "las"
    folder.mkdir(parents=True, exist_ok=True)
    # The id may hold a slash (data/mal.yaml); its hash names the lock file.
    name = hashlib.sha256(section_id.encode()).hexdigest()[:32] + ".lock"
    fd = os.open(folder / name, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def note_outside_change(db: WebDb, section: Section, text: str) -> None:
    """Record the file's text when it differs from the last version the web knows of.

    Called with the save lock held; a change made in the folder (an editor, git pull)
    thereby enters the history before anything is written over it.
    """
    last = db.last_sha(section.id)
    if last is None or last != sha256_text(text):
        db.record_save(section.id, None, text, "utanfor" if last is not None else "forsta")


def save_section(
    layout: Layout,
    db: WebDb,
    section: Section,
    user_id: int,
    text: str,
    base_sha: str,
    max_bytes: int,
    kind: str = "spara",
) -> Saved:
    """Write ``text`` if the file still has ``base_sha``; raises :class:`Conflict` otherwise."""
    text = normalise(text)
    with save_lock(layout, section.id):
        current = read_section(layout, section, max_bytes)
        note_outside_change(db, section, current)
        if sha256_text(current) != base_sha:
            raise Conflict(current)
        try:
            write_plain_file(layout.root, section.file, text.encode("utf-8"))
        except Refused as exc:
            raise BokslutError(f"{section.file}: {exc.message}") from None
        # The first save starts the work; a save of a section marked ready or approved reopens
        # it – in the same transaction as the history row.
        save_id = db.record_save(section.id, user_id, text, kind, start=(Status.IN_PROGRESS, "sparad"))
    return Saved(save_id, sha256_text(text))


def current_with_history(layout: Layout, db: WebDb, section: Section, max_bytes: int) -> str:
    """The section's text, with a change made outside the web recorded first."""
    text = read_section(layout, section, max_bytes)
    # Nearly always the file is the newest recorded version, and a read needs no lock. (A save
    # running meanwhile records its text only after writing it; a file newer than the history
    # is then seen as a difference and looked at again under the lock.)
    if db.last_sha(section.id) == sha256_text(text):
        return text
    with save_lock(layout, section.id):
        text = read_section(layout, section, max_bytes)
        note_outside_change(db, section, text)
    return text


def chapter_path(layout: Layout, section: Section) -> Path:
    return layout.root / section.file
