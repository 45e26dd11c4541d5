"""The ledger store: a DuckDB database under .bokslut/, derived from data/ledger/.

It is a cache, kept as immutable generations: ``.bokslut/ledger-N.duckdb`` is
never changed once it has its name. A command that needs the store up to date
(:func:`update_store`, under the workspace's writer lock) copies the newest
generation, brings the copy in step with data/ledger (path, size, modification
time of each file; the rows files checked against what was written, see
:mod:`bokslut.ledger.rowfiles`), and
publishes it by renaming it to the next number. Readers (:func:`open_store`)
open the newest generation read-only and pin it with a shared ``flock``, so:

* a reader never waits for a writer and never sees half of a write: it reads
  one published generation, whatever a writer does meanwhile;
* a writer never waits for a reader: it removes an old generation (and rows
  files only old generations use) only when nobody has it pinned, else later;
* DuckDB's own one-writer lock is never contended: a generation is opened for
  writing only by the writer that made it, before anyone can read it.

When the newest generation does not answer for exactly the files in
data/ledger (a file changed, an import in progress, an interrupted import's
journal, a missing or damaged rows file, a damaged database), the reader takes
the writer lock and updates the store first. Deleting .bokslut/ loses nothing.

Every open checks each file's status (``verify="stat"``, constant time per file); an
open with ``verify="full"`` (where a report is composed) also reads every byte: each
rows file against its CRC-32, each file in data/ledger against its digest. A cache
not built here (copied with the workspace) is never reused: when none of its files
still answers for data/ledger, the next generation starts empty, so nothing else in
the copied database is read into a report either.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb

from bokslut.diagnostics import BokslutError, Finding, Level, has_errors
from bokslut.environment import environment_error
from bokslut.ledger import filehash, sums
from bokslut.ledger.journal import fsync_dir, journal_path, recover
from bokslut.ledger.parsed import Parsed, fiscal_period
from bokslut.ledger.progress import Progress, no_progress
from bokslut.ledger.rowfiles import RowsCheck, State, Verify, rows_dir, rows_file, state_of
from bokslut.lock import writer_lock
from bokslut.workspace.layout import Layout

__all__ = [
    "SIE_SUFFIXES",
    "Parsed",
    "Progress",
    "Store",
    "Verify",
    "fiscal_period",
    "ledger_files",
    "no_progress",
    "open_store",
    "remove_store",
    "rows_dir",
    "rows_file",
    "update_store",
]

SCHEMA_VERSION = "7"
SIE_SUFFIXES = (".se", ".si", ".sie")
_GENERATION = re.compile(r"ledger-([0-9]{1,12})\.duckdb")


@dataclass
class Store:
    """An open, up-to-date store. ``con`` answers SQL over schema.sql's tables."""

    layout: Layout
    con: duckdb.DuckDBPyConnection
    findings: tuple[Finding, ...] = ()  # notices and warnings from bringing the store up to date
    pin: int | None = None  # the fd whose shared lock keeps this generation from being removed
    # The drill-down's FROM clauses per fiscal year, once its index is attached (ledger.drilldown).
    drill_tables: dict[int, dict[str, str | None]] = field(default_factory=dict)
    # What the drill-down keeps of this generation between pages (ledger.drilldown's own keys).
    drill_memo: dict[object, object] = field(default_factory=dict)
    # Whether a drill-down query may write a missing drill-down index itself (a server writes
    # it in the background and lets its pages read the views meanwhile).
    drill_build: bool = True

    def close(self) -> None:
        self.con.close()
        if self.pin is not None:
            os.close(self.pin)
            self.pin = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def replace_files(
        self,
        remove: list[str],
        add: list[tuple[str, int, int, Parsed]],
        confirm: Callable[[], bool] = lambda: True,
    ) -> bool:
        """In one transaction: forget the files at ``remove`` and index ``add``.

        ``add`` holds (workspace-relative path, size, mtime_ns, parsed file): the importer
        indexes a file while its copy is still being written, with the mtime it will have,
        and while it is still being checked: ``confirm`` is asked last, and when it says
        no the transaction is rolled back. Returns whether it committed.
        """
        from bokslut.ledger.indexer import insert_file

        self.con.execute("BEGIN TRANSACTION")
        try:
            for rel in remove:
                for (file_id,) in self.con.execute(
                    "SELECT file_id FROM source_file WHERE path = ?", [rel]
                ).fetchall():
                    _delete_file(self.con, int(file_id))
            # A streamed file's id was taken before it was read (see take_file_id).
            next_id = _take_ids(self.con, sum(1 for *_, parsed in add if parsed.staged is None))
            added: list[int] = []
            for rel, size, mtime_ns, parsed in add:
                if parsed.staged is not None:
                    file_id = parsed.staged.file_id
                else:
                    file_id, next_id = next_id, next_id + 1
                insert_file(self.con, self.layout, file_id, rel, size, mtime_ns, parsed)
                added.append(file_id)
            # While the checks that ``confirm`` waits for still run.
            from bokslut.ledger.sums_writer import ensure_sums

            ensure_sums(self.con, self.layout, only=added)
            ok = confirm()
        except BaseException:
            self.con.execute("ROLLBACK")
            _refresh_view(self.con, self.layout)
            raise
        if ok:
            _commit_checkpointed(self.con)
        else:
            self.con.execute("ROLLBACK")
        _refresh_view(self.con, self.layout)
        return ok

    def take_file_id(self) -> int:
        """A file id never used before in this store, for a file whose rows are written while it
        is read (their voucher ids hold it). Unused, it is simply skipped."""
        return _take_ids(self.con, 1)

    def give_back_file_id(self, file_id: int) -> None:
        """Return an id from :meth:`take_file_id` that nothing was stored under (the file was read
        another way), so the ids stay what they would have been."""
        if _last_file_id(self.con) == file_id:
            self.con.execute("DELETE FROM meta WHERE key = 'last_file_id'")
            self.con.execute("INSERT INTO meta VALUES ('last_file_id', ?)", [str(file_id - 1)])

    def fiscal_years(self) -> list[int]:
        rows = self.con.execute(
            "SELECT DISTINCT fiscal_year FROM source_file WHERE fiscal_year IS NOT NULL ORDER BY 1"
        ).fetchall()
        return [int(r[0]) for r in rows]


def _commit_checkpointed(con: duckdb.DuckDBPyConnection) -> None:
    """Commit, the transaction written straight into the database file. Committed as usual,
    its records would go to the write-ahead log first, only to be copied into the file by the
    checkpoint that publishes the generation (update_store): for a region's header (300 000
    objects, 66 000 balances) 0.015-0.02 s of the import's serial end spent twice."""
    con.execute("SET checkpoint_threshold = '0b'")  # any size: DuckDB checkpoints as it commits
    try:
        con.execute("COMMIT")
    finally:
        con.execute("RESET checkpoint_threshold")


@dataclass(frozen=True, slots=True)
class _OnDisk:
    rel: str
    path: Path
    size: int
    mtime_ns: int
    ino: int = 0
    ctime_ns: int = 0

    @property
    def stamp(self) -> str:
        """What the kernel changes on every write to the file (see :func:`_hashed`)."""
        return f"{self.ino}:{self.ctime_ns}"


def ledger_files(layout: Layout) -> list[_OnDisk]:
    if not layout.ledger_dir.is_dir():
        return []
    out = []
    for p in sorted(layout.ledger_dir.iterdir()):
        if p.name.startswith(".") or not p.is_file() or p.suffix.lower() not in SIE_SUFFIXES:
            continue
        st = p.stat()
        out.append(
            _OnDisk(
                p.relative_to(layout.root).as_posix(),
                p,
                st.st_size,
                st.st_mtime_ns,
                st.st_ino,
                st.st_ctime_ns,
            )
        )
    return out


def _schema_sql() -> str:
    return resources.files("bokslut.ledger").joinpath("schema.sql").read_text(encoding="utf-8")


def _settings(con: duckdb.DuckDBPyConnection) -> None:
    # Row order is kept by our own keys (voucher_id, row_no), not by insertion; letting
    # DuckDB drop it makes large inserts faster and leaner. The limit keeps an import of a
    # large municipality's year within a laptop's memory (DuckDB spills beyond it).
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '768MB'")


# view name → (its empty typed base table, the columns read from the Parquet files)
_VIEWS = {
    "voucher": (
        "voucher_base",
        "file_id, voucher_id, fiscal_year, series, number, date, text, regdate, sign, line",
        "vouchers",
    ),
    "transaction": (
        "transaction_base",
        "file_id, voucher_id, row_no, kind, account, amount, date, text, "
        "CAST(quantity AS DECIMAL(24,6)) AS quantity, sign, objects, line, text_at, text_len",
        "rows",
    ),
}


def _refresh_view(con: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    """(Re)create the "voucher" and "transaction" views over the indexed files' Parquet, and
    "ledger_sums" and "ledger_year_sums" over their sums (:mod:`bokslut.ledger.sums`)."""
    files = con.execute("SELECT file_id, digest FROM source_file ORDER BY file_id").fetchall()
    for view, (base, columns, what) in _VIEWS.items():
        # Every file is listed, present or not: a missing one must fail, never read as zero.
        paths = [rows_file(layout, int(f), str(h), what) for f, h in files]
        sql = f"SELECT * FROM {base}"
        if paths:
            listed = ", ".join("'" + str(p.resolve()).replace("'", "''") + "'" for p in paths)
            sql += f" UNION ALL BY NAME SELECT {columns} FROM read_parquet([{listed}])"
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS {sql}')
    con.execute(f"CREATE OR REPLACE TEMP VIEW ledger_sums AS {sums.view_sql(con, layout)}")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW ledger_year_sums AS {sums.view_sql(con, layout, whole_year=True)}"
    )


# ---------------------------------------------------------------- generations


def _generations(layout: Layout) -> list[tuple[int, Path]]:
    """The published generations, oldest first."""
    try:
        names = [p.name for p in layout.cache.iterdir()]
    except OSError:
        return []
    found = []
    for name in names:
        m = _GENERATION.fullmatch(name)
        if m:
            found.append((int(m.group(1)), layout.cache / name))
    return sorted(found)


def _pin(path: Path) -> int | None:
    """An fd holding a shared lock on the generation at ``path``, or None if it is gone."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        if os.fstat(fd).st_nlink > 0:  # not removed between open and lock
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _checks(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, RowsCheck]]:
    rows = con.execute(
        "SELECT c.file_id, f.path, c.name, c.size, c.mtime_ns, c.ino, c.ctime_ns, c.digest, c.crc32 "
        "FROM rows_check c JOIN source_file f USING (file_id) ORDER BY c.file_id, c.name"
    ).fetchall()
    return [
        (
            int(r[0]),
            str(r[1]),
            RowsCheck(str(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), str(r[7]), int(r[8])),
        )
        for r in rows
    ]


def _version(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error:
        return None
    return None if row is None else str(row[0])


def _answers_for_disk(
    con: duckdb.DuckDBPyConnection, layout: Layout, verify: Verify, hashed_now: dict[int, str] | None = None
) -> bool:
    """Whether this generation indexes exactly the files in data/ledger, and its rows files are intact.

    A full check puts the files of data/ledger it read every byte of into ``hashed_now``
    (file id → stamp), for the writer to remember."""
    rows = con.execute("SELECT file_id, path, size, mtime_ns, digest FROM source_file").fetchall()
    indexed = {str(path): (int(size), int(mtime_ns)) for _, path, size, mtime_ns, _ in rows}
    files = ledger_files(layout)
    if indexed != {f.rel: (f.size, f.mtime_ns) for f in files}:
        return False
    checks = _checks(con)
    if sum(1 for _, _, c in checks if not _is_sums(c.name)) != 2 * len(indexed):
        return False
    full = verify == "full"
    deep = _read_by_reports(con, layout, checks) if full else set()
    if not all(state_of(layout, c, full=c.name in deep) is State.INTACT for _, _, c in checks):
        return False
    if full:
        sha = {str(path): (int(f), str(h)) for f, path, _, _, h in rows}
        hashed = _hashed(con)
        for f in files:
            file_id, digest = sha[f.rel]
            if hashed.get(file_id) == f.stamp:
                continue
            if not _same_bytes(f, digest):
                return False
            if hashed_now is not None:
                hashed_now[file_id] = f.stamp
    return True


def _read_by_reports(
    con: duckdb.DuckDBPyConnection, layout: Layout, checks: list[tuple[int, str, RowsCheck]]
) -> set[str]:
    """The cache files a full check reads every byte of: what a report is computed from. That is
    each file's sums (:mod:`bokslut.ledger.sums`), and the rows and vouchers of a file without
    sums for the present settings; the rows of the others are read by the drill-down only, and
    checked by their status like on every open."""
    summed = set(sums.summed(con, sums.report_dims(layout).tag))
    return {c.name for file_id, _, c in checks if _is_sums(c.name) or file_id not in summed}


def _hashed(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """File id → the stamp (inode and status-change time) its file in data/ledger had when a
    full check last read every byte of it and found the bytes indexed. The kernel moves the
    ctime on every write and no user can set it back, so while the stamp is the same the file
    is not read again: a region's ten years would otherwise be 45 GB read per report."""
    out: dict[int, str] = {}
    for key, value in con.execute("SELECT key, value FROM meta WHERE key LIKE 'hashed:%'").fetchall():
        with contextlib.suppress(ValueError):
            out[int(str(key).split(":", 1)[1])] = str(value)
    return out


def _remember_hashed(con: duckdb.DuckDBPyConnection, layout: Layout, hashed_now: Mapping[int, str]) -> None:
    """Record what a full check read (only while each file still has the stamp it had then)."""
    paths = {int(f): str(p) for f, p in con.execute("SELECT file_id, path FROM source_file").fetchall()}
    now = {f.rel: f.stamp for f in ledger_files(layout)}
    for file_id, stamp in hashed_now.items():
        if now.get(paths.get(file_id, "")) == stamp:
            con.execute("DELETE FROM meta WHERE key = ?", [f"hashed:{file_id}"])
            con.execute("INSERT INTO meta VALUES (?, ?)", [f"hashed:{file_id}", stamp])


def _same_bytes(f: _OnDisk, digest: str) -> bool:
    """Whether the file in data/ledger still holds the bytes that were indexed (never raises)."""
    try:
        return filehash.of_file(f.path) == digest
    except OSError:
        return False


def _open_snapshot(
    layout: Layout,
    findings: tuple[Finding, ...] = (),
    verify: Verify = "stat",
    hashed_now: dict[int, str] | None = None,
) -> Store | None:
    """The newest generation, pinned and read-only, if it answers for data/ledger as it is now."""
    for _ in range(3):  # a writer may remove the generation between listing and pinning
        if journal_path(layout).exists():
            return None  # an import is committing, or was interrupted while it did
        generations = _generations(layout)
        if not generations:
            return None
        path = generations[-1][1]
        pin = _pin(path)
        if pin is None:
            continue
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            os.close(pin)
            return None  # damaged: the writer rebuilds it
        try:
            if _version(con) != SCHEMA_VERSION or not _answers_for_disk(con, layout, verify, hashed_now):
                con.close()
                os.close(pin)
                return None
            _settings(con)
            _refresh_view(con, layout)
        except (duckdb.Error, OSError):
            con.close()
            os.close(pin)
            return None
        return Store(layout, con, findings, pin)
    return None


def open_store(
    layout: Layout,
    *,
    progress: Progress = no_progress,
    wait: float | None = None,
    verify: Verify = "stat",
) -> Store:
    """Open the store for reading, first bringing it up to date with data/ledger if needed.

    Bringing it up to date writes, so it takes the workspace's writer lock (waiting
    at most ``wait`` seconds for another writer, see :mod:`bokslut.lock`).
    ``verify="full"`` reads every byte of the cache and of data/ledger first (see
    :mod:`bokslut.ledger.rowfiles`); what fails is rebuilt like any other damage.
    """
    hashed_now: dict[int, str] = {}
    store = _open_snapshot(layout, verify=verify, hashed_now=hashed_now)
    if store is not None:
        if hashed_now or not sums.complete(store.con, sums.report_dims(layout)):
            summed = _with_sums(layout, progress, hashed_now)
            if summed is not None:
                store.close()
                return summed
        return store
    for _ in range(3):
        try:
            with writer_lock(layout, wait):
                with update_store(layout, progress=progress, verify=verify) as updated:
                    findings = updated.findings
                # Just verified (as asked) under the lock: what changes it now, the status shows.
                store = _open_snapshot(layout, findings)
        except (OSError, duckdb.Error) as exc:
            if cannot_write(exc):
                return _open_elsewhere(layout, progress, verify)
            if isinstance(exc, OSError):
                raise environment_error(exc, "huvudbokens lager kunde inte uppdateras") from None
            raise
        if store is not None:
            return store
    raise BokslutError(
        f"{layout.cache}: huvudbokens lager kan inte öppnas – ta bort mappen .bokslut och försök igen"
    )


def _connect_fresh(path: Path, last_file_id: int = 0) -> duckdb.DuckDBPyConnection:
    """An empty store whose file ids start after ``last_file_id`` (the rows file names of
    the generation it replaces may still be read)."""
    con = duckdb.connect(str(path))
    _settings(con)
    # One transaction: each statement committed on its own was synced on its own (some twenty
    # fdatasync calls, on the import's path while the scan waits for the store).
    with _transaction(con):
        con.execute(_schema_sql())
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        if last_file_id:
            con.execute("INSERT INTO meta VALUES ('last_file_id', ?)", [str(last_file_id)])
    return con


def _remove_db(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _clear_leftovers(layout: Layout) -> None:
    """Remove what interrupted writers and older versions left (only ever under the writer lock)."""
    cache = layout.cache
    if cache.is_symlink():
        cache.unlink()  # the link only: whatever it points to is not ours
    cache.mkdir(parents=True, exist_ok=True)
    for folder in (cache, rows_dir(layout)):
        if not folder.is_dir() or folder.is_symlink():
            if folder.is_symlink():
                folder.unlink()
            continue
        for entry in folder.iterdir():
            name = entry.name
            # Not directories: DuckDB spills a reader's large query into "<db>.tmp/".
            if entry.is_symlink() or (
                folder == cache
                and entry.is_file()
                and (name.startswith(("ledger.duckdb", "ledger-")) and not _GENERATION.fullmatch(name))
            ):
                with contextlib.suppress(OSError):
                    entry.unlink()


@contextlib.contextmanager
def update_store(
    layout: Layout,
    *,
    parsed: Mapping[str, Parsed] | None = None,
    progress: Progress = no_progress,
    verify: Verify = "stat",
    hashed_now: Mapping[int, str] | None = None,
    recovered: list[Finding] | None = None,
) -> Iterator[Store]:
    """A writable next generation of the store, up to date with data/ledger; published on success.

    Call only under the workspace's writer lock. Finishes an interrupted import first.
    ``parsed`` maps workspace-relative paths to files the caller has just read (the
    importer), so they are indexed without reading them again. ``verify`` is how much
    of the cache and of data/ledger is read to find what no longer answers (see
    :func:`open_store`). If the block raises, the new generation is thrown away and
    the published one stays as it was. ``recovered``: the findings of
    :func:`~bokslut.ledger.journal.recover`, when the caller has finished an interrupted
    import itself under the same lock (the importer, before it copies into staging).
    """
    findings = recover(layout) if recovered is None else list(recovered)
    _clear_leftovers(layout)
    generations = _generations(layout)
    number = generations[-1][0] + 1 if generations else 1
    final = layout.cache / f"ledger-{number}.duckdb"
    work = layout.cache / f"ledger-{number}.duckdb.ny"
    con: duckdb.DuckDBPyConnection | None = None
    last_file_id = 0
    if generations:
        con, last_file_id = _copy_of(generations[-1][1], work, layout, findings)
    try:
        if con is not None:
            try:
                findings += _forget_stale(con, layout, verify)
                last_file_id = _last_file_id(con)
                if _indexes_nothing(con):
                    # Nothing in it answers for data/ledger (a cache copied from elsewhere, or
                    # all of it damaged): start empty, so nothing else in it is read either.
                    con.close()
                    con = None
                    _remove_db(work)
                else:
                    findings += _index_new(con, layout, parsed or {}, progress)
            except duckdb.Error:
                # Damaged inside, past what opening it checks: start again from data/.
                findings.append(_damaged(generations[-1][1], layout))
                if con is not None:
                    con.close()
                con = None
                _remove_db(work)
        if con is None:
            con = _connect_fresh(work, last_file_id)
            findings += _index_new(con, layout, parsed or {}, progress)
        from bokslut.ledger.sums_writer import ensure_sums

        with _transaction(con):
            ensure_sums(con, layout)
            _remember_hashed(con, layout, hashed_now or {})
        _refresh_view(con, layout)
        store = Store(layout, con, tuple(findings))
        yield store
        keep = {str(r[0]) for r in con.execute("SELECT name FROM rows_check").fetchall()}
        con.execute("CHECKPOINT")
        con.close()
        with work.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(work, final)
        fsync_dir(layout.cache)
    except BaseException:
        if con is not None:
            con.close()
        _remove_db(work)
        raise
    with contextlib.suppress(OSError):  # best effort: the next writer tries again
        _collect_garbage(layout, final, keep)


def _damaged(path: Path, layout: Layout) -> Finding:
    return Finding(
        Level.NOTICE,
        "huvudbokens lager i .bokslut var skadat och byggs om från data/ledger",
        file=path.relative_to(layout.root).as_posix(),
    )


def _copy_of(
    newest: Path, work: Path, layout: Layout, findings: list[Finding]
) -> tuple[duckdb.DuckDBPyConnection | None, int]:
    """A writable copy of the newest generation, or None (with a notice) if it is damaged;
    and the last file id it used, as far as it can tell."""
    _remove_db(work)
    try:
        shutil.copyfile(newest, work, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EISDIR, errno.ELOOP, errno.ENOENT, errno.EINVAL):
            raise  # the disk, not the file: rebuilding would fail the same way
        findings.append(_damaged(newest, layout))
        return None, 0
    try:
        con = duckdb.connect(str(work))
    except duckdb.Error:
        findings.append(_damaged(newest, layout))
        _remove_db(work)
        return None, 0
    version = _version(con)
    if version == SCHEMA_VERSION:
        _settings(con)
        return con, 0
    last_file_id = _last_file_id(con)
    con.close()
    _remove_db(work)
    if version is None:
        findings.append(_damaged(newest, layout))
    return None, last_file_id  # an older version's store: rebuilt in silence, nothing was wrong with it


def _collect_garbage(layout: Layout, current: Path, keep: set[str]) -> None:
    """Remove older generations nobody reads, then rows files the current one does not use."""
    everyone_gone = True
    for _, path in _generations(layout):
        if path == current:
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            everyone_gone = False  # a reader still has it: the next writer removes it
        else:
            _remove_db(path)
        finally:
            os.close(fd)
    folder = rows_dir(layout)
    if everyone_gone and folder.is_dir():
        for stray in folder.iterdir():
            if stray.name not in keep:
                with contextlib.suppress(OSError):
                    stray.unlink()


def _is_sums(name: str) -> bool:
    return ".sums-" in name


def _last_file_id(con: duckdb.DuckDBPyConnection) -> int:
    """The highest file id this store has used (0 if it cannot tell)."""
    try:
        row = con.execute(
            "SELECT greatest((SELECT coalesce(max(file_id), 0) FROM source_file), "
            "coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'last_file_id'), 0))"
        ).fetchone()
    except duckdb.Error:
        return 0
    return int(row[0]) if row else 0


def _indexes_nothing(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM source_file").fetchone()
    return row is None or int(row[0]) == 0


def _take_ids(con: duckdb.DuckDBPyConnection, n: int) -> int:
    """``n`` file ids never used before in this store (so no rows file name is ever reused)."""
    first = _last_file_id(con) + 1
    con.execute("DELETE FROM meta WHERE key = 'last_file_id'")
    con.execute("INSERT INTO meta VALUES ('last_file_id', ?)", [str(first + n - 1)])
    return first


def _forget_stale(con: duckdb.DuckDBPyConnection, layout: Layout, verify: Verify) -> list[Finding]:
    """Forget the files whose index no longer answers for data/ledger: changed or gone
    there, or their rows files missing, damaged or not written here. Returns what the
    user is told."""
    on_disk = {f.rel: f for f in ledger_files(layout)}
    indexed = {
        str(row[1]): (int(row[0]), int(row[2]), int(row[3]), str(row[4]))
        for row in con.execute("SELECT file_id, path, size, mtime_ns, digest FROM source_file").fetchall()
    }
    full = verify == "full"
    states: dict[int, State] = {}
    per_file: dict[int, int] = {}
    checks = _checks(con)
    deep = _read_by_reports(con, layout, checks) if full else set()
    hashed = _hashed(con) if full else {}
    for file_id, _, check in checks:
        if not _is_sums(check.name):  # a file may have no sums (written before them): summed later
            per_file[file_id] = per_file.get(file_id, 0) + 1
        found = state_of(layout, check, full=check.name in deep)
        if found is not State.INTACT and states.get(file_id) is not State.DAMAGED:
            states[file_id] = found
    findings: list[Finding] = []
    elsewhere = False
    for rel, (file_id, size, mtime_ns, digest) in indexed.items():
        disk = on_disk.get(rel)
        if per_file.get(file_id, 0) != 2:
            states[file_id] = State.DAMAGED
        state = states.get(file_id)
        stale = disk is None or (disk.size, disk.mtime_ns) != (size, mtime_ns)
        if disk is not None and not stale and state is None and full and hashed.get(file_id) != disk.stamp:
            if _same_bytes(disk, digest):
                _remember_hashed(con, layout, {file_id: disk.stamp})
            else:
                stale = True
        if (
            stale
            and disk is not None
            and full
            and state is None
            and disk.size == size
            and disk.mtime_ns == mtime_ns
        ):
            findings.append(
                Finding(
                    Level.NOTICE,
                    "filen har ändrats fast storleken och ändringstiden är desamma; den läses in på nytt",
                    file=rel,
                )
            )
        if not stale and state is None:
            continue
        if disk is not None and state is State.DAMAGED:
            findings.append(
                Finding(
                    Level.NOTICE,
                    "cachens radfiler (.bokslut/rows) saknades eller var skadade och byggs om",
                    file=rel,
                )
            )
        elsewhere = elsewhere or (disk is not None and state is State.ELSEWHERE)
        with _transaction(con):
            _delete_file(con, file_id)
    if elsewhere:
        findings.append(
            Finding(
                Level.NOTICE,
                f"{layout.cache}: cachen byggdes på en annan plats (arbetsytan är kopierad) "
                "och byggs om från data/ledger",
            )
        )
    return findings


def _index_new(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    parsed: Mapping[str, Parsed],
    progress: Progress,
) -> list[Finding]:
    """Index the files in data/ledger the store does not (or no longer) hold."""
    findings: list[Finding] = []
    current = {row[0] for row in con.execute("SELECT path FROM source_file").fetchall()}
    for rel, disk in {f.rel: f for f in ledger_files(layout)}.items():
        if rel in current:
            continue
        if rel in parsed:
            p = parsed[rel]
        else:
            # Imported here: answering questions from an up-to-date store needs no reader.
            from bokslut.sie.checks import validate
            from bokslut.sie.reader import read_sie
            from bokslut.workspace.config import input_limits

            progress(f"Läser {rel}")
            limit = input_limits(layout.config).sie_bytes
            sie = read_sie(disk.path, rel, max_bytes=limit, setting="sie_mb", inside=layout.root)
            file_findings = (*sie.findings, *validate(sie))
            if has_errors(file_findings):
                errors = [f for f in file_findings if f.level.value == "error"]
                raise BokslutError(
                    f"{rel}: filen i data/ledger går inte att läsa in – rätta eller ta bort den",
                    errors,
                )
            p = Parsed(sie, filehash.of_file(disk.path), tuple(file_findings))
        progress(f"Indexerar {rel}")
        from bokslut.ledger.indexer import insert_file

        with _transaction(con):
            insert_file(con, layout, _take_ids(con, 1), rel, disk.size, disk.mtime_ns, p)
        findings.extend(p.findings)
    _refresh_view(con, layout)
    return findings


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


_FILE_TABLES = (
    "fiscal_year",
    "account",
    "dimension",
    "object",
    "balance",
    "period_balance",
    "rows_check",
    "source_file",
)


def _delete_file(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    # Its rows files are removed once no generation that uses them is read any more.
    for table in _FILE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])
    con.execute("DELETE FROM meta WHERE key = ?", [f"hashed:{file_id}"])


def remove_store(layout: Layout) -> None:
    """Throw the cache away (the next open rebuilds it). Call under the writer lock."""
    for _, path in _generations(layout):
        _remove_db(path)
    shutil.rmtree(rows_dir(layout), ignore_errors=True)


# DuckDB reports file errors as its own exceptions, with strerror's English text in the message.
_CANNOT_WRITE_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)
_CANNOT_WRITE_TEXTS = ("Read-only file system", "Permission denied", "Operation not permitted")


def cannot_write(exc: BaseException) -> bool:
    """Whether ``exc`` says the workspace's cache cannot be written (rather than being broken)."""
    if isinstance(exc, OSError):
        return exc.errno in _CANNOT_WRITE_ERRNOS
    return isinstance(exc, duckdb.IOException) and any(t in str(exc) for t in _CANNOT_WRITE_TEXTS)


@dataclass(frozen=True, slots=True)
class _CacheElsewhere(Layout):
    """The workspace, with its cache in another (writable) folder."""

    elsewhere: Path

    @property
    def cache(self) -> Path:
        return self.elsewhere


@dataclass
class _TemporaryStore(Store):
    """A store built in a temporary folder (removed on close) for a workspace whose
    .bokslut/ cannot be written."""

    folder: Path | None = None

    def close(self) -> None:
        super().close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _with_sums(layout: Layout, progress: Progress, hashed_now: Mapping[int, str]) -> Store | None:
    """The store with every file's sums for the present settings (a store written before sums
    existed, or the dimensions changed) and with what a full check just read remembered, if it
    can be written now without waiting; else None, and queries read the rows meanwhile."""
    try:
        with writer_lock(layout, 0):
            # The generation just opened passed the asked verification; this adds to it only.
            with update_store(layout, progress=progress, hashed_now=hashed_now) as updated:
                findings = updated.findings
            return _open_snapshot(layout, findings)
    except (BokslutError, OSError, duckdb.Error):
        return None


def _open_elsewhere(layout: Layout, progress: Progress, verify: Verify = "stat") -> Store:
    """Read data/ledger into a private temporary cache: the workspace's own cannot be
    written (a read-only workspace, or no permission), and is missing or out of date.

    Nobody else knows the folder, so no lock is needed; writers (the importer) still
    take the workspace's lock and get the Swedish permission message.
    """
    folder = Path(tempfile.mkdtemp(prefix="bokslut-cache-"))
    elsewhere = _CacheElsewhere(layout.root, folder)
    try:
        with update_store(elsewhere, progress=progress, verify=verify) as updated:
            findings = updated.findings
        store = _open_snapshot(elsewhere, findings)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if store is None:
        shutil.rmtree(folder, ignore_errors=True)
        raise BokslutError(f"{layout.cache}: huvudbokens lager kan inte byggas i en tillfällig mapp")
    note = Finding(
        Level.NOTICE,
        f"{layout.cache}: cachen kan inte skrivas (skrivskyddad arbetsyta eller saknad behörighet); "
        "huvudboken lästes in i en tillfällig cache. Kör 'bokslut saldon' en gång med skrivrätt "
        "så går det fortare nästa gång.",
    )
    return _TemporaryStore(elsewhere, store.con, (note, *store.findings), store.pin, folder=folder)
