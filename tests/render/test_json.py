import json
from decimal import Decimal

from bokslut.render.json import dumps, render_json, table_to_json
from bokslut.rounding import round_table


def test_table_json_has_exact_values_and_shown_numbers(sample):
    data = table_to_json(round_table(sample.resultatrakning()))
    assert data["id"] == "resultatrakning" and data["unit"] == "tkr"
    assert data["columns"][0] == {"id": "ar_2023", "label": "2023"}
    total = next(r for r in data["rows"] if r["id"] == "arets_resultat")
    assert total["kind"] == "total"
    assert total["display"] == {"ar_2023": 1376, "ar_2022": 1441}
    intakter = data["rows"][0]
    assert intakter["note"] == "not_1"
    text = dumps(intakter)
    assert '"ar_2023": 43902311.4' in text  # exact decimal text, no binary float noise


def test_document_json_keeps_where_each_figure_comes_from(doc):
    data = json.loads(render_json(doc), parse_float=Decimal)
    assert {t["id"] for t in data["tables"]} >= {"resultatrakning", "driftredovisning"}
    para = data["chapters"][0]["blocks"][2]["content"]
    figures = [run for run in _walk(para) if "figure" in run]
    first = figures[0]
    assert first["ref"] == "v.arets_resultat"
    assert first["exact"] == Decimal("1375823.45") and first["shown"] == 1376
    assert [n["id"] for n in data["notes"]][:2] == ["not_1", "not_2"]


def _walk(runs):
    for r in runs:
        yield r
        yield from _walk(r.get("children", []))
