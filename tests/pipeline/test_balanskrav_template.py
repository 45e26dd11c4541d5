"""The årsredovisning template's förvaltningsberättelse says what LKBR 11 kap. 10–11 §§ ask
of the balanskrav over the years, from data/balanskrav.yaml and the ledger, as built.

Ledger (kronor): 2023 result −1 000 000 (a deficit); 2024 result −200 000. The history
file: a 2021 deficit of 600 000 of which fullmäktige exempted 200 000 for synnerliga skäl
and 2022 restored 400 000; 200 000 of the old resultatutjämningsreserv (500 000 at the
start of 2023) covers the 2024 deficit, so 2024's balanskravsresultat is 0 and the 2023
deficit of 1 000 000 remains, due by 2026.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.statements.conftest import load_ledgers

from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import OrgTyp, load_config
from bokslut.workspace.layout import Layout
from bokslut.workspace.new import create_workspace

NBSP = "\u00a0"

HISTORY = """\
reserv:
  ar: 2023
  resultatutjamningsreserv: 500000
ar:
  2021:
    balanskravsresultat: -600000
  2022:
    balanskravsresultat: 400000
  2023:
    atgardsplan: "Fullmäktige beslutade 2024-06-17 § 80 om minskade lokalkostnader."
  2024:
    ansvarsforbindelse: 0
    anvandning_resultatutjamningsreserv:
      belopp: 200000
      beslut: "KF 2025-04-28 § 41"
      andamal: "Medlen täcker en del av underskottet efter lägre skatteintäkter."
synnerliga_skal:
  - underskott_ar: 2021
    belopp: 200000
    beslut: "KF 2022-04-25 § 46"
    skal: "Underskottet beror på en engångsnedskrivning av en skolbyggnad."
"""


def build(tmp_path: Path):
    layout = create_workspace(tmp_path / "ws", "Testorten", OrgTyp.KOMMUN, 2024)
    ws = load_ledgers().LedgerWorkspace(layout.root)
    ws.year(
        2023,
        ib={"1930": 5_000_000, "2010": -5_000_000},
        vouchers=[("2023-12-31", [("8010", -10_000_000), ("5010", 11_000_000), ("1930", -1_000_000)])],
    )
    ws.year(
        2024,
        ib={"1930": 4_000_000, "2010": -4_000_000},
        vouchers=[("2024-12-31", [("8010", -10_000_000), ("5010", 10_200_000), ("1930", -200_000)])],
    )
    ws.write("data/balanskrav.yaml", HISTORY)
    result = build_report(
        Layout(layout.root),
        load_config(layout.config),
        [report_parts],
        formats=("html", "json"),
        quiet=True,
    )
    doc = json.loads((result.out_dir / "arsredovisning-2024.json").read_text(encoding="utf-8"))
    html = (result.out_dir / "arsredovisning-2024.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", "", html).replace(NBSP, " ").split())
    return doc, text, list(result.findings)


def shown(doc, table):
    t = next(t for t in doc["tables"] if t["id"] == table)
    return {r["id"]: r["display"] for r in t["rows"]}


def test_the_template_discloses_the_register_the_reserve_and_synnerliga_skal(tmp_path):
    doc, text, findings = build(tmp_path)
    bk = shown(doc, "balanskravsutredning")
    assert bk["bk_arets_resultat"] == {"ar_2024": -200, "ar_2023": -1000}
    assert bk["bk_rur_anvandning"] == {"ar_2024": 200, "ar_2023": 0}
    assert bk["bk_balanskravsresultat"] == {"ar_2024": 0, "ar_2023": -1000}
    reg = shown(doc, "balanskrav_aterstallande")
    assert reg["ar_2023"] == {
        "underskott": 1000,
        "aterstallt_tidigare": 0,
        "aterstallt_i_ar": 0,
        "kvar": 1000,
        "senast": "2026",
    }
    assert "ar_2021" not in reg  # restored (and exempted) before 2024 began
    assert reg["summa"]["kvar"] == 1000
    assert "Under året används 200 tkr av reserverade medel: Medlen täcker en del av underskottet" in text
    assert "Efter årets beslut uppgår resultatreserven till 0 tkr." in text
    assert "Den resultatutjämningsreserv som fanns före 2024 uppgår till 300 tkr." in text
    assert "Under året har 0 tkr av tidigare års underskott återställts och 1 000 tkr återstår" in text
    assert "Det äldsta underskott som återstår ska vara återställt senast 2026." in text
    assert "Åtgärdsplan: Fullmäktige beslutade 2024-06-17 § 80 om minskade lokalkostnader." in text
    assert "Återställande av negativa balanskravsresultat" in text
    # The 2021 exemption belongs to a deficit no longer shown: no synnerliga skäl paragraph.
    assert "synnerliga skäl enligt 11 kap. 13 §" not in text
    assert not [f for f in findings if (f.code or "").startswith("balanskrav")]


SYNNERLIGA = """\
ar:
  2023:
    atgardsplan: "Ingen åtgärdsplan: fullmäktige har beslutat om synnerliga skäl."
synnerliga_skal:
  - underskott_ar: 2023
    belopp: 300000
    beslut: "KF 2024-04-22 § 30"
    skal: "Underskottet beror på en engångskostnad för en avveckling av en verksamhet."
"""


def test_synnerliga_skal_are_disclosed_with_the_decision(tmp_path):
    layout = create_workspace(tmp_path / "ws", "Testorten", OrgTyp.KOMMUN, 2024)
    ws = load_ledgers().LedgerWorkspace(layout.root)
    ws.year(
        2023,
        ib={"1930": 5_000_000, "2010": -5_000_000},
        vouchers=[("2023-12-31", [("8010", -10_000_000), ("5010", 11_000_000), ("1930", -1_000_000)])],
    )
    ws.year(
        2024,
        ib={"1930": 4_000_000, "2010": -4_000_000},
        vouchers=[("2024-12-31", [("8010", -10_000_000), ("5010", 9_300_000), ("1930", 700_000)])],
    )
    ws.write("data/balanskrav.yaml", SYNNERLIGA)
    result = build_report(
        Layout(layout.root), load_config(layout.config), [report_parts], formats=("html", "json"), quiet=True
    )
    html = (result.out_dir / "arsredovisning-2024.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", "", html).replace(NBSP, " ").split())
    assert (
        "Fullmäktige har beslutat att 300 tkr av underskotten inte ska återställas, eftersom det finns "
        "synnerliga skäl enligt 11 kap. 13 § kommunallagen (KF 2024-04-22 § 30 (underskottet 2023))." in text
    )
    assert "Skälen: Underskottet beror på en engångskostnad för en avveckling av en verksamhet." in text
    assert "Under året har 700 tkr av tidigare års underskott återställts och 0 tkr återstår" in text
    assert not {f.code for f in result.findings} & {
        "balanskrav-ej-aterstallt",
        "balanskrav-aterstalls-nasta-ar",
    }
