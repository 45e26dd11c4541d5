"""The example workspaces build into the published reports, every figure from the data.

Each example is copied (without derived files) and built in every format; the
assertions read the JSON and HTML as a reader or another program would.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NBSP = "\u00a0"


def build_example(name: str, tmp: Path) -> Path:
    src = EXAMPLES / name
    root = tmp / name
    shutil.copytree(src, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    layout = Layout(root)
    result = build_report(layout, load_config(layout.config), [report_parts], quiet=True)
    assert not [f for f in result.findings if f.level.value == "error"]
    return result.out_dir


@pytest.fixture(scope="module")
def lystkom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example("lystkom-2023", tmp_path_factory.mktemp("ex"))


@pytest.fixture(scope="module")
def sydnarke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example("sydnarke-2020", tmp_path_factory.mktemp("ex"))


@pytest.fixture(scope="module")
def exempelkommun(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example("exempelkommun-2024", tmp_path_factory.mktemp("ex"))


@pytest.fixture(scope="module")
def exempelkommun_delar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example("exempelkommun-2024-delar", tmp_path_factory.mktemp("ex"))


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def figures(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in walk(doc["chapters"]) if "figure" in n]


def placed_tables(doc: dict[str, Any]) -> list[str]:
    return [n["table"] for n in walk(doc["chapters"]) if n.get("type") == "table"]


def display(doc: dict[str, Any], table: str, row: str, column: str) -> Any:
    t = next(t for t in doc["tables"] if t["id"] == table)
    return next(r for r in t["rows"] if r["id"] == row)["display"][column]


def test_every_format_is_written(lystkom: Path, sydnarke: Path) -> None:
    for out, stem in ((lystkom, "arsredovisning-2023"), (sydnarke, "delarsrapport-2020")):
        names = {p.name for p in out.iterdir()}
        assert {f"{stem}.{ext}" for ext in ("html", "pdf", "docx", "xlsx", "json")} <= names
        assert "SHA256SUMS" in names


def test_the_kommun_example_builds_every_format_with_every_part(
    exempelkommun: Path, exempelkommun_delar: Path
) -> None:
    for out, stem in ((exempelkommun, "arsredovisning-2024"), (exempelkommun_delar, "delarsrapport-2024")):
        names = {p.name for p in out.iterdir()}
        assert {f"{stem}.{ext}" for ext in ("html", "pdf", "docx", "xlsx", "json")} <= names
    doc = json.loads((exempelkommun / "arsredovisning-2024.json").read_text(encoding="utf-8"))
    assert {
        "resultatrakning",
        "balansrakning",
        "ansvarsforbindelser",
        "kassaflodesanalys",
        "driftredovisning_namnd",
        "driftredovisning",
        "investeringsredovisning",
        "investeringsprojekt",
        "balanskravsutredning",
        "balanskrav_aterstallande",
        "nyckeltal",
        "mal_malomrade_1",
        "mal_hierarki_5",
    } <= set(placed_tables(doc))
    notes = {n["id"] for n in doc["notes"]}
    assert {
        "not_avsattningar_pensioner",
        "not_ansvarsforbindelse_pensioner",
        "not_borgensataganden",
        "not_langfristiga_skulder",
        "not_leasing",
    } <= notes
    shown = {(f["ref"], f["figure"]) for f in figures(doc)}
    assert ("abs(v.arets_resultat)", f"21{NBSP}400{NBSP}tkr") in shown
    assert ("v.balanskrav_aterstallt_i_ar", f"6{NBSP}800{NBSP}tkr") in shown
    assert ("v.balanskrav_kvar_att_aterstalla", f"0{NBSP}tkr") in shown
    delar = json.loads((exempelkommun_delar / "delarsrapport-2024.json").read_text(encoding="utf-8"))
    assert {"resultatrakning", "balansrakning", "driftredovisning_namnd", "balanskrav_prognos"} <= set(
        placed_tables(delar)
    )
    assert display(delar, "resultatrakning", "arets_resultat", "prognos") == 19400


def test_lystkom_result_is_one_number_in_the_text_and_in_every_statement(lystkom: Path) -> None:
    doc = json.loads((lystkom / "arsredovisning-2023.json").read_text(encoding="utf-8"))
    # The published text says 1 367 000 kr in one place and 1 376 000 kr in another.
    # With "ett överskott på …" the word carries the sign and the figure is shown with | abs.
    result = [f for f in figures(doc) if f["ref"] in ("v.arets_resultat", "abs(v.arets_resultat)")]
    assert result and {(f["shown"], f["unit"]) for f in result} == {(1376, "tkr"), (1376000, "kr")}
    assert {f["figure"] for f in result} == {f"1{NBSP}376{NBSP}tkr", f"1{NBSP}376{NBSP}000{NBSP}kr"}
    assert display(doc, "resultatrakning", "arets_resultat", "utfall") == 1376
    assert display(doc, "balansrakning", "ek_arets_resultat", "utfall") == 1376
    assert display(doc, "driftredovisning", "totalt", "utfall") == 1376
    assert display(doc, "balanskravsutredning", "bk_balanskravsresultat", "ar_2023") == 1376
    # Better than budget by 564 tkr, shown without sign in the text.
    assert any(
        f["ref"] == "abs(cell:driftredovisning/totalt/avvikelse)" and f["figure"] == f"564{NBSP}000{NBSP}kr"
        for f in figures(doc)
    )
    html = (lystkom / "arsredovisning-2023.html").read_text(encoding="utf-8")
    assert "1 367" not in html.replace(NBSP, " ")


def test_lystkom_places_the_seed_reports_tables_and_charts(lystkom: Path) -> None:
    doc = json.loads((lystkom / "arsredovisning-2023.json").read_text(encoding="utf-8"))
    placed = placed_tables(doc)
    for table in (
        "resultatrakning",
        "balansrakning",
        "kassaflodesanalys",
        "driftredovisning",
        "investeringsredovisning",
        "balanskravsutredning",
        *(f"mal_malomrade_{n}" for n in range(1, 6)),
        "medelantal_anstallda",
        "anstallda_anstallningsform",
        "sjukfranvaro_kon",
        "sjukfranvaro_langtid",
        "kundtjanst_matvarden",
        "it_matvarden",
        "nyckeltal_nki",
    ):
        assert table in placed, table
    assert [n["number"] for n in doc["notes"]] == list(range(1, 11))
    charts = {n["id"]: n for n in walk(doc["chapters"]) if n.get("type") == "chart"}
    assert {"resultat_mot_budget-driftredovisning", "resultatutveckling-balanskravsutredning"} <= set(charts)
    goals = next(c for c in charts.values() if c["kind"] == "liggande")
    assert goals["categories"] == ["Uppfyllt", "Delvis uppfyllt", "Kan inte bedömas"]
    assert goals["series"][0]["values"] == [10, 2, 1]
    summary = (
        "Av totalt 13 mål bedöms tio vara uppfyllda, två delvis uppfyllda och ett har inte kunnat bedömas."
    )
    html = (lystkom / "arsredovisning-2023.html").read_text(encoding="utf-8")
    assert summary in html
    assert "Roland Sjögren (KD)" in html and "<caption" in html


def test_sydnarke_surplus_and_forecast_are_the_tables_numbers(sydnarke: Path) -> None:
    doc = json.loads((sydnarke / "delarsrapport-2020.json").read_text(encoding="utf-8"))
    # In the nämnd's sign a surplus is negative; the text says "överskott" and shows the size.
    assert display(doc, "ekonomiskt_resultat", "summa", "utfall") == -1579
    assert display(doc, "ekonomiskt_resultat", "summa", "prognos") == -420
    shown = {(f["ref"], f["figure"]) for f in figures(doc)}
    assert ("abs(v.delar_resultat_utfall)", f"1{NBSP}579{NBSP}tkr") in shown
    assert ("abs(v.delar_resultat_prognos)", f"420{NBSP}tkr") in shown
    html = (sydnarke / "delarsrapport-2020.html").read_text(encoding="utf-8").replace(NBSP, " ")
    assert "1564" not in html and "1 564" not in html and "420 kr" not in html
    assert {"politiska_beslut", "mal_hierarki_1", "ekonomiskt_resultat", "investeringsredovisning"} <= set(
        placed_tables(doc)
    )
