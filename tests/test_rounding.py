"""Report-wide rounding: one shown number per quantity, sums that add up, the closest such numbers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bokslut.rounding import round_report, round_table, shown_total_matches
from bokslut.table import (
    CellRef,
    Column,
    ColumnKind,
    Identity,
    Row,
    RowKind,
    Source,
    Table,
    Unit,
    with_sums,
)

D = Decimal
UTFALL = (Column("utfall", "2023"),)
PERIOD = {"from": "2023-01-01", "to": "2023-12-31"}


def ledger(accounts, sign=-1, **extra):
    return {"utfall": Source({"accounts": accounts, **PERIOD, "sign": sign, **extra})}


def table(tid, rows, columns=UTFALL, unit=Unit.TKR, **kw):
    return with_sums(Table(tid, tid.upper(), tuple(columns), tuple(rows), unit=unit, **kw))


def shown(report, tid, rid, cid="utfall"):
    return report.rounded[tid].get(rid, cid)


def test_the_same_ledger_rows_show_the_same_number_in_every_table():
    # RR: 43 901,5 + 1 500,4 = 45 401,9 → the total shows 45 402 and one line gives way.
    rr = table(
        "rr",
        [
            Row("intakter", "Intäkter", values={"utfall": D("43901500")}, sources=ledger(["3011"])),
            Row("ovrigt", "Övrigt", values={"utfall": D("1500400")}, sources=ledger(["3990"])),
            Row("summa", "Summa", RowKind.TOTAL, parts=("intakter", "ovrigt")),
        ],
    )
    # Not 1 sums the same account with the opposite sign convention; alone each table may round
    # 43 901,5 either way, but both tables must choose the same way.
    note = table(
        "not1",
        [
            Row("a3011", "Försäljning", values={"utfall": D("-43901500")}, sources=ledger(["3011"], sign=1)),
            Row("x", "Annat", values={"utfall": D("100400")}, sources=ledger(["3012"], sign=1)),
            Row("summa", "Summa", RowKind.TOTAL, parts=("a3011", "x")),
        ],
    )
    report = round_report({"rr": rr, "not1": note})
    assert shown(report, "rr", "intakter") == -shown(report, "not1", "a3011")
    assert shown(report, "rr", "summa") == D(45402)
    assert shown(report, "not1", "summa") == D(-43801)  # −43 801,1
    assert any(
        {(m.table, m.row) for m in g} == {("rr", "intakter"), ("not1", "a3011")} for g in report.groups
    )
    for r in report.rounded.values():
        assert shown_total_matches(r) == []


def test_one_verksamhet_holding_all_depreciation_is_all_depreciation():
    rr = table(
        "rr",
        [Row("avskr", "Avskrivningar", values={"utfall": D("-11303500")}, sources=ledger(["7910"]))],
    )
    drift = table(
        "drift",
        [
            Row(
                "it.avskr",
                "Avskrivningar",
                values={"utfall": D("-11303500")},
                sources=ledger(["7910"], objects=["1:IT"]),
            ),
            Row(
                "it.kost",
                "Kostnader",
                values={"utfall": D("-200400")},
                sources=ledger(["5010"], objects=["1:IT"]),
            ),
            Row("it.summa", "Summa IT", RowKind.SUBTOTAL, parts=("it.avskr", "it.kost")),
        ],
    )
    report = round_report({"rr": rr, "drift": drift})
    assert shown(report, "rr", "avskr") == shown(report, "drift", "it.avskr")
    # Two different verksamheter with equal amounts are not one quantity by themselves.
    other = table(
        "drift2",
        [
            Row(
                "ekon.avskr",
                "Avskr",
                values={"utfall": D("-11303500")},
                sources=ledger(["7910"], objects=["1:EK"]),
            )
        ],
    )
    alone = round_report({"drift": drift, "drift2": other})
    assert not any({m.table for m in g} == {"drift", "drift2"} for g in alone.groups)


def test_a_line_and_its_note_total_and_a_named_quantity_agree():
    rr = table(
        "rr",
        [
            Row("kost", "Kostnader", values={"utfall": D("-743545500")}, note="not2"),
            Row("res", "Resultat", RowKind.TOTAL, values={"utfall": D("-743545500")}, quantity="resultat"),
        ],
    )
    note = table(
        "not2",
        [
            Row("a", "Personal", values={"utfall": D("500000400")}),
            Row("b", "Övrigt", values={"utfall": D("243545100")}),
            Row("summa", "Summa", RowKind.TOTAL, parts=("a", "b")),
        ],
    )
    br = table("br", [Row("res", "Årets resultat", values={"utfall": D("-743545500")}, quantity="resultat")])
    report = round_report({"rr": rr, "not2": note, "br": br})
    assert shown(report, "rr", "kost") == -shown(report, "not2", "summa")
    assert shown(report, "rr", "res") == shown(report, "br", "res")
    assert shown(report, "not2", "a") + shown(report, "not2", "b") == shown(report, "not2", "summa")


def test_declared_identities_hold_on_the_shown_values():
    cols = (Column("utfall", "2023"), Column("utfall_fg", "2022"))
    note = table(
        "not5",
        [
            Row("ib", "Ingående", values={"utfall": D("-37093500"), "utfall_fg": D("-26008000")}),
            Row("avskr", "Årets", values={"utfall": D("-11303500"), "utfall_fg": D("-11085500")}),
            Row("ub", "Utgående", RowKind.SUBTOTAL, parts=("ib", "avskr")),
        ],
        columns=cols,
        identities=(
            Identity(CellRef("not5", "ib", "utfall"), ((1, CellRef("not5", "ub", "utfall_fg")),), "IB = UB"),
        ),
    )
    br = table(
        "br",
        [Row("ford", "Fordringar", values={"utfall": D("5281000"), "utfall_fg": D("5041490")})],
        columns=cols,
    )
    kf = table(
        "kf",
        [Row("kf_ford", "Ökning av fordringar", values={"utfall": D("-239510")})],
        identities=(
            Identity(
                CellRef("kf", "kf_ford", "utfall"),
                ((-1, CellRef("br", "ford", "utfall")), (1, CellRef("br", "ford", "utfall_fg"))),
            ),
        ),
    )
    report = round_report({"not5": note, "br": br, "kf": kf})
    assert shown(report, "not5", "ib") == shown(report, "not5", "ub", "utfall_fg")
    assert shown(report, "kf", "kf_ford") == shown(report, "br", "ford", "utfall_fg") - shown(
        report, "br", "ford"
    )


def test_derived_columns_are_their_definition_and_within_one_step():
    cols = (
        Column("budget", "Budget"),
        Column("utfall", "Utfall"),
        Column("avv", "Avvikelse", derived=("budget", "-", "utfall")),
    )
    rows = [
        Row("a", "A", values={"budget": D("1499"), "utfall": D("1000")}),
        Row("b", "B", values={"budget": D("1499"), "utfall": D("2000")}),
        Row("s", "S", RowKind.TOTAL, parts=("a", "b")),
    ]
    t = table("t", rows, cols)
    t = with_sums(t)
    from bokslut.statements.engine import fill_derived

    t = fill_derived(t)
    r = round_table(t)
    for row in t.rows:
        assert r.get(row.id, "avv") == r.get(row.id, "budget") - r.get(row.id, "utfall")
        assert abs(r.get(row.id, "avv") - row.values["avv"] / 1000) < 1


def test_numbers_keep_their_own_decimals_and_rates_are_shown_as_computed():
    cols = (Column("ar", "2023", ColumnKind.NUMBER), Column("andel", "Andel", ColumnKind.PERCENT, decimals=2))
    rows = (
        Row("nki", "NKI", values={"ar": D("7.5")}, decimals=1),
        Row("nmi", "NMI", values={"ar": D("88.3")}, decimals=1),
        Row("skatt", "Skattesats", values={"andel": D("22.34")}),
    )
    r = round_table(Table("kpi", "Nyckeltal", cols, rows, unit=None))
    assert [r.get("nki", "ar"), r.get("nmi", "ar"), r.get("skatt", "andel")] == [
        D("7.5"),
        D("88.3"),
        D("22.34"),
    ]


def test_a_constraint_that_cannot_hold_is_a_conflict_and_still_every_cell_has_a_number():
    # Parts of 0,5 tkr can show 0 or 1 each; a sum stated as exactly 3 tkr cannot be their sum.
    forced = Table(
        "f",
        "F",
        UTFALL,
        (
            Row("a", "A", values={"utfall": D("500")}),
            Row("b", "B", values={"utfall": D("500")}),
            Row("s", "S", RowKind.TOTAL, values={"utfall": D("3000")}, parts=("a", "b")),
        ),
    )
    bad = round_report({"f": forced})
    assert len(bad.conflicts) == 1
    c = bad.conflicts[0]
    assert (c.table, c.row, c.column) == ("f", "s", "utfall")
    assert {x.row for x in c.cells} == {"s", "a", "b"}
    assert "summan 'S'" in c.message
    assert bad.rounded["f"].conflicts == (c,)
    assert [bad.rounded["f"].get(r, "utfall") for r in "abs"] == [D(1), D(1), D(3)]


amounts = st.integers(min_value=-(10**9), max_value=10**9).map(lambda o: Decimal(o).scaleb(-2))


@st.composite
def reports(draw):
    """Several years, many verksamheter, a result statement and notes that share ledger rows."""
    years = draw(st.integers(1, 3))
    n_verks = draw(st.integers(1, 12))
    n_kinds = draw(st.integers(1, 4))
    accounts = [f"{4000 + k}" for k in range(n_kinds)]
    cols = tuple(Column(f"y{y}", str(2023 - y)) for y in range(years))
    cells = {(v, k, y): draw(amounts) for v in range(n_verks) for k in range(n_kinds) for y in range(years)}
    drift_rows: list[Row] = []
    for v in range(n_verks):
        ids = []
        for k in range(n_kinds):
            rid = f"v{v}.k{k}"
            ids.append(rid)
            drift_rows.append(
                Row(
                    rid,
                    rid,
                    values={c.id: cells[(v, k, y)] for y, c in enumerate(cols)},
                    sources={
                        c.id: Source(
                            {
                                "accounts": [accounts[k]],
                                "from": f"{2023 - y}-01-01",
                                "objects": [f"1:{v}"],
                                "sign": -1,
                            }
                        )
                        for y, c in enumerate(cols)
                    },
                )
            )
        drift_rows.append(Row(f"v{v}.summa", "summa", RowKind.SUBTOTAL, parts=tuple(ids)))
    drift_rows.append(
        Row(
            "totalt",
            "Totalt",
            RowKind.TOTAL,
            parts=tuple(f"v{v}.summa" for v in range(n_verks)),
            quantity="resultat",
        )
    )
    rr_rows: list[Row] = []
    for k in range(n_kinds):
        rr_rows.append(
            Row(
                f"k{k}",
                f"Slag {k}",
                values={c.id: sum(cells[(v, k, y)] for v in range(n_verks)) for y, c in enumerate(cols)},
                sources={
                    c.id: Source({"accounts": [accounts[k]], "from": f"{2023 - y}-01-01", "sign": -1})
                    for y, c in enumerate(cols)
                },
                note=f"not{k}",
            )
        )
    rr_rows.append(
        Row(
            "resultat",
            "Resultat",
            RowKind.TOTAL,
            parts=tuple(f"k{k}" for k in range(n_kinds)),
            quantity="resultat",
        )
    )
    tables = {
        "drift": with_sums(Table("drift", "Drift", cols, tuple(drift_rows))),
        "rr": with_sums(Table("rr", "RR", cols, tuple(rr_rows))),
    }
    for k in range(n_kinds):
        # A note splits the kind by verksamhet with the opposite sign convention.
        rows = [
            Row(
                f"v{v}",
                f"v{v}",
                values={c.id: -cells[(v, k, y)] for y, c in enumerate(cols)},
                sources={
                    c.id: Source(
                        {
                            "accounts": [accounts[k]],
                            "from": f"{2023 - y}-01-01",
                            "objects": [f"1:{v}"],
                            "sign": 1,
                        }
                    )
                    for y, c in enumerate(cols)
                },
            )
            for v in range(n_verks)
        ]
        rows.append(Row("summa", "Summa", RowKind.TOTAL, parts=tuple(f"v{v}" for v in range(n_verks))))
        tables[f"not{k}"] = with_sums(Table(f"not{k}", f"Not {k}", cols, tuple(rows)))
    return tables


@settings(max_examples=60, deadline=None)
@given(reports())
def test_any_report_adds_up_shows_one_number_per_quantity_and_stays_within_a_step(tables):
    report = round_report(tables)
    assert report.conflicts == ()
    for tid, t in tables.items():
        r = report.rounded[tid]
        assert shown_total_matches(r) == [], tid
        for row in t.rows:
            for col in t.columns:
                v = row.values[col.id]
                assert abs(r.get(row.id, col.id) - v / 1000) < 1, (tid, row.id, col.id)
    for group in report.groups:
        assert len({m.sign * report.rounded[m.table].get(m.row, m.column) for m in group}) == 1
    # the statement, the driftredovisning and each note show the same numbers for the same rows
    for tid, t in tables.items():
        if not tid.startswith("not"):
            continue
        k = tid[3:]
        for col in t.columns:
            assert report.rounded["rr"].get(f"k{k}", col.id) == -report.rounded[tid].get("summa", col.id)
            for v in range(sum(1 for r in t.rows if not r.parts)):
                assert report.rounded["drift"].get(f"v{v}.k{k}", col.id) == -report.rounded[tid].get(
                    f"v{v}", col.id
                )
        assert report.rounded["rr"].get("resultat", col.id) == report.rounded["drift"].get("totalt", col.id)


@settings(max_examples=40, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=8), st.integers(1, 5), st.sampled_from([1, -1]))
def test_a_total_stated_beyond_what_its_parts_can_reach_is_a_conflict_not_silence(parts, extra, sign):
    # The parts can reach at most one step per part away from their exact sum; a total stated
    # further off than that cannot be shown as their sum.
    exact_sum = sum(parts, Decimal(0))
    stated = exact_sum + sign * Decimal(1000) * (len(parts) + extra)
    rows = [Row(f"p{i}", f"Del {i}", values={"utfall": v}) for i, v in enumerate(parts)]
    rows.append(
        Row(
            "s",
            "Summa",
            RowKind.TOTAL,
            values={"utfall": stated},
            parts=tuple(f"p{i}" for i in range(len(parts))),
        )
    )
    report = round_report({"t": Table("t", "T", UTFALL, tuple(rows))})
    assert [(c.table, c.row, c.column) for c in report.conflicts] == [("t", "s", "utfall")]
    for row in rows:
        assert abs(report.rounded["t"].get(row.id, "utfall") - row.values["utfall"] / 1000) < 1
