"""A wrong command line: exit code 2, a Swedish sentence naming what was wrong, no English from click."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bokslut.cli import app
from bokslut.cli.usage import translate

GOOD_SIE = (
    '#FLAGGA 0\n#SIETYP 4\n#PROGRAM "T" 1\n#RAR 0 20230101 20231231\n'
    '#KONTO 1930 "Bank"\n#KONTO 3010 "Avgift"\n#OBJEKT 1 "81141" "Kansli"\n'
    '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {1 "81141"} 5\n#TRANS 3010 {1 "81141"} -5\n}\n'
)

# Words of click's (and Python's) English messages; none may reach a user.
ENGLISH = re.compile(
    r"Error|Usage|Invalid|is not|does not|No such|Missing|unexpected|requires|Try '|Did you mean"
    r"|Choose from|Traceback|Aborted|exist|valid|range|option|given|keyword"
)


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(app, list(args), prog_name="bokslut")


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("usage") / "ws"
    r = run("new", str(root), "--org", "Lystkom", "--orgtyp", "kommunalforbund", "--ar", "2023")
    assert r.exit_code == 0, r.stderr
    sie = root.parent / "2023.se"
    sie.write_bytes(GOOD_SIE.encode("cp437"))
    r = run("import", str(root), str(sie))
    assert r.exit_code == 0, r.stderr
    return root


# (command line, with {ws} for the workspace; the command as named in the message; what it says)
CASES = [
    # the reproducers of issue 9, item 9
    ("build {ws} --format foo", "bokslut build", "ogiltigt värde för --format: okänt format: foo"),
    ("tables {ws} --tabell x", "bokslut tables", "ogiltigt värde för --tabell: ingen tabell med id 'x'"),
    ("saldon {ws} --objekt abc", "bokslut saldon", "'abc' ska skrivas dimension:objekt"),
    (
        "harled {ws} x r k",
        "bokslut harled",
        "ogiltigt värde för TABELL: någon tabell med namnet 'x' finns inte",
    ),
    (
        "harled {ws} --varde x",
        "bokslut harled",
        "ogiltigt värde för --varde: något värde med namnet 'x' finns inte",
    ),
    ("harled {ws} --verifikation A12 --varde x", "bokslut harled", "'A12' ska skrivas SERIE:NUMMER"),
    ("saldon {ws} --konto abc", "bokslut saldon", "ska vara ett konto (3010), ett intervall (3000-3999)"),
    # saldon
    ("saldon {ws} --objekt ²:81141", "bokslut saldon", "'²:81141' ska skrivas dimension:objekt"),
    ("saldon {ws} --objekt 0:81141", "bokslut saldon", "dimensionen 0 i '0:81141' finns inte"),
    ("saldon {ws} --objekt 1:", "bokslut saldon", "'1:' ska skrivas dimension:objekt"),
    ("saldon {ws} --konto 3999-3000", "bokslut saldon", "intervallet '3999-3000' börjar efter där"),
    ("saldon {ws} --konto 3010,", "bokslut saldon", "ogiltigt värde för --konto"),
    ("saldon {ws} --konto ٣٠١٠", "bokslut saldon", "ogiltigt värde för --konto"),
    ("saldon {ws} --ar tjugo", "bokslut saldon", "'tjugo' ska vara ett årtal"),
    ("saldon {ws} --ar ٢٠٢٣", "bokslut saldon", "'٢٠٢٣' ska vara ett årtal"),
    ("saldon {ws} --ar 99999", "bokslut saldon", "99999 ska vara ett årtal från 1900 till och med 2200"),
    ("saldon {ws} --json --csv", "bokslut saldon", "välj bara en av --json och --csv"),
    ("saldon {ws} --konto", "bokslut saldon", "flaggan '--konto' behöver ett värde"),
    ("saldon {ws} --json=ja", "bokslut saldon", "flaggan '--json' tar inget värde"),
    ("saldon {ws} --jsn", "bokslut saldon", "okänd flagga: --jsn (menade du --csv eller --json?)"),
    ("saldon", "bokslut saldon", "saknar argumentet ARBETSYTA"),
    ("saldon {ws} 2023", "bokslut saldon", "för många argument: 2023"),
    # tables and check
    ("tables {ws} --json --csv", "bokslut tables", "välj bara en av --json och --csv"),
    ("tables", "bokslut tables", "saknar argumentet ARBETSYTA"),
    ("check {ws} --strikt", "bokslut check", "okänd flagga: --strikt"),
    ("check {ws} extra", "bokslut check", "för många argument: extra"),
    # new
    ("new {ws}2 --orgtyp kommun --ar 2023", "bokslut new", "saknar flaggan --org"),
    (
        "new {ws}2 --org A --orgtyp bolag --ar 2023",
        "bokslut new",
        "'bolag' är inte ett tillåtet värde; välj 'kommun', 'region', 'kommunalforbund' eller "
        "'gemensam-namnd'",
    ),
    ("new {ws}2 --org A --orgtyp kommun --ar 1800", "bokslut new", "1800 ska vara ett årtal från 1900"),
    ("new {ws}2 --org A --orgtyp kommun --ar 2023 --typ bokslut", "bokslut new", "välj 'arsredovisning'"),
    (
        "new {ws}2 --org A --orgtyp kommun --ar 2023 --bokslutsdatum 31/8",
        "bokslut new",
        "'31/8' ska skrivas 'ÅÅÅÅ-MM-DD'",
    ),
    # import and inspect
    ("import {ws}", "bokslut import", "saknar argumentet FIL…"),
    ("import {ws} x.se --quiet=1", "bokslut import", "flaggan '--quiet' tar inget värde"),
    ("inspect", "bokslut inspect", "saknar argumentet FIL"),
    ("inspect a.se b.se", "bokslut inspect", "för många argument: b.se"),
    # build
    ("build {ws} --format html,odt", "bokslut build", "okänt format: odt; möjliga: html, pdf, docx, xlsx"),
    ("build {ws} --ut {ws}/bokslut.toml", "bokslut build", "är en fil, här behövs en mapp"),
    # mal
    ("mal visaa", "bokslut mal", "okänt kommando: visaa (menade du visa?)"),
    ("mal mall", "bokslut mal mall", "saknar argumentet MAPP-ELLER-FIL"),
    ("mal mall {ws} --fran {ws}/finns-inte.yaml", "bokslut mal mall", "filen '"),
    ("mal visa {ws} --jsonn", "bokslut mal visa", "okänd flagga: --jsonn (menade du --json?)"),
    ("mal visa {ws}/bokslut.toml", "bokslut mal visa", "är en fil, här behövs en mapp"),
    # the program itself
    ("saldo {ws}", "bokslut", "okänt kommando: saldo (menade du saldon?)"),
    ("--versionen", "bokslut", "okänd flagga: --versionen"),
]


@pytest.mark.parametrize(("line", "command", "says"), CASES, ids=[c[0] for c in CASES])
def test_wrong_usage_exits_2_in_swedish(ws: Path, line: str, command: str, says: str) -> None:
    r = run(*[a.replace("{ws}", str(ws)) for a in line.split()])
    assert r.exit_code == 2, r.stderr
    first, hint = r.stderr.splitlines()
    assert first.startswith(f"{command}: ") and says in first
    assert hint == f"Se '{command} --help'."
    assert not ENGLISH.search(r.stderr), r.stderr
    assert r.stdout == ""


def test_a_group_without_its_command_shows_its_help_in_swedish() -> None:
    r = run("mal")
    assert r.exit_code == 2
    assert r.stderr.startswith("Användning: bokslut mal [FLAGGOR] KOMMANDO [ARGUMENT]...")
    assert "Kommandon:" in r.stderr and "visa" in r.stderr
    assert not ENGLISH.search(r.stderr)


def test_a_good_konto_and_objekt_still_work(ws: Path) -> None:
    r = run("saldon", str(ws), "--konto", "3000-3999, 1930", "--objekt", "1:81141", "--csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["1930;Bank;0,00;5,00;5,00", "3010;Avgift;0,00;-5,00;-5,00"]


def _click_message(param_type: click.ParamType, value: object) -> str:
    with pytest.raises(click.BadParameter) as info:
        param_type.convert(value, None, None)
    return info.value.message


# Every kind of message click's own types give, produced by click itself (so a new click
# version with other words fails here, not in front of a user).
TYPES = [
    (click.INT, "tio", "'tio' är inte ett heltal"),
    (click.FLOAT, "tio", "'tio' är inte ett tal"),
    (click.BOOL, "kanske", "'kanske' ska vara ja eller nej (1/0, true/false, yes/no)"),
    (click.UUID, "x", "'x' är inte ett UUID"),
    (click.IntRange(1, 12), "13", "13 ska vara från 1 till och med 12"),
    (click.IntRange(min=1), "0", "0 ska vara minst 1"),
    (click.IntRange(max=9), "10", "10 ska vara högst 9"),
    (click.FloatRange(0, 1, min_open=True), "0", "0.0 ska vara mellan 0 och 1 (gränserna ej medräknade)"),
    (click.FloatRange(0, max_open=True), "-1", "-1.0 ska vara minst 0"),
    (click.Choice(["html"]), "pdf", "'pdf' är inte ett tillåtet värde; det enda tillåtna är 'html'"),
    (click.Choice(["html", "pdf"]), "odt", "'odt' är inte ett tillåtet värde; välj 'html' eller 'pdf'"),
    (click.DateTime(["%Y-%m-%d"]), "igår", "'igår' ska skrivas 'ÅÅÅÅ-MM-DD'"),
    (click.DateTime(["%Y-%m-%d", "%Y%m%d"]), "igår", "'igår' ska skrivas 'ÅÅÅÅ-MM-DD' eller 'ÅÅÅÅMMDD'"),
    (click.Tuple([int, int]), ("1", "2", "3"), "2 värden behövs, men 3 angavs"),
]


@pytest.mark.parametrize(("param_type", "value", "swedish"), TYPES, ids=[t[2] for t in TYPES])
def test_every_click_type_message_in_swedish(
    param_type: click.ParamType, value: object, swedish: str
) -> None:
    text = translate(_click_message(param_type, value))
    assert text == swedish
    assert not ENGLISH.search(text)


def test_every_click_path_message_in_swedish(tmp_path: Path) -> None:
    a_file = tmp_path / "a.txt"
    a_file.write_text("x")
    missing = tmp_path / "saknas"
    assert translate(_click_message(click.Path(exists=True), str(missing))) == (
        f"sökvägen '{missing}' finns inte"
    )
    assert translate(_click_message(click.Path(exists=True, dir_okay=False), str(missing))) == (
        f"filen '{missing}' finns inte"
    )
    assert translate(_click_message(click.Path(file_okay=False), str(a_file))) == (
        f"'{a_file}' är en fil, här behövs en mapp"
    )
    assert translate(_click_message(click.Path(dir_okay=False), str(tmp_path))) == (
        f"'{tmp_path}' är en mapp, här behövs en fil"
    )
    # click's own templates for access rights (root reads everything, so not produced by a check here)
    for english, swedish in [
        ("File 'x' is not readable.", "filen 'x' går inte att läsa (behörighet saknas)"),
        ("Directory 'y' is not writable.", "mappen 'y' går inte att skriva (behörighet saknas)"),
        ("Path 'z' is not executable.", "sökvägen 'z' går inte att köra (behörighet saknas)"),
    ]:
        assert translate(english) == swedish


def test_parser_and_group_templates_in_swedish() -> None:
    # click's parser and group messages, as click 8.5 words them.
    for english, swedish in [
        ("Option '--x' requires 2 arguments.", "flaggan '--x' behöver 2 värden"),
        ("Argument 'a' takes 2 values.", "argumentet 'a' tar 2 värden"),
        ("Got unexpected extra arguments (a b)", "för många argument: a b"),
        ("Missing command.", "saknar kommando"),
        ("Takes 2 values but 3 were given.", "2 värden behövs, men 3 angavs"),
        ("Value must be an iterable.", "värdet ska vara en lista"),
        (
            "Could not open file '/a/b.csv': No such file or directory",
            "filen '/a/b.csv' kunde inte öppnas; kontrollera sökvägen och behörigheten",
        ),
    ]:
        assert translate(english) == swedish


def test_our_own_swedish_messages_pass_unchanged() -> None:
    for text in ("välj bara en av --json och --csv", f"'{uuid.uuid4()}' ska vara ett årtal, t.ex. 2024"):
        assert translate(text) == text


@pytest.mark.parametrize(
    "command",
    ["", "new", "inspect", "import", "saldon", "tables", "check", "mal", "mal mall", "mal visa", "build"],
)
def test_help_is_swedish(command: str) -> None:
    r = run(*command.split(), "--help")
    assert r.exit_code == 0
    assert r.stdout.startswith(f"Användning: bokslut {command}".rstrip())
    assert "Flaggor:" in r.stdout and "Visa den här hjälpen och avsluta." in r.stdout
    assert not ENGLISH.search(r.stdout), r.stdout
