"""The report behind the web pages, made by the same code as ``bokslut build``.

The report's data (every table and named value) is computed once through
:func:`bokslut.pipeline.drill.drill_from_parts` and kept until a file under data/ or
bokslut.toml changes; chapters are composed on demand by
:func:`bokslut.compose.chapters.compose` under its sandbox limits, so a preview shows
exactly what the built report will show, with the same Swedish errors.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import overload

from bokslut.compose.chapters import compose, read_chapters
from bokslut.compose.report import title_page
from bokslut.diagnostics import BokslutError, Finding, Level, error
from bokslut.document import Chapter, Document, Paragraph, plain_text
from bokslut.lock import WorkspaceBusy
from bokslut.pipeline.drill import drill_from_parts
from bokslut.report_data import ReportData
from bokslut.statements import StatementsPart
from bokslut.table import ColumnKind
from bokslut.workspace.config import Config, load_config
from bokslut.workspace.layout import Layout


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The report's data as computed from the inputs with ``fingerprint``."""

    config: Config
    data: ReportData | None
    statements: StatementsPart | None
    findings: tuple[Finding, ...]
    fingerprint: tuple[tuple[str, int, int], ...]
    # The data could not be read for a passing reason (another command held the workspace while
    # its ledger store had to be brought up to date): read again when next asked, never kept.
    passing: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of the figure picker: what it inserts and what that shows today."""

    kind: str  # "värde", "tabell" or "cell"
    name: str
    label: str
    snippet: str
    shown: str


def data_state(layout: Layout) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of bokslut.toml and of every file under data/: what the
    report's data is computed from (a few stat calls, no reading)."""
    out: list[tuple[str, int, int]] = []
    paths = [layout.config]
    if layout.data.is_dir():
        paths += sorted(p for p in layout.data.rglob("*") if p.is_file())
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((str(p.relative_to(layout.root)), st.st_mtime_ns, st.st_size))
    return tuple(out)


def chapter_files_state(layout: Layout) -> tuple[tuple[str, int, int, int], ...]:
    """Name, inode, modification time and size of every chapter file: a save (which replaces the
    file) or an edit in the folder changes it."""
    folder = layout.text_dir
    out: list[tuple[str, int, int, int]] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return ()
    for entry in entries:
        if entry.name.endswith(".md"):
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            out.append((entry.name, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))


class ReportCache:
    """The current :class:`Snapshot`, recomputed when the data or the settings change."""

    # How often the data files are looked at for changes: a page asks many times per request,
    # and a change in data/ shows within this long.
    RECHECK_SECONDS = 1.0

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0

    def get(self, fresh: bool = False) -> Snapshot:
        """The snapshot; ``fresh``: of the files as they are now, not as they were up to
        RECHECK_SECONDS ago (what is composed for a page kept under the data's state)."""
        with self._lock:
            now = time.monotonic()
            current = self._snapshot
            if (
                not fresh
                and current is not None
                and not current.passing
                and now - self._checked < self.RECHECK_SECONDS
            ):
                return current
            fingerprint = data_state(self.layout)
            if current is None or current.passing or current.fingerprint != fingerprint:
                current = self._snapshot = self._compute(fingerprint)
            self._checked = time.monotonic()
            return current

    def _compute(self, fingerprint: tuple[tuple[str, int, int], ...]) -> Snapshot:
        config = load_config(self.layout.config)
        try:
            data, statements = drill_from_parts(self.layout, config)
        except WorkspaceBusy as exc:
            return Snapshot(config, None, None, (error(exc.message),), fingerprint, passing=True)
        except BokslutError as exc:
            return Snapshot(config, None, None, tuple(exc.findings or [error(exc.message)]), fingerprint)
        return Snapshot(config, data, statements, data.findings, fingerprint)


@dataclass(frozen=True, slots=True)
class Composed:
    document: Document | None
    findings: tuple[Finding, ...]
    # False for a passing state (a worker killed or busy): a page does not keep such an answer.
    kept: bool = True


@dataclass(frozen=True, slots=True)
class Guard:
    """What a worker process knows of the chapters while it composes them.

    ``bad`` holds (file, SHA-256 of text) of chapter texts that once ran over the time
    limit and got their worker killed: they are not composed again until the text
    changes. ``started`` is told each chapter as its turn comes, so that whoever kills a
    worker knows which chapter it was on.
    """

    bad: frozenset[tuple[str, str]] = frozenset()
    started: Callable[[str, str], None] | None = None
    seconds: float = 0.0


def over_limit(seconds: float) -> str:
    return (
        f"kapitlet tog längre tid än gränsen ({seconds:g} s) att sätta ihop och avbröts – finns det en "
        "slinga som inte tar slut, eller bygger texten något mycket stort? Det sätts inte ihop igen "
        "förrän texten ändras."
    )


class _Watched(Sequence[tuple[str, str]]):
    """The chapters, telling ``started`` of each as the composer comes to it."""

    def __init__(self, chapters: list[tuple[str, str]], started: Callable[[str, str], None]) -> None:
        self._chapters = chapters
        self._started = started

    def __len__(self) -> int:
        return len(self._chapters)

    @overload
    def __getitem__(self, i: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[tuple[str, str]]: ...
    def __getitem__(self, i: int | slice) -> tuple[str, str] | Sequence[tuple[str, str]]:
        return self._chapters[i]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for name, text in self._chapters:
            self._started(name, text)
            yield name, text


def compose_chapters(
    snapshot: Snapshot, layout: Layout, chapters: list[tuple[str, str]], guard: Guard | None = None
) -> Composed:
    if snapshot.data is None:
        return Composed(None, snapshot.findings)
    guard = guard or Guard()
    skipped = [name for name, text in chapters if (name, sha256_hex(text)) in guard.bad]
    kept = [(name, "" if name in skipped else text) for name, text in chapters]
    found: list[Finding] = []
    doc: Document | None = None
    try:
        doc = compose(
            _Watched(kept, guard.started) if guard.started else kept,
            snapshot.data,
            title_page(snapshot.config),
            layout.root,
        )
    except BokslutError as exc:
        found += exc.findings or [error(exc.message)]
    if doc is None:
        found += [error(over_limit(guard.seconds), file=name) for name in skipped]
        return Composed(None, tuple(found))
    # The others composed: the document is kept (a section's page shows its own chapter) beside
    # the message of each chapter left out.
    return Composed(doc, tuple(error(over_limit(guard.seconds), file=name) for name in skipped))


def compose_report(snapshot: Snapshot, layout: Layout, guard: Guard | None = None) -> Composed:
    """The whole report as ``build`` composes it from the chapter files."""
    try:
        chapters = read_chapters(layout, snapshot.config.kapitel.max_storlek_kb * 1024)
    except BokslutError as exc:
        return Composed(None, tuple(exc.findings or [error(exc.message)]))
    whole = compose_chapters(snapshot, layout, chapters, guard)
    return Composed(None, whole.findings) if whole.findings else whole


def preview(
    snapshot: Snapshot, layout: Layout, chapter_file: str, text: str, guard: Guard | None = None
) -> Composed:
    """``text`` as chapter ``chapter_file`` would show in the built report.

    The chapter is composed among the others, as in ``build``, because note numbers
    run through the whole report. When only other chapters have errors, it is composed
    alone so its writer still sees it; what it shows then is the chapter's own errors.
    """
    try:
        chapters = read_chapters(layout, snapshot.config.kapitel.max_storlek_kb * 1024)
    except BokslutError:
        chapters = []
    replaced = [(name, text if name == chapter_file else body) for name, body in chapters]
    if not any(name == chapter_file for name, _ in replaced):
        replaced.append((chapter_file, text))
    whole = compose_chapters(snapshot, layout, replaced, guard)
    own = tuple(f for f in whole.findings if f.file == chapter_file)
    if own:
        return Composed(None, own)
    if whole.document is not None:  # only chapters left out for their limits may have findings
        only = tuple(c for c in whole.document.chapters if c.source == chapter_file)
        return Composed(_with_chapters(whole.document, only), ())
    alone = compose_chapters(snapshot, layout, [(chapter_file, text)], guard)
    if alone.document is not None and not alone.findings:
        return alone
    # Alone it can only fail by notes referred to here but placed in another chapter.
    return Composed(None, tuple(f for f in alone.findings if f.file in (None, chapter_file)))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _with_chapters(doc: Document, chapters: tuple[Chapter, ...]) -> Document:
    return replace(doc, chapters=chapters)


def _money_filter(config: Config) -> str:
    # The filters are named for the units: | kr, | tkr, | mkr.
    return config.rapport.enhet


def _value_snippet(data: ReportData, name: str, unit_filter: str, money: frozenset[str]) -> str:
    value = data.values[name]
    if isinstance(value, str):
        return f"{{{{ v.{name} }}}}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{{{{ v.{name} | tal }}}}"
    if name in money:
        return f"{{{{ v.{name} | {unit_filter} }}}}"
    return f"{{{{ v.{name} | tal(decimaler=1) }}}}"


def _cell_snippet(kind: ColumnKind, table: str, row: str, column: str, unit_filter: str) -> str:
    call = f'cell("{table}", "{row}", "{column}")'
    if kind is ColumnKind.MONEY:
        return f"{{{{ {call} | {unit_filter} }}}}"
    if kind is ColumnKind.PERCENT:
        return f"{{{{ {call} | procent }}}}"
    if kind is ColumnKind.NUMBER:
        return f"{{{{ {call} | tal }}}}"
    return f"{{{{ {call} }}}}"


def shown_texts(snapshot: Snapshot, layout: Layout, snippets: list[str]) -> list[str]:
    """What each snippet shows in a chapter, composed by the chapter engine ("" if it fails)."""
    if snapshot.data is None or not snippets:
        return ["" for _ in snippets]
    name = "text/_figurvaljare.md"
    together = compose_chapters(snapshot, layout, [(name, "\n\n".join(snippets))])
    if together.document is not None:
        blocks = together.document.chapters[0].blocks
        texts = [plain_text(b.runs) for b in blocks if isinstance(b, Paragraph)]
        if len(texts) == len(snippets):
            return texts
    out: list[str] = []
    for snippet in snippets:
        one = compose_chapters(snapshot, layout, [(name, snippet)])
        blocks = one.document.chapters[0].blocks if one.document is not None else ()
        out.append(plain_text(blocks[0].runs) if blocks and isinstance(blocks[0], Paragraph) else "")
    return out


def figure_choices(snapshot: Snapshot, layout: Layout, table: str | None = None) -> list[Choice]:
    """The picker's list: every named value and table, or the cells of ``table``."""
    data = snapshot.data
    if data is None:
        return []
    unit_filter = _money_filter(snapshot.config)
    if table is not None:
        t = data.tables.get(table)
        if t is None:
            return []
        cells = [
            (r, c)
            for r in t.rows
            for c in t.columns
            if data.rounded.get(table) is not None and data.rounded[table].get(r.id, c.id) is not None
        ]
        snippets = [_cell_snippet(r.column_kind or c.kind, table, r.id, c.id, unit_filter) for r, c in cells]
        shown = shown_texts(snapshot, layout, snippets)
        return [
            Choice("cell", f"{r.id}/{c.id}", f"{r.label} – {c.label}", s, v)
            for (r, c), s, v in zip(cells, snippets, shown, strict=True)
        ]
    names = sorted(data.values)
    money = frozenset(r.quantity for t in data.tables.values() for r in t.rows if r.quantity)
    snippets = [_value_snippet(data, n, unit_filter, money) for n in names]
    shown = shown_texts(snapshot, layout, snippets)
    choices = [
        Choice("värde", n, n.replace("_", " "), s, v) for n, s, v in zip(names, snippets, shown, strict=True)
    ]
    choices += [
        Choice("tabell", tid, t.title, f'{{{{ tabell("{tid}") }}}}', f"{len(t.rows)} rader")
        for tid, t in sorted(data.tables.items())
    ]
    return choices


def errors(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.level is Level.ERROR)


def frozen_folder(layout: Layout, version_id: int) -> Path:
    return layout.root / ".bokslut-webb" / "versioner" / str(version_id)
