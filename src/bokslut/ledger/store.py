"""The ledger store: a DuckDB database under .bokslut/, derived from data/ledger/.

It is a cache. :func:`open_store` compares the files in data/ledger with what
the database has indexed (path, size, modification time) and re-indexes what
changed, one file per transaction, so the database always answers for exactly
the files that are there. Deleting .bokslut/ loses nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from bokslut.diagnostics import BokslutError, Finding, Level, has_errors
from bokslut.workspace.layout import Layout

if TYPE_CHECKING:
    from bokslut.sie.model import SieFile

SCHEMA_VERSION = "3"
SIE_SUFFIXES = (".se", ".si", ".sie")

Progress = Callable[[str], None]


def no_progress(_: str) -> None:
    """A progress callback that says nothing."""


@dataclass
class Store:
    """An open, up-to-date store. ``con`` answers SQL over schema.sql's tables."""

    layout: Layout
    con: duckdb.DuckDBPyConnection
    findings: tuple[Finding, ...] = ()  # warnings from files indexed during this open

    def close(self) -> None:
        self.con.close()

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
        self.con.execute("BEGIN TRANSACTION")
        try:
            for rel in remove:
                for (file_id,) in self.con.execute(
                    "SELECT file_id FROM source_file WHERE path = ?", [rel]
                ).fetchall():
                    _delete_file(self.con, int(file_id))
            next_id = self.con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM source_file").fetchone()
            assert next_id is not None
            from bokslut.ledger.indexer import insert_file

            for i, (rel, size, mtime_ns, parsed) in enumerate(add):
                insert_file(self.con, self.layout, int(next_id[0]) + i, rel, size, mtime_ns, parsed)
            ok = confirm()
        except BaseException:
            self.con.execute("ROLLBACK")
            _refresh_view(self.con, self.layout)
            raise
        self.con.execute("COMMIT" if ok else "ROLLBACK")
        _refresh_view(self.con, self.layout)
        if ok:
            # Write the new rows into the database file now, so the next command opens it
            # without replaying a log of millions of rows.
            self.con.execute("CHECKPOINT")
        return ok

    def fiscal_years(self) -> list[int]:
        rows = self.con.execute(
            "SELECT DISTINCT fiscal_year FROM source_file WHERE fiscal_year IS NOT NULL ORDER BY 1"
        ).fetchall()
        return [int(r[0]) for r in rows]


@dataclass(frozen=True, slots=True)
class Parsed:
    """A file already read and validated (by the importer), so syncing need not read it again."""

    sie: SieFile
    sha256: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class _OnDisk:
    rel: str
    path: Path
    size: int
    mtime_ns: int


def ledger_files(layout: Layout) -> list[_OnDisk]:
    if not layout.ledger_dir.is_dir():
        return []
    out = []
    for p in sorted(layout.ledger_dir.iterdir()):
        if p.name.startswith(".") or not p.is_file() or p.suffix.lower() not in SIE_SUFFIXES:
            continue
        st = p.stat()
        out.append(_OnDisk(p.relative_to(layout.root).as_posix(), p, st.st_size, st.st_mtime_ns))
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fiscal_period(sie: SieFile) -> tuple[int, dt.date, dt.date] | None:
    """The file's own fiscal year: #RAR 0, or for a 4I file the calendar year of its vouchers."""
    fy = sie.header.fiscal_year(0)
    if fy is not None:
        return fy.start.year, fy.start, fy.end
    dates = sie.vouchers["date"]
    if len(dates) == 0:
        return None
    first = min(dates.to_pylist())
    return first.year, dt.date(first.year, 1, 1), dt.date(first.year, 12, 31)


def _schema_sql() -> str:
    return resources.files("bokslut.ledger").joinpath("schema.sql").read_text(encoding="utf-8")


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    con = duckdb.connect(str(path))
    if not fresh:
        try:
            version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.Error:
            version = None
        if version is not None and version[0] == SCHEMA_VERSION:
            _settings(con)
            return con
        # An older or damaged cache: it is derived, so start again.
        con.close()
        path.unlink()
        for extra in path.parent.glob(path.name + ".wal"):
            extra.unlink()
        con = duckdb.connect(str(path))
    _settings(con)
    con.execute(_schema_sql())
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    return con


def rows_dir(layout: Layout) -> Path:
    return layout.cache / "rows"


def rows_file(layout: Layout, file_id: int, sha256: str, what: str) -> Path:
    """Where a ledger file's ``what`` ("vouchers" or "rows") are kept as Parquet."""
    return rows_dir(layout) / f"file-{file_id}-{sha256[:16]}.{what}.parquet"


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
        "CAST(quantity AS DECIMAL(24,6)) AS quantity, sign, objects, line",
        "rows",
    ),
}


def _refresh_view(con: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    """(Re)create the "voucher" and "transaction" views over the indexed files' Parquet."""
    files = con.execute("SELECT file_id, sha256 FROM source_file ORDER BY file_id").fetchall()
    keep: set[str] = set()
    for view, (base, columns, what) in _VIEWS.items():
        paths = [rows_file(layout, int(f), str(h), what) for f, h in files]
        paths = [p for p in paths if p.exists()]
        keep.update(p.name for p in paths)
        sql = f"SELECT * FROM {base}"
        if paths:
            listed = ", ".join("'" + str(p.resolve()).replace("'", "''") + "'" for p in paths)
            sql += f" UNION ALL BY NAME SELECT {columns} FROM read_parquet([{listed}])"
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS {sql}')
    # Parquet files of files no longer indexed (an interrupted import, a removed file) go.
    folder = rows_dir(layout)
    if folder.is_dir():
        for stray in folder.iterdir():
            if stray.name not in keep:
                with contextlib.suppress(OSError):
                    stray.unlink()


def _settings(con: duckdb.DuckDBPyConnection) -> None:
    # Row order is kept by our own keys (voucher_id, row_no), not by insertion; letting
    # DuckDB drop it makes large inserts faster and leaner. The limit keeps an import of a
    # large municipality's year within a laptop's memory (DuckDB spills beyond it).
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '768MB'")


def open_store(
    layout: Layout,
    *,
    parsed: Mapping[str, Parsed] | None = None,
    progress: Progress = no_progress,
) -> Store:
    """Open the store, first bringing it up to date with data/ledger.

    ``parsed`` maps workspace-relative paths to files the caller has just read
    (the importer), so they are indexed without reading them again.
    """
    from bokslut.ledger.journal import recover

    recover(layout)
    try:
        con = _connect(layout.store_path)
    except (OSError, duckdb.Error) as exc:
        if not cannot_write(exc):
            raise
        return open_store_read_only(layout, exc, progress)
    try:
        findings = _sync(con, layout, parsed or {}, progress)
    except BaseException:
        con.close()
        raise
    return Store(layout, con, tuple(findings))


def _sync(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    parsed: Mapping[str, Parsed],
    progress: Progress,
) -> list[Finding]:
    on_disk = {f.rel: f for f in ledger_files(layout)}
    indexed = {
        row[1]: (int(row[0]), int(row[2]), int(row[3]))
        for row in con.execute("SELECT file_id, path, size, mtime_ns FROM source_file").fetchall()
    }
    findings: list[Finding] = []
    changed = False
    for rel, (file_id, size, mtime_ns) in indexed.items():
        disk = on_disk.get(rel)
        if disk is None or (disk.size, disk.mtime_ns) != (size, mtime_ns):
            changed = True
            with _transaction(con):
                _delete_file(con, file_id)
    current = {row[0] for row in con.execute("SELECT path FROM source_file").fetchall()}
    next_id = int(con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM source_file").fetchone()[0])  # type: ignore[index]
    first_id = next_id
    for rel, disk in on_disk.items():
        if rel in current:
            continue
        if rel in parsed:
            p = parsed[rel]
        else:
            # Imported here: answering questions from an up-to-date store needs no reader.
            from bokslut.sie.checks import validate
            from bokslut.sie.reader import read_sie

            progress(f"Läser {rel}")
            sie = read_sie(disk.path, rel)
            file_findings = (*sie.findings, *validate(sie))
            if has_errors(file_findings):
                errors = [f for f in file_findings if f.level.value == "error"]
                raise BokslutError(
                    f"{rel}: filen i data/ledger går inte att läsa in – rätta eller ta bort den",
                    errors,
                )
            p = Parsed(sie, sha256_file(disk.path), tuple(file_findings))
        progress(f"Indexerar {rel}")
        from bokslut.ledger.indexer import insert_file

        with _transaction(con):
            insert_file(con, layout, next_id, rel, disk.size, disk.mtime_ns, p)
        findings.extend(p.findings)
        next_id += 1
    if changed or next_id != first_id:
        con.execute("CHECKPOINT")
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
    "source_file",
)


def _delete_file(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    # Its row file is removed by the next _refresh_view, after the deletion is committed.
    for table in _FILE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])


def remove_store(layout: Layout) -> None:
    """Throw the cache away (the next open rebuilds it)."""
    for p in (layout.store_path, Path(str(layout.store_path) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            os.remove(p)
    shutil.rmtree(rows_dir(layout), ignore_errors=True)


# --- A workspace that cannot be written (a read-only share, a copy without write permission) ---

_CANNOT_WRITE_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)
# DuckDB reports file errors as its own exceptions, with strerror's English text in the message.
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
class _ReadOnlyStore(Store):
    """A store that answers questions but cannot take changes (the cache cannot be written).

    ``refusal`` is the error that said so; a writer (the importer) gets it again, so the
    user reads why the workspace cannot be written, not a database message.
    ``folder``, when set, is a temporary cache removed when the store is closed.
    """

    refusal: BaseException | None = None
    folder: Path | None = None

    def replace_files(
        self,
        remove: list[str],
        add: list[tuple[str, int, int, Parsed]],
        confirm: Callable[[], bool] = lambda: True,
    ) -> bool:
        assert self.refusal is not None
        raise self.refusal

    def close(self) -> None:
        super().close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def open_store_read_only(layout: Layout, refusal: BaseException, progress: Progress = no_progress) -> Store:
    """Open the store of a workspace whose .bokslut/ cannot be written (``refusal`` says why).

    A current cache is opened read-only and used as it is. A missing, stale or
    damaged one is rebuilt from data/ledger in a temporary folder that goes away
    when the store is closed (with a notice: every command pays for the rebuild).
    The store answers questions only; changing it raises ``refusal`` again.
    """
    con = _connect_read_only(layout)
    if con is not None:
        _settings(con)
        _refresh_view(con, layout)
        return _ReadOnlyStore(layout, con, (), refusal)
    folder = Path(tempfile.mkdtemp(prefix="bokslut-cache-"))
    elsewhere = _CacheElsewhere(layout.root, folder)
    try:
        con = _connect(elsewhere.store_path)
        findings = _sync(con, elsewhere, {}, progress)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    note = Finding(
        Level.NOTICE,
        f"{layout.cache}: cachen kan inte skrivas (skrivskyddad arbetsyta eller saknad behörighet); "
        "huvudboken lästes in i en tillfällig cache. Kör 'bokslut saldon' en gång med skrivrätt "
        "så går det fortare nästa gång.",
    )
    return _ReadOnlyStore(elsewhere, con, (note, *findings), refusal, folder)


def _connect_read_only(layout: Layout) -> duckdb.DuckDBPyConnection | None:
    """The cache opened read-only if it answers for exactly the files in data/ledger, else None."""
    path = layout.store_path
    if not path.is_file() or Path(str(path) + ".wal").exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        indexed = {
            (str(r[0]), int(r[1]), int(r[2]))
            for r in con.execute("SELECT path, size, mtime_ns FROM source_file").fetchall()
        }
    except duckdb.Error:
        con.close()
        return None
    on_disk = {(f.rel, f.size, f.mtime_ns) for f in ledger_files(layout)}
    if version is None or version[0] != SCHEMA_VERSION or indexed != on_disk:
        con.close()
        return None
    return con
