"""`bokslut new` (årsredovisning) places the pension, borgen, loan and leasing notes when the
data files exist: the ansvarsförbindelser under the balance sheet and every note with its
number. A pension file with a missing column is one finding with file and line, and the
report is otherwise what it would be without the file.

The ledger (kronor): 2211 holds the pension avsättning including särskild löneskatt, as the
pension file says (900 000 and 1 075 000 plus 24,26 %: 1 118 340 and 1 335 795).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.statements.conftest import load_ledgers

from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.pipeline.check import run_checks
from bokslut.workspace.config import OrgTyp, RapportTyp, load_config
from bokslut.workspace.layout import Layout
from bokslut.workspace.new import create_workspace

NBSP = "\u00a0"


PENSION = """ar;post;avsattning_tkr;ansvarsforbindelse_tkr
2022;Ingående;800;10000
2022;Nyintjänad pension;100;
2022;Pensionsutbetalningar;;-400
2022;Utgående;900;9600
2023;Ingående;900;9600
2023;Nyintjänad pension;175;
2023;Ränte- och basbeloppsuppräkning;;250
2023;Pensionsutbetalningar;;-900
2023;Utgående;1075;8950
2023;Aktualiseringsgrad;96;
"""


def workspace(tmp_path: Path) -> Layout:
    layout = create_workspace(
        tmp_path / "ws", "Testorten", OrgTyp.KOMMUN, 2023, RapportTyp.ARSREDOVISNING, None
    )
    ws = load_ledgers().LedgerWorkspace(layout.root)
    ws.year(
        2022,
        ib={"1930": 11_994_080, "2011": -10_000_000, "2211": -994_080, "2311": -1_000_000},
        vouchers=[
            ("2022-03-01", [("8010", -3_000_000), ("1930", 3_000_000)]),
            ("2022-12-31", [("5711", 124_260), ("2211", -124_260)]),
        ],
    )
    ws.year(
        2023,
        ib={"1930": 14_994_080, "2011": -12_875_740, "2211": -1_118_340, "2311": -1_000_000},
        vouchers=[
            ("2023-03-01", [("8010", -3_000_000), ("1930", 3_000_000)]),
            ("2023-12-31", [("5711", 217_455), ("2211", -217_455)]),
        ],
    )
    ws.write("data/pension.csv", PENSION)
    ws.write("data/borgen.csv", "namn;belopp_tkr\nBostads AB;50000\n")
    ws.write(
        "data/lan.csv",
        "langivare;belopp_tkr;ranta;forfallodag\nKommuninvest;600;2;2024-06-30\nNordea;400;4;2030-06-30\n",
    )
    ws.write("data/leasing.csv", "inom_1_ar_tkr;1_till_5_ar_tkr;senare_an_5_ar_tkr\n100;200;0\n")
    return layout


def build(layout: Layout) -> tuple[dict[str, Any], str]:
    result = build_report(
        layout, load_config(layout.config), [report_parts], formats=("html", "json"), quiet=True
    )
    doc = json.loads((result.out_dir / "arsredovisning-2023.json").read_text(encoding="utf-8"))
    html = (result.out_dir / "arsredovisning-2023.html").read_text(encoding="utf-8")
    return doc, " ".join(re.sub(r"<[^>]+>", "", html).replace(NBSP, " ").split())


def shown(doc: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    t = next(t for t in doc["tables"] if t["id"] == table)
    return {r["id"]: r["display"] for r in t["rows"]}


def note_of(doc: dict[str, Any], table: str) -> int:
    return next(n["number"] for n in doc["notes"] if n["id"] == table)


def test_the_generated_template_places_the_new_notes(tmp_path):
    doc, text = build(workspace(tmp_path))
    # Under the balance sheet: 8 950 tkr × 1,2426 = 11 121,27 tkr; borgen 50 000 tkr.
    assert shown(doc, "ansvarsforbindelser") == {
        "pensioner": {"utfall": 11121, "utfall_fg": 11929},
        "borgen": {"utfall": 50000},
        "summa": {"utfall": 61121, "utfall_fg": 11929},
    }
    assert shown(doc, "not_avsattningar_pensioner")["utgaende"] == {"utfall": 1336, "utfall_fg": 1118}
    assert shown(doc, "balansrakning")["avsattningar_pensioner"] == {"utfall": 1336, "utfall_fg": 1118}
    numbers = [
        note_of(doc, t)
        for t in (
            "not_avsattningar_pensioner",
            "not_langfristiga_skulder",
            "not_ansvarsforbindelse_pensioner",
            "not_borgensataganden",
            "not_leasing",
        )
    ]
    assert sorted(numbers) == numbers and len(set(numbers)) == 5
    assert "Ansvarsförbindelser" in text
    assert f"redovisas i not {numbers[-1]}" in text
    assert shown(doc, "not_leasing")["summa"] == {"utfall": 300}
    # (600 × 2 + 400 × 4) / 1 000 = 2,80 %
    assert shown(doc, "not_langfristiga_skulder")["snittranta"] == {"utfall": 2.8}


def test_a_pension_file_without_a_column_is_one_finding_and_the_report_is_otherwise_checked(tmp_path):
    layout = workspace(tmp_path)
    (layout.root / "data" / "pension.csv").write_text(
        "\n".join(";".join(line.split(";")[:3]) for line in PENSION.splitlines()) + "\n", encoding="utf-8"
    )
    findings = run_checks(layout, load_config(layout.config))
    mine = [f for f in findings if f.file == "data/pension.csv"]
    assert [(f.level, f.line, f.code) for f in mine] == [("error", 1, "kolumn-saknas")]
    assert mine[0].message.startswith("kolumnen 'ansvarsforbindelse' (eller 'ansvarsforbindelse_tkr') saknas")
    assert [f.format() for f in findings if f.level == "error" and f not in mine] == []


def test_chapters_that_do_not_place_the_ansvarsforbindelser_get_a_warning(tmp_path):
    layout = workspace(tmp_path)
    chapter = layout.text_dir / "02-finansiella-rapporter.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace('{{ tabell("ansvarsforbindelser") }}', ""), encoding="utf-8")
    findings = run_checks(layout, load_config(layout.config))
    found = [f for f in findings if f.code == "tabell-ej-placerad"]
    assert [(f.level, f.file) for f in found] == [("warning", "text")]
    assert 'tabell("ansvarsforbindelser")' in found[0].message
