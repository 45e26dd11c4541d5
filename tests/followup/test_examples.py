"""The example workspaces' goal files give the seed reports' goal tables."""

from decimal import Decimal
from pathlib import Path

from bokslut import followup, kpi, personnel
from bokslut.workspace.config import Personal
from bokslut.workspace.layout import Layout

from .conftest import config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_lystkom_goals_from_computed_values():
    layout = Layout(EXAMPLES / "lystkom-2023")
    cfg = config().model_copy(update={"personal": Personal(anstallda_rakning="bokslutsdagen")})
    known: dict = {}
    for module in (personnel, kpi):
        known.update(module.build_part(layout, cfg, known).values)
    # Computed by the statements from the ledger (not this package): 1 376 tkr of 44 mkr.
    known["resultat_andel_av_omsattning"] = Decimal("3.1")
    part = followup.build_part(layout, cfg, known)
    assert not part.findings
    assert [t.id for t in part.tables] == [f"mal_malomrade_{i}" for i in range(1, 6)]
    assert part.values["mal_sammanfattning"] == (
        "Av totalt 13 mål bedöms tio vara uppfyllda, två delvis uppfyllda och ett har inte kunnat bedömas."
    )
    first = part.tables[0]
    assert first.value("centrala_funktioner_kundtjanst_30s", "maluppfyllelse") == "Uppfyllt"
    assert first.value("centrala_funktioner_it_60s", "maluppfyllelse") == "Ej uppfyllt"


def test_sydnarke_hierarchy_and_assignments():
    part = followup.build_part(Layout(EXAMPLES / "sydnarke-2020"), config(2020, interim=True), {})
    assert not part.findings
    goals, beslut = part.tables
    assert goals.id == "mal_hierarki_1" and beslut.id == "politiska_beslut"
    levels = [goals.value(r.id, "niva") for r in goals.rows[:3]]
    assert levels == ["Kommunfullmäktiges mål", "Kommunfullmäktiges mål", "Nämndmål"]
    akut = goals.row("hallbar_tillvaxt_god_service_aterkoppling_akut")
    assert (akut.values["nuvarde"], akut.values["prognos"], akut.values["malvarde"]) == (
        Decimal(80),
        Decimal(90),
        "minst 90\u202f%",
    )
    assert akut.values["maluppfyllelse"] == "Uppfyllt"  # judged on the forecast
    assert len(beslut.rows) == 6 and {r.values["status"] for r in beslut.rows} == {"Pågår"}
