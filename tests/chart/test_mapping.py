"""The Kommun-Bas default mapping, per organisation type, with local overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from bokslut.chart import load_chart
from bokslut.diagnostics import BokslutError
from bokslut.workspace.config import Config, load_config


def config(typ: str = "kommun", **sections: object) -> Config:
    return Config.model_validate(
        {"organisation": {"namn": "X", "typ": typ}, "rapport": {"ar": 2023}, **sections}
    )


@pytest.mark.parametrize(
    ("account", "line"),
    [
        ("3010", "verksamhetens_intakter"),
        ("4610", "verksamhetens_kostnader"),
        ("5010", "verksamhetens_kostnader"),
        ("7810", "verksamhetens_kostnader"),
        ("7910", "avskrivningar"),
        ("8010", "skatteintakter"),
        ("8210", "generella_statsbidrag"),
        ("8310", "generella_statsbidrag"),
        ("8410", "finansiella_intakter"),
        ("8520", "finansiella_kostnader"),
        ("8710", "extraordinara_poster"),
        ("8810", "extraordinara_poster"),
        ("1010", "immateriella"),
        ("1110", "mark_byggnader"),
        ("1229", "maskiner_inventarier"),
        ("1310", "finansiella_anlaggningar"),
        ("1410", "forrad"),
        ("1510", "fordringar"),
        ("1790", "fordringar"),
        ("1810", "kortfristiga_placeringar"),
        ("1930", "kassa_och_bank"),
        ("2010", "eget_kapital"),
        ("2210", "avsattningar_pensioner"),
        ("2220", "avsattningar_pensioner"),
        ("2290", "andra_avsattningar"),
        ("2310", "langfristiga_skulder"),
        ("2440", "kortfristiga_skulder"),
        ("2990", "kortfristiga_skulder"),
    ],
)
def test_default_kommun(account: str, line: str) -> None:
    assert load_chart(config()).line(account) == line


def test_kommunalforbund_group_80_is_medlemsavgifter() -> None:
    chart = load_chart(config("kommunalforbund"))
    assert chart.line("8010") == "medlemsavgifter"
    assert chart.noter.get("8010") == "medlemsavgifter"
    assert chart.line("8210") == "generella_statsbidrag"


def test_override_longest_prefix_wins() -> None:
    chart = load_chart(config(kontoplan={"rad": {"22101": "andra_avsattningar", "89": "eget_kapital"}}))
    assert chart.line("22101") == "andra_avsattningar"
    assert chart.line("22100") == "avsattningar_pensioner"
    assert chart.line("8990") == "eget_kapital"
    assert chart.line("9999") is None


def test_accumulated_depreciation_convention_and_override() -> None:
    chart = load_chart(config())
    assert chart.is_accumulated_depreciation("1229") and not chart.is_accumulated_depreciation("1220")
    assert chart.is_accumulated_impairment("1228")
    chart = load_chart(config(kontoplan={"ackumulerade_avskrivningar": ["1225"]}))
    assert chart.is_accumulated_depreciation("12251") and not chart.is_accumulated_depreciation("1229")


def test_a_region_keeps_its_accounts_in_region_bas() -> None:
    # Region-Bas has aktivering av eget arbete in 49 (Kommun-Bas: 59, inside class 5).
    region = load_chart(config("region"))
    kommun = load_chart(config("kommun"))
    assert region.noter.get("4910") == "personalkostnader"
    assert region.kostnadsslag.get("4910") == "personalkostnader"
    assert kommun.noter.get("4910") == "ovriga_kostnader"
    assert kommun.kostnadsslag.get("4910") == "ovriga_kostnader"
    # Both charts put the group on the same statement line.
    assert region.line("4910") == kommun.line("4910") == "verksamhetens_kostnader"


def test_the_chart_is_chosen_in_bokslut_toml_and_local_overrides_still_win() -> None:
    assert load_chart(config("kommun", kontoplan={"baskontoplan": "region-bas"})).noter.get("4910") == (
        "personalkostnader"
    )
    assert load_chart(config("region", kontoplan={"baskontoplan": "kommun-bas"})).noter.get("4910") == (
        "ovriga_kostnader"
    )
    chart = load_chart(config("region", kontoplan={"noter": {"4911": "ovriga_kostnader"}}))
    assert chart.noter.get("4911") == "ovriga_kostnader"
    assert chart.noter.get("4910") == "personalkostnader"


def test_an_unknown_chart_is_a_swedish_error_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bokslut.toml"
    path.write_text(
        '[organisation]\nnamn = "X"\ntyp = "region"\n[rapport]\nar = 2024\n'
        '[kontoplan]\nbaskontoplan = "l-bas"\n',
        encoding="utf-8",
    )
    with pytest.raises(BokslutError) as exc:
        load_config(path)
    [finding] = exc.value.findings
    assert finding.line == 7
    assert finding.message.startswith("kontoplan.baskontoplan ") and "'kommun-bas'" in finding.message


def test_region_bas_differs_from_kommun_bas_only_where_its_file_says() -> None:
    from bokslut.chart.mapping import chart_data
    from bokslut.workspace.config import Baskontoplan

    kommun = chart_data(Baskontoplan.KOMMUN_BAS)
    region = chart_data(Baskontoplan.REGION_BAS)
    differs = {
        (scheme, key)
        for scheme in ("rad", "not", "kostnadsslag")
        for key in set(kommun[scheme]) | set(region[scheme])  # type: ignore[arg-type]
        if kommun[scheme].get(key) != region[scheme].get(key)  # type: ignore[attr-defined]
    }
    assert differs == {("not", "49"), ("kostnadsslag", "49")}
    assert kommun["typ"] == region["typ"]
