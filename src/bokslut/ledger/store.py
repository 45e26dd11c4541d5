"""The ledger store: a DuckDB database under .bokslut/, derived from data/ledger/.

It is a cache. :func:`open_store` compares the files in data/ledger with what
the database has indexed (path, size, modification time) and re-indexes what
changed, one file per transaction, so the database always answers for exactly
the files that are there. Deleting .bokslut/ loses nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from bokslut.diagnostics import BokslutError, Finding, has_errors
from bokslut.sie.model import SieFile
from bokslut.workspace.layout import Layout

SCHEMA_VERSION = "2"
SIE_SUFFIXES = (".se", ".si", ".sie")

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


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


def _rows_file(layout: Layout, file_id: int, sha256: str) -> Path:
    return rows_dir(layout) / f"file-{file_id}-{sha256[:16]}.parquet"


_VIEW_COLUMNS = (
    "file_id, voucher_id, row_no, kind, account, amount, date, text, "
    "CAST(quantity AS DECIMAL(24,6)) AS quantity, sign, objects, line"
)


def _refresh_view(con: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    """(Re)create the "transaction" view over the row files of the indexed ledger files."""
    rows = con.execute("SELECT file_id, sha256 FROM source_file ORDER BY file_id").fetchall()
    paths = [_rows_file(layout, int(f), str(h)) for f, h in rows]
    paths = [p for p in paths if p.exists()]
    sql = "SELECT * FROM transaction_base"
    if paths:
        listed = ", ".join("'" + str(p.resolve()).replace("'", "''") + "'" for p in paths)
        sql += f" UNION ALL BY NAME SELECT {_VIEW_COLUMNS} FROM read_parquet([{listed}])"
    con.execute(f'CREATE OR REPLACE TEMP VIEW "transaction" AS {sql}')
    # Row files of files no longer indexed (an interrupted import, a removed file) go.
    keep = {p.name for p in paths}
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
    progress: Progress = _quiet,
) -> Store:
    """Open the store, first bringing it up to date with data/ledger.

    ``parsed`` maps workspace-relative paths to files the caller has just read
    (the importer), so they are indexed without reading them again.
    """
    from bokslut.ledger.journal import recover

    recover(layout)
    con = _connect(layout.store_path)
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
    "voucher",
    "source_file",
)


def _delete_file(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    # Its row file is removed by the next _refresh_view, after the deletion is committed.
    for table in _FILE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])


@dataclass
class _Rows:
    """Column lists for one small table, turned into Arrow for a bulk insert."""

    columns: dict[str, list[object]] = field(default_factory=dict)

    def add(self, **values: object) -> None:
        for k, v in values.items():
            self.columns.setdefault(k, []).append(v)

    def table(self, schema: pa.Schema) -> pa.Table:
        return pa.table(
            {name: pa.array(self.columns.get(name, []), schema.field(name).type) for name in schema.names},
            schema=schema,
        )


_BALANCE_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("year_index", pa.int32()),
        ("fiscal_year", pa.int32()),
        ("account", pa.string()),
        ("objects", pa.string()),
        ("amount", pa.int64()),
        ("quantity", pa.string()),
        ("line", pa.int64()),
    ]
)
_PERIOD_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("year_index", pa.int32()),
        ("fiscal_year", pa.int32()),
        ("period", pa.int32()),
        ("account", pa.string()),
        ("objects", pa.string()),
        ("amount", pa.int64()),
        ("quantity", pa.string()),
        ("line", pa.int64()),
    ]
)


def insert_file(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    file_id: int,
    rel: str,
    size: int,
    mtime_ns: int,
    p: Parsed,
) -> None:
    from bokslut.sie.model import canonical_objects

    sie = p.sie
    h = sie.header
    period = fiscal_period(sie)
    fiscal_year, start, end = period if period else (None, None, None)
    con.execute(
        "INSERT INTO source_file VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            file_id,
            rel,
            p.sha256,
            size,
            h.program,
            h.program_version,
            sie.sietyp_label,
            sie.encoding,
            h.orgnr,
            h.fnamn,
            h.valuta or "SEK",
            h.generated,
            h.omfattn,
            fiscal_year,
            mtime_ns,
            start,
            end,
        ],
    )
    years = {fy.index: fy for fy in h.fiscal_years}
    for fy in h.fiscal_years:
        con.execute(
            "INSERT INTO fiscal_year VALUES (?, ?, ?, ?, ?)",
            [file_id, fy.index, fy.start.year, fy.start, fy.end],
        )
    if not h.fiscal_years and period is not None:
        con.execute("INSERT INTO fiscal_year VALUES (?, 0, ?, ?, ?)", [file_id, *period])

    def year_of(index: int) -> int:
        fy = years.get(index)
        if fy is not None:
            return fy.start.year
        return (fiscal_year or 0) + index

    accounts = _Rows()
    for a in sie.accounts:
        accounts.add(
            file_id=file_id,
            account=a.number,
            name=a.name,
            ktyp=a.ktyp,
            unit=a.unit,
            sru=",".join(a.sru) or None,
            line=a.line,
        )
    if accounts.columns:
        acc_tbl = pa.table(accounts.columns)
        con.register("acc_in", acc_tbl)
        con.execute("INSERT INTO account SELECT file_id, account, name, ktyp, unit, sru, line FROM acc_in")
        con.unregister("acc_in")
    for d in sie.dimensions:
        con.execute(
            "INSERT INTO dimension VALUES (?, ?, ?, ?, ?)",
            [file_id, d.number, d.name, d.parent, d.line],
        )
    if sie.objects:
        objs = pa.table(
            {
                "dim": [o.dimension for o in sie.objects],
                "obj": [o.id for o in sie.objects],
                "name": [o.name for o in sie.objects],
                "line": [o.line for o in sie.objects],
            }
        )
        con.register("obj_in", objs)
        con.execute("INSERT INTO object SELECT ?, dim, obj, name, line FROM obj_in", [file_id])
        con.unregister("obj_in")

    bal = _Rows()
    for b in sie.balances:
        bal.add(
            kind=b.kind,
            year_index=b.year_index,
            fiscal_year=year_of(b.year_index),
            account=b.account,
            objects=canonical_objects(b.objects),
            amount=b.amount,
            quantity=None if b.quantity is None else format(b.quantity, "f"),
            line=b.line,
        )
    if bal.columns:
        con.register("bal_in", bal.table(_BALANCE_SCHEMA))
        con.execute(
            "INSERT INTO balance SELECT ?, kind, year_index, fiscal_year, account, objects, amount, "
            "CAST(quantity AS DECIMAL(24,6)), line FROM bal_in",
            [file_id],
        )
        con.unregister("bal_in")
    per = _Rows()
    for pb in sie.period_balances:
        per.add(
            kind=pb.kind,
            year_index=pb.year_index,
            fiscal_year=year_of(pb.year_index),
            period=pb.period,
            account=pb.account,
            objects=canonical_objects(pb.objects),
            amount=pb.amount,
            quantity=None if pb.quantity is None else format(pb.quantity, "f"),
            line=pb.line,
        )
    if per.columns:
        con.register("per_in", per.table(_PERIOD_SCHEMA))
        con.execute(
            "INSERT INTO period_balance SELECT ?, kind, year_index, fiscal_year, period, account, "
            "objects, amount, CAST(quantity AS DECIMAL(24,6)), line FROM per_in",
            [file_id],
        )
        con.unregister("per_in")

    base = file_id << 32  # voucher ids unique across the store
    if sie.vouchers.num_rows:
        con.register("ver_in", sie.vouchers)
        con.execute(
            "INSERT INTO voucher SELECT ?, voucher_idx + ?, ?, series, number, date, text, "
            "regdate, sign, line FROM ver_in",
            [file_id, base, fiscal_year],
        )
        con.unregister("ver_in")
    _write_rows(_rows_file(layout, file_id, p.sha256), file_id, base, sie.transactions)


def _write_rows(path: Path, file_id: int, base: int, t: pa.Table) -> None:
    """The file's rows as Parquet, with their store ids, synced before the index commits."""
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    n = t.num_rows
    rows = pa.table(
        {
            "file_id": pa.array(np.full(n, file_id, dtype=np.int32)),
            "voucher_id": pc.add(t["voucher_idx"], pa.scalar(base, pa.int64())),
            **{name: t[name] for name in t.column_names if name != "voucher_idx"},
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Uncompressed: written twice as fast, and the operating system caches it either way.
    pq.write_table(rows, tmp, compression="none")
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def remove_store(layout: Layout) -> None:
    """Throw the cache away (the next open rebuilds it)."""
    for p in (layout.store_path, Path(str(layout.store_path) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            os.remove(p)
    shutil.rmtree(rows_dir(layout), ignore_errors=True)
