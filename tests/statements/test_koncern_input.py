"""Bad input to the sammanställda räkenskaper: each problem is a Swedish finding with its
file and line, the company concerned is left out, and the kommun's own tables are as
without a koncern (the ledgers are those of test_koncern.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bokslut.diagnostics import BokslutError, Level
from bokslut.workspace.config import load_config

from .test_koncern import KONCERN, bostader, energi, kommun, shown


def codes(s, code: str):
    return [f for f in s.findings if f.code == code]


def overview_reason(s, company: str) -> str:
    return s.table("kommunala_koncernen").value(f"foretag_{company}", "sammanstallning")


def test_company_without_its_sie_file(ws):
    s = bostader(kommun(ws)).compute()  # no data/koncern/energi.se
    [f] = codes(s, "koncern-sie-saknas")
    assert f.level is Level.ERROR
    assert f.file == "bokslut.toml"
    assert (
        f.line
        == (ws.root / "bokslut.toml").read_text().splitlines().index('sie = "data/koncern/energi.se"') + 1
    )
    assert "Exempelenergi AB (energi) saknar sin SIE-fil data/koncern/energi.se" in f.message
    assert overview_reason(s, "energi") == "Ingår inte: SIE-filen kunde inte användas (se meddelandena)"
    assert s.values["arets_resultat"] == Decimal(1_040_000)
    # Without Energi, the kommun's energy purchase is external: −8 000 000 − 300 000 − 1 000 000.
    rr = dict((label, v) for label, v in shown(s, "koncern_resultatrakning"))
    assert rr["Verksamhetens kostnader"] == Decimal(-9_300_000)


def test_share_over_100_percent_is_refused_with_its_line(ws):
    ws.config(extra=KONCERN.replace("agarandel = 50", "agarandel = 150"))
    with pytest.raises(BokslutError) as caught:
        load_config(ws.root / "bokslut.toml")
    [f] = caught.value.findings
    assert f.message == "koncern.foretag.1.agarandel är för stort (högst 100), fick 150"
    assert f.file.endswith("bokslut.toml")
    lines = (ws.root / "bokslut.toml").read_text().splitlines()
    assert lines[f.line - 1] == "agarandel = 150"


def test_company_file_for_another_year(ws):
    kommun(ws)
    energi(ws)
    bostader(ws, year=2022)
    s = ws.compute()
    [f] = codes(s, "koncern-fel-ar")
    assert f.file == "data/koncern/bostader.se"
    assert f.line is not None and f.line > 0
    assert "gäller räkenskapsåret 2022-01-01–2022-12-31, rapporten 2023-01-01–2023-12-31" in f.message
    assert overview_reason(s, "bostader").startswith("Ingår inte")
    assert s.values["arets_resultat"] == Decimal(1_040_000)


def test_internal_balances_that_do_not_match(ws):
    # The kommun books 1 250 000 rent from Bostäder, which invoiced 1 200 000.
    s = energi(bostader(kommun(ws, rent=1_250_000))).compute()
    found = codes(s, "koncern-interna-differens")
    assert [f.message.replace("\u00a0", " ").replace("\u2212", "-") for f in found] == [
        "interna balansposter stämmer inte: Testförbundet (data/ledger/2023.se) har 1 750 000,00 kr "
        "mot Exempelbostäder AB, Exempelbostäder AB (data/koncern/bostader.se) har -1 800 000,00 kr "
        "mot Testförbundet; differensen -50 000,00 kr redovisas som differens i koncernen "
        "(bokföringens tecken, debet positivt)",
        "interna resultatposter stämmer inte: Testförbundet (data/ledger/2023.se) har 710 000,00 kr "
        "mot Exempelbostäder AB, Exempelbostäder AB (data/koncern/bostader.se) har -660 000,00 kr "
        "mot Testförbundet; differensen 50 000,00 kr redovisas som differens i koncernen "
        "(bokföringens tecken, debet positivt)",
    ]
    assert all(f.file == "data/koncern/bostader.se" for f in found)
    # The first account of Bostäder's file with a balance, and a result, item against the kommun.
    lines = (ws.root / "data/koncern/bostader.se").read_text(encoding="cp437").splitlines()
    assert lines[found[0].line - 1].startswith("#KONTO 1510")
    assert lines[found[1].line - 1].startswith("#KONTO 3910")
    assert shown(s, "koncern_interna_poster")[:2] == [
        (
            "Testförbundet – Exempelbostäder AB, balansposter",
            Decimal(1_750_000),
            Decimal(-1_800_000),
            Decimal(-50_000),
        ),
        (
            "Testförbundet – Exempelbostäder AB, resultatposter",
            Decimal(710_000),
            Decimal(-660_000),
            Decimal(50_000),
        ),
    ]
    # The kommun's own result carries its own booking: 1 040 000 − 50 000.
    assert s.values["arets_resultat"] == Decimal(990_000)


def test_company_account_missing_from_the_mapping(ws):
    kommun(ws)
    energi(ws)
    bostader(ws)
    path = ws.root / "data/koncern/bostader.se"
    text = path.read_text(encoding="cp437")
    # A class 9 account (internal accounting, not in BAS's statements) with a balance.
    text = text.replace("#IB 0 1110 10000000.00", "#IB 0 1110 9990000.00\n#IB 0 9110 10000.00")
    path.write_text(text, encoding="cp437")
    s = ws.compute()
    [f] = codes(s, "koncern-konto-omappat")
    assert f.file == "data/koncern/bostader.se"
    assert text.splitlines()[f.line - 1].startswith("#IB 0 9110")
    assert "konto 9110 i Exempelbostäder ABs SIE-fil finns inte i koncernmappningen" in f.message


def test_mapping_file_with_an_unknown_line(ws):
    ws.write("data/koncern/mappning.toml", '[rad]\n"3" = "verksamhetens_intakter"\n"9110" = "mark"\n')
    kommun(ws, KONCERN + '\n[koncern]\nmappning = "data/koncern/mappning.toml"\n')
    s = energi(bostader(ws)).compute()
    [f] = codes(s, "koncern-mappning")
    assert (f.file, f.line) == ("data/koncern/mappning.toml", 3)
    assert f.message.startswith("konto 9110: 'mark' är ingen rad i kommunens uppställning")
    assert s.values["koncern_arets_resultat"] == Decimal(3_129_400)


def test_non_material_company_is_left_out_with_its_reason(ws):
    extra = KONCERN.replace(
        'motpart = "ENER"', 'motpart = "ENER"\nvasentlig = false\nskal = "Obetydlig verksamhet"'
    )
    s = energi(bostader(kommun(ws, extra))).compute()
    assert overview_reason(s, "energi") == "Ingår inte: inte väsentligt: Obetydlig verksamhet"
    assert s.values["koncern_antal_foretag"] == 1


def test_company_under_the_threshold_is_left_out(ws):
    ws.write("data/koncern/mappning.toml", "vasentlighetsgrans = 12\n")
    kommun(ws, KONCERN + '\n[koncern]\nmappning = "data/koncern/mappning.toml"\n')
    s = energi(bostader(ws)).compute()
    # Energi: ½ · 2 300 000 = 1 150 000 of the kommun's 10 500 000 (11,0 %); ½ · 5 300 000
    # assets of 7 240 000 (36,6 %): not both under 12 %, so it stays. Bostäder is larger
    # (4 200 000 is 40,0 % of the omsättning, its assets 157 %).
    assert overview_reason(s, "energi") == "Proportionell"
    ws.write("data/koncern/mappning.toml", "vasentlighetsgrans = 40\n")
    s = ws.compute()
    assert overview_reason(s, "energi") == (
        "Ingår inte: under väsentlighetsgränsen 40 % (andel av omsättningen 11,0 %, "
        "av balansomslutningen 36,6 %)"
    )
    assert overview_reason(s, "bostader") == "Proportionell"


def test_with_no_company_consolidated_only_the_overview_is_shown(ws):
    extra = KONCERN.replace('motpart = "ENER"', 'motpart = "ENER"\nvasentlig = false\nskal = "Liten"')
    s = kommun(ws, extra).compute()  # and Bostäder has no file
    assert s.get("koncern_resultatrakning") is None
    assert [r.values["sammanstallning"] for r in s.table("kommunala_koncernen").rows[1:3]] == [
        "Ingår inte: SIE-filen kunde inte användas (se meddelandena)",
        "Ingår inte: inte väsentligt: Liten",
    ]
    assert s.values["koncern_antal_foretag"] == 0
    assert [f.code for f in s.findings if f.code == "koncern-inga-foretag"] == ["koncern-inga-foretag"]


def test_a_company_file_that_is_no_sie_file(ws):
    kommun(ws)
    bostader(ws)
    ws.write("data/koncern/energi.se", "detta är ingen SIE-fil\n")
    s = ws.compute()
    mine = [f for f in s.findings if f.file == "data/koncern/energi.se"]
    assert mine and all(f.level is not Level.NOTICE for f in mine)
    assert any(f.code == "koncern-sie-fel" for f in mine)
    assert overview_reason(s, "energi") == "Ingår inte: SIE-filen kunde inte användas (se meddelandena)"
    assert s.values["arets_resultat"] == Decimal(1_040_000)


def test_a_company_file_outside_the_workspace_is_refused(ws):
    kommun(ws, KONCERN.replace('sie = "data/koncern/energi.se"', 'sie = "../utanfor.se"'))
    bostader(ws)
    (ws.root.parent / "utanfor.se").write_text("#FLAGGA 0\n", encoding="utf-8")
    s = ws.compute()
    [f] = [f for f in s.findings if f.file == "../utanfor.se"]
    assert f.code == "koncern-sie-fel"
    assert overview_reason(s, "energi").startswith("Ingår inte")
