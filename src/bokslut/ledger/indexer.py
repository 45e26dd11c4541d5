"""Writing one parsed SIE file into the store: its records into DuckDB, its rows to Parquet.

Kept apart from :mod:`bokslut.ledger.store` so that answering questions from an
up-to-date store never loads what writing needs; the store imports this module
only when it writes, and this module does not import the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bokslut.ledger.directfile import DirectFile
from bokslut.ledger.parsed import Parsed, StagedRows
from bokslut.ledger.rowfiles import check_of, rows_file
from bokslut.ledger.sums import YEAR_SUFFIX, SumsDims, month_of
from bokslut.ledger.sums_writer import Summer
from bokslut.sie.distinct import ENCODED, dictionary, encoded
from bokslut.sie.model import (
    TEXT_SPAN,
    TRANSACTION_SCHEMA,
    VOUCHER_SCHEMA,
    Balance,
    PeriodBalance,
    object_keys,
    object_table,
    period_balance_table,
)
from bokslut.workspace.layout import Layout

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


def _bulk_insert(
    con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table, sql: str, params: list[object] | None = None
) -> None:
    """Run ``sql`` (an INSERT … SELECT … FROM ``name``) with ``rows`` visible under ``name``."""
    con.register(name, rows)
    try:
        con.execute(sql, params or [])
    finally:
        con.unregister(name)


@contextlib.contextmanager
def stored_uncompressed(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Rows inserted meanwhile stored as they are. DuckDB writes a large insert's row groups
    straight to the file, choosing and applying each column's compression on the way: for a
    region's 300 000 #OBJEKT that is 0.24-0.29 s at the import's serial end, against 0.08 s
    uncompressed (10 MB in the store instead of 3 MB)."""
    con.execute("SET force_compression = 'uncompressed'")
    try:
        yield
    finally:
        con.execute("RESET force_compression")


def _balance_table(records: Sequence[Balance], year_of: Callable[[int], int]) -> pa.Table:
    """#IB/#UB/#RES/#OIB/#OUB records as :data:`_BALANCE_SCHEMA`'s columns."""
    years = {index: year_of(index) for index in {r.year_index for r in records}}
    columns: dict[str, Sequence[object]] = {
        "kind": [r.kind for r in records],
        "year_index": [r.year_index for r in records],
        "fiscal_year": [years[r.year_index] for r in records],
        "account": [r.account for r in records],
        "objects": object_keys(r.objects for r in records),
        "amount": [r.amount for r in records],
        "quantity": [None if r.quantity is None else format(r.quantity, "f") for r in records],
        "line": [r.line for r in records],
    }
    return pa.table(
        {name: pa.array(columns[name], _BALANCE_SCHEMA.field(name).type) for name in _BALANCE_SCHEMA.names},
        schema=_BALANCE_SCHEMA,
    )


def _period_table(records: Sequence[PeriodBalance], year_of: Callable[[int], int]) -> pa.Table:
    """#PSALDO/#PBUDGET records as PERIOD_BALANCE_SCHEMA's columns and each one's fiscal year."""
    t = period_balance_table(records)
    indices = t["year_index"].to_numpy()
    known = np.unique(indices)
    years = np.array([year_of(int(i)) for i in known.tolist()], np.int64)
    return t.append_column("fiscal_year", pa.array(years[np.searchsorted(known, indices)]))


def insert_file(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    file_id: int,
    rel: str,
    size: int,
    mtime_ns: int,
    p: Parsed,
) -> None:
    sie = p.sie
    h = sie.header
    period = p.period()
    fiscal_year, start, end = period if period else (None, None, None)
    con.execute(
        "INSERT INTO source_file VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            file_id,
            rel,
            p.digest,
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

    if sie.accounts:
        # Column by column: a region's chart and balances are tens of thousands of records.
        acc = sie.accounts
        acc_tbl = pa.table(
            {
                "file_id": pa.array([file_id] * len(acc), pa.int64()),
                "account": [a.number for a in acc],
                "name": [a.name for a in acc],
                "ktyp": pa.array([a.ktyp for a in acc], pa.string()),
                "unit": pa.array([a.unit for a in acc], pa.string()),
                "sru": pa.array([",".join(a.sru) or None for a in acc], pa.string()),
                "line": [a.line for a in acc],
            }
        )
        _bulk_insert(
            con,
            "acc_in",
            acc_tbl,
            "INSERT INTO account SELECT file_id, account, name, ktyp, unit, sru, line FROM acc_in",
        )
    for d in sie.dimensions:
        con.execute(
            "INSERT INTO dimension VALUES (?, ?, ?, ?, ?)",
            [file_id, d.number, d.name, d.parent, d.line],
        )
    if sie.objects:
        with stored_uncompressed(con):
            _bulk_insert(
                con,
                "obj_in",
                object_table(sie.objects),
                "INSERT INTO object SELECT ?, dim, obj, name, line FROM obj_in",
                [file_id],
            )

    if sie.balances:
        _bulk_insert(
            con,
            "bal_in",
            _balance_table(sie.balances, year_of),
            "INSERT INTO balance SELECT ?, kind, year_index, fiscal_year, account, objects, amount, "
            "CAST(quantity AS DECIMAL(24,6)), line FROM bal_in",
            [file_id],
        )
    if sie.period_balances:
        _bulk_insert(
            con,
            "per_in",
            _period_table(sie.period_balances, year_of),
            "INSERT INTO period_balance SELECT ?, kind, year_index, fiscal_year, period, account, "
            "objects, amount, CAST(quantity AS DECIMAL(24,6)), line FROM per_in",
            [file_id],
        )

    base = file_id << 32  # voucher ids unique across the store
    written = (
        _place_staged(layout, file_id, p, fiscal_year)
        if p.staged
        else [
            _write_rows(
                rows_file(layout, file_id, p.digest, "vouchers"),
                file_id,
                base,
                sie.vouchers,
                {"fiscal_year": fiscal_year},
            ),
            _write_rows(
                rows_file(layout, file_id, p.digest, "rows"),
                file_id,
                base,
                sie.transactions,
                rows=True,
            ),
        ]
    )
    summed = p.staged.summed if p.staged else ()
    for path in written:
        c = check_of(path, summed)  # last: nothing renames, links or chmods the file after this
        con.execute(
            "INSERT INTO rows_check VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [file_id, c.name, c.size, c.mtime_ns, c.ino, c.ctime_ns, c.digest, c.crc32],
        )


# At most this many rows are prepared and written at once, as one row group: writing costs
# the same memory for a file of 50 million rows as for one of a million.
ROW_GROUP_ROWS = 1 << 20


def _with_ids(
    batch: pa.RecordBatch, file_id: int, base: int, constants: dict[str, int | None], schema: pa.Schema
) -> pa.RecordBatch:
    """One batch of vouchers or rows with the store's columns in front."""
    n = batch.num_rows
    for name in schema.names:
        if not schema.field(name).nullable and name in batch.schema.names and batch.column(name).null_count:
            raise ValueError(f"rows without {name}: the readers give every row one")
    extra = [
        pa.array(np.full(n, value, dtype=np.int32)) if value is not None else pa.nulls(n, pa.int32())
        for value in constants.values()
    ]
    return pa.RecordBatch.from_arrays(
        [
            pa.array(np.full(n, file_id, dtype=np.int32)),
            pc.add(batch.column("voucher_idx"), pa.scalar(base, pa.int64())),
            *extra,
            *(
                # A text's place is only known for a streamed file's rows.
                pa.nulls(n, schema.field(name).type)
                if name in TEXT_SPAN.names and name not in batch.schema.names
                else batch.column(name)
                for name in schema.names[2 + len(extra) :]
            ),
        ],
        schema=schema,
    )


# The rows file's columns that every row has (both readers give each row these): written as
# required, without a definition level per value, which costs a quarter of writing the file.
# The vouchers file keeps its columns optional: its readers put the files of a store together,
# which needs the same schema in the files written before.
_ROWS_REQUIRED = frozenset(
    ("file_id", "voucher_id", "row_no", "kind", "account", "amount", "date", "objects", "line")
)


def _rows_schema(t: pa.Schema) -> pa.Schema:
    """A rows file's schema: every file has the columns of a text's place in its ledger file
    (empty where the rows carry their texts), so that the store reads all files as one."""
    missing = [f for f in TEXT_SPAN if f.name not in t.names]
    return _store_schema(pa.schema([*t, *missing]), {}, _ROWS_REQUIRED)


def _store_schema(
    t: pa.Schema, constants: dict[str, int | None], required: frozenset[str] = frozenset()
) -> pa.Schema:
    fields = [
        pa.field("file_id", pa.int32()),
        pa.field("voucher_id", pa.int64()),
        *(pa.field(name, pa.int32()) for name in constants),
        *(t.field(name) for name in t.names if name != "voucher_idx"),
    ]
    return pa.schema([f.with_nullable(f.name not in required) for f in fields])


# How each column is written, for few bytes at no more processor time: columns of few values
# (the file and year, dates, row numbers, and the grouped columns that queries group by) go as
# dictionaries; ids and line numbers, which grow, as deltas (`present`'s rows file: 218 MB so,
# 493 MB with every column plain). Amounts are as good as random and stay plain. Nothing is
# compressed: the texts (most of a file's bytes) were, with LZ4, until compressing them cost
# an import more processor time than writing their bytes (docs/scale.md, twentieth session:
# 5 M rows 0.3-0.5 s faster, the rows file about twice as large).
_DICTIONARIES = (
    "kind",
    "account",
    "objects",
    "series",
    "file_id",
    "fiscal_year",
    "date",
    "regdate",
    "row_no",
)
_DELTAS = ("voucher_id", "line", "text_at")


def _writer(
    target: Path | pa.NativeFile, schema: pa.Schema, plain: frozenset[str] = frozenset()
) -> pq.ParquetWriter:
    if isinstance(target, Path):
        target.unlink(missing_ok=True)  # never write through whatever a leftover name points to
    # Without statistics: queries aggregate whole columns.
    # A streamed piece's grouped columns come already encoded (distinct.encoded) and are
    # written as they are; without the Arrow schema in the file they read back as the strings
    # they are either way (the Parquet types say so). ``plain``: columns of nearly all
    # distinct values, whose dictionary would only be hashed for nothing (Parquet gives it up
    # once its page is full).
    return pq.ParquetWriter(
        target,
        schema,
        compression="none",
        use_dictionary=[c for c in _DICTIONARIES if c in schema.names and c not in plain],
        column_encoding={c: "DELTA_BINARY_PACKED" for c in _DELTAS if c in schema.names} or None,
        write_statistics=False,
        store_schema=False,
    )


def _write_batches(
    writer: pq.ParquetWriter,
    t: pa.Table,
    file_id: int,
    base: int,
    constants: dict[str, int | None],
    schema: pa.Schema,
) -> None:
    for batch in t.to_batches(max_chunksize=ROW_GROUP_ROWS):
        if batch.num_rows:
            ided = _with_ids(batch, file_id, base, constants, schema)
            writer.write_batch(ided, row_group_size=ROW_GROUP_ROWS)


def _sync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _write_rows(
    path: Path,
    file_id: int,
    base: int,
    t: pa.Table,
    constants: dict[str, int | None] | None = None,
    rows: bool = False,
) -> Path:
    """Vouchers or rows as Parquet, with their store ids, synced before the index commits.

    Written batch by batch (a scanned piece of the file gives one or more), the store's
    columns added to each batch only: never a second copy of the whole table.
    """
    constants = constants or {}
    schema = _rows_schema(t.schema) if rows else _store_schema(t.schema, constants)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with _writer(tmp, schema) as writer:
        _write_batches(writer, t, file_id, base, constants, schema)
    _sync(tmp)
    os.replace(tmp, path)
    return path


class StagedWriter:
    """A streamed file's vouchers and rows, written to the staging area piece by piece.

    The vouchers carry the fiscal year, which only the whole header settles: each piece is
    written with the year the header records seen so far give (#RAR 0), or else the year of
    the first piece's earliest voucher; should the file say otherwise in the end, the
    vouchers file is written again (:func:`_place_staged`).

    The rows are summed as they are written (:class:`~bokslut.ledger.sums_writer.Summer`,
    for ``dims``), so the store need not read the rows file again for the file's sums; too
    many groups to hold are spilled to runs in a folder beside the staged files.

    ``direct``: both files are written past the page cache, their CRC-32s taken on the way
    (:class:`~bokslut.ledger.directfile.DirectFile`); else through it, and the caller may
    follow them (:class:`~bokslut.ledger.rowfiles.Follower`).
    """

    def __init__(
        self, folder: Path, stem: str, file_id: int, dims: SumsDims | None = None, direct: bool = False
    ) -> None:
        self.file_id = file_id
        self.direct = direct
        self.vouchers_path = folder / f"{stem}.vouchers.parquet"
        self.rows_path = folder / f"{stem}.rows.parquet"
        self.sums_path = folder / f"{stem}.sums.parquet"
        self.year_sums_path = folder / f"{stem}.sums-year.parquet"
        self.runs_path = folder / f"{stem}.sums-runs"
        self.dims = dims
        self._summer = Summer(dims, self.runs_path) if dims is not None else None
        self.fiscal_year: int | None = None
        self._year_known = False
        self._vouchers: pq.ParquetWriter | None = None
        self._rows: pq.ParquetWriter | None = None
        # ``direct``: the files the writers write into (past the page cache, summed on the way).
        self._sinks: list[DirectFile] = []

    def _guess_year(self, others: Sequence[tuple[int, bytes]], vouchers: pa.Table) -> None:
        if self._year_known:
            return
        for _, raw in others:
            m = _RAR_0.match(raw)
            if m is not None:
                self.fiscal_year, self._year_known = int(m.group(1)), True
                return
        if vouchers.num_rows:
            # Settled with the first vouchers written: every voucher of the file gets the same.
            self.fiscal_year, self._year_known = pc.min(vouchers["date"]).as_py().year, True

    def write(self, vouchers: pa.Table, rows: pa.Table, others: Sequence[tuple[int, bytes]]) -> None:
        """Write one piece: whole vouchers, their rows, and the piece's other records (for the year).

        The rows' grouped columns are written (and summed) from their dictionaries: given
        already encoded (:func:`bokslut.sie.distinct.encoded`), they are not hashed again.
        """
        rows = encoded(rows)
        self._guess_year(others, vouchers)
        base = self.file_id << 32
        year = {"fiscal_year": self.fiscal_year}
        if self._vouchers is None:
            v_sink: Path | pa.NativeFile = self.vouchers_path
            r_sink: Path | pa.NativeFile = self.rows_path
            if self.direct:
                self._sinks = [DirectFile(self.vouchers_path), DirectFile(self.rows_path)]
                v_sink, r_sink = self._sinks[0].stream, self._sinks[1].stream
            self._vouchers = _writer(v_sink, _store_schema(vouchers.schema, year))
            written = _written_schema(rows)
            # A grouped column the first piece gives as strings has too many values for a
            # dictionary (nearly all distinct, or more than its page holds).
            plain = frozenset(
                c for c in ENCODED if c in written.names and written.field(c).type == pa.string()
            )
            self._rows = _writer(r_sink, _rows_schema(written), plain)
        assert self._rows is not None
        _write_batches(self._vouchers, vouchers, self.file_id, base, year, self._vouchers.schema)
        _write_batches(
            self._rows, _as_written(rows, self._rows.schema), self.file_id, base, {}, self._rows.schema
        )
        if self._summer is not None:
            self._summer.add(rows)

    def close(
        self, vouchers: int, counted: int, first_date: dt.date | None, year_end: dt.date | None = None
    ) -> StagedRows:
        """Finish and sync both files; what they hold, for the indexer. ``year_end``: the last day
        of the file's fiscal year (as the store will record it), for its year sums."""
        if self._vouchers is None:
            self.write(VOUCHER_SCHEMA.empty_table(), TRANSACTION_SCHEMA.empty_table(), [])
        assert self._vouchers is not None and self._rows is not None
        self._vouchers.close()
        self._rows.close()
        summed = tuple(sink.close() for sink in self._sinks)  # synced
        if not self.direct:
            _sync(self.vouchers_path)
            _sync(self.rows_path)
        year = None
        if self._summer is not None and year_end is not None and not self._summer.spilled:
            year = (self.year_sums_path, month_of(year_end))
        sums = self._summer is not None and self._summer.write(self.file_id, self.sums_path, year)
        return StagedRows(
            self.file_id,
            self.vouchers_path,
            self.rows_path,
            self.fiscal_year,
            vouchers,
            counted,
            first_date,
            self.sums_path if sums else None,
            self.dims.tag if self.dims is not None else "",
            summed=summed,
            year_sums_path=self.year_sums_path if sums and year is not None else None,
        )

    def discard(self) -> None:
        for writer in (self._vouchers, self._rows):
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()
        for sink in self._sinks:
            sink.discard()
        self._vouchers = self._rows = None
        self._sinks = []
        if self._summer is not None:
            self._summer.discard_runs()
        self._summer = Summer(self.dims, self.runs_path) if self.dims is not None else None
        for path in (self.vouchers_path, self.rows_path, self.sums_path, self.year_sums_path):
            path.unlink(missing_ok=True)


# A dictionary larger than Parquet's dictionary page (1 MiB by default) is not written as one:
# the writer would decode it again row by row. A column of so many values (object keys that
# are nearly all distinct) is given to the writer as strings instead.
_DICTIONARY_PAGE_BYTES = 1 << 20


def _written_schema(rows: pa.Table) -> pa.Schema:
    """The rows' schema as the rows file is written: each dictionary column as a dictionary if
    its values fit a dictionary page, else as strings (decided by a file's first piece)."""
    fields = []
    for f in rows.schema:
        if pa.types.is_dictionary(f.type):
            column = rows.column(f.name)
            chunks = column.chunks
            small = all(c.dictionary.nbytes <= _DICTIONARY_PAGE_BYTES for c in chunks)
            f = f if small else f.with_type(f.type.value_type)
        fields.append(f)
    return pa.schema(fields)


def _as_written(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    """``rows`` with each column of the type ``schema`` (the file's) gives it: decoded to
    strings, or encoded, where this piece's column differs from the file's first piece's."""
    for f in schema:
        at = rows.schema.get_field_index(f.name)
        if at < 0 or rows.schema.field(at).type == f.type:
            continue
        column = rows.column(at)
        changed = dictionary(column) if pa.types.is_dictionary(f.type) else column.cast(f.type)
        rows = rows.set_column(at, f.name, changed)
    return rows


# "#RAR 0 20230101 20231231" as the exact reader takes it (any quotes around the date aside).
_RAR_0 = re.compile(rb'[ \t]*#RAR[ \t]+"?0"?[ \t]+"?([0-9]{4})[0-9]{4}"?[ \t]')


def _place_staged(layout: Layout, file_id: int, p: Parsed, fiscal_year: int | None) -> list[Path]:
    """Move a streamed file's staged Parquet files to their place in the store."""
    staged = p.staged
    assert staged is not None and staged.file_id == file_id
    if staged.fiscal_year != fiscal_year:
        _refill_fiscal_year(staged.vouchers_path, fiscal_year)
    placed = []
    for what, path in (("vouchers", staged.vouchers_path), ("rows", staged.rows_path)):
        final = rows_file(layout, file_id, p.digest, what)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, final)
        placed.append(final)
    if staged.sums_path is not None:
        final = rows_file(layout, file_id, p.digest, f"sums-{staged.sums_tag}")
        os.replace(staged.sums_path, final)
        placed.append(final)
        if staged.year_sums_path is not None:  # recorded with the rest: the store need not make them
            final = rows_file(layout, file_id, p.digest, f"sums-{staged.sums_tag}{YEAR_SUFFIX}")
            os.replace(staged.year_sums_path, final)
            placed.append(final)
    return placed


def _refill_fiscal_year(path: Path, year: int | None) -> None:
    """Write the vouchers file at ``path`` again with ``year`` as every voucher's fiscal year."""
    source = pq.ParquetFile(path)
    schema = source.schema_arrow
    tmp = path.with_suffix(".ar")
    at = schema.get_field_index("fiscal_year")
    with _writer(tmp, schema) as writer:
        for batch in source.iter_batches(batch_size=ROW_GROUP_ROWS):
            n = batch.num_rows
            column = pa.nulls(n, pa.int32()) if year is None else pa.array(np.full(n, year, dtype=np.int32))
            writer.write_batch(batch.set_column(at, schema.field(at), column), row_group_size=ROW_GROUP_ROWS)
    source.close()
    _sync(tmp)
    os.replace(tmp, path)
