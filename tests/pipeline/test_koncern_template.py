"""`bokslut new` (årsredovisning) places the sammanställda räkenskaper and the overview of
the kommunala koncern only when bokslut.toml declares [[koncern.foretag]]; the report
builds and `bokslut check` finds nothing wrong with the koncern of
tests/statements/test_koncern.py (figures on paper there; here in tkr)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.statements.conftest import load_ledgers
from tests.statements.test_koncern import KONCERN, bostader, energi, kommun

from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.pipeline.check import run_checks
from bokslut.workspace.config import OrgTyp, RapportTyp, load_config
from bokslut.workspace.layout import Layout
from bokslut.workspace.new import create_workspace

NBSP = "\u00a0"


def workspace(tmp_path: Path, *, koncern: bool, typ: RapportTyp = RapportTyp.ARSREDOVISNING) -> Layout:
    layout = create_workspace(tmp_path / "ws", "Testorten", OrgTyp.KOMMUN, 2023, typ, None)
    generated = layout.config.read_text(encoding="utf-8")
    ws = load_ledgers().LedgerWorkspace(layout.root)
    kommun(ws)
    bostader(ws)
    energi(ws)
    extra = KONCERN.replace('enhet = "kr"\n', "")
    if not koncern:
        extra = extra[: extra.index("[[koncern.foretag]]")]
    layout.config.write_text(generated + "\n" + extra, encoding="utf-8")
    return layout


def build(layout: Layout, stem: str = "arsredovisning-2023") -> tuple[dict[str, Any], str]:
    result = build_report(
        layout, load_config(layout.config), [report_parts], formats=("html", "json"), quiet=True
    )
    doc = json.loads((result.out_dir / f"{stem}.json").read_text(encoding="utf-8"))
    html = (result.out_dir / f"{stem}.html").read_text(encoding="utf-8")
    return doc, " ".join(re.sub(r"<[^>]+>", "", html).replace(NBSP, " ").split())


def shown(doc: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    t = next(t for t in doc["tables"] if t["id"] == table)
    return {r["id"]: r["display"] for r in t["rows"]}


def test_the_template_places_the_koncern_when_one_is_declared(tmp_path):
    layout = workspace(tmp_path, koncern=True)
    doc, text = build(layout)
    assert shown(doc, "koncern_resultatrakning")["arets_resultat"] == {"utfall": 3129}
    assert shown(doc, "koncern_balansrakning")["summa_tillgangar"] == {"utfall": 18250}
    assert shown(doc, "koncern_kassaflodesanalys")["kf_likvida_slut"] == {"utfall": 7850}
    assert shown(doc, "kommunala_koncernen")["foretag_energi"]["andel_resultat"] == 350
    assert "Sammanställd resultaträkning" in text
    assert "Den kommunala koncernens resultat blev 3 129 tkr." in text
    assert "I de sammanställda räkenskaperna ingår 2 koncernföretag." in text
    findings = run_checks(layout, load_config(layout.config))
    assert [
        f.format() for f in findings if f.code.startswith("koncern") or f.code == "tabell-ej-placerad"
    ] == []


def test_without_a_koncern_the_section_is_not_there(tmp_path):
    doc, text = build(workspace(tmp_path, koncern=False))
    assert not [t for t in doc["tables"] if "koncern" in t["id"]]
    assert "Sammanställd" not in text
    assert "kommunala koncernen" not in text


def test_a_delarsrapport_with_a_koncern_builds_without_the_consolidated_tables(tmp_path):
    # LKBR 13 kap.: the interim report is the kommun's own; a declared koncern changes nothing.
    layout = workspace(tmp_path, koncern=True, typ=RapportTyp.DELARSRAPPORT)
    doc, text = build(layout, "delarsrapport-2023")
    assert not [t for t in doc["tables"] if "koncern" in t["id"]]
    # The kommun's own result to 31 August: 1 040 000 without the December energy bill.
    assert shown(doc, "resultatrakning")["arets_resultat"]["utfall"] == 1340
    assert "Sammanställd" not in text
    findings = run_checks(layout, load_config(layout.config))
    assert [f.format() for f in findings if f.code.startswith("koncern") or f.level.value == "error"] == []
