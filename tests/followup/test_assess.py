from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bokslut import followup
from bokslut.followup.assess import Context, assess_indicator, combine, summary_sentence
from bokslut.followup.model import Indikator, Status
from bokslut.followup.source import Located

from .conftest import config

U, D, E, K = Status.UPPFYLLT, Status.DELVIS, Status.EJ, Status.KAN_INTE


def judge(interim: bool = False, known=None, **fields):
    findings = []
    ctx = Context(Located("data/mal.yaml", {}), known or {}, 2023, interim, findings)
    return assess_indicator(Indikator(namn="x", **fields), ("i",), ctx), findings


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"malvarde": 90, "utfall": 91.6}, U),
        ({"malvarde": 90, "utfall": 90}, U),
        ({"malvarde": 90, "utfall": 90, "strikt": True}, E),
        ({"malvarde": 90, "utfall": 85, "delvis": 80}, D),
        ({"malvarde": 90, "utfall": 75, "delvis": 80}, E),
        ({"riktning": "lagre", "malvarde": 4, "utfall": "2,9"}, U),
        ({"riktning": "lagre", "malvarde": 4, "utfall": 4, "strikt": True}, E),
        ({"riktning": "intervall", "malvarde": [90, 95], "utfall": 96}, E),
        ({"riktning": "intervall", "malvarde": "90–95", "utfall": 92}, U),
        ({"riktning": "lika", "malvarde": "Ja", "utfall": "ja"}, U),
        ({"malvarde": 90}, K),
        ({"utfall": 90}, K),
        ({"malvarde": 90, "utfall": {2022: 95}}, K),
        ({"malvarde": {2023: 90, 2022: 80}, "utfall": {2023: 85, 2022: 99}}, E),
    ],
)
def test_indicator_rule(fields, expected):
    result, findings = judge(**fields)
    assert result.status is expected
    assert not findings


def test_interim_report_judges_the_forecast():
    assert judge(interim=True, malvarde=90, utfall=80, prognos=90)[0].status is U
    assert judge(interim=False, malvarde=90, utfall=80, prognos=90)[0].status is E


def test_reference_to_computed_value_and_manual_override():
    result, _ = judge(known={"samtal_andel": Decimal("91.6")}, malvarde=90, utfall="=samtal_andel")
    assert result.status is U and result.outcome.reference == "samtal_andel"
    result, _ = judge(malvarde=90, utfall=80, bedomning={"varde": "delvis", "motivering": "Nära"})
    assert (result.computed, result.status) == (E, D)


def test_missing_reference_is_an_error_naming_the_key():
    result, findings = judge(known={"samtal_andel_2023": 1}, malvarde=90, utfall="=samtal_andel_2032")
    assert result.status is K
    (f,) = findings
    assert f.file == "data/mal.yaml" and f.where == "i.utfall" and "samtal_andel_2023" in f.message


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([], K),
        ([K, K], K),
        ([U, U], U),
        ([E, E], E),
        ([U, E], D),
        ([U, K], D),
        ([E, K], E),
        ([D], D),
    ],
)
def test_goal_rule(parts, expected):
    assert combine(parts) is expected


@given(st.lists(st.sampled_from(list(Status)), min_size=1))
def test_goal_is_uppfyllt_only_when_every_part_is(parts):
    assert (combine(parts) is U) == all(p is U for p in parts)


def test_summary_sentence_as_in_the_annual_report():
    counts = {U: 10, D: 2, E: 0, K: 1}
    assert summary_sentence(counts) == (
        "Av totalt 13 mål bedöms tio vara uppfyllda, två delvis uppfyllda och ett har inte kunnat bedömas."
    )
    assert (
        summary_sentence({U: 1, E: 2}) == "Av totalt tre mål bedöms ett vara uppfyllt och två inte uppfyllda."
    )
    assert summary_sentence({D: 1}) == "Av totalt ett mål bedöms ett vara delvis uppfyllt."


def test_a_number_in_other_digits_is_named_not_read_as_text(workspace):
    text = (
        "malomraden:\n  - namn: A\n    mal:\n      - namn: B\n        indikatorer:\n"
        '          - namn: C\n            malvarde: 90\n            utfall: "٩٥"\n'
    )
    part = followup.build_part(workspace("mal.yaml", text), config(), {})
    (err,) = part.findings
    assert (err.line, err.code) == (8, "siffror")
    assert err.message == "'٩٥' har andra siffror än 0–9; skriv talet med siffrorna 0–9"
    assert part.values["mal_antal_kan_inte_bedomas"] == 1
