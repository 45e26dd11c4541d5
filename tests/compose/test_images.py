"""Pictures in chapters: read from the workspace with their alt text, or a Swedish finding."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

from bokslut.compose.chapters import compose
from bokslut.compose.images import MAX_IMAGE_BYTES
from bokslut.diagnostics import BokslutError
from bokslut.document import Image
from bokslut.render.html import render_html
from bokslut.render.html_site import render_site
from bokslut.render.json import render_json
from bokslut.report_data import ReportData

_path = Path(__file__).resolve().parents[1] / "render" / "sample_report.py"
_spec = importlib.util.spec_from_file_location("bokslut_sample_report_images", _path)
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)
DATA = ReportData.merge(sample.parts())


@pytest.fixture
def root(tmp_path):
    (tmp_path / "text").mkdir()
    (tmp_path / "bilder").mkdir()
    (tmp_path / "bilder" / "logga.png").write_bytes(sample.png())
    return tmp_path


def build(root, text):
    return compose([("text/01.md", text)], DATA, sample.title_page(), root)


def errors(root, text):
    with pytest.raises(BokslutError) as info:
        build(root, text)
    return [f.format() for f in info.value.findings]


def test_a_picture_is_read_with_its_alt_text(root):
    doc = build(root, "# Inledning\n\n![Förbundets logga](../bilder/logga.png)")
    (image,) = [r for r in doc.chapters[0].blocks[1].runs if isinstance(r, Image)]
    assert (image.alt, image.media_type, image.data) == ("Förbundets logga", "image/png", sample.png())


def test_the_html_embeds_the_picture_so_the_file_stands_alone(root):
    doc = build(root, "# Inledning\n\n![Förbundets logga](../bilder/logga.png)")
    for page in (render_html(doc), render_site(doc)["inledning.html"]):
        (img,) = lxml_html.fromstring(page).xpath("//main//img")
        assert img.get("alt") == "Förbundets logga"
        assert img.get("src").startswith("data:image/png;base64,iVBORw0KGgo")


def test_a_picture_without_alt_text_is_an_error_naming_chapter_and_line(root):
    (found,) = errors(root, "# Inledning\n\nText.\n\n![](../bilder/logga.png)")
    assert found == (
        "text/01.md:5: fel: bilden '../bilder/logga.png' saknar alternativtext – skriv vad bilden "
        "visar inom hakparenteserna, t.ex. ![Förbundets logga](../bilder/logga.png)"
    )


def test_a_missing_picture_says_where_it_was_looked_for(root):
    (found,) = errors(root, "![Karta](bilder/karta.png)")
    assert found.startswith(
        "text/01.md:1: fel: bilden 'bilder/karta.png' finns inte (sökte text/bilder/karta.png)"
    )


def test_an_svg_is_refused_with_a_hint(root):
    (root / "bilder" / "karta.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    (found,) = errors(root, "![Karta](../bilder/karta.svg)")
    assert "är en SVG-fil; spara den som PNG eller JPEG" in found


def test_a_text_file_named_png_is_not_a_picture(root):
    (root / "bilder" / "falsk.png").write_text("inte en bild")
    (found,) = errors(root, "![Falsk](../bilder/falsk.png)")
    assert found.endswith(
        "bilden '../bilder/falsk.png' är varken PNG eller JPEG; spara den i något av de formaten"
    )


def test_a_too_large_picture_is_refused(root):
    (root / "bilder" / "stor.png").write_bytes(sample.png() + b"\x00" * MAX_IMAGE_BYTES)
    (found,) = errors(root, "![Stor](../bilder/stor.png)")
    assert "är större än 2 MB" in found


def test_a_link_out_of_the_workspace_is_refused(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("ute") / "hemlig.png"
    outside.write_bytes(sample.png())
    (root / "bilder" / "lank.png").symlink_to(outside)
    (found,) = errors(root, "![Länk](../bilder/lank.png)")
    assert "utanför arbetsytan" in found


def test_the_json_names_the_picture_and_its_alt_text(root):
    doc = build(root, "# Inledning\n\n![Förbundets logga](../bilder/logga.png)")
    paragraph = json.loads(render_json(doc))["chapters"][0]["blocks"][1]
    assert {"image": "../bilder/logga.png", "alt": "Förbundets logga", "media_type": "image/png"} in (
        paragraph["content"]
    )
