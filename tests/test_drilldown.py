"""Drill-down on a small hand-made ledger: every level adds up to the figure the report shows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bokslut.drilldown import Breakdown, UnknownName
from bokslut.ledger.drill_arrays import YearArrays
from bokslut.money import kronor
from bokslut.pipeline.drill import open_drill
from bokslut.workspace.config import load_config

CONFIG = """
[dimensioner]
verksamhet = 1
projekt = 6

[verksamheter]
"100" = "Skola"
"""


def _ledgers():
    name = "bokslut_test_ledgers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).parent / "statements" / "ledgers.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def ws(tmp_path: Path):
    ws = _ledgers().LedgerWorkspace(tmp_path).config(extra='enhet = "kr"\n' + CONFIG)
    ws.year(
        2023,
        ib={"1930": 1000, "2010": -1000},
        vouchers=[
            ("2023-02-01", [("3010", -500, {1: "100"}), ("3210", -50, {1: "200"}), ("1930", 550)]),
            ("2023-02-02", [("5010", 200, {1: "100"}), ("6410", 80, {1: "200"}), ("1930", -280)]),
            ("2023-03-01", [("7910", 30, {1: "100"}), ("1229", -30)]),
            ("2023-03-02", [("8520", 5), ("1930", -5)]),
            ("2023-04-01", [("3010", -120, {1: "100"}), ("1930", 120)]),
        ],
        pbudget=[("3010", -450, {1: "100"}), ("5010", 210, {1: "100"})],
    )
    ws.write("data/budget/budget.csv", "ar;verksamhet;kostnadsslag;belopp\n2023;200;intakter;60\n")
    return ws


@pytest.fixture
def drill(ws):
    with open_drill(ws.layout, load_config(ws.layout.config)) as (d, _findings):
        yield d


def adds_up(b: Breakdown) -> None:
    """Every level of a breakdown sums exactly to its figure."""
    assert b.total == b.figure.exact, (b.figure, b.total)
    assert b.difference == 0 and not b.notes
    if b.kind == "huvudbok":
        assert kronor(sum(a.amount for a in b.accounts)) == b.figure.exact
    if b.kind in ("budget", "prognos"):
        assert kronor(sum(e.amount for e in b.plan)) == b.figure.exact
    for p in b.parts:
        adds_up(p.breakdown)


def test_an_rr_line_breaks_down_into_accounts_then_vouchers_with_file_and_line(ws, drill):
    b = drill.explain(drill.cell("resultatrakning", "verksamhetens_intakter", "utfall"))
    assert b.kind == "huvudbok"
    assert b.figure.exact == 670 and b.figure.shown == 670  # shown in kr, as the report shows it
    assert [(a.account, a.amount) for a in b.accounts] == [("3010", 62000), ("3210", 5000)]
    adds_up(b)

    page = drill.vouchers(b, "3010")
    assert page.total == 62000 and page.row_count == 2 and not page.has_more
    assert [(v.series, v.number, v.date.isoformat(), v.amount) for v in page.vouchers] == [
        ("A", "1", "2023-02-01", 50000),
        ("A", "5", "2023-04-01", 12000),
    ]
    # file:line of the voucher and of its row are the lines of the SIE file.
    lines = (ws.root / "data" / "ledger" / "2023.se").read_text(encoding="cp437").splitlines()
    first = page.vouchers[0]
    assert first.place.file == "data/ledger/2023.se"
    assert lines[first.place.line - 1].startswith('#VER "A" "1" 20230201')
    (row,) = first.rows
    assert (row.account, row.objects, row.amount) == ("3010", "1:100", -50000)
    assert lines[row.place.line - 1].split()[:2] == ["#TRANS", "3010"]
    assert "-500.00" in lines[row.place.line - 1]


def test_pages_keep_the_total_of_all_vouchers(drill):
    b = drill.explain(drill.cell("resultatrakning", "verksamhetens_intakter", "utfall"))
    first = drill.vouchers(b, "3010", limit=1)
    assert [v.number for v in first.vouchers] == ["1"] and first.has_more
    second = drill.vouchers(b, "3010", offset=1, limit=1)
    assert [v.number for v in second.vouchers] == ["5"] and not second.has_more
    assert second.total == 62000 and second.page_total == 12000


def test_a_br_line_is_the_opening_balance_from_ib_plus_the_years_movements(ws, drill):
    b = drill.explain(drill.cell("balansrakning", "kassa_och_bank", "utfall"))
    (bank,) = b.accounts
    assert (bank.account, bank.opening, bank.movement, bank.amount) == ("1930", 100000, 38500, 138500)
    assert b.figure.exact == 1385 and b.figure.shown == 1385
    adds_up(b)
    (ib,) = bank.opening_records
    lines = (ws.root / "data" / "ledger" / "2023.se").read_text(encoding="cp437").splitlines()
    assert ib.kind == "IB" and lines[ib.place.line - 1].startswith("#IB 0 1930 1000.00")
    page = drill.vouchers(b, "1930")
    assert drill.count_vouchers(b, "1930") == 4 and bank.opening + page.total == bank.amount
    assert page.voucher_count == 4  # the page counts them in its own scan


def test_a_sum_row_lists_its_parts_with_signs_and_adds_up(drill):
    b = drill.explain(drill.cell("resultatrakning", "arets_resultat", "utfall"))
    assert b.kind == "summa"
    adds_up(b)
    leaves = {leaf.figure.row: sign for sign, leaf in b.leaves() if leaf.figure.exact}
    assert leaves["verksamhetens_intakter"] == 1
    assert b.figure.exact == b.figure.shown == 670 - 280 - 30 - 5


def test_a_driftredovisning_cell_counts_only_its_verksamhet(drill):
    b = drill.explain(drill.cell("driftredovisning", "100.intakter", "utfall"))
    (a,) = b.accounts
    assert a.account == "3010" and a.objects == (("1:100", -62000),)
    adds_up(b)
    page = drill.vouchers(b, "3010")
    assert all(r.objects == "1:100" for v in page.vouchers for r in v.rows)
    assert page.total == 62000
    # "Ej fördelat" is the rows without a verksamhet.
    other = drill.explain(drill.cell("driftredovisning", "_utan.ovriga_kostnader", "utfall"))
    adds_up(other)
    assert drill.vouchers(other, "8520").total == -500


def test_a_budget_cell_names_its_rows_in_the_sie_file_and_in_the_budget_file(ws, drill):
    sie = drill.explain(drill.cell("driftredovisning", "100.intakter", "budget"))
    assert sie.kind == "budget" and sie.figure.exact == sie.figure.shown == 450
    adds_up(sie)
    (entry,) = sie.plan
    (rec,) = entry.records
    lines = (ws.root / "data" / "ledger" / "2023.se").read_text(encoding="cp437").splitlines()
    assert lines[rec.place.line - 1].startswith("#PBUDGET 0 202301 3010")
    csv = drill.explain(drill.cell("driftredovisning", "200.intakter", "budget"))
    adds_up(csv)
    (row,) = csv.plan
    assert row.place is not None and row.place.text() == "data/budget/budget.csv:2"


def test_a_derived_column_is_its_two_cells(drill):
    b = drill.explain(drill.cell("driftredovisning", "100.summa", "avvikelse"))
    assert b.kind == "harledd"
    assert [(p.sign, p.breakdown.figure.column) for p in b.parts] == [(1, "utfall"), (-1, "budget")]
    adds_up(b)


def test_a_named_value_is_found_in_its_cell(drill):
    sign, ref = drill.value_cell("arets_resultat")
    assert (sign, ref.table, ref.row, ref.column) == (1, "resultatrakning", "arets_resultat", "utfall")


def test_unknown_names_say_what_exists(drill):
    with pytest.raises(UnknownName) as exc:
        drill.cell("resultatrakning", "nope", "utfall")
    assert exc.value.what == "rad" and "arets_resultat" in exc.value.known
    with pytest.raises(UnknownName) as exc:
        drill.value_cell("inget_sadant")
    assert exc.value.what == "värde"


def test_a_voucher_shows_all_its_rows_with_the_counted_ones_marked(drill):
    b = drill.explain(drill.cell("resultatrakning", "verksamhetens_intakter", "utfall"))
    v = drill.voucher(b, "A", "1")
    assert v is not None
    assert [(r.account, r.counted) for r in v.rows] == [("3010", True), ("3210", True), ("1930", False)]
    assert v.amount == 55000
    assert drill.voucher(b, "A", "99") is None


def test_internal_items_eliminated_in_the_rr_are_left_out_down_to_the_vouchers(tmp_path):
    internal = '[dimensioner]\nverksamhet = 1\nmotpart = 9\n\n[internt]\nmotparter = ["INT"]\n'
    ws = _ledgers().LedgerWorkspace(tmp_path).config(extra='enhet = "kr"\n' + internal)
    ws.year(
        2023,
        vouchers=[
            ("2023-01-10", [("3010", -100, {1: "A"}), ("1930", 100)]),
            ("2023-01-11", [("3010", -40, {1: "A", 9: "INT"}), ("6410", 40, {1: "B", 9: "INT"})]),
        ],
    )
    with open_drill(ws.layout, load_config(ws.layout.config)) as (drill, _):
        rr = drill.explain(drill.cell("resultatrakning", "verksamhetens_intakter", "utfall"))
        assert rr.figure.exact == rr.figure.shown == 100
        assert rr.notes == ("interna poster ([internt] i bokslut.toml) är eliminerade: motpart INT",)
        assert rr.total == 100 and rr.difference == 0
        page = drill.vouchers(rr, "3010")
        assert page.total == 10000 and [v.number for v in page.vouchers] == ["1"]
        # The driftredovisning keeps them.
        drift = drill.explain(drill.cell("driftredovisning", "A.intakter", "utfall"))
        adds_up(drift)
        assert drill.vouchers(drift, "3010").total == 14000


def test_without_a_drill_down_index_the_store_answers_the_same(ws):
    # A workspace where .bokslut/drill cannot be made (here: a file is in the way).
    with open_drill(ws.layout, load_config(ws.layout.config)) as (drill, _):
        (ws.layout.cache / "drill").write_text("ingen mapp", encoding="utf-8")
        b = drill.explain(drill.cell("driftredovisning", "100.intakter", "utfall"))
        page = drill.vouchers(b, "3010")
        assert page.total == 62000 and [v.number for v in page.vouchers] == ["1", "5"]
        assert [r.place.line for v in page.vouchers for r in v.rows] == [
            r.place.line for v in page.vouchers for r in v.rows if r.objects == "1:100"
        ]
        v = drill.voucher(b, "A", "1")
        assert v is not None and [r.account for r in v.rows] == ["3010", "3210", "1930"]
    assert not (ws.layout.cache / "drill").is_dir()


def test_the_index_is_written_once_and_a_replaced_ledger_file_gets_a_new_one(ws):
    config = load_config(ws.layout.config)
    with open_drill(ws.layout, config) as (drill, _):
        b = drill.explain(drill.cell("resultatrakning", "verksamhetens_intakter", "utfall"))
        drill.vouchers(b, "3010")
    (first,) = (ws.layout.cache / "drill").iterdir()
    ws.year(2023, vouchers=[("2023-05-01", [("3010", -7), ("1930", 7)])])
    with open_drill(ws.layout, config) as (drill, _):
        b = drill.explain(drill.cell("resultatrakning", "verksamhetens_intakter", "utfall"))
        page = drill.vouchers(b, "3010")
        assert page.total == 700 and [v.date.isoformat() for v in page.vouchers] == ["2023-05-01"]
    (second,) = (ws.layout.cache / "drill").iterdir()
    assert second.name != first.name


def test_a_later_page_keeps_the_totals_of_the_first_and_a_long_page_orders_as_short_ones(drill):
    b = drill.explain(drill.cell("balansrakning", "kassa_och_bank", "utfall"))
    first = drill.vouchers(b, "1930", limit=2)
    assert [v.number for v in first.vouchers] == ["1", "2"] and first.has_more
    assert (first.total, first.row_count, first.voucher_count) == (38500, 4, 4)
    second = drill.vouchers(b, "1930", offset=2, limit=2)
    assert [(v.number, v.amount) for v in second.vouchers] == [("4", -500), ("5", 12000)]
    assert (second.total, second.row_count, second.voucher_count) == (38500, 4, 4)
    assert first.page_total + second.page_total == second.total and not second.has_more
    # A page beyond the first rows is cut from one grouping of all the account's rows instead.
    whole = drill.vouchers(b, "1930", limit=6000)
    assert [v.number for v in whole.vouchers] == ["1", "2", "4", "5"] and whole.page_total == 38500
    assert drill.vouchers(b, "1930", offset=6000).vouchers == ()


def test_a_store_that_may_not_write_the_index_answers_from_its_views_until_it_is_written(ws):
    from bokslut.ledger.drilldown import prepare

    with open_drill(ws.layout, load_config(ws.layout.config)) as (drill, _):
        drill.store.drill_build = False  # as a server's store: the index is written beside it
        b = drill.explain(drill.cell("resultatrakning", "verksamhetens_intakter", "utfall"))
        page = drill.vouchers(b, "3010")
        assert page.total == 62000 and [v.number for v in page.vouchers] == ["1", "5"]
        assert not (ws.layout.cache / "drill").exists()
        with open_drill(ws.layout, load_config(ws.layout.config)) as (other, _):
            prepare(other.store, 2023)
        # The year's arrays only: DuckDB's index is written where they cannot be.
        (arrays,) = (ws.layout.cache / "drill").iterdir()
        assert arrays.name.startswith("year-2023-") and (arrays / "meta.json").is_file()
        again = drill.vouchers(b, "3010")
        assert again == page  # the same page, now read from the year's arrays
        assert isinstance(drill.store.drill_memo[("arrays", 2023)], YearArrays)
        v = drill.voucher(b, "A", "1")
        assert v is not None and [r.account for r in v.rows] == ["3010", "3210", "1930"]
        assert 2023 not in drill.store.drill_tables  # a voucher too: from the arrays


def test_a_restricted_figure_lists_every_object_key_of_its_accounts_that_matches(drill):
    from bokslut.drilldown import _object_matches
    from bokslut.ledger.drilldown import pairs_by_dimension
    from bokslut.table import ColumnKind

    checked = 0
    for tid, t in drill.tables.items():
        for row in t.rows:
            for col in t.columns:
                if (row.column_kind or col.kind) is not ColumnKind.MONEY or row.values.get(col.id) is None:
                    continue
                for _, leaf in drill.explain(drill.cell(tid, row.id, col.id)).leaves():
                    sel = leaf.selection
                    if (
                        sel is None
                        or not (sel.objects or sel.no_object_in is not None)
                        or sel.exclude_objects
                    ):
                        continue
                    yd = drill.context.facts.years[sel.fiscal_year]
                    for a in leaf.accounts:
                        keys = sorted(yd.period.get(a.account, {}))
                        wanted = {
                            dim: {p.partition(":")[2] for p in group}
                            for dim, group in pairs_by_dimension(sel.objects).items()
                        }
                        want = [k for k in keys if _object_matches(k, wanted, sel.no_object_in)]
                        assert [k for k, _ in a.objects] == want
                        checked += 1
    assert checked > 10


ORGANISATION = (
    "ansvar;namn;enhet;forvaltning;namnd\n"
    "1101;Skola A;Skolor;Utbildning;Barn- och utbildningsnämnden\n"
    "1102;Skola B;Skolor;Utbildning;Barn- och utbildningsnämnden\n"
    "2101;Hemtjänst;Omsorg;Social;Socialnämnden\n"
)


@pytest.mark.parametrize("index", [True, False], ids=["arrays", "views"])
def test_a_namnd_row_counts_every_one_of_its_ansvar_down_to_the_vouchers(tmp_path, index):
    ws = _ledgers().LedgerWorkspace(tmp_path).config(extra='enhet = "kr"\n[dimensioner]\nansvar = 2\n')
    ws.year(
        2023,
        vouchers=[
            ("2023-03-01", [("5010", 1_000, {2: "1101"}), ("1930", -1_000)]),
            ("2023-03-02", [("5010", 200, {2: "1102"}), ("6410", 30, {2: "1102"}), ("1930", -230)]),
            ("2023-03-03", [("5010", 4_000, {2: "2101"}), ("1930", -4_000)]),
        ],
        pbudget=[("5010", 900, {2: "1101"}), ("5010", 3_000, {2: "2101"})],
    )
    ws.write("data/organisation.csv", ORGANISATION)
    ws.write("data/budget-ansvar.csv", "ansvar;ar;belopp\n1102;2023;-250\n")
    with open_drill(ws.layout, load_config(ws.layout.config)) as (drill, _):
        drill.store.drill_build = index
        b = drill.explain(drill.cell("driftredovisning_namnd", "namnd.barn_och_utbildningsnamnden", "utfall"))
        assert b.kind == "huvudbok" and b.figure.exact == -1230
        adds_up(b)
        assert [(a.account, a.objects) for a in b.accounts] == [
            ("5010", (("2:1101", 100_000), ("2:1102", 20_000))),
            ("6410", (("2:1102", 3_000),)),
        ]
        page = drill.vouchers(b, "5010")
        assert [v.number for v in page.vouchers] == ["1", "2"] and page.total == -120_000
        assert [r.objects for v in page.vouchers for r in v.rows] == ["2:1101", "2:1102"]
        social = drill.explain(drill.cell("driftredovisning_namnd", "namnd.socialnamnden", "utfall"))
        adds_up(social)
        assert [v.number for v in drill.vouchers(social, "5010").vouchers] == ["3"]
        # The budget: the #PBUDGET row of one ansvar and the per-ansvar file's line of the other.
        budget = drill.explain(
            drill.cell("driftredovisning_namnd", "namnd.barn_och_utbildningsnamnden", "budget")
        )
        assert budget.kind == "budget" and budget.figure.exact == -1150
        adds_up(budget)
        assert [(e.amount, e.description) for e in budget.plan] == [
            (-90_000, "#PBUDGET konto 5010, objekt 2:1101"),
            (-25_000, "ansvar 1102"),
        ]
        assert budget.plan[1].place is not None and budget.plan[1].place.text() == "data/budget-ansvar.csv:2"


def _accounts(b: Breakdown) -> list[tuple[str, int, int]]:
    return [(a.account, a.movement, a.amount) for a in b.accounts]


def test_a_sale_of_fixed_assets_is_followed_flow_by_flow_to_its_accounts(tmp_path):
    # The cash flow's sale line is the acquisition accounts' credits, the accumulated
    # depreciation's and the gain's movement, less the year's depreciation: no single flow.
    ws = _ledgers().LedgerWorkspace(tmp_path).config(extra='enhet = "kr"\n')
    ws.year(
        2023,
        ib={"1220": 1000, "1229": -400, "1930": 500, "2010": -1100},
        vouchers=[
            ("2023-04-01", [("1220", 250), ("1930", -250)]),  # investment
            ("2023-04-02", [("1220", -100), ("1229", 80), ("1930", 30), ("3810", -10)]),  # sale, gain 10
            ("2023-05-01", [("7910", 60), ("1229", -60)]),  # depreciation
        ],
    )
    with open_drill(ws.layout, load_config(ws.layout.config)) as (drill, _):
        b = drill.explain(drill.cell("kassaflodesanalys", "kf_fors_materiella", "utfall"))
        assert b.kind == "summa" and b.figure.exact == 30
        adds_up(b)
        assert [(p.sign, p.breakdown.figure.label, _accounts(p.breakdown)) for p in b.parts] == [
            (1, "Rörelse med omvänt tecken", [("1229", 2000, -2000), ("3810", -1000, 1000)]),
            (1, "Kredit med omvänt tecken", [("1220", -10000, 10000)]),
            (1, "Årets avskrivningar, avdragna", [("7910", 6000, -6000)]),
        ]
        credit = b.parts[1].breakdown
        page = drill.vouchers(credit, "1220")
        # Only the credit counts: the sale's row, not the investment's debit.
        assert [(v.date.isoformat(), v.amount) for v in page.vouchers] == [("2023-04-02", 10000)]
