"""`build_report`: every format, atomically, reproducibly, from the workspace's chapters."""

import datetime as dt
import hashlib
import importlib.util
from dataclasses import replace
from pathlib import Path

import pytest

import bokslut.pipeline.build as build_module
from bokslut.diagnostics import BokslutError, error, warning
from bokslut.parts import ReportPart
from bokslut.pipeline.build import FORMATS, build_report, parse_formats, title_page
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
    parts = sample.parts()
    if config.rapport.typ is RapportTyp.DELARSRAPPORT:
        parts = [replace(p, tables=tuple(interim_shaped(t) for t in p.tables)) for p in parts]
        # A delårsrapport has the balanskrav prognos in place of the three-year table.
        prognos = replace(sample.balanskravsutredning(), id="balanskrav_prognos", title="Balanskravsprognos")
        parts.append(ReportPart(tables=(prognos,)))
    return parts


def interim_shaped(table):
    """The sample's statements as a delårsrapport has them: period columns, no notes."""
    ids = {"ar_2023": "utfall", "ar_2022": "utfall_fg"}
    if table.id not in ("resultatrakning", "balansrakning"):
        return table
    columns = tuple(replace(c, id=ids.get(c.id, c.id)) for c in table.columns)
    rows = tuple(
        replace(
            r,
            note=None,
            values={ids.get(k, k): v for k, v in r.values.items()},
            sources={ids.get(k, k): v for k, v in r.sources.items()},
        )
        for r in table.rows
    )
    return replace(table, columns=columns, rows=rows)


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
    single = [f"{stem}.{f}" for f in FORMATS if f != "webb"]
    assert names == sorted([*single, "SHA256SUMS", "webb"])
    built = [p.relative_to(layout.build).as_posix() for p in result.files]
    assert built[: len(single)] == single
    assert {"webb/index.html", "webb/sok.html", "webb/sok.js", "webb/forvaltningsberattelse.html"} <= set(
        built
    )
    sums = (layout.build / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("  ")[1] for line in sums) == sorted(built)
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((layout.build / name).read_bytes()).hexdigest() == digest
    html = (layout.build / f"{stem}.html").read_text(encoding="utf-8")
    balanskrav = "Balanskravsutredning" if typ is RapportTyp.ARSREDOVISNING else "Balanskravsprognos"
    assert "Förvaltningsberättelse" in html and balanskrav in html
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


def test_a_half_made_workspace_is_refused_and_says_what_is_missing(tmp_path):
    layout, config = workspace(tmp_path)
    for p in layout.text_dir.iterdir():
        p.unlink()
    (layout.text_dir / "01.md").write_text("# Inledning\n\nEtt år av *förändring*.", encoding="utf-8")
    with pytest.raises(BokslutError) as info:
        build_report(layout, config, [], formats=("html", "pdf"), quiet=True)
    missing = [f for f in info.value.findings if f.code == "huvudbok-saknas"]
    assert len(missing) == 1 and missing[0].file == "data/ledger"
    assert "data/ledger har ingen SIE-fil" in missing[0].message and "bokslut import" in missing[0].message
    assert not layout.build.exists()


def test_data_errors_stop_the_build_warnings_do_not(tmp_path):
    layout, config = workspace(tmp_path)
    note = warning("konto 3999 saknar mappning", file="data/ledger/2023.se", line=12)
    result = build_report(
        layout,
        config,
        [sample_parts, lambda lay, cfg: [ReportPart(findings=(note,))]],
        formats=("json",),
        quiet=True,
    )
    assert result.findings == (note,) and not result.draft
    before = (layout.build / "arsredovisning-2023.json").read_bytes()
    bad = error("konto 3999 har två värden", file="data/ledger/2023.se", line=13)
    with pytest.raises(BokslutError) as info:
        build_report(
            layout,
            config,
            [sample_parts, lambda lay, cfg: [ReportPart(findings=(bad,))]],
            formats=("json",),
            quiet=True,
        )
    assert bad in info.value.findings and "--utkast" in info.value.message
    assert (layout.build / "arsredovisning-2023.json").read_bytes() == before


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


def _draft_build(tmp_path, out=None):
    layout, config = workspace(tmp_path)
    bad = error("balansräkningen balanserar inte", where="balansrakning/summa_tillgangar/utfall")
    result = build_report(
        layout,
        config,
        [sample_parts, lambda lay, cfg: [ReportPart(findings=(bad,))]],
        out_dir=out,
        quiet=True,
        draft=True,
    )
    return layout, result, bad


def test_a_draft_builds_despite_errors_and_says_so_on_every_page_and_sheet(tmp_path):
    import io
    import json

    import docx
    import openpyxl
    import pypdf

    layout, result, bad = _draft_build(tmp_path)
    assert result.draft and bad in result.findings
    stem = layout.build / "arsredovisning-2023"
    html = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert '<p class="utkast" role="note">UTKAST – EJ KONTROLLERAD</p>' in html
    assert '@top-center { content: "UTKAST – EJ KONTROLLERAD"' in html  # every printed page
    pages = pypdf.PdfReader(io.BytesIO(stem.with_suffix(".pdf").read_bytes())).pages
    assert len(pages) > 3
    assert all("UTKAST – EJ KONTROLLERAD" in page.extract_text() for page in pages)
    word = docx.Document(str(stem.with_suffix(".docx")))
    section = word.sections[0]
    assert section.header.paragraphs[0].text == "UTKAST – EJ KONTROLLERAD"
    assert section.first_page_header.paragraphs[0].text == "UTKAST – EJ KONTROLLERAD"
    book = openpyxl.load_workbook(stem.with_suffix(".xlsx"))
    assert len(book.worksheets) > 3
    for sheet in book.worksheets:
        assert sheet["A1"].value == "UTKAST – EJ KONTROLLERAD"
        assert "UTKAST – EJ KONTROLLERAD" in sheet.oddHeader.center.text
    data = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["draft"] is True and data["draft_mark"] == "UTKAST – EJ KONTROLLERAD"


def test_a_clean_build_has_no_mark_and_a_draft_is_reproducible(tmp_path):
    import openpyxl

    layout, config = workspace(tmp_path / "ren")
    result = build_report(layout, config, [sample_parts], quiet=True)
    assert not result.draft
    for path in result.files:
        if path.suffix in (".html", ".json"):
            assert "UTKAST" not in path.read_text(encoding="utf-8")
    book = openpyxl.load_workbook(layout.build / "arsredovisning-2023.xlsx")
    assert all(sheet["A1"].value != "UTKAST – EJ KONTROLLERAD" for sheet in book.worksheets)
    assert all(not sheet.oddHeader.center.text for sheet in book.worksheets)
    first, _, _ = _draft_build(tmp_path / "a")
    again, _, _ = _draft_build(tmp_path / "b")
    assert (first.build / "SHA256SUMS").read_bytes() == (again.build / "SHA256SUMS").read_bytes()


def test_a_draft_sheet_is_the_clean_sheet_below_the_mark(tmp_path):
    import openpyxl

    clean_layout, config = workspace(tmp_path / "ren")
    build_report(clean_layout, config, [sample_parts], formats=("xlsx",), quiet=True)
    draft_layout, _, _ = _draft_build(tmp_path / "utkast")
    clean = openpyxl.load_workbook(clean_layout.build / "arsredovisning-2023.xlsx")
    draft = openpyxl.load_workbook(draft_layout.build / "arsredovisning-2023.xlsx")
    assert clean.sheetnames == draft.sheetnames
    for name in clean.sheetnames:
        rows = [list(r) for r in clean[name].iter_rows(values_only=True)]
        marked = [list(r) for r in draft[name].iter_rows(values_only=True)]
        assert marked[0][0] == "UTKAST – EJ KONTROLLERAD"
        assert marked[1:] == rows
        # Every table row is on the sheet, with no gap before the last figure.
        body = rows[4:]
        gap = next((i for i, r in enumerate(body) if r[0] is None), len(body))
        assert not any(isinstance(v, int | float) for r in body[gap:] for v in r), name
