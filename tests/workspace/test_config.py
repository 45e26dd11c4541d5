"""bokslut.toml: created by `bokslut new`, validated with Swedish errors and line numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from bokslut.diagnostics import BokslutError
from bokslut.workspace.config import OrgTyp, RapportTyp, load_config, locate_key, office_minutes
from bokslut.workspace.new import create_workspace


def test_new_workspace_round_trips_through_the_config(tmp_path):
    layout = create_workspace(
        tmp_path / "ws",
        'Förbundet "Lystkom"',
        OrgTyp.KOMMUNALFORBUND,
        2020,
        RapportTyp.DELARSRAPPORT,
        dt.date(2020, 7, 31),
    )
    cfg = load_config(layout.config)
    assert cfg.organisation.namn == 'Förbundet "Lystkom"'
    assert cfg.organisation.typ is OrgTyp.KOMMUNALFORBUND
    assert (cfg.rapport.typ, cfg.rapport.ar, cfg.rapport.closing_date()) == (
        RapportTyp.DELARSRAPPORT,
        2020,
        dt.date(2020, 7, 31),
    )
    assert layout.ledger_dir.is_dir() and layout.personal_dir.is_dir()


def test_new_refuses_to_overwrite(tmp_path):
    create_workspace(tmp_path / "ws", "A", OrgTyp.KOMMUN, 2023)
    with pytest.raises(BokslutError, match="skrivs inte över"):
        create_workspace(tmp_path / "ws", "B", OrgTyp.KOMMUN, 2023)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '[organisation]\nnamn = "A"\ntyp = "bolag"\n[rapport]\nar = 2023\n',
            ("organisation.typ", 3),
        ),
        (
            '[organisation]\nnamn = "A"\ntyp = "kommun"\n[rapport]\nar = 2023\nbokslutsdatum = 2024-01-01\n',
            ("utanför räkenskapsåret", 4),
        ),
        ('[organisation]\nnamn = "A"\ntyp = "kommun"\n', ("rapport saknas", None)),
        ('[organisation\nnamn = "A"\n', ("ogiltig TOML: ']' saknas i slutet av tabellrubriken", 1)),
        ("[organisation]\nnamn = A\n", ("ogiltig TOML: ogiltigt värde", 2)),
        (
            '[organisation]\nnamn = "A"\ntyp = "kommun"\n[rapport]\nar = 2023\n'
            '[driftredovisning]\nsummarubrik = "{kod.__class__.__mro__}"\n',
            ("driftredovisning.summarubrik innehåller {kod.__class__.__mro__}, som inte är tillåtet", 7),
        ),
        (
            '[organisation]\nnamn = "A"\ntyp = "kommun"\n[rapport]\nar = 2023\n'
            '[driftredovisning]\nsummarubrik = "{kod} {foo}"\n',
            (
                "driftredovisning.summarubrik innehåller {foo}, som inte är tillåtet; "
                "tillåtna fält: {kod}, {namn}",
                7,
            ),
        ),
    ],
)
def test_config_errors_name_key_and_line(tmp_path, text, expected):
    path = tmp_path / "bokslut.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BokslutError) as exc:
        load_config(path)
    (finding,) = exc.value.findings
    assert expected[0] in finding.message
    assert finding.line == expected[1] and finding.file == str(path)


def test_locate_key_finds_nested_keys():
    text = '[organisation]\nnamn = "x"\n\n[rapport]\n  ar = 1\n[rapport.extra]\nx = 2\n'
    assert locate_key(text, ("rapport", "ar")) == 5
    assert locate_key(text, ("rapport", "extra", "x")) == 7
    assert locate_key(text, ("organisation",)) == 1


BASE = '[organisation]\nnamn = "A"\ntyp = "kommun"\n[rapport]\nar = 2023\n'


def problems(tmp_path, extra: str) -> list[tuple[int | None, str]]:
    path = tmp_path / "bokslut.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(BokslutError) as exc:
        load_config(path)
    assert all(f.file == str(path) for f in exc.value.findings)
    return [(f.line, f.message) for f in exc.value.findings]


@pytest.mark.parametrize(
    "extra, expected",
    [
        (
            '[kpi]\nkontorstid = "25:00-99:00"\n',
            "kpi.kontorstid '25:00-99:00' är ingen tid på dygnet (00:00–24:00)",
        ),
        (
            '[kpi]\nkontorstid = "17:00-08:00"\n',
            "kpi.kontorstid '17:00-08:00': kontoret måste öppna före det stänger",
        ),
        (
            '[kpi]\nkontorstid = "٠٨:٠٠-١٧:٠٠"\n',
            "kpi.kontorstid '٠٨:٠٠-١٧:٠٠' ska skrivas TT:MM-TT:MM, t.ex. 08:00-17:00",
        ),
        ("[personal]\nveckoarbetstid = nan\n", "personal.veckoarbetstid ska vara ett ändligt tal, fick nan"),
        (
            "[noter.nyttjandeperiod.2023]\nmaskiner = inf\n",
            "noter.nyttjandeperiod.2023.maskiner ska vara ett ändligt tal, fick inf",
        ),
        (
            "[noter.nyttjandeperiod.2023]\nmaskiner = 1e400\n",
            "noter.nyttjandeperiod.2023.maskiner ska vara ett ändligt tal, fick inf",
        ),
        (
            "[kpi]\nsvarstider_s = [99999999999999999999]\n",
            "kpi.svarstider_s.0 är för stort (högst ±9223372036854775807)",
        ),
        (
            "[dimensioner]\nverksamhet = 4294967297\n",
            "dimensioner.verksamhet är för stort (högst 2147483647), fick 4294967297",
        ),
        (
            "[kpi]\nservicenivaer_min = { akut = -5 }\n",
            "kpi.servicenivaer_min.akut är för litet (minst 1), fick -5",
        ),
        ("[kpi]\nsvarstider_s = [0, 30]\n", "kpi.svarstider_s.0 är för litet (minst 1), fick 0"),
    ],
)
def test_values_no_setting_can_hold_are_named_with_key_and_line(tmp_path, extra, expected):
    assert problems(tmp_path, extra) == [(7, expected)]


def test_a_superscript_account_prefix_is_no_account_number(tmp_path):
    assert problems(tmp_path, '[kontoplan.rad]\n"²" = "x"\n') == [
        (6, "kontoplan kontoplan.rad: '²' är inget kontonummer (bara siffror)")
    ]


def test_office_hours_in_a_day_are_accepted_and_used(tmp_path):
    path = tmp_path / "bokslut.toml"
    path.write_text(BASE + '[kpi]\nkontorstid = "07:30-16:15"\n', encoding="utf-8")
    assert office_minutes(load_config(path).kpi.kontorstid or "") == (450, 975)


@pytest.mark.parametrize(
    "nested", ["x = " + "[" * 3000 + "]" * 3000, "x = " + "{a = " * 3000 + "1" + "}" * 3000]
)
def test_deep_nesting_is_a_finding_not_a_recursion_error(tmp_path, nested):
    assert problems(tmp_path, nested + "\n") == [(None, "ogiltig TOML: för djupt nästlade värden")]


@pytest.mark.parametrize(
    "extra, line, reason",
    [
        (
            "[rapport2]\nd = 2023-02-30\n",
            7,
            "ogiltig TOML: ogiltigt datum eller klockslag (ÅÅÅÅ-MM-DD, och dagen måste finnas)",
        ),
        (
            '[kpi]\nkontorstid = "08:00" "17:00"\n',
            7,
            "ogiltig TOML: raden fortsätter efter värdet (en inställning per rad)",
        ),
        ('[kpi]\nx = "\\q"\n', 7, "ogiltig TOML: ett '\\' i en text måste skrivas '\\\\'"),
        ("[[kpi.matvarden]\n", 6, "ogiltig TOML: ']]' saknas i slutet av tabellrubriken"),
    ],
)
def test_toml_errors_never_carry_tomllib_english(tmp_path, extra, line, reason):
    assert problems(tmp_path, extra) == [(line, reason)]


def test_a_settings_file_beyond_a_megabyte_is_refused(tmp_path):
    (finding,) = [m for _, m in problems(tmp_path, "# " + "x" * (1024 * 1024) + "\n")]
    assert finding == "filen är 1025 kB; en bokslut.toml får vara högst 1024 kB – är det rätt fil?"


def test_the_input_limits_are_settings(tmp_path):
    path = tmp_path / "bokslut.toml"
    path.write_text(BASE + "[granser]\ntabell_mb = 5\nyaml_mb = 2\n", encoding="utf-8")
    limits = load_config(path).granser
    assert (limits.tabell_bytes, limits.yaml_bytes) == (5 * 1024 * 1024, 2 * 1024 * 1024)
    assert problems(tmp_path, "[granser]\ntabel_mb = 5\n") == [
        (7, "granser.tabel_mb är ingen känd inställning")
    ]


def test_a_new_delarsrapport_without_a_closing_date_reports_january_to_august(tmp_path):
    layout = create_workspace(tmp_path / "ws", "Kommunen", OrgTyp.KOMMUN, 2023, RapportTyp.DELARSRAPPORT)
    assert load_config(layout.config).rapport.closing_date() == dt.date(2023, 8, 31)
    assert "högst två tredjedelar av året" in layout.config.read_text(encoding="utf-8")
    annual = create_workspace(tmp_path / "ar", "Kommunen", OrgTyp.KOMMUN, 2023)
    assert load_config(annual.config).rapport.bokslutsdatum is None


def test_the_sie_limit_is_a_setting_whose_default_is_the_2_gb_of_inspect(tmp_path):
    from bokslut.sie.limits import MAX_FILE_BYTES
    from bokslut.workspace.config import Granser, input_limits

    path = tmp_path / "bokslut.toml"
    path.write_text(BASE + "[granser]\nsie_mb = 3\n", encoding="utf-8")
    assert load_config(path).granser.sie_bytes == 3 * 1024 * 1024
    # The default is 2 GB in whole megabytes: no larger than inspect's limit, and within a megabyte of it.
    default = Granser().sie_bytes
    assert MAX_FILE_BYTES - 1024 * 1024 < default <= MAX_FILE_BYTES
    assert input_limits(tmp_path / "saknas.toml") == Granser()
    assert problems(tmp_path, "[granser]\nsie_mb = 0\n") == [
        (7, "granser.sie_mb är för litet (minst 1), fick 0")
    ]
    # A terabyte is the most a setting can ask for (a region's year is a few gigabytes).
    assert problems(tmp_path, "[granser]\nsie_mb = 1048577\n") == [
        (7, "granser.sie_mb är för stort (högst 1048576), fick 1048577")
    ]
    assert problems(tmp_path, '[granser]\nsie_mb = "2 GB"\n') == [
        (7, "granser.sie_mb ska vara ett heltal, fick '2 GB'")
    ]


def test_a_new_workspace_keeps_cache_build_and_web_database_out_of_git(tmp_path):
    create_workspace(tmp_path / "ws", "Testkommun", OrgTyp.KOMMUN, 2026)
    lines = (tmp_path / "ws" / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {".bokslut/", "build/", ".bokslut-webb/"} <= set(lines)


def test_new_region_writes_its_chart_where_it_can_be_changed(tmp_path):
    from click.testing import CliRunner

    from bokslut.cli import app
    from bokslut.workspace.config import Baskontoplan

    region = create_workspace(tmp_path / "region", "Region Exempel", OrgTyp.REGION, 2024)
    assert 'baskontoplan = "region-bas"' in region.config.read_text(encoding="utf-8")
    assert load_config(region.config).kontoplan.baskontoplan is Baskontoplan.REGION_BAS
    kommun = create_workspace(tmp_path / "kommun", "Kommunen", OrgTyp.KOMMUN, 2024)
    assert "baskontoplan" not in kommun.config.read_text(encoding="utf-8")
    assert load_config(kommun.config).kontoplan.baskontoplan is None
    # A region that keeps Kommun-Bas says so on the command line.
    runner = CliRunner()
    args = ["new", str(tmp_path / "r2"), "--org", "Region", "--orgtyp", "region", "--ar", "2024"]
    result = runner.invoke(app, [*args, "--kontoplan", "kommun-bas"])
    assert result.exit_code == 0, result.output
    assert load_config(tmp_path / "r2" / "bokslut.toml").kontoplan.baskontoplan is Baskontoplan.KOMMUN_BAS
    result = runner.invoke(app, ["new", str(tmp_path / "r3"), *args[2:], "--kontoplan", "l-bas"])
    assert result.exit_code == 2
