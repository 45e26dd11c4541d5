"""bokslut.toml: created by `bokslut new`, validated with Swedish errors and line numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from bokslut.diagnostics import BokslutError
from bokslut.workspace.config import OrgTyp, RapportTyp, load_config, locate_key
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
