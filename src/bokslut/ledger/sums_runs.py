"""A file's sums kept in bounded memory when its groups are too many to hold: sorted runs.

:class:`bokslut.ledger.sums_writer.Summer` holds one entry per account, reduced object key
and month, and each distinct key's bytes. When dimensions are kept on a ledger whose rows
nearly all have objects of their own (a region's tens of millions), those grow with the file:
50 M rows of `dims` took 2.3-3.2 GiB. Past :data:`SPILL_GROUPS` groups (or :data:`SPILL_KEYS`
keys) the Summer writes what it holds, summed and sorted as a sums file is, to a run in a
folder of the import's staging area, and starts again; in the end DuckDB sorts the runs' rows
together (spilling to that folder beyond :data:`MERGE_MEMORY`), and the sums writer adds up
the rows of the same account, key and month, which are then neighbours.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

# A file of fewer groups (and keys) is summed in memory, as before, to the same bytes: `dims`
# (5 M rows, two dimensions kept) has 3.3 M groups and 100 000 keys. A run is written before a
# piece could pass the budget, so the table's entries (48 bytes) never grow past 4 Mi of them;
# a run of 4 M groups then holds about 0.8 GB at its peak (the entries, their sorted copy and
# the run's columns). 50 M rows of `dims` have 10.5 M groups (see docs/scale.md).
SPILL_GROUPS = 4_000_000
SPILL_KEYS = 4_000_000
MERGE_MEMORY = "512MB"  # DuckDB's memory_limit while it sorts the runs together (see docs/scale.md)
MERGE_THREADS = 2
_BATCH_ROWS = 1 << 20


def write_run(table: pa.Table, folder: Path, number: int) -> Path:
    """One run (a sorted, summed table) written to ``folder``, made if need be."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run-{number}.parquet"
    # Read once, soon, by DuckDB: a light compression halves what goes to disk and back.
    pq.write_table(table, path, compression="lz4", use_dictionary=False)
    return path


def sorted_rows(runs: Sequence[Path], folder: Path, file_id: int, schema: pa.Schema) -> Iterator[pa.Table]:
    """The runs' rows sorted by account, key and month (bytewise, as Arrow orders strings),
    rows of the same ones from different runs not yet added up, in pieces of ``schema``."""
    con = duckdb.connect(
        config={
            "memory_limit": MERGE_MEMORY,
            "threads": MERGE_THREADS,
            "temp_directory": str(folder / "duckdb"),
        }
    )
    try:
        listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in runs)
        # No collation: DuckDB compares VARCHARs by their bytes, as Arrow does. A relation's
        # reader, not the connection's (con.execute(...).to_arrow_reader gave the sorted rows'
        # batches out of order); the writer checks the order anyway.
        reader = con.sql(
            f"SELECT {int(file_id)}::INTEGER AS file_id, account, objects, month, debit, credit, rows, "
            f"last_date FROM read_parquet([{listed}]) ORDER BY account, objects, month"
        ).to_arrow_reader(_BATCH_ROWS)
        for batch in reader:
            if batch.num_rows:
                yield pa.Table.from_batches([batch]).cast(schema)
    finally:
        con.close()
