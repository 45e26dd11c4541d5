"""`bokslut build` from the command line."""

import gc
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import bokslut.cli.build_cmds as build_cmds
from bokslut.cli import app


def _sample_parts():
    path = Path(__file__).resolve().parents[1] / "render" / "sample_report.py"
    spec = importlib.util.spec_from_file_location("bokslut_sample_report_cli", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda layout, config: module.parts()


def new(tmp_path, runner):
    ws = tmp_path / "lystkom"
    result = runner.invoke(
        app, ["new", str(ws), "--org", "Lystkom", "--orgtyp", "kommunalforbund", "--ar", "2023"]
    )
    assert result.exit_code == 0, result.output
    return ws


def test_build_writes_every_format_and_prints_the_paths(tmp_path, monkeypatch):
    monkeypatch.setattr(build_cmds, "report_parts", _sample_parts())
    runner = CliRunner()
    ws = new(tmp_path, runner)
    result = runner.invoke(app, ["build", str(ws)])
    assert result.exit_code == 0, result.stderr
    paths = result.stdout.splitlines()
    assert [Path(p).name for p in paths] == [
        *(f"arsredovisning-2023.{f}" for f in ("html", "pdf", "docx", "xlsx", "json")),
        "index.html",
    ]
    assert Path(paths[-1]).parent.name == "webb"
    assert all(Path(p).is_file() for p in paths)
    assert "Rapporten är byggd i" in result.stderr


def test_format_and_ut_and_quiet(tmp_path, monkeypatch):
    monkeypatch.setattr(build_cmds, "report_parts", _sample_parts())
    runner = CliRunner()
    ws = new(tmp_path, runner)
    out = tmp_path / "ut"
    result = runner.invoke(app, ["build", str(ws), "--format", "pdf,json", "--ut", str(out), "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert sorted(p.name for p in out.iterdir()) == [
        "SHA256SUMS",
        "arsredovisning-2023.json",
        "arsredovisning-2023.pdf",
    ]


def test_bad_chapter_gives_swedish_errors_and_exit_1(tmp_path):
    runner = CliRunner()
    ws = new(tmp_path, runner)
    result = runner.invoke(app, ["build", str(ws), "--format", "html"])
    assert result.exit_code == 1
    assert "text/01-forvaltningsberattelse.md:" in result.stderr
    assert "okänt värde 'v.arets_resultat'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (ws / "build").exists()


def test_unknown_format_and_missing_workspace(tmp_path):
    runner = CliRunner()
    ws = new(tmp_path, runner)
    result = runner.invoke(app, ["build", str(ws), "--format", "odt"])
    assert result.exit_code == 2 and "okänt format: odt" in result.stderr
    result = runner.invoke(app, ["build", str(tmp_path / "saknas")])
    assert result.exit_code == 1 and "ingen bokslut.toml" in result.stderr


def test_bad_config_names_file_and_line(tmp_path):
    runner = CliRunner()
    ws = new(tmp_path, runner)
    cfg = ws / "bokslut.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n[rapport2]\nfarg = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["build", str(ws)])
    assert result.exit_code == 1
    assert "bokslut.toml:" in result.stderr and "rapport2" in result.stderr


def test_build_refuses_what_check_refuses_unless_utkast(tmp_path):
    import shutil

    root = tmp_path / "sydnarke"
    example = Path(__file__).resolve().parents[2] / "examples" / "sydnarke-2020"
    shutil.copytree(example, root, ignore=shutil.ignore_patterns("build", ".bokslut"))
    runner = CliRunner()
    ok = runner.invoke(app, ["build", str(root), "--format", "json"])
    assert ok.exit_code == 0, ok.stderr
    before = (root / "build" / "delarsrapport-2020.json").read_bytes()
    toml = root / "bokslut.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("2020-07-31", "2020-09-30"), encoding="utf-8")
    checked = runner.invoke(app, ["check", str(root)])
    refused = runner.invoke(app, ["build", str(root), "--format", "json"])
    assert checked.exit_code == refused.exit_code == 1
    line = "data/ledger/2020.se (#OMFATTN): fel: huvudboken omfattar bara tiden till 2020-07-31"
    assert line in checked.stderr and line in refused.stderr
    assert "byggs inte (bygg ett utkast med --utkast)" in refused.stderr
    assert (root / "build" / "delarsrapport-2020.json").read_bytes() == before
    draft = runner.invoke(app, ["build", str(root), "--format", "json", "--utkast"])
    assert draft.exit_code == 0, draft.stderr
    assert line in draft.stderr and "märkt UTKAST – EJ KONTROLLERAD" in draft.stderr
    assert b'"draft": true' in (root / "build" / "delarsrapport-2020.json").read_bytes()


def test_new_writes_the_orgnr_that_check_compares(tmp_path):
    runner = CliRunner()
    ws = tmp_path / "kommun"
    args = ["new", str(ws), "--org", "Lekebergs kommun", "--orgtyp", "kommun", "--ar", "2023"]
    result = runner.invoke(app, [*args, "--orgnr", "212000-1876"])
    assert result.exit_code == 0, result.output
    assert 'orgnr = "212000-1876"' in (ws / "bokslut.toml").read_text(encoding="utf-8")
    bad = runner.invoke(app, ["new", str(tmp_path / "annan"), *args[2:], "--orgnr", "12-34"])
    assert bad.exit_code == 1 and "'12-34' är inget organisationsnummer" in bad.stderr


def test_the_command_starts_the_render_worker_before_it_imports_the_build():
    """The worker's imports run beside the build's own: `bokslut build` loads neither the
    build nor its libraries until the worker is started."""
    script = (
        "import sys, bokslut.cli.build_cmds\n"
        "heavy = ('bokslut.pipeline.build', 'bokslut.pipeline.areas', 'bokslut.workspace.config',"
        " 'bokslut.document', 'pydantic', 'pyarrow', 'duckdb')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")])}
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert shown.stdout.strip() == ""


def test_a_bad_config_ends_the_early_worker(tmp_path, render_workers_started):
    started = render_workers_started
    runner = CliRunner()
    ws = new(tmp_path, runner)
    (ws / "bokslut.toml").write_text("[rapport\n", encoding="utf-8")
    result = runner.invoke(app, ["build", str(ws)])
    assert result.exit_code == 1, result.output
    (worker,) = started
    assert worker is not None and worker._process is None


def test_the_build_runs_without_the_cyclic_collector_and_gives_it_back(tmp_path, monkeypatch):
    collecting = []
    sample = _sample_parts()

    def parts(layout, config):
        collecting.append(gc.isenabled())
        return sample(layout, config)

    monkeypatch.setattr(build_cmds, "report_parts", parts)
    runner = CliRunner()
    ws = new(tmp_path, runner)
    assert gc.isenabled()
    result = runner.invoke(app, ["build", str(ws), "--format", "html", "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert collecting == [False]
    assert gc.isenabled()
