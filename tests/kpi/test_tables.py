from decimal import Decimal
from pathlib import Path

from bokslut import kpi
from bokslut.diagnostics import Level
from bokslut.workspace.config import KpiMatvarden
from bokslut.workspace.layout import Layout

from .conftest import config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lystkom-2023"


def test_yearly_figures_become_values_and_tables(workspace):
    text = (
        "id,benamning,ar,varde,enhet,tabell\n"
        'nki_it,Lystkom IT,2023,"6,6",max 10,nki\n'
        "nki_it,Lystkom IT,2022,6.9,max 10,nki\n"
        "nki_it,Lystkom IT,2022,7.0,max 10,nki\n"
        "NKI,x,2023,1,,\n"
    )
    part = kpi.build_part(workspace("nyckeltal.csv", text), config(nyckeltal_tabeller={"nki": "NKI"}), {})
    assert part.values["nki_it_2023"] == Decimal("6.6")
    (table,) = part.tables
    assert table.id == "nyckeltal_nki" and table.title == "NKI"
    assert [r.decimals for r in table.rows] == [1]
    errors = [(f.line, f.where) for f in part.findings if f.level is Level.ERROR]
    assert errors == [(4, "kolumn id"), (5, "kolumn id")]


def test_unknown_row_kind_in_config_is_an_error(workspace):
    spec = KpiMatvarden(id="x", titel="X", rader=["arenden", "samtal_inom:30"])
    part = kpi.build_part(
        workspace("samtal.csv", "ko,inkommande,vantetid_s,besvarat\n"), config(matvarden=[spec]), {}
    )
    (err,) = part.findings
    assert err.file == "bokslut.toml" and "samtal_inom:30" in err.message


def test_lystkom_kundtjanst_and_it_tables_from_generated_rows():
    rows = {
        "kundtjanst": KpiMatvarden(
            id="kundtjanst_matvarden",
            titel="Kundtjänst",
            verksamhet="Kundtjänst",
            ko="Kundtjänst",
            rader=["arenden", "samtal_besvarade", "samtal_andel_inom:30"],
        ),
        "it": KpiMatvarden(
            id="it_matvarden",
            titel="IT",
            verksamhet="IT",
            ko="IT-support",
            antal_ar=3,
            rader=[
                "arenden",
                "samtal_inkommande",
                "arenden_kanal:telefon",
                "arenden_kanal:serviceportal",
                "arenden_kanal:besök",
                "samtal_andel_inom:60",
            ],
        ),
    }
    part = kpi.build_part(Layout(EXAMPLE), config(matvarden=list(rows.values())), {})
    assert not [f for f in part.findings if f.level is Level.ERROR]
    t = {x.id: x for x in part.tables}
    k = t["kundtjanst_matvarden"]
    assert [k.rows[0].values[c] for c in ("ar_2023", "ar_2022")] == [Decimal(2706), None]
    assert k.rows[1].values["ar_2023"] == 112_076
    assert round(k.rows[2].values["ar_2023"], 1) == Decimal("91.6")
    assert round(k.rows[2].values["ar_2022"], 1) == Decimal("86.0")
    it = t["it_matvarden"]
    assert [it.rows[0].values[f"ar_{y}"] for y in (2023, 2022, 2021)] == [8600, 9500, 8600]
    assert [it.rows[1].values[f"ar_{y}"] for y in (2023, 2022, 2021)] == [10400, 9800, 14000]
    assert [it.rows[2].values[f"ar_{y}"] for y in (2023, 2022, 2021)] == [4800, 6000, None]
    assert [it.rows[3].values[f"ar_{y}"] for y in (2023, 2022)] == [530, None]
    assert it.rows[4].values["ar_2023"] == 200
    assert [round(it.rows[5].values[f"ar_{y}"]) for y in (2023, 2022, 2021)] == [68, 86, 74]
    nki = t["nyckeltal_nki"]
    assert [r.values["ar_2023"] for r in nki.rows] == [Decimal("7.5"), Decimal("6.6")]


def test_a_superscript_in_a_row_argument_is_an_error_not_a_traceback(workspace):
    spec = KpiMatvarden(id="x", titel="X", rader=["samtal_andel_inom:²", "samtal_besvarade"])
    text = "ko,inkommande,vantetid_s,besvarat\nA,2023-01-02 10:00,5,ja\n"
    part = kpi.build_part(workspace("samtal.csv", text), config(matvarden=[spec]), {})
    (err,) = part.findings
    assert (err.file, err.where) == ("bokslut.toml", "[[kpi.matvarden]] nr 1 (x)")
    assert "samtal_andel_inom:²" in err.message
    (table,) = [t for t in part.tables if t.id == "x"]
    assert table.value("rad_2_samtal_besvarade", "ar_2023") == 1
