"""One self-contained HTML page (WCAG 2.1 AA): no external resources, Swedish, printable.

Tables have a caption (title and unit), header cells with ``scope``, row headers
for the labels; notes are linked both ways (reference → note, note → first
reference); charts are inline SVG with a text alternative and their numbers in
a table beside them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from functools import cache
from html import escape
from importlib.resources import files

from bokslut.document import (
    DRAFT_MARK,
    Block,
    Chart,
    ChartPlacement,
    Document,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Styled,
    TablePlacement,
    Text,
)
from bokslut.render.charts import chart_svg
from bokslut.render.tables import TableView, table_view
from bokslut.table import Rounded

# Tables with more columns than this scroll inside their own region on a narrow screen.
WIDE_COLUMNS = 3
# Or whose longest words (one a column: "2024-01-01–2024-08-31") add up to more than this
# many characters, about the width of a phone's screen.
WIDE_CHARS = 36
# Tables of up to this many rows are kept on one printed page.
SHORT_ROWS = 15
SYMBOL_FONT = "Bokslut symboler"


@cache
def font_face_css() -> str:
    """The symbol font (a DejaVu Sans subset, see scripts/html-symboler) as a data: URI.

    Only the status and arrow symbols come from it (``unicode-range``), so ◐ ● ○ look
    the same on every machine while the text keeps the reader's serif; a data: URI
    works from the file system, with no server or CDN.
    """
    data = files("bokslut.render").joinpath("fonts/bokslut-symboler.woff2").read_bytes()
    uri = data_uri("font/woff2", data)
    return (
        f'@font-face {{ font-family: "{SYMBOL_FONT}"; src: url({uri}) format("woff2"); '
        "unicode-range: U+21A9, U+25B2, U+25BC, U+25CB, U+25CF, U+25D0-25D1, U+2713, U+2717; "
        "font-display: block; }\n"
    )


CSS = """
:root { --text: #1a1a1a; --muted: #4a4a4a; --rule: #9a9a9a; --accent: #1f4e79; --link: #0b57a4; }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; color: var(--text); background: #fff;
  font-family: "Bokslut symboler", "Source Serif 4", "Libertinus Serif", Georgia, "Times New Roman", serif;
  line-height: 1.55; }
.sidan { max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem 4rem; }
a { color: var(--link); }
a:focus, a:hover { outline: 2px solid var(--accent); outline-offset: 2px; }
.hoppa { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.hoppa:focus { left: 1rem; }
.dold { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
h1, h2, h3, h4, .dokumenttitel {
  font-family: "Bokslut symboler", "Source Sans 3", "Segoe UI", Arial, sans-serif;
  color: var(--accent); line-height: 1.25; }
h1 { font-size: 1.9rem; margin: 3rem 0 1rem; border-bottom: 2px solid var(--accent);
  padding-bottom: .3rem; }
h2 { font-size: 1.4rem; margin: 2.2rem 0 .6rem; }
h3 { font-size: 1.15rem; margin: 1.6rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
.titelsida { padding: 4rem 0 2rem; border-bottom: 1px solid var(--rule); }
.titelsida .org { font-size: 1.2rem; color: var(--muted); margin: 0; }
.dokumenttitel { font-size: 2.6rem; margin: .3rem 0; font-weight: 700; }
.titelsida .period { margin: 0; color: var(--muted); }
.titelsida .logotyp { display: block; max-height: 6rem; max-width: 60%; margin-bottom: 2rem; }
.titelsida .tillagg { margin: 0.2rem 0 0; color: var(--muted); }
.titelsida .beslut { margin: 2rem 0 0; }
nav.innehall ol { list-style: none; padding-left: 0; }
nav.innehall ol ol { padding-left: 1.2rem; }
nav.innehall li { margin: .15rem 0; }
.innehall-rubrik { font-weight: 700; font-size: 1.2rem; margin-top: 2rem; }
figure { margin: 1.5rem 0; }
.rull { overflow-x: auto; max-width: 100%;
  /* Shadows at an edge with more columns behind it, so a reader sees the table scrolls. */
  background: linear-gradient(to right, #fff 30%, rgba(255, 255, 255, 0)) left / 2rem 100% no-repeat local,
    linear-gradient(to left, #fff 30%, rgba(255, 255, 255, 0)) right / 2rem 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0, 0, 0, .2), transparent) left / .7rem 100% no-repeat
    scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0, 0, 0, .2), transparent) right / .7rem 100% no-repeat
    scroll; }
.rull th[scope=row] { min-width: 10rem; }
/* On a wide screen a wide table steps out of the text column rather than scroll. */
@media (min-width: 60rem) {
  .rull { --bredd: min(calc(100vw - 4rem), 72rem); width: var(--bredd); max-width: none;
    margin-left: calc((100% - var(--bredd)) / 2); }
}
.rull:focus { outline: 2px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums lining-nums;
  font-size: .92rem; }
caption { caption-side: top; text-align: left; font-weight: 700; padding-bottom: .35rem; }
caption .enhet { font-weight: 400; color: var(--muted); margin-left: .5rem; }
caption a.tillbaka { font-weight: 400; margin-left: .5rem; font-size: .85rem; }
thead th { border-bottom: 1.5px solid var(--text); font-weight: 700; vertical-align: bottom; }
th, td { padding: .22rem .5rem; text-align: left; }
th[scope=row] { font-weight: 400; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.not { white-space: nowrap; color: var(--muted); font-size: .85rem; }
tbody tr { border-bottom: .5px solid #d6d6d6; }
tr.subtotal th, tr.subtotal td, tr.total th, tr.total td, tr.heading th { font-weight: 700; }
tr.subtotal { border-top: 1px solid var(--rule); }
tr.total { border-top: 1.5px solid var(--text); border-bottom: 1.5px solid var(--text); }
tr.niva1 th[scope=row] { padding-left: 1.3rem; }
tr.niva2 th[scope=row] { padding-left: 2.3rem; }
.fotnot { font-size: .85rem; color: var(--muted); margin: .3rem 0 0; }
figure.diagram svg { max-width: 100%; height: auto; display: block; }
figure.diagram figcaption { font-weight: 700; margin-bottom: .4rem; }
figure.diagram table { margin-top: .6rem; font-size: .85rem; }
.siffra { white-space: nowrap; }
img.bild { max-width: 100%; height: auto; vertical-align: middle; }
blockquote { border-left: 3px solid var(--rule); margin-left: 0; padding-left: 1rem;
  color: var(--muted); }
@media (max-width: 30rem) {
  .sidan { padding: .75rem .9rem 3rem; }
  h1 { font-size: 1.55rem; margin-top: 2rem; }
  .dokumenttitel { font-size: 2rem; }
  table { font-size: .85rem; }
  th, td { padding: .2rem .35rem; }
}
@media print {
  @page { size: A4; margin: 20mm 18mm 22mm;
    @bottom-center { content: "Sida " counter(page) " av " counter(pages);
      font: 9pt "Source Sans 3", Arial, sans-serif; color: #4a4a4a; } }
  @page :first { @bottom-center { content: none; } }
  body { font-size: 10.5pt; }
  p, li { orphans: 3; widows: 3; }
  .sidan { max-width: none; padding: 0; }
  .hoppa, a.tillbaka, nav.webb, form.sok { display: none; }
  a { color: inherit; text-decoration: none; }
  .rull { overflow: visible; background: none; width: auto; margin-left: 0; }
  .rull th[scope=row] { min-width: 0; }
  h1 { break-before: page; }
  h1, h2, h3, h4, caption, figcaption { break-after: avoid; break-inside: avoid; }
  thead { display: table-header-group; }
  tr, figure.kort, figure.diagram svg, figure.diagram table { break-inside: avoid; }
  figure.diagram figcaption, figure.diagram svg { break-after: avoid; }
  .rull table { font-size: 9pt; }
  /* A long table never starts or ends with one or two lonely rows on a page. */
  caption, thead { break-after: avoid; }
  tbody tr:nth-child(-n+3) { break-before: avoid; }
  tbody tr:nth-last-child(-n+2) { break-before: avoid; }
  .titelsida { break-after: page; border: 0; padding-top: 30%; }
  nav.innehall { break-after: page; }
}
"""


# Only in a draft: a banner at the top of the screen page and on every printed page.
DRAFT_CSS = """
.utkast { background: #fde8e8; color: #8a1010; border: 2px solid #8a1010; font-weight: 700;
  font-family: "Source Sans 3", "Segoe UI", Arial, sans-serif; text-align: center;
  padding: .4rem; margin: 0; letter-spacing: .05em; position: sticky; top: 0; z-index: 1; }
@media print {
  .utkast { position: static; }
  @page { @top-center { content: "UTKAST – EJ KONTROLLERAD"; color: #8a1010; font-weight: 700; } }
}
"""


class HtmlWriter:
    """Renders blocks to HTML; one writer per document keeps ids unique across pages."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.first_ref: set[str] = set()
        # A web page that begins at a section (h2) shows its headings one level up.
        self.heading_offset = 0
        # The web application links each figure to its drill-down page: (table, row, column)
        # of a table cell, or a figure's ref, to a URL (None: no link). Files carry no links.
        self.cell_href: Callable[[str, str, str], str | None] | None = None
        self.figure_href: Callable[[str], str | None] | None = None

    def ref_id(self, note_number: int) -> str:
        """An id for the first reference to a note (the target of the note's back link)."""
        key = f"ref-not-{note_number}"
        if key in self.first_ref:
            return ""
        self.first_ref.add(key)
        return f' id="{key}"'

    def inline(self, runs: tuple[Inline, ...]) -> str:
        out: list[str] = []
        for r in runs:
            if isinstance(r, Text):
                out.append(escape(r.text, quote=False))
            elif isinstance(r, Styled):
                tag = {"strong": "strong", "em": "em"}.get(r.style, "code")
                out.append(f"<{tag}>{self.inline(r.children)}</{tag}>")
            elif isinstance(r, Link):
                out.append(f'<a href="{escape(r.href)}">{self.inline(r.children)}</a>')
            elif isinstance(r, Figure):
                span = f'<span class="siffra" data-ref="{escape(r.ref)}">{escape(r.text)}</span>'
                href = self.figure_href(r.ref) if self.figure_href is not None else None
                out.append(f'<a class="harled" href="{escape(href)}">{span}</a>' if href else span)
            elif isinstance(r, NoteRef):
                out.append(f'<a href="#not-{r.number}"{self.ref_id(r.number)}>not {r.number}</a>')
            elif isinstance(r, LineBreak):
                out.append("<br>")
            elif isinstance(r, Image):
                out.append(f'<img class="bild" src="{data_uri(r.media_type, r.data)}" alt="{escape(r.alt)}">')
        return "".join(out)

    def blocks(self, blocks: tuple[Block, ...]) -> str:
        return "\n".join(self.block(b) for b in blocks)

    def block(self, b: Block) -> str:
        if isinstance(b, Heading):
            level = max(1, min(b.level - self.heading_offset, 6))
            return f'<h{level} id="{b.anchor}">{self.inline(b.runs)}</h{level}>'
        if isinstance(b, Paragraph):
            return f"<p>{self.inline(b.runs)}</p>"
        if isinstance(b, ListBlock):
            tag = "ol" if b.ordered else "ul"
            start = f' start="{b.start}"' if b.ordered and b.start != 1 else ""
            items = "".join(f"<li>{self._item(item)}</li>" for item in b.items)
            return f"<{tag}{start}>{items}</{tag}>"
        if isinstance(b, Quote):
            return f"<blockquote>{self.blocks(b.blocks)}</blockquote>"
        if isinstance(b, TablePlacement):
            return self.table(b)
        assert isinstance(b, ChartPlacement)
        return self.chart(b.chart)

    def _item(self, blocks: tuple[Block, ...]) -> str:
        if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
            return self.inline(blocks[0].runs)
        return self.blocks(blocks)

    def table(self, p: TablePlacement) -> str:
        back = ""
        if p.note_number is not None:
            back = (
                f' <a class="tillbaka" href="#ref-not-{p.note_number}" '
                f'aria-label="Tillbaka till första hänvisningen till not {p.note_number}">↩</a>'
            )
        short = " kort" if len(p.rounded.table.rows) <= SHORT_ROWS else ""
        return (
            f'<figure class="tabell{short}" id="{p.anchor}">'
            + self.table_html(p.rounded, p.title, f"rubrik-{p.anchor}", p.note_numbers, back)
            + "</figure>"
        )

    def table_html(
        self,
        rounded: Rounded,
        title: str,
        caption_id: str,
        note_numbers: Mapping[str, int] | None = None,
        back: str = "",
    ) -> str:
        view = table_view(rounded, note_numbers)
        unit = f'<span class="enhet">{escape(view.unit_text)}</span>' if view.unit_text else ""
        label = escape(view.label_header) or '<span class="dold">Post</span>'
        head = [f'<th scope="col">{label}</th>']
        if view.has_notes:
            head.append('<th scope="col">Not</th>')
        for text, numeric in zip(view.headers, view.numeric_columns, strict=True):
            cls = ' class="num"' if numeric else ""
            head.append(f'<th scope="col"{cls}>{escape(text)}</th>')
        body: list[str] = []
        for r in view.rows:
            classes = [r.kind.value] + ([f"niva{min(r.level, 2)}"] if r.level else [])
            cells = [f'<th scope="row">{escape(r.label)}</th>']
            if view.has_notes:
                note = ""
                if r.note_number is not None:
                    n = r.note_number
                    note = f'<a href="#not-{n}"{self.ref_id(n)}>Not&nbsp;{n}</a>'
                cells.append(f'<td class="not">{note}</td>')
            for column, c in zip(rounded.table.columns, r.cells, strict=True):
                cls = ' class="num"' if c.numeric else ""
                text = escape(c.text)
                link = self.cell_href
                href = link(rounded.table.id, r.id, column.id) if link is not None and c.text else None
                if href:
                    text = f'<a class="harled" href="{escape(href)}">{text}</a>'
                cells.append(f"<td{cls}>{text}</td>")
            body.append(f'<tr class="{" ".join(classes)}">{"".join(cells)}</tr>')
        foot = "".join(f'<p class="fotnot">{escape(f)}</p>' for f in view.footnotes)
        table = (
            f'<table><caption id="{caption_id}">{escape(title)}{unit}{back}</caption>'
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        if len(head) > WIDE_COLUMNS or not all(view.numeric_columns) or _unbreakable(view) > WIDE_CHARS:
            # A wide table scrolls in its own region on a phone instead of the whole page;
            # the region is named by the caption and reachable by keyboard.
            table = (
                f'<div class="rull" role="region" aria-labelledby="{caption_id}" tabindex="0">{table}</div>'
            )
        return table + foot

    def chart(self, c: Chart) -> str:
        svg = chart_svg(c, "Georgia, serif")
        data = self.table_html(
            c.data,
            f"Siffrorna i diagrammet{' (' + c.unit_label + ')' if c.unit_label else ''}",
            f"rubrik-{c.anchor}-siffror",
        )
        return (
            f'<figure class="diagram" id="{c.anchor}"><figcaption>{escape(c.title)}</figcaption>'
            f"{svg}{data}</figure>"
        )

    def toc(self, href: Mapping[str, str] | None = None) -> str:
        """The table of contents; ``href`` maps an anchor to its link on another page."""
        items: list[str] = []
        open_sub = False
        for h in self.doc.headings(max_level=2):
            target = href[h.anchor] if href is not None else f"#{h.anchor}"
            link = f'<a href="{escape(target)}">{escape(h.text)}</a>'
            if h.level == 1:
                if open_sub:
                    items.append("</ol></li>")
                    open_sub = False
                elif items:
                    items.append("</li>")
                items.append(f"<li>{link}")
            else:
                if not open_sub:
                    items.append("<ol>")
                    open_sub = True
                items.append(f"<li>{link}</li>")
        if open_sub:
            items.append("</ol></li>")
        elif items:
            items.append("</li>")
        return (
            '<nav class="innehall" aria-labelledby="innehall-rubrik">'
            '<p class="innehall-rubrik" id="innehall-rubrik">Innehåll</p>'
            f"<ol>{''.join(items)}</ol></nav>"
        )


def page_html(doc: Document, title: str, body: str, head: str = "") -> bytes:
    """A whole page: the Swedish shell, the style sheet with its embedded font, the draft mark."""
    draft = f'<p class="utkast" role="note">{escape(DRAFT_MARK)}</p>\n' if doc.draft else ""
    page = f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bokslut">
<title>{escape(title)}</title>
<style>{font_face_css()}{CSS}{DRAFT_CSS if doc.draft else ""}</style>
{head}</head>
<body>
{draft}<a class="hoppa" href="#innehall-start">Hoppa till innehållet</a>
<div class="sidan">
{body}
</div>
</body>
</html>
"""
    return page.encode("utf-8")


def data_uri(media_type: str, data: bytes) -> str:
    """Bytes embedded in the page, so the single file and the site work without the workspace."""
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


LOGO_MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml"}


def title_page_html(doc: Document, tag: str = "p") -> str:
    """Logo, organisation (with its tagline), title, period and the decision line."""
    tp = doc.title_page
    logo = ""
    if tp.logo is not None:
        # An <img> never runs an SVG's scripts, so a workspace's SVG is safe to embed this way.
        uri = data_uri(LOGO_MEDIA_TYPES[tp.logo.format], tp.logo.data)
        logo = f'<img class="logotyp" src="{uri}" alt="{escape(tp.logo.alt)}">\n'
    tagline = f'<p class="tillagg">{escape(tp.tagline)}</p>\n' if tp.tagline else ""
    decision = f'\n<p class="beslut">{escape(tp.decision)}</p>' if tp.decision else ""
    return f"""<header class="titelsida">
{logo}<p class="org">{escape(tp.organisation)}</p>
{tagline}<{tag} class="dokumenttitel">{escape(tp.title)}</{tag}>
<p class="period">{escape(tp.subtitle)}</p>{decision}
</header>"""


def render_html(doc: Document) -> bytes:
    w = HtmlWriter(doc)
    tp = doc.title_page
    chapters = "\n".join(f'<section class="kapitel">{w.blocks(ch.blocks)}</section>' for ch in doc.chapters)
    body = f"""{title_page_html(doc)}
{w.toc()}
<main id="innehall-start">
{chapters}
</main>"""
    return page_html(doc, f"{tp.title} – {tp.organisation}", body)


def _unbreakable(view: TableView) -> int:
    """The characters of the longest word of each column together: the table's least width."""
    columns = [[view.label_header, *(r.label for r in view.rows)]]
    columns += [[h, *(r.cells[j].text for r in view.rows)] for j, h in enumerate(view.headers)]
    return sum(max((len(w) for t in texts for w in t.split()), default=0) for texts in columns)
