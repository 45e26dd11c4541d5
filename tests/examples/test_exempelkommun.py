"""Exempelkommun: the third example, a kommun's årsredovisning 2024 and delårsrapport per 31 August.

The ledgers are written by examples/exempelkommun-2024/generera.py from a plan in whole
tkr. `expected()` computes what the reports must show from that plan and the generator's
own bookkeeping, without bokslut's statement code; the tests compare it with the numbers
the reader sees (the report-wide rounding, docs/avrundning.md).
"""

from __future__ import annotations

import filecmp
import importlib.util
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bokslut.diagnostics import Level
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.check import run_checks
from bokslut.report_data import ReportData
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ANNUAL = "exempelkommun-2024"
INTERIM = "exempelkommun-2024-delar"
NAMNDER = {
    "Kommunstyrelsen": "kommunstyrelsen",
    "Barn- och utbildningsnämnden": "barn_och_utbildningsnamnden",
    "Socialnämnden": "socialnamnden",
    "Tekniska nämnden": "tekniska_namnden",
    "Kultur- och fritidsnämnden": "kultur_och_fritidsnamnden",
    "Miljö- och byggnadsnämnden": "miljo_och_byggnadsnamnden",
}
RR_LINES = (
    "verksamhetens_intakter",
    "verksamhetens_kostnader",
    "avskrivningar",
    "verksamhetens_nettokostnader",
    "skatteintakter",
    "generella_statsbidrag",
    "finansiella_intakter",
    "finansiella_kostnader",
    "arets_resultat",
)


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("exempelkommun_generera", EXAMPLES / ANNUAL / "generera.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return generator().expected()  # type: ignore[no-any-return]


def workspace(name: str, tmp: Path) -> Layout:
    root = tmp / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    return Layout(root)


def report_data(layout: Layout) -> ReportData:
    return ReportData.merge(report_parts(layout, load_config(layout.config)))


@pytest.fixture(scope="module")
def annual(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    return report_data(workspace(ANNUAL, tmp_path_factory.mktemp("ek")))


@pytest.fixture(scope="module")
def interim(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    return report_data(workspace(INTERIM, tmp_path_factory.mktemp("ek")))


def shown(data: ReportData, table: str, row: str, column: str) -> Decimal:
    v = data.rounded[table].get(row, column)
    assert isinstance(v, Decimal), (table, row, column, v)
    return v


def test_the_generator_writes_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    for name in (ANNUAL, INTERIM):
        shutil.copytree(EXAMPLES / name, tmp_path / name, ignore=shutil.ignore_patterns(".bokslut", "build"))
        shutil.rmtree(tmp_path / name / "data" / "ledger")
    run = subprocess.run(
        [sys.executable, str(tmp_path / ANNUAL / "generera.py")], capture_output=True, text=True, check=True
    )
    assert "2024: " in run.stdout and "arets_resultat 21400" in run.stdout
    for name in (ANNUAL, INTERIM):
        fresh, committed = tmp_path / name / "data", EXAMPLES / name / "data"
        files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
        assert Path("ledger/2024.se") in files
        _, mismatch, missing = filecmp.cmpfiles(committed, fresh, [str(f) for f in files], shallow=False)
        assert (mismatch, missing) == ([], [])


@pytest.mark.parametrize("name", [ANNUAL, INTERIM])
def test_bokslut_check_has_nothing_to_say(name: str, tmp_path: Path) -> None:
    # No error, and no warning either: every direction word agrees with its figure, every
    # note ties to its line, the nämnder add up to verksamhetens nettokostnader.
    layout = workspace(name, tmp_path)
    findings = run_checks(layout, load_config(layout.config))
    assert [f.format() for f in findings if f.level in (Level.ERROR, Level.WARNING)] == []


def test_resultatrakning_is_the_plan(annual: ReportData, expected: dict[str, Any]) -> None:
    for column, year in (("utfall", 2024), ("utfall_fg", 2023)):
        for line in RR_LINES:
            assert shown(annual, "resultatrakning", line, column) == expected[f"rr_{year}"][line], (
                line,
                year,
            )
    assert shown(annual, "resultatrakning", "arets_resultat", "utfall") == 21400


def test_balansrakning_is_the_generators_closing_balances(
    annual: ReportData, expected: dict[str, Any]
) -> None:
    for column, year in (("utfall", 2024), ("utfall_fg", 2023)):
        br = expected[f"br_{year}"]
        for line, tkr in br.items():
            row = "summa_eget_kapital" if line == "eget_kapital" else line
            assert shown(annual, "balansrakning", row, column) == tkr, (line, year)
        assert (
            shown(annual, "balansrakning", "summa_eget_kapital_och_skulder", column) == br["summa_tillgangar"]
        )


def test_the_2022_deficit_is_aterstallt_over_two_years(annual: ReportData, expected: dict[str, Any]) -> None:
    for year, tkr in expected["balanskrav"].items():
        assert shown(annual, "balanskravsutredning", "bk_balanskravsresultat", f"ar_{year}") == tkr
    assert shown(annual, "balanskravsutredning", "bk_realisationsvinster", "ar_2024") == -2400
    row = {c: shown(annual, "balanskrav_aterstallande", "ar_2022", c) for c in ("underskott", "kvar")}
    assert row == {"underskott": -expected["balanskrav"][2022], "kvar": expected["aterstallt"]["kvar"]}
    assert (
        shown(annual, "balanskrav_aterstallande", "ar_2022", "aterstallt_tidigare")
        == (expected["aterstallt"]["tidigare"])
    )
    assert (
        shown(annual, "balanskrav_aterstallande", "ar_2022", "aterstallt_i_ar")
        == expected["aterstallt"]["i_ar"]
    )


def test_pension_borgen_and_loan_notes(annual: ReportData, expected: dict[str, Any]) -> None:
    for column, year in (("utfall", 2024), ("utfall_fg", 2023)):
        p = expected[f"pension_{year}"]
        assert shown(annual, "not_avsattningar_pensioner", "utgaende", column) == p["avsattning_ub"]
        assert shown(annual, "balansrakning", "avsattningar_pensioner", column) == p["avsattning_ub"]
        assert (
            shown(annual, "not_ansvarsforbindelse_pensioner", "utgaende", column)
            == p["ansvarsforbindelse_ub"]
        )
        assert shown(annual, "ansvarsforbindelser", "pensioner", column) == p["ansvarsforbindelse_ub"]
    assert shown(annual, "not_borgensataganden", "summa", "utfall") == expected["borgen_2024"]
    assert shown(annual, "not_langfristiga_skulder", "summa_lan", "utfall") == expected["lan_2024"]
    assert shown(annual, "not_leasing", "summa", "utfall") == 1450 + 2900 + 380 + 520 + 640 + 1600 + 320


def test_driftredovisning_per_namnd_rolls_up_the_ansvar(annual: ReportData, expected: dict[str, Any]) -> None:
    for namnd, slug in NAMNDER.items():
        assert (
            shown(annual, "driftredovisning_namnd", f"namnd.{slug}", "utfall")
            == expected["namnd_2024"][namnd]
        )
        assert (
            shown(annual, "driftredovisning_namnd", f"namnd.{slug}", "budget")
            == (expected["namnd_budget_2024"][namnd])
        )
        assert (
            shown(annual, "driftredovisning_namnd", f"namnd.{slug}", "utfall_fg")
            == expected["namnd_2023"][namnd]
        )
    assert (
        shown(annual, "driftredovisning_namnd", "totalt", "utfall")
        == (expected["rr_2024"]["verksamhetens_nettokostnader"])
    )


def test_delarsrapport_period_same_period_last_year_and_prognos(
    interim: ReportData, expected: dict[str, Any]
) -> None:
    for line in RR_LINES:
        assert shown(interim, "resultatrakning", line, "utfall") == expected["rr_2024_08"][line], line
        assert shown(interim, "resultatrakning", line, "utfall_fg") == expected["rr_2023_08"][line], line
    for line, tkr in expected["prognos_2024"].items():
        assert shown(interim, "resultatrakning", line, "prognos") == tkr, line
    for line, tkr in expected["br_2024_08"].items():
        row = "summa_eget_kapital" if line == "eget_kapital" else line
        assert shown(interim, "balansrakning", row, "utfall") == tkr, line
    for namnd, slug in NAMNDER.items():
        assert (
            shown(interim, "driftredovisning_namnd", f"namnd.{slug}", "prognos")
            == (expected["namnd_prognos_2024"][namnd])
        )
    # The balanskrav on the prognos: the booked realisationsvinst is taken out.
    assert shown(interim, "balanskrav_prognos", "bk_balanskravsresultat", "prognos") == (
        expected["prognos_2024"]["arets_resultat"] - 2400
    )


def sie_rows(path: Path) -> dict[tuple[str, str], int]:
    """(account, motpart object) -> öre over the file's vouchers, read with the standard library."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    pattern = re.compile(r"^\s*#TRANS (\d+) \{([^}]*)\} (-?\d+)\.(\d\d)", re.M)
    for account, objs, whole, frac in pattern.findall(path.read_bytes().decode("cp437")):
        motpart = re.search(r'9 "([^"]+)"', objs)
        sign = -1 if whole.startswith("-") else 1
        out[(account, motpart.group(1) if motpart else "")] += int(whole) * 100 + sign * int(frac)
    return out


@pytest.mark.parametrize("year", [2023, 2024])
def test_the_koncern_ledgers_mirror_the_kommuns_motpart_rows(year: int) -> None:
    kommun = sie_rows(EXAMPLES / ANNUAL / "data" / "ledger" / f"{year}.se")
    koncern = EXAMPLES / ANNUAL / "data" / "koncern"
    bost = sie_rows(koncern / f"bostader-{year}.se")
    energi = sie_rows(koncern / f"energi-{year}.se")
    rtj = sie_rows(koncern / f"raddningstjanst-{year}.se")
    # The kommun's rent to Exempelbostäder is the bolag's rent from the kommun, and so on.
    assert kommun[("6030", "BOST")] == -bost[("3012", "KOMMUN")] > 0
    assert kommun[("3115", "BOST")] == -bost[("5140", "KOMMUN")] < 0
    assert kommun[("3011", "BOST")] == -bost[("6550", "KOMMUN")] < 0
    assert kommun[("8410", "BOST")] == -bost[("8410", "KOMMUN")] < 0
    assert kommun[("8420", "BOST")] == -bost[("8490", "KOMMUN")] < 0
    assert kommun[("6210", "ENERGI")] == -energi[("3011", "KOMMUN")] > 0
    assert energi[("3012", "BOST")] == -bost[("5130", "ENERGI")] < 0
    assert kommun[("4620", "RTJ")] == -rtj[("8010", "KOMMUN")] > 0
    # The kommun's loan to the bolag is the bolag's debt to the kommun, at the year end.
    text = (koncern / f"bostader-{year}.se").read_text(encoding="cp437")
    assert re.search(r'#OUB 0 2393 \{9 "KOMMUN"\} -120000000\.00', text)
    assert '#OUB 0 1381 {9 "BOST"} 120000000.00' in (
        EXAMPLES / ANNUAL / "data" / "ledger" / f"{year}.se"
    ).read_text(encoding="cp437")


def company_result(path: Path) -> Decimal:
    """The company's result for the year from its own file: minus the sum of its
    resultaträkning accounts (classes 3–8), in tkr."""
    rows = sie_rows(path)
    return Decimal(-sum(v for (account, _), v in rows.items() if account[0] in "345678")) / 100_000


def test_the_koncerns_result_is_each_companys_share_of_its_own_result(annual: ReportData) -> None:
    # Internal purchases and sales are eliminated from both sides, so they move no result: the
    # koncern's result is the kommun's plus each company's result times the kommun's share.
    koncern = EXAMPLES / ANNUAL / "data" / "koncern"
    shares = {"bostader": Decimal(1), "energi": Decimal("0.6"), "raddningstjanst": Decimal("0.35")}
    kommun = shown(annual, "resultatrakning", "arets_resultat", "utfall")
    parts = {k: company_result(koncern / f"{k}-2024.se") * share for k, share in shares.items()}
    for key, part in parts.items():
        assert shown(annual, "kommunala_koncernen", f"foretag_{key}", "andel_resultat") == part.quantize(
            Decimal(1)
        ), key
    total = (kommun + sum(parts.values())).quantize(Decimal(1))
    assert total == 55_240
    assert shown(annual, "koncern_resultatrakning", "arets_resultat", "utfall") == total
    assert shown(annual, "kommunala_koncernen", "summa", "andel_resultat") == total
    # The consolidated cash flow ends at the consolidated balance sheet's cash.
    assert shown(annual, "koncern_kassaflodesanalys", "kf_likvida_slut", "utfall") == 270_665
    assert shown(annual, "koncern_balansrakning", "summa_tillgangar", "utfall") == shown(
        annual, "koncern_balansrakning", "summa_eget_kapital_och_skulder", "utfall"
    )


def test_the_koncerns_comparison_year_is_each_companys_share_of_its_own_last_year(annual: ReportData) -> None:
    # The comparison column comes from the companies' 2023 files (sie_fg in bokslut.toml).
    koncern = EXAMPLES / ANNUAL / "data" / "koncern"
    shares = {"bostader": Decimal(1), "energi": Decimal("0.6"), "raddningstjanst": Decimal("0.35")}
    kommun = shown(annual, "resultatrakning", "arets_resultat", "utfall_fg")
    parts = sum(company_result(koncern / f"{k}-2023.se") * share for k, share in shares.items())
    total = (kommun + parts).quantize(Decimal(1))
    assert shown(annual, "koncern_resultatrakning", "arets_resultat", "utfall_fg") == total
    assert shown(annual, "koncern_balansrakning", "summa_tillgangar", "utfall_fg") == shown(
        annual, "koncern_balansrakning", "summa_eget_kapital_och_skulder", "utfall_fg"
    )
    # Last year's closing cash is where this year's cash flow starts.
    assert shown(annual, "koncern_kassaflodesanalys", "kf_likvida_slut", "utfall_fg") == shown(
        annual, "koncern_kassaflodesanalys", "kf_likvida_borjan", "utfall"
    )


def test_the_interim_driftredovisning_shows_what_is_left_of_the_years_budget(interim: ReportData) -> None:
    table = interim.rounded["driftredovisning"].table
    assert [(c.id, c.label) for c in table.columns] == [
        ("budget", "Budget 2024"),
        ("utfall", "Utfall 240831"),
        ("kvar", "Kvar av budgeten"),
        ("utfall_fg", "Utfall 230831"),
    ]
    row = next(r.id for r in table.rows if r.label == "Politisk verksamhet")
    shown_row = [
        shown(interim, "driftredovisning", row, c) for c in ("budget", "utfall", "kvar", "utfall_fg")
    ]
    assert shown_row == [-8010, -5134, -2876, -4968]
