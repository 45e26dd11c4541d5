"""`build_report`: every format, atomically, reproducibly, from the workspace's chapters."""

import datetime as dt
import hashlib
import importlib.util
from pathlib import Path

import pytest

import bokslut.workspace.build as build_module
from bokslut.diagnostics import BokslutError, warning
from bokslut.parts import ReportPart
from bokslut.workspace.build import FORMATS, build_report, parse_formats, title_page
from bokslut.workspace.config import OrgTyp, RapportTyp, load_config
from bokslut.workspace.new import create_workspace


def _load_sample():
    path = Path(__file__).resolve().parents[1] / "render" / "sample_report.py"
    spec = importlib.util.spec_from_file_location("bokslut_sample_report_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sample = _load_sample()


def sample_parts(layout, config):
    return sample.parts()


def workspace(tmp_path, typ=RapportTyp.ARSREDOVISNING, datum=None):
    layout = create_workspace(
        tmp_path / "ws", "Kommunalförbundet Lystkom", OrgTyp.KOMMUNALFORBUND, 2023, typ, datum
    )
    return layout, load_config(layout.config)


@pytest.mark.parametrize(
    ("typ", "datum"),
    [(RapportTyp.ARSREDOVISNING, None), (RapportTyp.DELARSRAPPORT, dt.date(2023, 8, 31))],
)
def test_the_standard_chapters_build_into_every_format(tmp_path, typ, datum):
    layout, config = workspace(tmp_path, typ, datum)
    result = build_report(layout, config, [sample_parts], quiet=True)
    names = sorted(p.name for p in layout.build.iterdir())
    stem = f"{typ.value}-2023"
    assert names == sorted([*(f"{stem}.{f}" for f in FORMATS), "SHA256SUMS"])
    assert [p.name for p in result.files] == [f"{stem}.{f}" for f in FORMATS]
    sums = (layout.build / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((layout.build / name).read_bytes()).hexdigest() == digest
    html = (layout.build / f"{stem}.html").read_text(encoding="utf-8")
    assert "Förvaltningsberättelse" in html and "Balanskravsutredning" in html
    assert "{#" not in html and "LKBR" not in html  # the writer's guidance never reaches the output


def test_identical_inputs_give_identical_bytes(tmp_path):
    layout, config = workspace(tmp_path)
    build_report(layout, config, [sample_parts], quiet=True)
    first = (layout.build / "SHA256SUMS").read_bytes()
    build_report(layout, config, [sample_parts], out_dir=tmp_path / "igen", quiet=True)
    assert (tmp_path / "igen" / "SHA256SUMS").read_bytes() == first


def test_a_failed_build_keeps_the_previous_outputs(tmp_path):
    layout, config = workspace(tmp_path)
    build_report(layout, config, [sample_parts], formats=("html",), quiet=True)
    before = {p.name: p.read_bytes() for p in layout.build.iterdir()}
    (layout.text_dir / "99-fel.md").write_text("Resultat {{ v.finns_inte | tkr }}", encoding="utf-8")
    with pytest.raises(BokslutError) as info:
        build_report(layout, config, [sample_parts], quiet=True)
    assert info.value.findings[0].format().startswith("text/99-fel.md:1: fel: okänt värde")
    assert {p.name: p.read_bytes() for p in layout.build.iterdir()} == before
    assert [p.name for p in layout.root.iterdir() if p.name.startswith(".build")] == []


def test_a_renderer_failing_midway_leaves_build_untouched(tmp_path, monkeypatch):
    layout, config = workspace(tmp_path)
    build_report(layout, config, [sample_parts], formats=("json",), quiet=True)
    before = sorted(p.name for p in layout.build.iterdir())

    def broken(doc):
        raise BokslutError("PDF kunde inte skapas: test")

    monkeypatch.setitem(build_module.RENDERERS, "pdf", broken)
    with pytest.raises(BokslutError):
        build_report(layout, config, [sample_parts], formats=("html", "pdf"), quiet=True)
    assert sorted(p.name for p in layout.build.iterdir()) == before
    assert not [p for p in layout.root.iterdir() if p.name.startswith(".build-ny")]


def test_chapters_without_tables_build_with_no_parts(tmp_path):
    layout, config = workspace(tmp_path)
    for p in layout.text_dir.iterdir():
        p.unlink()
    (layout.text_dir / "01.md").write_text("# Inledning\n\nEtt år av *förändring*.", encoding="utf-8")
    result = build_report(layout, config, [], formats=("html", "pdf"), quiet=True)
    assert len(result.files) == 2


def test_data_errors_stop_the_build_warnings_do_not(tmp_path):
    layout, config = workspace(tmp_path)
    for p in layout.text_dir.iterdir():
        p.unlink()
    (layout.text_dir / "01.md").write_text("# A", encoding="utf-8")
    note = warning("konto 3999 saknar mappning", file="data/ledger/2023.se", line=12)
    result = build_report(
        layout,
        config,
        [lambda lay, cfg: [ReportPart(findings=(note,))]],
        formats=("json",),
        quiet=True,
    )
    assert result.findings == (note,)


def test_out_dir_that_is_not_a_previous_build_is_refused(tmp_path):
    layout, config = workspace(tmp_path)
    elsewhere = tmp_path / "mina-dokument"
    elsewhere.mkdir()
    (elsewhere / "viktigt.txt").write_text("rör ej", encoding="utf-8")
    with pytest.raises(BokslutError, match="innehåller annat än en tidigare byggd rapport"):
        build_report(layout, config, [sample_parts], out_dir=elsewhere, quiet=True)
    assert (elsewhere / "viktigt.txt").read_text(encoding="utf-8") == "rör ej"


def test_formats_and_title_page(tmp_path):
    assert parse_formats("pdf, html,pdf") == ("pdf", "html")
    with pytest.raises(BokslutError, match="okänt format: odt"):
        parse_formats("html,odt")
    _, config = workspace(tmp_path, RapportTyp.DELARSRAPPORT, dt.date(2023, 8, 31))
    tp = title_page(config)
    assert tp.title == "Delårsrapport 2023"
    assert tp.subtitle == "Perioden 1 januari 2023 – 31 augusti 2023"
    assert tp.closing_date == dt.date(2023, 8, 31)


def test_new_copies_the_standard_chapters_for_the_report_type(tmp_path):
    layout, _ = workspace(tmp_path)
    names = sorted(p.name for p in layout.text_dir.iterdir())
    assert names[0] == "01-forvaltningsberattelse.md" and len(names) == 7
    text = (layout.text_dir / "01-forvaltningsberattelse.md").read_text(encoding="utf-8")
    for section in (
        "Översikt över verksamhetens utveckling",
        "Väsentliga personalförhållanden",
        "God ekonomisk hushållning",
        "Balanskravsresultat",
        "Förväntad utveckling",
    ):
        assert f"## {section}" in text
    interim, _ = workspace(tmp_path / "d", RapportTyp.DELARSRAPPORT, dt.date(2023, 8, 31))
    assert sorted(p.name for p in interim.text_dir.iterdir()) == [
        "01-forvaltningsberattelse.md",
        "02-finansiella-rapporter.md",
        "03-redovisningsprinciper.md",
    ]


def test_a_chapter_linked_to_a_file_outside_never_reaches_any_output(tmp_path):
    layout, config = workspace(tmp_path)
    build_report(layout, config, [sample_parts], quiet=True, formats=("html", "json"))
    before = {p.name: p.read_bytes() for p in layout.build.iterdir()}
    secret = tmp_path / "hemligt.txt"
    secret.write_text("HEMLIGT-LÖSENORD", encoding="utf-8")
    (layout.text_dir / "99.md").symlink_to(secret)
    with pytest.raises(BokslutError) as info:
        build_report(layout, config, [sample_parts], quiet=True)
    assert [f.file for f in info.value.findings] == ["text/99.md"]
    assert {p.name: p.read_bytes() for p in layout.build.iterdir()} == before
    assert not any(b"HEMLIGT" in data for data in before.values())
