"""`bokslut build` from the command line."""

import importlib.util
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
        f"arsredovisning-2023.{f}" for f in ("html", "pdf", "docx", "xlsx", "json")
    ]
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
