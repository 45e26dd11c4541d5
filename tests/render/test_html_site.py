"""The web site: one page per chapter, links that cross pages, a search index with the tables' text."""

from __future__ import annotations

import json

from lxml import html as lxml_html

from bokslut.render.html_site import render_site


def _pages(doc):
    files = render_site(doc)
    return files, {n: lxml_html.fromstring(b) for n, b in files.items() if n.endswith(".html")}


def test_a_start_page_a_page_per_chapter_and_a_search(doc):
    files, pages = _pages(doc)
    assert list(files) == [
        "index.html",
        "forvaltningsberattelse.html",
        "finansiella-rapporter.html",
        "sok.html",
        "sok.js",
    ]
    for page in pages.values():
        assert page.get("lang") == "sv"
        assert len(page.xpath("//h1")) >= 1
        assert page.xpath("//a[@href='index.html']") and page.xpath("//a[@href='sok.html']")
    chapter = pages["forvaltningsberattelse.html"]
    assert chapter.findtext(".//title") == (
        "Förvaltningsberättelse – Årsredovisning 2023 – Kommunalförbundet Lystkom"
    )
    assert chapter.xpath("//a[@rel='next']/@href") == ["finansiella-rapporter.html"] * 2
    assert (
        pages["finansiella-rapporter.html"].xpath("//a[@rel='prev']/@href")[0]
        == "forvaltningsberattelse.html"
    )


def test_every_link_lands_on_an_id_of_the_page_it_names(doc):
    files, pages = _pages(doc)
    ids = {name: set(page.xpath("//@id")) for name, page in pages.items()}
    crossing = 0
    for name, page in pages.items():
        for href in page.xpath("//a/@href"):
            target, _, anchor = href.partition("#")
            target = target or name
            assert target in files, href
            if anchor:
                assert anchor in ids[target], (name, href)
                crossing += target != name
    assert crossing > 0  # a note referred to in one chapter and placed in another


def test_the_search_index_holds_text_and_every_cell(doc):
    files, _ = _pages(doc)
    script = files["sok.js"].decode()
    prefix = "window.BOKSLUT_SOK = "
    index = json.loads(script[len(prefix) : script.index(";\n")])
    result = next(e for e in index if e["u"] == "finansiella-rapporter.html#tabell-resultatrakning")
    assert "Årets resultat" in result["x"] and "1\u00a0376" in result["x"]
    assert any("Förvaltningsberättelse" in e["t"] for e in index)
    assert "textContent" in script and "innerHTML" not in script  # hits are written as text
