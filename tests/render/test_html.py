from dataclasses import replace

from lxml import html as lxml_html

from bokslut.document import Logo
from bokslut.render.html import render_html


def _page(doc):
    return lxml_html.fromstring(render_html(doc))


def test_page_is_swedish_with_title_and_toc(doc):
    page = _page(doc)
    assert page.get("lang") == "sv"
    assert page.findtext(".//title") == "Årsredovisning 2023 – Kommunalförbundet Lystkom"
    toc = page.xpath("//nav[@aria-labelledby='innehall-rubrik']//a/@href")
    headings = page.xpath("//h1/@id | //h2/@id")
    assert toc == [f"#{h}" for h in headings]


def test_tables_have_caption_and_scoped_headers(doc):
    page = _page(doc)
    tables = page.xpath("//table")
    assert len(tables) > 10
    for t in tables:
        assert t.find("caption") is not None and t.find("caption").text_content().strip()
        assert all(th.get("scope") in {"col", "row"} for th in t.iter("th"))
        assert t.xpath(".//thead//th[@scope='col']")
    rr = page.xpath("//figure[@id='tabell-resultatrakning']//table")[0]
    assert "Belopp i tkr" in rr.find("caption").text_content()
    total = rr.xpath(".//tr[contains(@class,'total')]")[-1]
    assert [c.text_content() for c in total] == ["Årets resultat", "", "1\u00a0376", "1\u00a0441"]


def test_notes_are_linked_both_ways(doc):
    page = _page(doc)
    note = page.get_element_by_id("not-1")
    back = note.xpath(".//a[@class='tillbaka']/@href")[0]
    assert back == "#ref-not-1"
    first_ref = page.get_element_by_id("ref-not-1")
    assert first_ref.get("href") == "#not-1"
    hrefs = set(page.xpath("//a/@href"))
    ids = set(page.xpath("//@id"))
    assert {h[1:] for h in hrefs if h.startswith("#")} <= ids


def test_numbers_use_real_minus_and_no_break_spaces(doc):
    text = render_html(doc).decode()
    assert "\u2212268" in text  # Kundtjänst's result, real minus
    assert "-268" not in text


def test_self_contained_no_external_resources(doc):
    page = _page(doc)
    for attr in ("src", "href"):
        for value in page.xpath(f"//@{attr}"):
            assert value.startswith("#"), value
    assert not page.xpath("//script") and not page.xpath("//link")
    assert b"http" not in render_html(doc).replace(b"http://www.w3.org/2000/svg", b"")


def test_charts_have_text_alternative_and_data_table(doc):
    page = _page(doc)
    charts = page.xpath("//figure[@class='diagram']")
    assert len(charts) == 3
    for fig in charts:
        svg = fig.xpath(".//*[local-name()='svg']")[0]
        assert svg.get("role") == "img"
        title = svg.xpath(".//*[local-name()='title']")[0].text
        assert title and "diagram" in title.lower()
        assert fig.xpath(".//table/caption")


def test_wide_tables_scroll_in_a_region_named_by_their_caption(doc):
    page = _page(doc)
    regions = page.xpath("//div[@class='rull']")
    assert regions
    for region in regions:
        assert (region.get("role"), region.get("tabindex")) == ("region", "0")
        (caption,) = region.xpath("./table/caption")
        assert caption.get("id") == region.get("aria-labelledby")
    for table in page.xpath("//table"):
        columns = len(table.xpath("./thead/tr/th"))
        assert (table.getparent().get("class") == "rull") == bool(
            columns > 3 or table.xpath(".//td[not(@class)]")
        )


def test_the_symbols_come_from_an_embedded_font(doc):
    style = _page(doc).findtext(".//style")
    assert '@font-face { font-family: "Bokslut symboler"; src: url(data:font/woff2;base64,' in style
    assert "U+25D0-25D1" in style  # ◐ ◑
    assert 'font-family: "Bokslut symboler", "Source Serif 4"' in style


def test_printed_pages_are_numbered_and_short_tables_marked_unbreakable(doc):
    page = _page(doc)
    assert '"Sida " counter(page) " av " counter(pages)' in page.findtext(".//style")
    short = page.xpath("//figure[contains(@class, 'kort')]")
    assert short
    assert all(len(f.xpath(".//tbody/tr")) <= 15 for f in short)


def test_the_title_page_carries_logo_tagline_and_decision(doc):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10"/></svg>'
    cover = replace(
        doc.title_page,
        tagline="för Lekebergs kommun",
        decision="Beslutad av direktionen 2024-03-01 § 2",
        logo=Logo(svg, "svg", "Kommunalförbundet Lystkoms logotyp"),
    )
    header = _page(replace(doc, title_page=cover)).xpath("//header[@class='titelsida']")[0]
    parts = header.xpath("./*[not(self::img)]")
    texts = [(e.get("class"), " ".join(e.text_content().split())) for e in parts]
    assert texts == [
        ("org", "Kommunalförbundet Lystkom"),
        ("tillagg", "för Lekebergs kommun"),
        ("dokumenttitel", "Årsredovisning 2023"),
        ("period", "Räkenskapsåret 1 januari – 31 december 2023"),
        ("beslut", "Beslutad av direktionen 2024-03-01 § 2"),
    ]
    img = header.xpath("./img")[0]
    assert img.get("alt") == "Kommunalförbundet Lystkoms logotyp"
    assert img.get("src").startswith("data:image/svg+xml;base64,")
    plain = _page(doc).xpath("//header[@class='titelsida']")[0]
    assert plain.xpath("./img | ./p[@class='beslut'] | ./p[@class='tillagg']") == []
