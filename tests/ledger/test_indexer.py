"""The rows file a streamed import writes piece by piece: its columns as its readers see them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import bokslut.ledger.indexer as indexer
import bokslut.sie.distinct as distinct
from bokslut.ledger.indexer import StagedWriter
from bokslut.sie.distinct import encoded
from bokslut.sie.model import TRANSACTION_SCHEMA, VOUCHER_SCHEMA


def _piece(first: int, objects: list[str]) -> tuple[pa.Table, pa.Table]:
    """Vouchers from ``first`` on, one row each with the given object keys."""
    n = len(objects)
    day = dt.date(2023, 3, 1)
    vouchers = pa.table(
        {
            "voucher_idx": range(first, first + n),
            "series": ["A"] * n,
            "number": [str(first + i + 1) for i in range(n)],
            "date": [day] * n,
            "text": ["v"] * n,
            "regdate": [None] * n,
            "sign": [None] * n,
            "line": [10 * (first + i) for i in range(n)],
        },
        schema=VOUCHER_SCHEMA,
    )
    rows = pa.table(
        {
            "voucher_idx": range(first, first + n),
            "row_no": [0] * n,
            "kind": ["TRANS"] * n,
            "account": ["3010"] * n,
            "amount": [100 * (first + i) for i in range(n)],
            "date": [day] * n,
            "text": [None] * n,
            "quantity": [None] * n,
            "sign": [None] * n,
            "objects": objects,
            "line": [10 * (first + i) + 1 for i in range(n)],
        },
        schema=TRANSACTION_SCHEMA,
    )
    return vouchers, rows


def _write(folder: Path, pieces: list[list[str]]) -> Path:
    writer = StagedWriter(folder, "f", 1)
    first = 0
    for objects in pieces:
        vouchers, rows = _piece(first, objects)
        writer.write(vouchers, encoded(rows), [])
        first += len(objects)
    return writer.close(first, first, dt.date(2023, 3, 1)).rows_path


@pytest.mark.parametrize(
    ("page", "unique"),
    [(1 << 20, False), (8, False), (1 << 20, True)],
    ids=["dictionaries", "strings", "unique"],
)
def test_encoded_pieces_read_back_as_the_strings_they_were(tmp_path, monkeypatch, page, unique):
    """Whether the file's first piece gives its object keys to the writer as a dictionary
    (few keys) or as strings (too many for a dictionary page, or never encoded: nearly all
    distinct), every piece after it is written the same way, and readers see plain strings
    and the same values either way. Given as strings, Parquet is not asked for a dictionary."""
    monkeypatch.setattr(indexer, "_DICTIONARY_PAGE_BYTES", page)
    if unique:
        monkeypatch.setattr(distinct, "nearly_distinct", lambda column: True)
    pieces = [["1:A", "1:A", ""], ["1:B|7:P1", "1:A"], ["7:P1"] * 3]
    path = _write(tmp_path, pieces)
    meta = pq.ParquetFile(path).metadata
    at = meta.schema.names.index("objects")
    dictionaries = {"PLAIN_DICTIONARY", "RLE_DICTIONARY"}
    used = [
        bool(dictionaries & set(meta.row_group(g).column(at).encodings)) for g in range(meta.num_row_groups)
    ]
    assert used == [page > 8 and not unique] * len(pieces)
    schema = pq.read_schema(path)
    assert {n: str(schema.field(n).type) for n in ("kind", "account", "objects", "text")} == {
        "kind": "string",
        "account": "string",
        "objects": "string",
        "text": "string",
    }
    required = [f.name for f in schema if not f.nullable]
    assert required == [
        "file_id",
        "voucher_id",
        "row_no",
        "kind",
        "account",
        "amount",
        "date",
        "objects",
        "line",
    ]
    assert pq.read_table(path, columns=["objects"])["objects"].to_pylist() == [o for p in pieces for o in p]
    got = duckdb.sql(
        f"SELECT voucher_id, objects, amount FROM read_parquet('{path}') ORDER BY line"
    ).fetchall()
    assert got[:2] == [(1 << 32, "1:A", 0), ((1 << 32) + 1, "1:A", 100)]
    assert [r[1] for r in got] == [o for p in pieces for o in p]


def test_columns_are_written_small_and_read_back_as_written(tmp_path):
    """Columns of few values are dictionaries and growing ids deltas; nothing is compressed
    (the texts, most of a rows file's bytes, cost more to compress than to write). Both DuckDB
    and Arrow read back every value as it was, quotes, Swedish letters, empty and missing
    texts included."""
    long = 'Avser faktura för "Projekt Älvstranden etapp 2" enligt avtal 2021-114 ' * 4
    texts = [long + str(i) if i % 3 else None for i in range(50)] + ["", "Lön å ä ö", long]
    vouchers, rows = _piece(0, ["1:A"] * len(texts))
    rows = rows.set_column(rows.schema.get_field_index("text"), "text", pa.array(texts, pa.string()))
    writer = StagedWriter(tmp_path, "f", 1)
    writer.write(vouchers, encoded(rows), [])
    staged = writer.close(len(texts), len(texts), dt.date(2023, 3, 1))
    for path in (staged.rows_path, staged.vouchers_path):
        meta = pq.ParquetFile(path).metadata
        codecs = {
            meta.schema.names[c]: meta.row_group(0).column(c).compression for c in range(meta.num_columns)
        }
        assert set(codecs.values()) == {"UNCOMPRESSED"}
    assert pq.read_table(staged.rows_path, columns=["text"])["text"].to_pylist() == texts
    got = duckdb.sql(f"SELECT text FROM read_parquet('{staged.rows_path}') ORDER BY line").fetchall()
    assert [t for (t,) in got] == texts
    assert pq.read_table(staged.vouchers_path, columns=["text"])["text"].to_pylist() == ["v"] * len(texts)
    meta = pq.ParquetFile(staged.rows_path).metadata
    encodings = {
        meta.schema.names[c]: set(meta.row_group(0).column(c).encodings) for c in range(meta.num_columns)
    }
    assert {c for c, e in encodings.items() if "DELTA_BINARY_PACKED" in e} == {
        "voucher_id",
        "line",
        "text_at",
    }
    dictionaries = {c for c, e in encodings.items() if e & {"PLAIN_DICTIONARY", "RLE_DICTIONARY"}}
    assert {"file_id", "date", "row_no", "kind", "account", "objects"} <= dictionaries
    query = "SELECT file_id, voucher_id, row_no, date, line FROM read_parquet(?) ORDER BY line"
    got = duckdb.execute(query, [str(staged.rows_path)]).fetchall()
    assert got == [(1, (1 << 32) + i, 0, dt.date(2023, 3, 1), 10 * i + 1) for i in range(len(texts))]


def test_a_row_without_a_required_value_is_refused_rather_than_written(tmp_path):
    vouchers, rows = _piece(0, ["1:A"])
    rows = rows.set_column(rows.schema.get_field_index("account"), "account", pa.array([None], pa.string()))
    writer = StagedWriter(tmp_path, "f", 1)
    with pytest.raises(ValueError, match="rows without account"):
        writer.write(vouchers, rows, [])
    writer.discard()


HEADER = """#FLAGGA 0
#SIETYP 4
#RAR 0 20230101 20231231
#RAR -1 20220101 20221231
#DIM 1 "Ansvar"
#KONTO 1930 "Bank"
#KTYP 1930 T
#SRU 1930 7281
#KONTO 3010 "Avgifter"
#OBJEKT 1 "A|1" "Ansvar ett"
#IB 0 1930 100.00
#IB -1 1930 80.00 3
#OIB 0 1930 {1 "A|1"} 60.00
#UB -2 1930 50.00
#PSALDO 0 202301 3010 {} -5.50
#PSALDO 0 202302 3010 {1 "A|1"} -7.00 2.5
#PBUDGET -1 202212 3010 {} -9.00
#PSALDO 0 202303 3010 {6 "P:1" 1 "A|1"} -1.00
#VER A 1 20230105 "Avgift"
{
#TRANS 1930 {} 5.50
#TRANS 3010 {} -5.50
}
"""


@pytest.mark.parametrize("streamed", [False, True, "swept"], ids=["exact", "streamed", "swept"])
def test_the_charts_and_balances_are_stored_as_read(tmp_path, sie_file, monkeypatch, streamed):
    """The same records whether the exact reader read the file or the scanner streamed it,
    its header lines one by one or swept as columns (as a region's hundreds of thousands
    are); a year index without #RAR counted from the file's own year."""
    import functools

    import bokslut.sie.fastscan as fastscan
    import bokslut.sie.reader as reader
    from bokslut.ledger.importer import import_files
    from bokslut.ledger.store import open_store
    from bokslut.workspace.config import OrgTyp
    from bokslut.workspace.new import create_workspace

    if streamed:
        monkeypatch.setattr(reader, "FAST_PATH_MIN_BYTES", 1)
        monkeypatch.setattr(fastscan, "PIECE_MAX_BYTES", 2000)  # the header in one piece
    swept: list[int] = []
    if streamed == "swept":
        from bokslut.sie.plainheader import PlainSweep

        monkeypatch.setattr(reader, "ExactLines", functools.partial(reader.ExactLines, sweep_after=0))
        sweep = PlainSweep.sweep
        monkeypatch.setattr(
            PlainSweep, "sweep", lambda self, lines: swept.append(len(lines)) or sweep(self, lines)
        )
    stream_fast = fastscan.stream_fast
    scanned = []
    monkeypatch.setattr(
        fastscan, "stream_fast", lambda *a, **k: scanned.append(stream_fast(*a, **k)) or scanned[-1]
    )
    ws = create_workspace(tmp_path / "ws", "Testkommunen", OrgTyp.KOMMUN, 2023)
    import_files(ws, [sie_file(HEADER)])
    assert [s is not None for s in scanned[-1:]] == ([True] if streamed else [])
    assert bool(swept) == (streamed == "swept")
    with open_store(ws) as store:
        accounts = store.con.execute(
            "SELECT file_id, account, name, ktyp, unit, sru, line FROM account ORDER BY 1"
        ).fetchall()
        objects = store.con.execute("SELECT file_id, dim, obj, name, line FROM object").fetchall()
        balances = store.con.execute(
            "SELECT file_id, kind, year_index, fiscal_year, account, objects, amount, quantity, line "
            "FROM balance ORDER BY line"
        ).fetchall()
        periods = store.con.execute(
            "SELECT file_id, kind, year_index, fiscal_year, period, account, objects, amount, quantity, line "
            "FROM period_balance ORDER BY line"
        ).fetchall()
    assert accounts == [
        (1, "1930", "Bank", "T", None, "7281", 6),
        (1, "3010", "Avgifter", None, None, None, 9),
    ]
    assert objects == [(1, 1, "A|1", "Ansvar ett", 10)]
    assert [(*b[:7], None if b[7] is None else str(b[7]), b[8]) for b in balances] == [
        (1, "IB", 0, 2023, "1930", "", 10000, None, 11),
        (1, "IB", -1, 2022, "1930", "", 8000, "3.000000", 12),
        (1, "OIB", 0, 2023, "1930", "1:A\\|1", 6000, None, 13),
        (1, "UB", -2, 2021, "1930", "", 5000, None, 14),
    ]
    assert [(*p[:8], None if p[8] is None else str(p[8]), p[9]) for p in periods] == [
        (1, "PSALDO", 0, 2023, 202301, "3010", "", -550, None, 15),
        (1, "PSALDO", 0, 2023, 202302, "3010", "1:A\\|1", -700, "2.500000", 16),
        (1, "PBUDGET", -1, 2022, 202212, "3010", "", -900, None, 17),
        (1, "PSALDO", 0, 2023, 202303, "3010", "1:A\\|1|6:P\\:1", -100, None, 18),
    ]


def test_rows_inserted_uncompressed_leave_the_connection_as_it_was(tmp_path):
    import duckdb

    from bokslut.ledger.indexer import stored_uncompressed

    con = duckdb.connect(str(tmp_path / "store.duckdb"))
    con.execute("CREATE TABLE object (dim INTEGER, obj VARCHAR)")
    setting = "SELECT current_setting('force_compression')"
    with stored_uncompressed(con):
        assert con.execute(setting).fetchone() == ("uncompressed",)
        con.execute("INSERT INTO object SELECT 1, 'P' || i FROM range(200000) t(i)")
    assert con.execute(setting).fetchone() == ("auto",)
    compressions = con.execute(
        "SELECT DISTINCT compression FROM pragma_storage_info('object') WHERE segment_type = 'VARCHAR'"
    ).fetchall()
    assert compressions == [("Uncompressed",)]
    with pytest.raises(RuntimeError), stored_uncompressed(con):
        raise RuntimeError("an insert that fails")
    assert con.execute(setting).fetchone() == ("auto",)
    assert con.execute("SELECT count(*), max(obj) FROM object").fetchone() == (200000, "P99999")
