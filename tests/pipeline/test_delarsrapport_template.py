"""`bokslut new --typ delarsrapport` writes a report that builds as it stands.

A small ledger written with the SIE writer, whose interim figures are computed by hand
below; the generated chapters are built untouched, for every kind of organisation, and
the JSON and HTML are read as a reader sees them.

The ledger (kronor, report per 2023-08-31):

    2022  03-15 intäkt 400 000       2023  02-01 skatt / medlemsavgift 3 000 000
          05-01 skatt 2 000 000            05-10 intäkt 500 000
          06-30 kostnad 250 000            08-15 avskrivning 100 000
          10-01 skatt 5 000 000 (after)    08-31 kostnad 1 200 000
                                           09-15 intäkt 999 000 (after the closing date)

Period 2023: intäkter 500, kostnader −1 200, avskrivningar −100, nettokostnader −800,
skatt 3 000, resultat 2 200 tkr. Same period 2022: 400, −250, 0, 150, 2 000, 2 150.
Budget (per account and per line): 800, −2 000, −150, −1 350, 4 500 → 3 150.
Prognos (per line): 750, −1 900, −150, −1 300, 4 600 → 3 300; avvikelse prognos − budget:
−50, 100, 0, 50, 100 → 150. Bank at 2022-12-31: 1 000 + 400 + 2 000 − 250 + 5 000 = 8 150;
at 2023-08-31: 8 150 + 3 000 + 500 − 1 200 = 10 450; inventarier 1 000, then 1 000 − 100.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.statements.conftest import load_ledgers

from bokslut.diagnostics import BokslutError
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import OrgTyp, RapportTyp, load_config
from bokslut.workspace.new import create_workspace

NBSP = "\u00a0"
ORGTYPER = list(OrgTyp)


def tax_line(orgtyp: OrgTyp) -> str:
    # Class 80 is membership fees in a kommunalförbund (chart/kommunbas.toml).
    return "medlemsavgifter" if orgtyp is OrgTyp.KOMMUNALFORBUND else "skatteintakter"


def write_ledger(root: Path, *, previous_year: bool = True) -> None:
    ws = load_ledgers().LedgerWorkspace(root)
    if previous_year:
        ws.year(
            2022,
            ib={"1220": 1_000_000, "1930": 1_000_000, "2010": -2_000_000},
            vouchers=[
                ("2022-03-15", [("3010", -400_000), ("1930", 400_000)]),
                ("2022-05-01", [("8010", -2_000_000), ("1930", 2_000_000)]),
                ("2022-06-30", [("5010", 250_000), ("1930", -250_000)]),
                ("2022-10-01", [("8010", -5_000_000), ("1930", 5_000_000)]),
            ],
        )
    ws.year(
        2023,
        ib={"1220": 1_000_000, "1930": 8_150_000, "2010": -9_150_000},
        vouchers=[
            ("2023-02-01", [("8010", -3_000_000), ("1930", 3_000_000)]),
            ("2023-05-10", [("3010", -500_000), ("1930", 500_000)]),
            ("2023-08-15", [("7910", 100_000), ("1229", -100_000)]),
            ("2023-08-31", [("5010", 1_200_000), ("1930", -1_200_000)]),
            ("2023-09-15", [("3010", -999_000), ("1930", 999_000)]),
        ],
    )


def write_plans(root: Path, orgtyp: OrgTyp) -> None:
    (root / "data" / "budget" / "budget.csv").write_text(
        f"ar;konto;rad;belopp_tkr\n2023;3010;;800\n2023;5010;;-2000\n2023;;avskrivningar;-150\n"
        f"2023;;{tax_line(orgtyp)};4500\n",
        encoding="utf-8",
    )
    (root / "data" / "prognos" / "prognos.csv").write_text(
        f"rad;belopp_tkr\nverksamhetens_intakter;750\nVerksamhetens kostnader;-1900\n"
        f"avskrivningar;-150\n{tax_line(orgtyp)};4600\n",
        encoding="utf-8",
    )


def new_report(tmp_path: Path, orgtyp: OrgTyp) -> Path:
    layout = create_workspace(
        tmp_path / "ws", "Testorten", orgtyp, 2023, RapportTyp.DELARSRAPPORT, dt.date(2023, 8, 31)
    )
    return layout.root


def build(root: Path) -> tuple[dict[str, Any], str, list[Any]]:
    from bokslut.workspace.layout import Layout

    layout = Layout(root)
    result = build_report(
        layout, load_config(layout.config), [report_parts], formats=("html", "json"), quiet=True
    )
    doc = json.loads((result.out_dir / "delarsrapport-2023.json").read_text(encoding="utf-8"))
    html = (result.out_dir / "delarsrapport-2023.html").read_text(encoding="utf-8")
    # The text as a reader reads it: no tags, one space between words.
    text = " ".join(re.sub(r"<[^>]+>", "", html).replace(NBSP, " ").split())
    return doc, text, list(result.findings)


def shown(doc: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    t = next(t for t in doc["tables"] if t["id"] == table)
    return {r["id"]: r["display"] for r in t["rows"]}


def column_of(doc: dict[str, Any], table: str, column: str) -> dict[str, Any]:
    return {row: cells.get(column) for row, cells in shown(doc, table).items()}


@pytest.mark.parametrize("orgtyp", ORGTYPER, ids=[o.value for o in ORGTYPER])
def test_the_generated_template_builds_with_budget_and_prognos(tmp_path, orgtyp):
    root = new_report(tmp_path, orgtyp)
    write_ledger(root)
    write_plans(root, orgtyp)
    doc, html, findings = build(root)
    tax = tax_line(orgtyp)
    rr = shown(doc, "resultatrakning")
    rows = ["verksamhetens_intakter", "verksamhetens_kostnader", "avskrivningar"]
    rows += ["verksamhetens_nettokostnader", tax, "verksamhetens_resultat", "arets_resultat"]
    assert [rr[r]["utfall"] for r in rows] == [500, -1200, -100, -800, 3000, 2200, 2200]
    assert [rr[r]["utfall_fg"] for r in rows] == [400, -250, 0, 150, 2000, 2150, 2150]
    assert [rr[r]["budget"] for r in rows] == [800, -2000, -150, -1350, 4500, 3150, 3150]
    assert [rr[r]["prognos"] for r in rows] == [750, -1900, -150, -1300, 4600, 3300, 3300]
    assert [rr[r]["avvikelse"] for r in rows] == [-50, 100, 0, 50, 100, 150, 150]
    br = shown(doc, "balansrakning")
    assert br["kassa_och_bank"] == {"utfall": 10450, "utfall_fg": 8150}
    assert br["maskiner_inventarier"] == {"utfall": 900, "utfall_fg": 1000}
    assert br["summa_tillgangar"] == {"utfall": 11350, "utfall_fg": 9150}
    assert br["summa_eget_kapital_och_skulder"] == br["summa_tillgangar"]
    assert br["ek_arets_resultat"]["utfall"] == rr["arets_resultat"]["utfall"]
    bkp = shown(doc, "balanskrav_prognos")
    assert bkp["bk_arets_resultat"]["prognos"] == 3300
    assert bkp["bk_balanskravsresultat"]["prognos"] == 3300
    assert "Periodens resultat är ett överskott på 2 200 tkr." in html
    assert "Under samma period förra året var resultatet ett överskott på 2 150 tkr." in html
    assert "Prognosen för helåret är ett överskott på 3 300 tkr." in html
    assert "Det är ett bättre resultat än budget; skillnaden är 150 tkr." in html
    assert "Verksamhetens nettokostnader väntas bli 50 tkr lägre än budgeterat." in html
    assert "Balanskravsresultatet för helåret väntas bli ett överskott på 3 300 tkr." in html
    for table in ("resultatrakning", "balansrakning", "balanskrav_prognos"):
        assert "uppgift saknas" not in json.dumps(shown(doc, table), ensure_ascii=False)
    assert "Balanskravsutredning, prognos för helåret" in html
    assert not [f for f in findings if f.code and f.code.startswith("delar-")]


def test_without_budget_prognos_or_last_year_the_template_still_builds(tmp_path):
    root = new_report(tmp_path, OrgTyp.KOMMUN)
    write_ledger(root, previous_year=False)
    doc, html, findings = build(root)
    rr = shown(doc, "resultatrakning")
    assert rr["arets_resultat"]["utfall"] == 2200
    for col in ("utfall_fg", "budget", "prognos", "avvikelse"):
        assert set(column_of(doc, "resultatrakning", col).values()) == {"uppgift saknas"}
    assert set(column_of(doc, "balanskrav_prognos", "prognos").values()) == {"uppgift saknas"}
    codes = {f.code: f for f in findings}
    assert codes["delar-budget-saknas"].file == "data/budget"
    assert "data/budget/" in codes["delar-budget-saknas"].message
    assert codes["delar-prognos-saknas"].file == "data/prognos"
    assert codes["delar-samma-period-saknas"].file == "data/ledger"
    assert all(codes[c].level.value == "warning" for c in codes if c.startswith("delar-"))
    assert "Någon prognos för helåret finns inte i underlaget (uppgift saknas)." in html
    assert "Under samma period förra året" not in html
    assert "Prognosen för verksamhetsmålen: uppgift saknas." in html


def test_only_a_budget_shows_it_and_leaves_prognos_and_avvikelse_missing(tmp_path):
    root = new_report(tmp_path, OrgTyp.REGION)
    write_ledger(root)
    write_plans(root, OrgTyp.REGION)
    (root / "data" / "prognos" / "prognos.csv").unlink()
    doc, html, findings = build(root)
    assert column_of(doc, "resultatrakning", "budget")["arets_resultat"] == 3150
    assert column_of(doc, "resultatrakning", "prognos")["arets_resultat"] == "uppgift saknas"
    assert column_of(doc, "resultatrakning", "avvikelse")["arets_resultat"] == "uppgift saknas"
    assert [f.code for f in findings if f.code and f.code.startswith("delar-")] == ["delar-prognos-saknas"]
    assert "Det är ett" not in html  # no avvikelse sentence without a prognos


def test_only_a_prognos_shows_it_and_leaves_budget_and_avvikelse_missing(tmp_path):
    root = new_report(tmp_path, OrgTyp.KOMMUNALFORBUND)
    write_ledger(root)
    write_plans(root, OrgTyp.KOMMUNALFORBUND)
    (root / "data" / "budget" / "budget.csv").unlink()
    doc, _, findings = build(root)
    assert column_of(doc, "resultatrakning", "prognos")["arets_resultat"] == 3300
    assert column_of(doc, "resultatrakning", "budget")["arets_resultat"] == "uppgift saknas"
    assert column_of(doc, "resultatrakning", "avvikelse")["verksamhetens_intakter"] == "uppgift saknas"
    assert shown(doc, "balanskrav_prognos")["bk_balanskravsresultat"]["prognos"] == 3300
    assert [f.code for f in findings if f.code and f.code.startswith("delar-")] == ["delar-budget-saknas"]


def test_goal_prognosis_from_mal_yaml_is_placed_in_god_ekonomisk_hushallning(tmp_path):
    root = new_report(tmp_path, OrgTyp.KOMMUN)
    write_ledger(root)
    write_plans(root, OrgTyp.KOMMUN)
    (root / "data" / "mal.yaml").write_text(
        "malomraden:\n"
        "  - id: ekonomi\n"
        "    namn: Ekonomi\n"
        "    mal:\n"
        "      - id: resultat\n"
        "        namn: Resultatet ska vara minst två procent av skatteintäkterna.\n"
        "        indikatorer:\n"
        "          - id: resultatandel\n"
        "            namn: Resultat i procent av skatteintäkter och statsbidrag\n"
        '            enhet: "%"\n'
        "            malvarde: 2\n"
        "            prognos: =resultat_andel_av_omsattning_prognos\n",
        encoding="utf-8",
    )
    doc, html, _ = build(root)
    # 3 300 / 4 600 = 71,7 % in the prognos: the goal is met.
    assert (
        "Enligt prognosen motsvarar årets resultat 71,7 % av skatteintäkter och generella statsbidrag."
        in html
    )
    assert "mal_malomrade_1" in {n.get("table") for n in _walk(doc["chapters"])}
    assert "Prognosen för verksamhetsmålen: uppgift saknas." not in html


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_a_bad_rad_in_the_prognos_file_names_file_and_line_and_the_rest_still_builds(tmp_path):
    root = new_report(tmp_path, OrgTyp.KOMMUN)
    write_ledger(root)
    write_plans(root, OrgTyp.KOMMUN)
    with (root / "data" / "prognos" / "prognos.csv").open("a", encoding="utf-8") as f:
        f.write("arets_resultat;100\n")
    with pytest.raises(BokslutError) as info:
        build(root)
    (bad,) = [f for f in info.value.findings if f.file == "data/prognos/prognos.csv"]
    assert bad.line == 6 and bad.level.value == "error"
    assert "'arets_resultat' är ingen rad i resultaträkningen" in bad.message
