"""Reading mal.yaml and beslut.yaml safely: limits, plain values only, Swedish reasons with the line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bokslut import followup
from bokslut.diagnostics import Level
from bokslut.followup.model import MalFil
from bokslut.followup.source import MAX_DEPTH, load_yaml, parse_yaml, validate

from .conftest import config


def bomb(levels: int = 9, fan: int = 9) -> str:
    """The "billion laughs": each level lists the previous one `fan` times (9^9 items expanded)."""
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * fan) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_in_well_under_a_second(tmp_path: Path):
    path = tmp_path / "mal.yaml"
    path.write_text(bomb(), "utf-8")
    started = time.perf_counter()
    located, findings = load_yaml(path, "data/mal.yaml")
    assert time.perf_counter() - started < 0.5
    assert located is None
    (finding,) = findings
    assert finding.level is Level.ERROR and finding.file == "data/mal.yaml" and finding.line == 1
    assert "alias" in finding.message and "200 000 värden" in finding.message


def test_a_few_aliases_are_still_fine_for_repeating_a_target():
    text = (
        "standard: &mal 90\nmalomraden:\n  - namn: A\n    mal:\n      - namn: B\n"
        "        indikatorer:\n          - {namn: C, malvarde: *mal}\n          - {namn: D, malvarde: *mal}\n"
    )
    located, findings = parse_yaml(text.replace("standard: &mal 90\n", "ar: &mal 2023\n"), "mal.yaml")
    assert not findings and located is not None
    assert located.data["malomraden"][0]["mal"][0]["indikatorer"][1]["malvarde"] == 2023


def test_an_alias_that_contains_itself_is_refused():
    located, findings = parse_yaml("a: &x [1, *x]\n", "mal.yaml")
    assert located is None
    assert [(f.line, f.message) for f in findings] == [
        (1, "ogiltig YAML: ett alias refererar till sig självt")
    ]


def test_aliases_that_nest_deeper_than_the_text_are_refused():
    # Each anchor is 40 levels deep and holds the previous one: 30 × 40 levels once expanded.
    lines = ["a0: &a0 " + "[" * 40 + "1" + "]" * 40]
    lines += [f"a{i}: &a{i} " + "[" * 40 + f"*a{i - 1}" + "]" * 40 for i in range(1, 30)]
    located, findings = parse_yaml("\n".join(lines) + "\n", "mal.yaml")
    assert located is None
    assert [f.message for f in findings] == [
        f"ogiltig YAML: alias (*namn) gör värdena nästlade djupare än {MAX_DEPTH} nivåer"
    ]


def test_deep_nesting_is_a_finding_not_a_recursion_error():
    located, findings = parse_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "mal.yaml")
    assert located is None
    assert [f.message for f in findings] == [
        f"ogiltig YAML: värdena är nästlade djupare än {MAX_DEPTH} nivåer"
    ]


@pytest.mark.parametrize(
    "value, reason",
    [
        (".nan", "'.nan' är inget ändligt tal (.nan och .inf används inte)"),
        ("-.inf", "'-.inf' är inget ändligt tal (.nan och .inf används inte)"),
        ("1.0e+400", "'1.0e+400' är inget ändligt tal (.nan och .inf används inte)"),
        ("99999999999999999999", "talet 99999999999999999999 är för stort"),
        ("!!float abc", "'abc' är inget tal"),
        ("2019-02-30", "'2019-02-30' är inget datum som finns (ÅÅÅÅ-MM-DD)"),
        ("!!python/object/apply:os.system [ls]", "taggen !!python/object/apply:os.system är inte tillåten"),
        ("!!binary aGVq", "taggen !!binary är inte tillåten"),
    ],
)
def test_values_no_goal_file_means_are_refused_with_their_line(value, reason):
    located, findings = parse_yaml(f"ar: 2023\nmalvarde: {value}\n", "data/mal.yaml")
    assert located is None
    (finding,) = findings
    assert finding.line == 2
    assert finding.message.startswith(f"ogiltig YAML: {reason}")


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ("a: b: c\n", 1, "kolon ':' på fel ställe"),
        ("a:\n\t- x\n", 2, "tabbtecken får inte användas för indrag"),
        ("a: *saknas\n", 1, "aliaset (*namn) har inget ankare (&namn) ovanför"),
        ("a: [1, 2\n", 2, "',' eller ']' saknas i en lista"),
        ('a: "text\n', 2, "filen slutar mitt i ett värde"),
        ("a: 1\n b: 2\n", 2, "kolon ':' på fel ställe"),
        ("{{{{{{6Z", 1, "',' eller '}' saknas i en tabell"),  # found by fuzzing
    ],
)
def test_syntax_errors_are_swedish_with_the_line(text, line, reason):
    located, findings = parse_yaml(text, "data/mal.yaml")
    assert located is None
    (finding,) = findings
    assert finding.line == line and reason in finding.message
    # PyYAML's own English stays out of the message.
    assert not any(word in finding.message for word in ("found", "expected", "while", "mapping"))


def test_a_repeated_key_is_an_error_not_the_last_one_silently():
    located, findings = parse_yaml("ar: 2022\nnivaer: [A]\nar: 2023\n", "data/mal.yaml")
    assert located is not None
    (finding,) = findings
    assert (finding.line, finding.code) == (3, "dubblett")
    assert finding.message == "nyckeln 'ar' finns redan på rad 1; bara den sista skulle gälla"


def test_a_superscript_year_key_is_a_validation_error_and_the_rest_is_read():
    text = (
        "malomraden:\n  - namn: A\n    mal:\n      - namn: B\n        indikatorer:\n"
        "          - namn: C\n            utfall: {2023: 5, ²: 4}\n"
    )
    located, findings = parse_yaml(text, "data/mal.yaml")
    assert not findings and located is not None
    goals, errors = validate(MalFil, located)
    assert goals is None
    (err,) = errors
    assert err.line == 7 and err.where == "malomraden[0].mal[0].indikatorer[0].utfall.²"


def test_a_file_over_the_limit_is_refused_with_the_setting_to_raise(tmp_path: Path):
    path = tmp_path / "mal.yaml"
    path.write_text("ar: 2023\n" + "# kommentar\n" * 200_000, "utf-8")
    located, findings = load_yaml(path, "data/mal.yaml", max_bytes=1024 * 1024)
    assert located is None
    (finding,) = findings
    assert finding.message == (
        "filen är 2,3 MB, större än gränsen 1 MB "
        "(höj den med [granser] yaml_mb i bokslut.toml om filen är rätt)"
    )


def test_the_workspace_limit_applies_to_the_goal_file(workspace):
    layout = workspace("mal.yaml", "ar: 2023\n" + "# kommentar\n" * 100_000)
    cfg = config().model_copy(update={"granser": config().granser.model_copy(update={"yaml_mb": 1})})
    part = followup.build_part(layout, cfg, {})
    assert [f.code for f in part.findings] == ["for-stor"]
    assert followup.build_part(layout, config(), {}).findings == ()


def test_an_escape_beyond_unicode_is_a_finding():
    # Found by fuzzing: PyYAML's scanner raised ValueError from chr().
    located, findings = parse_yaml('a: "\\U00110000"\n', "data/mal.yaml")
    assert located is None
    assert [f.message for f in findings] == ["ogiltig YAML: en escape-sekvens (\\U…) är inget tecken"]
