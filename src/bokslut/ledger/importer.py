"""`bokslut import`: validate SIE files, then copy them into data/ledger and index them.

Validation comes first and covers every file; one error anywhere and nothing is
written. Everything happens under the workspace's writer lock (:mod:`bokslut.lock`),
and the copies go in through
:mod:`bokslut.ledger.journal`, so an import that is interrupted — even killed —
leaves data/ as it was or completes, and two imports never interleave.

A file is stored under the name of its fiscal year (``2023.se``; a broken year
``20090701-20100630.se``), so importing a new export of a year replaces the
old one, and importing the same bytes again changes nothing. A 4I file (vouchers
from a pre-system, no balances) is stored beside it under its own name.

A large file (from :data:`~bokslut.sie.reader.FAST_PATH_MIN_BYTES` on) is never held in
memory whole: it is scanned piece by piece (:func:`bokslut.sie.fastscan.stream_fast`), each
piece checked (:mod:`bokslut.sie.running`) and written as Parquet into the import's staging
folder, then dropped; the file is copied there too (:mod:`bokslut.ledger.streaming`). The
first file's copy and scan begin as soon as the lock is held, while DuckDB and the settings
load and the store opens; nothing but the copy is written before the store is open. Should
the scanner meet a line only the exact reader can judge, what was written is thrown away and
the file is read again exactly, as a small file is.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bokslut.diagnostics import BokslutError, Finding, Level, error, has_errors
from bokslut.environment import environment_error, read_problem
from bokslut.ledger import filehash, journal
from bokslut.ledger.parsed import Parsed, StagedRows, fiscal_period
from bokslut.ledger.progress import Progress, no_progress
from bokslut.ledger.streaming import Copy, Streaming
from bokslut.lock import writer_lock
from bokslut.workspace.layout import Layout

if TYPE_CHECKING:
    # Loaded once the first large file is being scanned (see import_files), not before.
    from bokslut.ledger.store import Store
    from bokslut.sie.model import SieFile

NOTHING_IMPORTED = "inget importerades: filerna innehåller fel"


@dataclass(frozen=True, slots=True)
class ImportedFile:
    source: str  # as the user named it
    target: str  # workspace-relative path in data/ledger
    status: str  # "ny", "ersatt" or "oförändrad"
    fiscal_year: int
    replaced: str | None  # the file it replaced, when status is "ersatt"
    vouchers: int
    transactions: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    files: tuple[ImportedFile, ...]
    findings: tuple[Finding, ...]


def target_name(sie: SieFile, source: Path, digest: str, first_voucher: dt.date | None = None) -> str:
    period = fiscal_period(sie, first_voucher)
    if period is None:
        raise BokslutError(f"{source}: filen har varken räkenskapsår (#RAR) eller verifikationer")
    year, start, end = period
    if sie.sietyp_label == "4I":
        stem = re.sub(r"[^0-9A-Za-zÅÄÖåäö_-]+", "-", source.stem).strip("-") or "import"
        return f"{year}-{stem}-{digest[:8]}{source.suffix.lower() or '.si'}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{year}.se"
    return f"{start:%Y%m%d}-{end:%Y%m%d}.se"


@dataclass(frozen=True, slots=True)
class _Read:
    path: Path
    stat: os.stat_result  # as it was read: the copy must be of the same file
    digest: str
    sie: SieFile
    findings: list[Finding]
    staged: StagedRows | None = None  # a streamed file's rows, already written
    # A streamed file's check findings, asked for while the store indexes it.
    checked: Callable[[], list[Finding]] | None = None
    copy: Copy | None = None  # a streamed file's copy, made while it was read

    def parsed(self) -> Parsed:
        return Parsed(self.sie, self.digest, tuple(self.findings), self.staged)


def _read_all(
    paths: Sequence[Path],
    max_bytes: int,
    progress: Progress,
    store: Store,
    staging: journal.Staging,
    streams: list[Streaming],
) -> tuple[list[_Read], list[Finding]]:
    """Every file read, checked and (a large one) streamed into ``staging``. ``streams`` holds
    the first file's scan if it began before the store was open; each scan begun is added."""
    from bokslut.sie.reader import load_input, read_sie_bytes

    out: list[_Read] = []
    findings: list[Finding] = []
    # The digest lets the GIL go on large buffers: taken while the file is being read.
    pool = ThreadPoolExecutor(max_workers=1)
    for i, path in enumerate(paths):
        progress(f"Läser {path}")
        try:
            streamed = _stream(path, i, max_bytes, store, staging, streams)
        except BokslutError as exc:
            findings.append(error(exc.message, file=str(path)))
            continue
        if streamed is not None:
            findings.extend(streamed.findings)
            out.append(streamed)
            continue
        try:
            # Only a regular file within the size limit: /dev/zero or a pipe would never end.
            data = load_input(path, max_bytes, map_large=True, setting="sie_mb")
            stat = path.stat()
        except BokslutError as exc:
            findings.append(error(exc.message, file=str(path)))
            continue
        except OSError as exc:
            findings.append(error(read_problem(exc), file=str(path)))
            continue
        digest = pool.submit(filehash.of_bytes, data)
        sie = read_sie_bytes(data, str(path))
        findings.extend(sie.findings)
        out.append(_Read(path, stat, digest.result(), sie, list(sie.findings)))
        del data  # the parsed file no longer needs the bytes (or the map); a large file's are hundreds of MB
    pool.shutdown()
    return out, findings


def _stream(
    path: Path, i: int, max_bytes: int, store: Store, staging: journal.Staging, streams: list[Streaming]
) -> _Read | None:
    """A large file streamed into ``staging`` (:mod:`bokslut.ledger.streaming`); None for a small
    file, or one the exact reader must read after all."""
    if i == 0 and streams:
        streaming: Streaming | None = streams[0]  # begun before the store was open
    else:
        streaming = Streaming.start(path, staging, f"{i}-rader")
        if streaming is not None:
            streams.append(streaming)
    if streaming is None or not streaming.begin(store, max_bytes):
        return None
    got = streaming.result()
    if got is None:
        return None
    findings = list(got.sie.findings)
    return _Read(path, got.stat, got.digest, got.sie, findings, got.staged, got.checked, got.copy)


def import_files(layout: Layout, paths: Sequence[Path], progress: Progress = no_progress) -> ImportResult:
    """Import ``paths`` into the workspace; raises BokslutError (nothing written) on any error."""
    if not layout.config.is_file():
        raise BokslutError(f"{layout.root}: ingen bokslut.toml här – skapa arbetsytan med 'bokslut new'")
    try:
        with writer_lock(layout):
            # An interrupted import is finished, and its staging cleared, before this one's
            # copy begins there.
            recovered = journal.recover(layout)
            staging = journal.Staging.begin(layout)
            # The first file, if large, is copied and scanned from now on (without the GIL)
            # while the settings and DuckDB load and the store opens; nothing but the copy is
            # written before that.
            streams: list[Streaming] = []
            try:
                first = Streaming.start(paths[0], staging, "0-rader", warm_up=True) if paths else None
                streams += [first] if first is not None else []
                from bokslut.ledger.store import update_store
                from bokslut.workspace.config import input_limits

                limit = input_limits(layout.config).sie_bytes
                with update_store(layout, progress=progress, recovered=recovered) as store:
                    read, findings = _read_all(paths, limit, progress, store, staging, streams)
                    if has_errors(findings):
                        raise BokslutError(NOTHING_IMPORTED, findings)
                    changes, result = _write(layout, store, staging, read, findings, progress)
            except BaseException:
                for streaming in streams:
                    streaming.stop()
                staging.discard()  # a streamed file's rows, or copies: nothing of it is used
                raise
            for r in read:
                if r.copy is not None:
                    r.copy.stop()  # of a file already imported (unchanged): not used
            # The new index is published; now the files it describes take their places.
            if changes:
                staging.commit(changes)
            else:
                staging.discard()
            return result
    except OSError as exc:
        raise environment_error(exc, "importen kunde inte skrivas") from None


def _write(
    layout: Layout,
    store: Store,
    staging: journal.Staging,
    read: list[_Read],
    findings: list[Finding],
    progress: Progress,
) -> tuple[list[journal.Change], ImportResult]:
    changes, results, notes, staged, remove, add = _plan(layout, store, read, staging)
    # Checking, copying and indexing run at the same time; the index is committed
    # only if the checks pass, and the copies become visible in data/ only after that.
    progress("Kontrollerar, sparar och indexerar")
    with ThreadPoolExecutor(max_workers=2) as pool:
        checking = pool.submit(_validate_all, read)
        writing = pool.submit(_stage_all, staging, staged)

        def checks_pass() -> bool:
            findings.extend(checking.result())
            return not has_errors(findings)

        try:
            committed = store.replace_files(remove, add, checks_pass) if changes else checks_pass()
        finally:
            copy_error = writing.exception()
        if copy_error is not None:
            raise copy_error
    if not committed:
        raise BokslutError(NOTHING_IMPORTED, findings)
    return changes, ImportResult(tuple(results), tuple(findings) + tuple(notes))


_Staged = tuple[str, Path, int, os.stat_result, Copy | None]


def _plan(
    layout: Layout, store: Store, read: list[_Read], staging: journal.Staging
) -> tuple[
    list[journal.Change],
    list[ImportedFile],
    list[Finding],
    list[_Staged],
    list[str],
    list[tuple[str, int, int, Parsed]],
]:
    """What the import changes: journal entries, results, and what to stage, forget and index."""
    from bokslut.sie.checks import counted

    existing = _existing_main_files(store)
    files = store.con.execute("SELECT path, digest, sietyp FROM source_file").fetchall()
    indexed = {path: digest for path, digest, _ in files}
    # A 4I file already here with the same bytes, under whatever name (another name of the file
    # it came from, or a name made with the digest of an earlier version): it would be counted twice.
    kept_4i = {digest: path for path, digest, sietyp in files if sietyp == "4I"}
    planned: list[tuple[_Read, str]] = []
    targets: dict[str, Path] = {}
    for r in read:
        same = kept_4i.get(r.digest) if r.sie.sietyp_label == "4I" else None
        name = target_name(r.sie, r.path, r.digest, r.staged.first_date if r.staged else None)
        target = same or (layout.ledger_dir / name).relative_to(layout.root).as_posix()
        if target in targets:
            raise BokslutError(
                f"{r.path} och {targets[target]} gäller samma räkenskapsår – importera en av dem",
            )
        targets[target] = r.path
        planned.append((r, target))

    changes: list[journal.Change] = []
    results: list[ImportedFile] = []
    notes: list[Finding] = []
    staged: list[_Staged] = []
    remove: list[str] = []
    add: list[tuple[str, int, int, Parsed]] = []
    stamp = time.time_ns()
    for i, (r, target) in enumerate(planned):
        sie = r.sie
        parsed = r.parsed()
        period = parsed.period()
        assert period is not None
        year = period[0]
        counts = (
            (r.staged.vouchers, r.staged.counted)
            if r.staged
            else (sie.vouchers.num_rows, counted(sie, ["amount"]).num_rows)
        )
        target_path = layout.root / target
        if target_path.exists() and indexed.get(target) == r.digest:
            results.append(ImportedFile(str(r.path), target, "oförändrad", year, None, *counts))
            continue
        replaced: str | None = None
        if target_path.exists():
            replaced = target
        elif sie.sietyp_label != "4I" and year in existing and existing[year] != target:
            replaced = existing[year]
            changes.append(journal.Change(existing[year], None))
            remove.append(existing[year])
        stage_name = r.copy.name if r.copy is not None else f"{i}-{Path(target).name}"
        staged.append((stage_name, r.path, stamp + i, r.stat, r.copy))
        changes.append(journal.Change(target, staging.rel(stage_name), r.stat.st_size, stamp + i))
        remove.append(target)
        add.append((target, r.stat.st_size, stamp + i, parsed))
        if replaced:
            notes.append(
                Finding(
                    Level.NOTICE,
                    f"räkenskapsåret {year} fanns redan ({replaced}) och ersätts av denna fil",
                    file=str(r.path),
                )
            )
        results.append(
            ImportedFile(str(r.path), target, "ersatt" if replaced else "ny", year, replaced, *counts)
        )
    return changes, results, notes, staged, remove, add


def _validate_all(read: list[_Read]) -> list[Finding]:
    from bokslut.sie.checks import validate

    return [f for r in read for f in (r.checked() if r.checked is not None else validate(r.sie))]


def _stage_all(staging: journal.Staging, staged: list[_Staged]) -> None:
    for name, source, mtime_ns, seen, copy in staged:
        try:
            if copy is not None:
                copy.finish(source)
                staging.settle(name, mtime_ns)
            else:
                staging.stage_file(name, source, mtime_ns, seen)
        except OSError as exc:
            raise BokslutError(
                f"{source}: kunde inte kopieras till arbetsytan ({exc.strerror or exc}); inget importerades"
            ) from None


def _existing_main_files(store: Store) -> dict[int, str]:
    rows = store.con.execute(
        "SELECT fiscal_year, path FROM source_file WHERE sietyp <> '4I' AND fiscal_year IS NOT NULL"
    ).fetchall()
    return {int(y): str(p) for y, p in rows}
