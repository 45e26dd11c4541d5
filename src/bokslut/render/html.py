"""One self-contained HTML page (WCAG 2.1 AA): no external resources, Swedish, printable.

Tables have a caption (title and unit), header cells with ``scope``, row headers
for the labels; notes are linked both ways (reference → note, note → first
reference); charts are inline SVG with a text alternative and their numbers in
a table beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from bokslut.document import (
    DRAFT_MARK,
    Block,
    Chart,
    ChartPlacement,
    Document,
    Figure,
    Heading,
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
from bokslut.render.tables import table_view
from bokslut.table import Rounded

CSS = """
:root { --text: #1a1a1a; --muted: #4a4a4a; --rule: #9a9a9a; --accent: #1f4e79; --link: #0b57a4; }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; color: var(--text); background: #fff;
  font-family: "Source Serif 4", "Libertinus Serif", Georgia, "Times New Roman", serif;
  line-height: 1.55; }
.sidan { max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem 4rem; }
a { color: var(--link); }
a:focus, a:hover { outline: 2px solid var(--accent); outline-offset: 2px; }
.hoppa { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.hoppa:focus { left: 1rem; }
.dold { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
h1, h2, h3, h4, .dokumenttitel { font-family: "Source Sans 3", "Segoe UI", Arial, sans-serif;
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
nav.innehall ol { list-style: none; padding-left: 0; }
nav.innehall ol ol { padding-left: 1.2rem; }
nav.innehall li { margin: .15rem 0; }
.innehall-rubrik { font-weight: 700; font-size: 1.2rem; margin-top: 2rem; }
figure { margin: 1.5rem 0; }
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
blockquote { border-left: 3px solid var(--rule); margin-left: 0; padding-left: 1rem;
  color: var(--muted); }
@media print {
  @page { size: A4; margin: 20mm 18mm 22mm; }
  body { font-size: 10.5pt; }
  .sidan { max-width: none; padding: 0; }
  .hoppa, a.tillbaka { display: none; }
  a { color: inherit; text-decoration: none; }
  h1 { break-before: page; }
  h1, h2, h3, caption { break-after: avoid; }
  tr, figure.diagram { break-inside: avoid; }
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


class _Writer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.first_ref: set[str] = set()

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
                out.append(f'<span class="siffra" data-ref="{escape(r.ref)}">{escape(r.text)}</span>')
            elif isinstance(r, NoteRef):
                out.append(f'<a href="#not-{r.number}"{self.ref_id(r.number)}>not {r.number}</a>')
            elif isinstance(r, LineBreak):
                out.append("<br>")
        return "".join(out)

    def blocks(self, blocks: tuple[Block, ...]) -> str:
        return "\n".join(self.block(b) for b in blocks)

    def block(self, b: Block) -> str:
        if isinstance(b, Heading):
            level = min(b.level, 6)
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
        return (
            f'<figure class="tabell" id="{p.anchor}">'
            + self.table_html(p.rounded, p.title, p.note_numbers, back)
            + "</figure>"
        )

    def table_html(
        self,
        rounded: Rounded,
        title: str,
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
            for c in r.cells:
                cls = ' class="num"' if c.numeric else ""
                cells.append(f"<td{cls}>{escape(c.text)}</td>")
            body.append(f'<tr class="{" ".join(classes)}">{"".join(cells)}</tr>')
        foot = "".join(f'<p class="fotnot">{escape(f)}</p>' for f in view.footnotes)
        return (
            f"<table><caption>{escape(title)}{unit}{back}</caption>"
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}"
        )

    def chart(self, c: Chart) -> str:
        svg = chart_svg(c, "Georgia, serif")
        data = self.table_html(
            c.data, f"Siffrorna i diagrammet{' (' + c.unit_label + ')' if c.unit_label else ''}"
        )
        return (
            f'<figure class="diagram" id="{c.anchor}"><figcaption>{escape(c.title)}</figcaption>'
            f"{svg}{data}</figure>"
        )

    def toc(self) -> str:
        items: list[str] = []
        open_sub = False
        for h in self.doc.headings(max_level=2):
            link = f'<a href="#{h.anchor}">{escape(h.text)}</a>'
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


def render_html(doc: Document) -> bytes:
    w = _Writer(doc)
    tp = doc.title_page
    chapters = "\n".join(f'<section class="kapitel">{w.blocks(ch.blocks)}</section>' for ch in doc.chapters)
    draft = f'<p class="utkast" role="note">{escape(DRAFT_MARK)}</p>\n' if doc.draft else ""
    page = f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bokslut">
<title>{escape(tp.title)} – {escape(tp.organisation)}</title>
<style>{CSS}{DRAFT_CSS if doc.draft else ""}</style>
</head>
<body>
{draft}<a class="hoppa" href="#innehall-start">Hoppa till innehållet</a>
<div class="sidan">
<header class="titelsida">
<p class="org">{escape(tp.organisation)}</p>
<p class="dokumenttitel">{escape(tp.title)}</p>
<p class="period">{escape(tp.subtitle)}</p>
</header>
{w.toc()}
<main id="innehall-start">
{chapters}
</main>
</div>
</body>
</html>
"""
    return page.encode("utf-8")
