"""The files in data/ as a user meets them: each within its size limit and inside the workspace.

A file over its `[granser]` limit, or one that a symbolic link puts outside the workspace,
is refused with a Swedish finding naming it and saying what to do; the command exits 1 and
everything else in the workspace is still read and shown. What lies outside never reaches
any output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bokslut.cli import app
from bokslut.workspace.safe_files import Refused, open_inside

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lystkom-2023"
SECRET = "HEMLIGT-7f3a"
TOO_BIG = "större än gränsen 1 MB (höj den med [granser] {setting} i bokslut.toml om filen är rätt)"
OUTSIDE_FILE = (
    "fel: filen är en symbolisk länk till en fil utanför arbetsytan och läses inte – "
    "kopiera in filen i arbetsytan i stället för att länka till den"
)
PERSONNEL = {"medelantal_anstallda", "anstallda_anstallningsform", "sjukfranvaro_kon"}
KPI = {"arenden_per_kanal", "nyckeltal_nki"}  # samtal.csv.gz is 1,3 MB: over a 1 MB limit too
GOALS = {"mal_malomrade_1", "mal_malomrade_5"}


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), prog_name="bokslut")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Lystkom example with its cache built once (copied for each test)."""
    root = tmp_path_factory.mktemp("mall") / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".bokslut", "build"))
    assert run("mal", "visa", str(root), "--json").exit_code == 0
    return root


@pytest.fixture
def ws(example: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(example, root, symlinks=True)
    return root


def limit(ws: Path, setting: str, mb: int) -> None:
    config = ws / "bokslut.toml"
    text = config.read_text("utf-8")
    if "\n[granser]\n" in text:
        text = re.sub(rf"^{setting} = [0-9]+$", f"{setting} = {mb}", text, flags=re.MULTILINE)
    else:
        text += f"\n[granser]\n{setting} = {mb}\n"
    config.write_text(text, "utf-8")


def just_over_a_megabyte(path: Path, first: bytes) -> None:
    """``first`` followed by filler to 1,1 MB: the file is refused before any of it is read."""
    path.write_bytes(first + b"#" * (1024 * 1024 + 100 * 1024 - len(first)))


def shown(ws: Path) -> tuple[Result, set[str]]:
    r = run("mal", "visa", str(ws), "--json")
    return r, {t["id"] for t in json.loads(r.stdout)["tables"]}


def outside_copy(ws: Path, rel: str, extra: str) -> Path:
    """A copy of data file ``rel`` outside the workspace, with ``extra`` text that would show if read."""
    target = ws.parent / "utanfor" / Path(rel).name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes((ws / rel).read_bytes() + extra.encode("utf-8"))
    return target


def link(ws: Path, rel: str, target: Path | str) -> None:
    path = ws / rel
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.symlink_to(target)


def everything_written(root: Path) -> str:
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file())


# --- size limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["anstallda.csv", "franvaro.csv"])
def test_a_personnel_file_over_the_limit_is_refused_with_the_setting_to_raise(ws, name):
    limit(ws, "tabell_mb", 1)
    just_over_a_megabyte(ws / "data" / "personal" / name, b"anstallningsnummer;kon\n")
    r, tables = shown(ws)
    assert r.exit_code == 1
    assert f"data/personal/{name}: fel: filen är 1,1 MB, {TOO_BIG.format(setting='tabell_mb')}" in r.stderr
    assert tables >= KPI | GOALS  # the rest is read and shown
    if name == "franvaro.csv":  # the employments are still counted
        assert {"medelantal_anstallda", "anstallda_anstallningsform"} <= tables
    limit(ws, "tabell_mb", 2)
    r, tables = shown(ws)
    # Within the raised limit the file is read, and judged by what it holds.
    assert "tabell_mb" not in r.stderr and f"data/personal/{name}:1 (kolumn" in r.stderr
    assert "samtal_per_ko" in tables


@pytest.mark.parametrize("name", ["arenden.csv.gz", "samtal.csv.gz", "nyckeltal.csv"])
def test_a_kpi_file_over_the_limit_is_refused_with_the_setting_to_raise(ws, name):
    limit(ws, "tabell_mb", 1)
    just_over_a_megabyte(ws / "data" / "kpi" / name, os.urandom(4096))
    r, tables = shown(ws)
    assert r.exit_code == 1
    assert f"data/kpi/{name}: fel: filen är 1,1 MB, {TOO_BIG.format(setting='tabell_mb')}" in r.stderr
    assert tables >= PERSONNEL | GOALS


def test_a_beslut_yaml_over_the_limit_is_refused_with_the_setting_to_raise(ws):
    limit(ws, "yaml_mb", 1)
    just_over_a_megabyte(ws / "data" / "beslut.yaml", b"beslut: []\n")
    r, tables = shown(ws)
    assert r.exit_code == 1
    assert f"data/beslut.yaml: fel: filen är 1,1 MB, {TOO_BIG.format(setting='yaml_mb')}" in r.stderr
    assert tables >= PERSONNEL | KPI | GOALS and "politiska_beslut" not in tables
    limit(ws, "yaml_mb", 2)
    r, tables = shown(ws)
    assert r.exit_code == 0 and "politiska_beslut" in tables


# --- symbolic links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel, secret, still_shown",
    [
        ("data/personal/anstallda.csv", f"\nK99;K;1970;{SECRET};2023-01-01;;100;40\n", KPI | GOALS),
        ("data/personal/franvaro.csv", f"\n{SECRET};x\n", KPI | GOALS),
        ("data/kpi/nyckeltal.csv", f'\n{SECRET},x,2023,1,"x",nki\n', PERSONNEL | GOALS),
        ("data/mal.yaml", f"\n{SECRET}: 1\n", PERSONNEL | KPI),
    ],
)
def test_a_data_file_linked_to_a_file_outside_is_refused_and_never_read(ws, rel, secret, still_shown):
    link(ws, rel, outside_copy(ws, rel, secret))
    r, tables = shown(ws)
    assert r.exit_code == 1
    assert f"{rel}: {OUTSIDE_FILE}" in r.stderr
    assert SECRET not in r.stdout + r.stderr
    assert still_shown <= tables


def test_a_spreadsheet_and_beslut_yaml_linked_outside_are_refused(ws):
    shutil.copy(EXAMPLE.parent / "sydnarke-2020" / "data" / "beslut.yaml", ws / "data" / "beslut.yaml")
    link(ws, "data/beslut.yaml", outside_copy(ws, "data/beslut.yaml", f"\n# {SECRET}\n"))
    xlsx = ws.parent / "utanfor" / "arenden.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", SECRET])
    wb.save(xlsx)
    (ws / "data" / "kpi" / "arenden.csv.gz").unlink()
    link(ws, "data/kpi/arenden.xlsx", xlsx)
    r, tables = shown(ws)
    assert r.exit_code == 1
    assert f"data/beslut.yaml: {OUTSIDE_FILE}" in r.stderr
    assert f"data/kpi/arenden.xlsx: {OUTSIDE_FILE}" in r.stderr
    assert SECRET not in r.stdout + r.stderr
    assert PERSONNEL | GOALS | {"samtal_per_ko"} <= tables


def test_a_budget_file_and_a_budget_folder_linked_outside_are_refused(ws):
    rel = "data/budget/investeringar-2023.csv"
    link(ws, rel, outside_copy(ws, rel, f"2023;{SECRET};100\n"))
    r = run("check", str(ws))
    assert r.exit_code == 1
    assert f"{rel}: {OUTSIDE_FILE}" in r.stderr and SECRET not in r.stdout + r.stderr
    outside = ws.parent / "utanfor"
    (outside / f"{SECRET}.csv").write_text("ar;projekt;belopp\n2023;1;1\n", "utf-8")
    link(ws, "data/budget", outside)
    r = run("check", str(ws))
    assert r.exit_code == 1
    assert (
        "data/budget: fel: mappen leder via en symbolisk länk utanför arbetsytan och läses inte – "
        "kopiera in mappen i arbetsytan i stället för att länka till den"
    ) in r.stderr
    assert SECRET not in r.stdout + r.stderr  # not even the names of the files over there


def test_a_ledger_file_linked_outside_is_refused_and_never_read(ws):
    rel = "data/ledger/2023.se"
    target = outside_copy(ws, rel, f'#KONTO 1999 "{SECRET}"\n')
    shutil.rmtree(ws / ".bokslut")  # the ledger is read again from data/ledger
    link(ws, rel, target)
    r = run("saldon", str(ws), "--ar", "2023")
    assert r.exit_code == 1
    assert f"{rel}: filen i data/ledger går inte att läsa in – rätta eller ta bort den" in r.stderr
    assert OUTSIDE_FILE.removeprefix("fel: ") in r.stderr
    assert SECRET not in r.stdout + r.stderr


@pytest.mark.parametrize("folder", ["data", "data/ledger"])
def test_a_linked_data_or_ledger_folder_outside_is_refused(ws, folder):
    outside = ws.parent / "utanfor" / Path(folder).name
    shutil.copytree(ws / folder, outside)
    (outside / "ledger" if folder == "data" else outside).joinpath("2023.se").open("a").write(
        f'#KONTO 1999 "{SECRET}"\n'
    )
    shutil.rmtree(ws / ".bokslut")
    link(ws, folder, outside)
    r = run("build", str(ws), "--utkast", "--format", "html,json", "-q")
    assert r.exit_code == 1
    assert (
        f"data/ledger/2022.se: fel: mappen {folder} är en symbolisk länk till en mapp utanför "
        "arbetsytan, så filen läses inte – kopiera in mappen i arbetsytan i stället för att länka till den"
    ) in r.stderr
    assert SECRET not in r.stdout + r.stderr
    assert not (ws / "build").exists() or SECRET not in everything_written(ws / "build")


def test_nothing_from_a_linked_file_outside_reaches_the_built_report(ws):
    rel = "data/budget/investeringar-2023.csv"
    # Read, the secret would be a project of its own in the investeringsredovisning and a warning.
    link(ws, rel, outside_copy(ws, rel, f"2023;{SECRET};100000\n"))
    r = run("build", str(ws), "--utkast", "--format", "html,json", "-q")
    assert r.exit_code == 0, r.stderr  # a draft is built: every other part of the report is there
    assert f"{rel}: {OUTSIDE_FILE}" in r.stderr
    report = everything_written(ws / "build")
    assert "Medelantal anställda" in report and "UTKAST" in report
    assert SECRET not in report and SECRET not in r.stdout + r.stderr


# --- links inside the workspace -----------------------------------------------------------------


def test_links_that_stay_inside_the_workspace_are_followed(ws):
    """An export folder beside data/ linked in is a normal way to keep files: read as if copied."""
    _, before = shown(ws)
    before_values = json.loads(run("mal", "visa", str(ws), "--json").stdout)["values"]
    export = ws / "export"
    export.mkdir()
    for rel in ("data/personal/anstallda.csv", "data/mal.yaml", "data/kpi/samtal.csv.gz"):
        shutil.move(ws / rel, export / Path(rel).name)
        (ws / rel).symlink_to(os.path.relpath(export / Path(rel).name, (ws / rel).parent))
    shutil.move(ws / "data" / "budget", export / "budget")
    (ws / "data" / "budget").symlink_to("../export/budget")
    r = run("mal", "visa", str(ws), "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert {t["id"] for t in data["tables"]} == before
    assert data["values"] == before_values
    assert run("check", str(ws)).exit_code == 0


def test_a_ledger_file_linked_inside_the_workspace_is_read(ws):
    before = run("saldon", str(ws), "--ar", "2023", "--csv").stdout
    archive = ws / "arkiv"
    archive.mkdir()
    shutil.move(ws / "data" / "ledger" / "2023.se", archive / "2023.se")
    (ws / "data" / "ledger" / "2023.se").symlink_to("../../arkiv/2023.se")
    shutil.rmtree(ws / ".bokslut")
    r = run("saldon", str(ws), "--ar", "2023", "--csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == before and "1930" in before


def test_a_link_swapped_in_after_the_path_was_resolved_is_not_followed(tmp_path, monkeypatch):
    root = tmp_path / "ws"
    (root / "data").mkdir(parents=True)
    secret = tmp_path / "hemligt.csv"
    secret.write_text(SECRET, "utf-8")
    path = root / "data" / "anstallda.csv"
    path.write_text("anstallningsnummer\n", "utf-8")
    fd = open_inside(root, path)
    assert os.read(fd, 100) == b"anstallningsnummer\n"
    os.close(fd)
    # The file was resolved while it was a file; by the time it is opened it is a link out.
    resolved = path.resolve()
    path.unlink()
    path.symlink_to(secret)
    real_resolve = Path.resolve
    monkeypatch.setattr(Path, "resolve", lambda p, strict=False: resolved if p == path else real_resolve(p))
    with pytest.raises(Refused, match="byttes ut medan filen öppnades"):
        open_inside(root, path)
