"""What the reader sees in the examples' tables: every shown number pinned, one number per quantity.

The literals are the report-wide rounding (docs/avrundning.md) of every numeric cell of every
table, per row in column order ("·" for an empty cell). A change in any shown number, or a
number that loses its decimals, fails here; the issue's pairs are asserted by name below.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from bokslut.checks.shown import check_shown
from bokslut.pipeline.areas import report_parts
from bokslut.report_data import ReportData
from bokslut.table import ColumnKind
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def report_data(name: str, tmp: Path) -> ReportData:
    root = tmp / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    layout = Layout(root)
    return ReportData.merge(report_parts(layout, load_config(layout.config)))


@pytest.fixture(scope="module")
def lystkom(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    return report_data("lystkom-2023", tmp_path_factory.mktemp("ex"))


@pytest.fixture(scope="module")
def sydnarke(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    return report_data("sydnarke-2020", tmp_path_factory.mktemp("ex"))


def shown_rows(data: ReportData) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for tid, t in data.tables.items():
        cols = [c for c in t.columns if c.kind is not ColumnKind.TEXT]
        rows = {"": " ".join(c.id for c in cols)}
        for r in t.rows:
            vals = [data.rounded[tid].get(r.id, c.id) for c in cols]
            if any(isinstance(v, Decimal) for v in vals):
                rows[r.id] = " ".join(str(v) if isinstance(v, Decimal) else "·" for v in vals)
        if len(rows) > 1:
            out[tid] = rows
    return out


def n(data: ReportData, table: str, row: str, column: str) -> Decimal:
    v = data.rounded[table].get(row, column)
    assert isinstance(v, Decimal), (table, row, column, v)
    return v


LYSTKOM = {
    "resultatrakning": {
        "": "utfall utfall_fg",
        "verksamhetens_intakter": "43901 40360",
        "verksamhetens_kostnader": "-31822 -28532",
        "avskrivningar": "-11303 -11086",
        "verksamhetens_nettokostnader": "776 742",
        "medlemsavgifter": "810 790",
        "verksamhetens_resultat": "1586 1532",
        "finansiella_kostnader": "-210 -91",
        "resultat_efter_finansiella_poster": "1376 1441",
        "arets_resultat": "1376 1441",
    },
    "balansrakning": {
        "": "utfall utfall_fg",
        "maskiner_inventarier": "20787 22861",
        "summa_anlaggningstillgangar": "20787 22861",
        "fordringar": "5281 5042",
        "kassa_och_bank": "5995 3342",
        "summa_omsattningstillgangar": "11276 8384",
        "summa_tillgangar": "32063 31245",
        "ek_arets_resultat": "1376 1441",
        "ek_ovrigt": "5037 3596",
        "summa_eget_kapital": "6413 5037",
        "langfristiga_skulder": "16000 18000",
        "kortfristiga_skulder": "9650 8208",
        "summa_skulder": "25650 26208",
        "summa_eget_kapital_och_skulder": "32063 31245",
    },
    "kassaflodesanalys": {
        "": "utfall utfall_fg",
        "kf_arets_resultat": "1376 1441",
        "kf_avskrivningar": "11303 11086",
        "kf_fore_rorelsekapital": "12679 12527",
        "kf_fordringar": "-239 -671",
        "kf_kortfristiga_skulder": "1442 -1327",
        "kf_lopande": "13882 10529",
        "kf_inv_materiella": "-9229 -12374",
        "kf_investering": "-9229 -12374",
        "kf_amortering": "-2000 ·",
        "kf_finansiering": "-2000 0",
        "kf_arets_kassaflode": "2653 -1845",
        "kf_likvida_borjan": "3342 5187",
        "kf_likvida_slut": "5995 3342",
    },
    "driftredovisning": {
        "": "budget utfall avvikelse budget_fg utfall_fg avvikelse_fg",
        "81141.intakter": "34751 36206 -1455 34273 32810 1463",
        "81141.personalkostnader": "-10769 -10430 -339 -9803 -9514 -289",
        "81141.ovriga_kostnader": "-11516 -12506 990 -11390 -10895 -495",
        "81141.avskrivningar": "-11768 -11303 -465 -12400 -11086 -1314",
        "81141.summa": "698 1967 -1269 680 1315 -635",
        "81143.intakter": "7679 7110 569 6807 7020 -213",
        "81143.personalkostnader": "-5644 -5493 -151 -4747 -4813 66",
        "81143.ovriga_kostnader": "-1932 -1886 -46 -1924 -2131 207",
        "81143.summa": "103 -269 372 136 76 60",
        "81145.personalkostnader": "-20 -12 -8 0 -19 19",
        "81145.ovriga_kostnader": "-160 -155 -5 -174 -155 -19",
        "81145.summa": "-180 -167 -13 -174 -174 0",
        "81146.intakter": "1057 1395 -338 1224 1320 -96",
        "81146.personalkostnader": "-686 -1040 354 -873 -844 -29",
        "81146.ovriga_kostnader": "-180 -510 330 -177 -252 75",
        "81146.summa": "191 -155 346 174 224 -50",
        "totalt": "812 1376 -564 816 1441 -625",
    },
    "investeringsredovisning": {
        "": "budget utfall avvikelse",
        "1003": "6000 4600 1400",
        "1004": "3300 3165 135",
        "1005": "1300 302 998",
        "1006": "1000 985 15",
        "1010": "0 177 -177",
        "totalt": "11600 9229 2371",
    },
    "balanskravsutredning": {
        "": "ar_2023 ar_2022 ar_2021",
        "bk_arets_resultat": "1376 1441 1688",
        "bk_realisationsvinster": "0 0 0",
        "bk_rv_undantag": "0 0 0",
        "bk_rf_undantag": "0 0 0",
        "bk_orealiserade": "0 0 0",
        "bk_aterforing": "0 0 0",
        "bk_efter_justeringar": "1376 1441 1688",
        "bk_balanskravsresultat": "1376 1441 1688",
    },
    "nyckeltal": {
        "": "utfall utfall_fg",
        "resultat_andel": "3.1 3.5",
        "soliditet": "20.0 16.1",
        "kassalikviditet": "116.8 102.1",
        "sjalvfinansiering": "137.4 101.2",
    },
    "not_verksamhetens_intakter": {
        "": "utfall utfall_fg budget",
        "forsaljningsintakter": "43901 40285 42697",
        "bidrag_fran_staten": "· 75 ·",
        "summa": "43901 40360 42697",
    },
    "not_verksamhetens_kostnader": {
        "": "utfall utfall_fg budget",
        "personal_total": "16975 15190 17120",
        "varav_pension": "2209 698 ·",
        "entreprenader_och_konsulttjanster": "1477 1473 ·",
        "hyra_lokaler_fordon_maskiner": "2904 2431 ·",
        "varor_och_material": "902 859 ·",
        "ovriga_kostnader": "9564 8579 13617",
        "summa_ovriga": "14847 13342 13617",
        "summa": "31822 28532 30737",
    },
    "not_anlaggningstillgangar": {
        "": "utfall utfall_fg",
        "maskiner_inventarier.ib_anskaffning": "59955 47581",
        "maskiner_inventarier.inkop": "9229 12374",
        "maskiner_inventarier.utrangering": "-15181 0",
        "maskiner_inventarier.ub_anskaffning": "54003 59955",
        "maskiner_inventarier.ib_avskrivning": "-37094 -26008",
        "maskiner_inventarier.avskrivning": "-11303 -11086",
        "maskiner_inventarier.utrangering_avskrivning": "15181 0",
        "maskiner_inventarier.ub_avskrivning": "-33216 -37094",
        "maskiner_inventarier.redovisat": "20787 22861",
        "maskiner_inventarier.varav_122": "20576 22815",
        "maskiner_inventarier.varav_124": "211 46",
        "maskiner_inventarier.nyttjandeperiod": "4.8 4.7",
    },
    "not_medlemsavgifter": {
        "": "utfall utfall_fg budget",
        "8010": "810 790 790",
        "summa": "810 790 790",
    },
    "not_finansiella_kostnader": {
        "": "utfall utfall_fg budget",
        "8520": "210 91 170",
        "summa": "210 91 170",
    },
    "not_fordringar": {
        "": "utfall utfall_fg",
        "1510": "966 376",
        "1640": "0 461",
        "1650": "126 164",
        "1790": "4189 4041",
        "summa": "5281 5042",
    },
    "not_kassa_och_bank": {
        "": "utfall utfall_fg",
        "1930": "5995 3342",
        "summa": "5995 3342",
    },
    "not_eget_kapital": {
        "": "utfall utfall_fg",
        "ingaende": "5037 3596",
        "arets_resultat": "1376 1441",
        "utgaende": "6413 5037",
    },
    "not_langfristiga_skulder": {
        "": "utfall utfall_fg",
        "2310": "16000 18000",
        "summa": "16000 18000",
    },
    "not_kortfristiga_skulder": {
        "": "utfall utfall_fg",
        "2440": "6350 5101",
        "2510": "530 340",
        "2640": "600 0",
        "2710": "240 230",
        "2890": "0 11",
        "2920": "1207 1384",
        "2940": "407 422",
        "2950": "294 278",
        "2990": "22 442",
        "summa": "9650 8208",
    },
    "medelantal_anstallda": {
        "": "ar_2023 ar_2022 ar_2021 ar_2020",
        "kvinnor": "11.1 10.9 10.9 10.5",
        "man": "15.9 16.5 16.0 14.4",
        "totalt": "27.0 27.4 26.9 24.9",
    },
    "anstallda_anstallningsform": {
        "": "ar_2023 ar_2022 ar_2021 ar_2020",
        "tillsvidare_k": "12 11 13 12",
        "tillsvidare_m": "14 15 15 15",
        "provanstallning_m": "0 0 0 1",
        "visstid_k": "1 1 4 3",
        "visstid_m": "1 2 2 1",
        "vikariat_k": "0 0 0 3",
        "vikariat_m": "0 4 0 0",
        "totalt": "28 33 34 35",
    },
    "sjukfranvaro_alder": {
        "": "ar_2023 ar_2022 ar_2021 ar_2020",
        "alder_30_49": "2.9 4.2 2.5 4.1",
        "alder_50": "3.3 3.9 2.9 1.8",
        "totalt": "2.9 3.8 2.3 2.7",
    },
    "sjukfranvaro_kon": {
        "": "ar_2023 ar_2022 ar_2021 ar_2020",
        "kvinnor": "3.1 4.8 3.4 3.1",
        "man": "2.6 3.1 1.7 2.5",
        "totalt": "2.9 3.8 2.3 2.7",
    },
    "sjukfranvaro_langtid": {
        "": "ar_2023 ar_2022 ar_2021 ar_2020",
        "andel": "0.0 26.7 11.9 0.0",
    },
    "kundtjanst_matvarden": {
        "": "ar_2023 ar_2022",
        "rad_1_arenden": "2706 ·",
        "rad_2_samtal_besvarade": "112076 111583",
        "rad_3_samtal_andel_inom_30": "91.6 86.0",
    },
    "it_matvarden": {
        "": "ar_2023 ar_2022 ar_2021",
        "rad_1_arenden": "8600 9500 8600",
        "rad_2_samtal_inkommande": "10400 9800 14000",
        "rad_3_arenden_kanal_telefon": "4800 6000 ·",
        "rad_4_arenden_kanal_serviceportal": "530 · ·",
        "rad_5_arenden_kanal_besok": "200 · ·",
        "rad_6_samtal_andel_inom_60": "68.0 86.0 74.0",
    },
    "arenden_per_kanal": {
        "": "ar_2023 ar_2022 ar_2021",
        "kanal_besok": "200 0 0",
        "kanal_e_post": "3966 3500 0",
        "kanal_serviceportal": "1740 0 0",
        "kanal_telefon": "5400 6000 0",
        "kanal_okand": "0 0 8600",
        "totalt": "11306 9500 8600",
    },
    "arenden_serviceniva": {
        "": "ar_2023 ar_2022 ar_2021",
        "prioritet_akut": "76.3 76.0 70.0",
        "prioritet_hog": "82.1 81.4 82.7",
        "prioritet_normal": "97.2 97.5 97.5",
        "prioritet_lag": "100.0 100.0 100.0",
        "totalt": "95.2 95.3 95.3",
    },
    "samtal_per_ko": {
        "": "inkommande besvarade andel_besvarade inom_20s inom_30s inom_60s",
        "it_support": "10400 9650 92.8 23.6 34.3 68.0",
        "kundtjanst": "115004 112076 97.5 61.9 91.6 93.9",
        "totalt": "125404 121726 97.1 58.7 86.8 91.8",
    },
    "nyckeltal_nki": {
        "": "ar_2023 ar_2022 ar_2021",
        "nki_kundtjanst": "7.5 7.4 7.3",
        "nki_it": "6.6 6.9 6.4",
    },
    "mal_malomrade_1": {
        "": "resultat",
        "service_bemotande_nki_kundtjanst": "7.5",
        "service_bemotande_nki_it": "6.6",
        "centrala_funktioner_kundtjanst_30s": "91.6",
        "centrala_funktioner_it_60s": "68",
    },
    "mal_malomrade_3": {
        "": "resultat",
        "attraktiv_arbetsgivare_nmi_kundtjanst": "88.3",
        "attraktiv_arbetsgivare_nmi_it": "86.8",
        "kompetensutveckling_utvecklingsplan": "100.0",
        "ohalsa_sjukfranvaro": "2.9",
    },
    "mal_malomrade_4": {
        "": "resultat",
        "fysiska_moten_resfria_moten": "97.6",
        "atervinning_utrustning_atervunnen": "100.0",
    },
    "mal_malomrade_5": {
        "": "resultat",
        "overskott_resultat_andel": "3.1",
    },
}

SYDNARKE = {
    # LKBR 13 kap. 3 §: budget and prognos for the year beside the period. The nämnd's budget
    # and prognos are per kostnadsslag, not per RR line, so those columns read "uppgift saknas".
    "resultatrakning": {
        "": "utfall utfall_fg budget prognos avvikelse",
        "verksamhetens_intakter": "20222 19683 · · ·",
        "verksamhetens_kostnader": "-12342 -12946 · · ·",
        "avskrivningar": "-5400 -5804 · · ·",
        "verksamhetens_nettokostnader": "2480 933 · · ·",
        "verksamhetens_resultat": "2480 933 · · ·",
        "finansiella_kostnader": "-901 -846 · · ·",
        "resultat_efter_finansiella_poster": "1579 87 · · ·",
        "arets_resultat": "1579 87 · · ·",
    },
    "balansrakning": {
        "": "utfall utfall_fg",
        "maskiner_inventarier": "26167 26340",
        "summa_anlaggningstillgangar": "26167 26340",
        "fordringar": "2000 2000",
        "kassa_och_bank": "5447 3695",
        "summa_omsattningstillgangar": "7447 5695",
        "summa_tillgangar": "33614 32035",
        "ek_arets_resultat": "1579 35",
        "ek_ovrigt": "29535 29500",
        "summa_eget_kapital": "31114 29535",
        "kortfristiga_skulder": "2500 2500",
        "summa_skulder": "2500 2500",
        "summa_eget_kapital_och_skulder": "33614 32035",
    },
    "investeringsredovisning": {
        "": "budget utfall prognos avvikelse",
        "9101": "1478 621 1478 0",
        "9102": "1336 198 1336 0",
        "9103": "2773 1219 2773 0",
        "9104": "2182 660 2182 0",
        "9105": "3000 2529 3000 0",
        "totalt": "10769 5227 10769 0",
    },
    "ekonomiskt_resultat": {
        "": "budget utfall utfall_fg prognos avvikelse",
        "intakter": "-34559 -20222 -19683 -34620 61",
        "personalkostnader": "12337 5672 6492 10800 1537",
        "datorer_basutrustning": "200 27 106 200 0",
        "datakommunikation": "2380 810 1361 2380 0",
        "licenser_serviceavtal": "6000 3193 3323 6400 -400",
        "ovrigt_tjanstekop": "1015 2212 1149 2810 -1795",
        "resor_kurser": "230 109 141 230 0",
        "lokalhyror": "349 219 203 349 0",
        "ovriga_kostnader": "320 100 171 320 0",
        "kapitalkostnader": "11728 6301 6650 10711 1017",
        "summa": "0 -1579 -87 -420 420",
    },
    "nyckeltal": {
        "": "utfall utfall_fg",
        "resultat_andel": "7.8 0.4",
        "soliditet": "92.6 92.2",
        "kassalikviditet": "297.9 227.8",
    },
    "mal_hierarki_1": {
        "": "nuvarde prognos",
        "hallbar_tillvaxt_god_service_aterkoppling_akut": "80 90",
        "hallbar_tillvaxt_god_service_aterkoppling_hog": "80 85",
        "hallbar_tillvaxt_god_service_aterkoppling_normal": "90 90",
        "hallbar_tillvaxt_god_service_forsta_linjen": "43 43",
        "hallbar_tillvaxt_god_service_handlaggningstid": "10 10",
        "hallbar_tillvaxt_god_service_bestallningar_2_dagar": "0 0",
        "hallbar_tillvaxt_god_service_besvarade_samtal": "65 60",
        "hallbar_tillvaxt_samverkan_hme": "59 57",
        "hallbar_tillvaxt_samverkan_sjukfranvaro": "6.06 4.00",
        "hallbar_tillvaxt_samverkan_budgetram": "1579 420",
    },
}


@pytest.mark.parametrize("table", sorted(LYSTKOM))
def test_lystkom_shows_these_numbers(lystkom: ReportData, table: str) -> None:
    assert shown_rows(lystkom).get(table) == LYSTKOM[table]


@pytest.mark.parametrize("table", sorted(SYDNARKE))
def test_sydnarke_shows_these_numbers(sydnarke: ReportData, table: str) -> None:
    assert shown_rows(sydnarke).get(table) == SYDNARKE[table]


def test_every_numeric_table_is_pinned(lystkom: ReportData, sydnarke: ReportData) -> None:
    assert set(shown_rows(lystkom)) == set(LYSTKOM)
    assert set(shown_rows(sydnarke)) == set(SYDNARKE)


def test_the_issues_pairs_now_agree(lystkom: ReportData) -> None:
    d = lystkom
    # RR avskrivningar, the driftredovisning, Not 5 and the kassaflödesanalys
    for col in ("utfall", "utfall_fg"):
        rr = n(d, "resultatrakning", "avskrivningar", col)
        assert n(d, "driftredovisning", "81141.avskrivningar", col) == rr
        assert n(d, "not_anlaggningstillgangar", "maskiner_inventarier.avskrivning", col) == rr
        assert n(d, "kassaflodesanalys", "kf_avskrivningar", col) == -rr
        # RR lines and their notes' totals
        assert n(d, "resultatrakning", "verksamhetens_intakter", col) == n(
            d, "not_verksamhetens_intakter", "summa", col
        )
        assert n(d, "resultatrakning", "verksamhetens_kostnader", col) == -n(
            d, "not_verksamhetens_kostnader", "summa", col
        )
        assert n(d, "balansrakning", "fordringar", col) == n(d, "not_fordringar", "summa", col)
        assert n(d, "balansrakning", "summa_eget_kapital", col) == n(d, "not_eget_kapital", "utgaende", col)
        assert n(d, "driftredovisning", "totalt", col) == n(d, "resultatrakning", "arets_resultat", col)
    # closing of one year = opening of the next
    assert n(d, "not_eget_kapital", "ingaende", "utfall") == n(d, "not_eget_kapital", "utgaende", "utfall_fg")
    assert n(d, "not_anlaggningstillgangar", "maskiner_inventarier.ib_avskrivning", "utfall") == n(
        d, "not_anlaggningstillgangar", "maskiner_inventarier.ub_avskrivning", "utfall_fg"
    )
    # the cash flow's change in fordringar is the balance sheet's, as shown
    assert n(d, "kassaflodesanalys", "kf_fordringar", "utfall") == n(
        d, "balansrakning", "fordringar", "utfall_fg"
    ) - n(d, "balansrakning", "fordringar", "utfall")
    # numbers that are not money keep their decimals
    assert n(d, "nyckeltal_nki", "nki_kundtjanst", "ar_2023") == Decimal("7.5")
    assert n(d, "mal_malomrade_1", "service_bemotande_nki_kundtjanst", "resultat") == Decimal("7.5")
    assert n(d, "not_anlaggningstillgangar", "maskiner_inventarier.nyttjandeperiod", "utfall") == Decimal(
        "4.8"
    )


def test_the_examples_pass_the_checks_of_what_is_shown(lystkom: ReportData, sydnarke: ReportData) -> None:
    assert check_shown(lystkom) == []
    assert check_shown(sydnarke) == []
    assert lystkom.rounding is not None and lystkom.rounding.conflicts == ()
