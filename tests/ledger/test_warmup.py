"""The setup's warm-up: generated ledgers that take the import's every compiled path."""

from __future__ import annotations

from bokslut.ledger import warmup
from bokslut.ledger.store import open_store
from bokslut.sie.reader import FAST_PATH_MIN_BYTES, SWEEP_AFTER
from bokslut.workspace.layout import Layout


def test_the_warm_up_ledgers_take_the_scanner_and_the_header_sweep():
    for projekt in (True, False):
        text = warmup.ledger(2023, projekt=projekt)
        assert len(text.replace("\n", "\r\n").encode("cp437")) > FAST_PATH_MIN_BYTES
        before_first_voucher = text[: text.index("#VER")].count("\n")
        assert before_first_voucher > SWEEP_AFTER


def test_the_warm_up_imports_both_years_in_full(tmp_path):
    warmup.warm(tmp_path)
    with open_store(Layout(tmp_path / "arbetsyta")) as store:
        sql = store.con.execute
        assert sql("SELECT fiscal_year, encoding FROM source_file ORDER BY 1").fetchall() == [
            (2022, "utf-8"),
            (2023, "cp437"),
        ]
        assert sql("SELECT dim, count(*) FROM object GROUP BY 1 ORDER BY 1").fetchall() == [
            (1, 2 * warmup.OBJECTS),
            (6, 2 * warmup.OBJECTS),
        ]
        rows = "SELECT kind, count(*) FROM transaction GROUP BY 1 ORDER BY 1"
        per_file = warmup.VOUCHERS // 20
        assert sql(rows).fetchall() == [
            ("BTRANS", 2 * per_file),
            ("RTRANS", 2 * per_file),
            ("TRANS", 2 * 5 * warmup.VOUCHERS),
        ]
