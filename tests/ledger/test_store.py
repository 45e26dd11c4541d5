"""The store's writing connection: how an import's transaction reaches the database file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from tests.ledger.sie_texts import small

from bokslut.ledger import store as store_module
from bokslut.ledger.importer import import_files
from bokslut.ledger.store import _commit_checkpointed, open_store
from bokslut.workspace.config import OrgTyp
from bokslut.workspace.new import create_workspace


def _wal(path: Path) -> int:
    wal = path.with_name(path.name + ".wal")
    return wal.stat().st_size if wal.exists() else 0


@pytest.mark.parametrize("checkpointed", [False, True], ids=["commit", "checkpointed"])
def test_a_transaction_committed_checkpointed_goes_straight_into_the_file(tmp_path, checkpointed):
    path = tmp_path / "store.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE balance (account VARCHAR, amount BIGINT)")
    con.execute("CHECKPOINT")
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO balance SELECT 'K' || i, i FROM range(1000) t(i)")
    if checkpointed:
        _commit_checkpointed(con)
    else:
        con.execute("COMMIT")
    # Without the write-ahead log in between: nothing in it to copy again.
    assert (_wal(path) == 0) is checkpointed
    threshold = "SELECT current_setting('checkpoint_threshold')"
    assert con.execute(threshold).fetchone() == duckdb.connect().execute(threshold).fetchone()
    assert con.execute("SELECT count(*), sum(amount) FROM balance").fetchone() == (1000, 499500)
    con.close()
    assert duckdb.connect(str(path)).execute("SELECT count(*) FROM balance").fetchone() == (1000,)


def test_an_imports_records_are_in_the_database_file_once_committed(tmp_path, monkeypatch):
    ws = create_workspace(tmp_path / "ws", "T", OrgTyp.KOMMUN, 2022)
    path = tmp_path / "liten.se"
    path.write_bytes(small(2022).encode("cp437"))
    replace_files = store_module.Store.replace_files
    seen: list[tuple[bool, int]] = []

    def noted(self, *args, **kwargs):
        ok = replace_files(self, *args, **kwargs)
        (name,) = self.con.execute(
            "SELECT file FROM pragma_database_list WHERE name = current_database()"
        ).fetchone()
        seen.append((ok, _wal(Path(name))))
        return ok

    monkeypatch.setattr(store_module.Store, "replace_files", noted)
    import_files(ws, [path])
    assert seen == [(True, 0)]
    with open_store(ws) as store:
        assert store.con.execute("SELECT count(*) FROM source_file").fetchone() == (1,)
