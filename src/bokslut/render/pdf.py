"""Tagged PDF (PDF/UA-1) through Typst: title page, contents, page numbers, running headers.

The document is written as Typst source from the document model and compiled
in-process by the pinned ``typst`` package with only its embedded fonts
(Libertinus Serif), so the PDF is the same on every machine and the build
never touches the network. All user text goes in as Typst string literals
(``#"…"``), so nothing a writer types can be read as Typst markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import typst

from bokslut.diagnostics import BokslutError
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
    TitlePage,
    plain_text,
)
from bokslut.render.charts import chart_svg
from bokslut.render.docx_columns import TWIPS_PER_PT, ColumnPlan, longest_word_twips, plan_columns, text_twips
from bokslut.render.numbers import format_number
from bokslut.render.pdf_tags import mark_row_headers
from bokslut.render.tables import TableView, table_view
from bokslut.render.typst_values import typst_bytes, typst_text_or_bytes
from bokslut.render.typst_values import typst_string as _s
from bokslut.table import Rounded, RowKind

FONT = "Libertinus Serif"
BODY_SIZE = 10.5  # points, as PREAMBLE sets it
TEXT_WIDTH_PT = (21.0 - 2 * 2.4) / 2.54 * 72  # A4 less the margins page() sets
# A table's labels should have room for about this many em a line before its figures get less.
LABEL_WIDTH_EM = 10
NBSP = "\u00a0"
# A table starting at a page's foot shows at least this many rows there.
MIN_ROWS_AT_FOOT = 3
# Text columns up to this many characters hold words and phrases, not sentences.
SHORT_TEXT = 24
# A longer text alternative is a chore to listen to; its chart gets a data table instead.
MAX_ALT_CHARS = 1200

PREAMBLE = """
#let accent = rgb("#1f4e79")
#let muted = rgb("#4a4a4a")
#set text(lang: "sv", region: "SE", font: "Libertinus Serif", size: 10.5pt, number-width: "tabular")
#set par(leading: 0.62em, spacing: 0.95em)
#set figure(numbering: none)
#show figure: set figure.caption(position: top)
#show figure.caption: it => block(sticky: true, width: 100%, align(left, text(weight: "bold", it.body)))
#show heading: set text(fill: accent)
#show heading.where(level: 1): it => {
  pagebreak(weak: true); v(0.6cm); text(size: 21pt, it); v(0.3cm)
}
#show heading.where(level: 2): set text(size: 14pt)
#show heading.where(level: 3): set text(size: 11.5pt)
#show heading: set block(above: 1.4em, below: 0.7em, sticky: true)
// Starts a new page when what follows (a heading with the start of its table) does
// not fit in the room left: no heading or table start stranded at a page's foot.
#let room(body) = context {
  let need = measure(block(width: page.width - 4.8cm, body)).height
  if here().position().y + need > page.height - 2.4cm { colbreak(weak: true) }
}
#show link: set text(fill: rgb("#0b57a4"))
#show outline.entry.where(level: 1): set block(above: 1em)
#show outline.entry.where(level: 1): set text(weight: "bold")
// The page number as text, not an artifact, so a screen reader reads it with the entry.
#show outline.entry: it => link(it.element.location(), it.indented(it.prefix(), {
  it.body(); box(width: 1fr, it.fill); [ ]; str(counter(page).at(it.element.location()).first())
}))
"""


IMAGE_FORMATS = {"image/png": "png", "image/jpeg": "jpg"}


class _Writer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.first_ref: set[int] = set()

    def note_link(self, number: int, text: str) -> str:
        link = f"#link(<not-{number}>)[#{_s(text)}]"
        if number not in self.first_ref:
            self.first_ref.add(number)
            link = f"#[{link}<ref-not-{number}>]"
        return link

    def inline(self, runs: tuple[Inline, ...]) -> str:
        out: list[str] = []
        for r in runs:
            if isinstance(r, Text):
                out.append(f"#{_s(r.text)}")
            elif isinstance(r, Styled):
                fn = {"strong": "strong", "em": "emph"}.get(r.style)
                if fn is None:
                    out.append(f"#raw({_s(plain_text(r.children))})")
                else:
                    out.append(f"#{fn}[{self.inline(r.children)}]")
            elif isinstance(r, Link):
                out.append(f"#link({_s(r.href)})[{self.inline(r.children)}]")
            elif isinstance(r, Figure):
                out.append(f"#{_s(r.text)}")
            elif isinstance(r, NoteRef):
                out.append(self.note_link(r.number, f"not {r.number}"))
            elif isinstance(r, LineBreak):
                out.append("#linebreak()")
            elif isinstance(r, Image):
                # In a box: Typst leaves a bare image out of a paragraph. A picture wider than
                # the text column is scaled down to fit it.
                fmt = IMAGE_FORMATS[r.media_type]
                out.append(f"#box(image({typst_bytes(r.data)}, format: {_s(fmt)}, alt: {_s(r.alt)}))")
        return "".join(out)

    def blocks(self, blocks: tuple[Block, ...]) -> str:
        out: list[str] = []
        for i, b in enumerate(blocks):
            # The section headings right above a table, and the paragraph that introduces it
            # under them, move with its start.
            first = i
            if i > 1 and isinstance(blocks[i - 1], Paragraph) and _section_heading(blocks[i - 2]):
                first -= 1
            while first > 0 and _section_heading(blocks[first - 1]):
                first -= 1
            introduced = first < i - 1
            probe = self.probe(b, introduced)
            if probe:
                heads = [
                    self.heading(h, labelled=False) if isinstance(h, Heading) else self.block(h)
                    for h in blocks[first:i]
                ]
                out.insert(len(out) - (i - first), f"#room[{chr(10).join([*heads, probe])}]")
            if isinstance(b, TablePlacement):
                breaks = _breaks(b, introduced)
                out.append(self.table(b.rounded, b.title, b.note_numbers, b.anchor, breakable=breaks))
            else:
                out.append(self.block(b))
        return "\n\n".join(out)

    def heading(self, b: Heading, labelled: bool = True) -> str:
        label = f" <{b.anchor}>" if labelled else ""
        outlined = "" if labelled else "outlined: false, "
        return f"#heading({outlined}level: {min(b.level, 6)})[{self.inline(b.runs)}]{label}"

    def probe(self, b: Block, introduced: bool = False) -> str:
        """What must fit at a page's foot for ``b`` to start there ("" if nothing is checked)."""
        # A chart or a short table is one unbreakable block: it moves to the next page
        # whole, and the sticky headings above go with it. A table that may break needs
        # its start measured; a short one its whole height when a paragraph stands between
        # it and its heading, since a heading sticks only to the block right after it.
        if not isinstance(b, TablePlacement):
            return ""
        if _breaks(b, introduced):
            return self.table(b.rounded, b.title, b.note_numbers, None, probe=True)
        if introduced:
            return self.table(b.rounded, b.title, b.note_numbers, None, probe=True, rows=None)
        return ""

    def block(self, b: Block) -> str:
        if isinstance(b, Heading):
            return self.heading(b)
        if isinstance(b, Paragraph):
            return f"#par[{self.inline(b.runs)}]"
        if isinstance(b, ListBlock):
            items = ", ".join(f"[{self.blocks(item)}]" for item in b.items)
            if b.ordered:
                return f"#enum(start: {b.start}, {items})"
            return f"#list({items})"
        if isinstance(b, Quote):
            return f"#quote(block: true)[{self.blocks(b.blocks)}]"
        if isinstance(b, TablePlacement):
            return self.table(b.rounded, b.title, b.note_numbers, b.anchor)
        assert isinstance(b, ChartPlacement)
        return self.chart(b.chart)

    def table(
        self,
        rounded: Rounded,
        title: str,
        note_numbers: Mapping[str, int] | None,
        anchor: str | None,
        probe: bool = False,
        rows: int | None = MIN_ROWS_AT_FOOT,
        breakable: bool | None = None,
    ) -> str:
        """The table as a Typst figure; with ``probe``, only its caption, header and first rows
        (the least that may start at a page's foot), without links or labels."""
        view = table_view(rounded, note_numbers)
        # Fixed figure columns, so the years line up from one table to the next.
        count = len(view.headers)
        figure_width = "6em" if count <= 4 else "5.6em" if count <= 7 else "auto"
        notes_width = ["3.8em"] if view.has_notes else []
        # A text column of short words ("Uppfyllt", "Kvinna") takes its natural width;
        # one of sentences (comments, målvärden) shares the line with the label column,
        # or an "auto" column would take the whole line and squeeze the labels to a word.
        longest = [
            max((len(r.cells[j].text) for r in view.rows), default=0) for j in range(len(view.headers))
        ]

        def text_width(j: int) -> str:
            if longest[j] <= 12 and len(view.headers[j]) <= 12:
                return "auto"
            if longest[j] <= SHORT_TEXT:
                # Words set whole ("Kommunfullmäktiges mål" over two lines, not four):
                # wide enough for the longest word, so none runs into the next column.
                return f"{max(longest_word[j], 8) * 0.47 + 0.6:.1f}em"
            return _share([r.cells[j].text for r in view.rows])

        longest_word = [
            max(
                (
                    len(w)
                    for w in [
                        *view.headers[j].split(),
                        *(w for r in view.rows for w in r.cells[j].text.split()),
                    ]
                ),
                default=0,
            )
            for j in range(len(view.headers))
        ]
        whole = [not n and longest[j] <= SHORT_TEXT for j, n in enumerate(view.numeric_columns)]

        prose = _prose(view)
        widths = [
            _share([r.label for r in view.rows]) if prose else "1fr",
            *notes_width,
            # Beside running text, figures take only the room they need.
            *(
                ("auto" if prose else figure_width) if n else text_width(j)
                for j, n in enumerate(view.numeric_columns)
            ),
        ]
        inset = "4pt"
        fitted = None if prose else _fitted(view, widths)
        if fitted is not None:
            # Too many columns for the usual widths: each as wide as its content, in smaller
            # type if need be, and the labels take the rest (measured, as in the Word file).
            widths = ["1fr", *(f"{w / TWIPS_PER_PT:.1f}pt" for w in fitted.widths[1:])]
            inset = f"{fitted.margin / TWIPS_PER_PT:g}pt"
        aligns = (
            ["left"]
            + (["left"] if view.has_notes else [])
            + ["right" if n else "left" for n in view.numeric_columns]
        )
        head = [f"[#{_s(view.label_header or '')}]"]
        if view.has_notes:
            head.append('[#"Not"]')
        head += [f"[#{_s(h)}]" for h in view.headers]
        cells: list[str] = []
        for r in view.rows[:rows] if probe else view.rows:
            strong = r.emphasised
            if r.kind is RowKind.SUBTOTAL:
                cells.append("table.hline(stroke: 0.4pt + luma(120)),")
            elif r.kind is RowKind.TOTAL:
                cells.append("table.hline(stroke: 0.8pt),")
            label = f"#{_s(r.label)}"
            if r.level:
                label = f"#pad(left: {r.level}em)[{label}]"
            row = [label]
            if view.has_notes:
                note = f"#{_s(f'Not{NBSP}{r.note_number}')}"
                if not probe and r.note_number:
                    note = self.note_link(r.note_number, f"Not{NBSP}{r.note_number}")
                row.append(note if r.note_number else "")
            row += [
                ("#text(hyphenate: false, " if whole[j] else "#(") + f"{_s(c.text)})" if c.text else ""
                for j, c in enumerate(r.cells)
            ]
            for content in row:
                cells.append(f"[#strong[{content}]]," if strong and content else f"[{content}],")
            if r.kind is RowKind.TOTAL:
                cells.append("table.hline(stroke: 0.8pt),")
        unit = (
            f' #h(0.6em) #text(weight: "regular", fill: muted)[#{_s(view.unit_text)}]'
            if view.unit_text
            else ""
        )
        foot = "".join(
            f"\n#block(above: 0.4em)[#text(size: 8.5pt, fill: muted)[#{_s(f)}]]" for f in view.footnotes
        )
        label = f" <{anchor}>" if anchor else ""
        # A short table stays on one page with its caption; a longer one may break (its
        # start is kept from a page's foot by room()), with the header row repeated, so
        # that no page is left mostly blank in front of it.
        breaks = _may_break(view) if breakable is None else breakable
        settings = "#show figure: set block(breakable: true)\n" if breaks and not probe else ""
        if prose:  # narrow columns of running text: smaller type, words may break
            # Seven columns and more beside running text need smaller type still.
            size = "8.5pt" if count >= 7 else "9.5pt"
            settings += f"#set text(size: {size}, hyphenate: true)\n"
        elif fitted is not None:  # the table in smaller type, its caption as every other
            settings += f"#show table: set text(size: {fitted.size_pt:g}pt)\n"
        # Headers are short words set whole; a word broken over lines reads badly.
        header = ", ".join(f"[#text(hyphenate: false, strong{h})]" for h in head)
        kind = "" if probe else "kind: table, "
        return (
            f"#[{settings}#figure({kind}caption: [#{_s(title)}{unit}],\n"
            f"  table(columns: ({', '.join(widths)},), align: ({', '.join(aligns)},),\n"
            f"    stroke: none,\n"
            f"    inset: (x: {inset}, y: 3.4pt),\n"
            f"    table.header({header}),\n"
            f"    table.hline(stroke: 0.8pt),\n"
            f"    {' '.join(cells)}\n"
            f"  )){label}]"
            f"{'' if probe else foot}"
        )

    def chart(self, c: Chart) -> str:
        svg = chart_svg(c, FONT)
        image = f'image(bytes({_s(svg)}), format: "svg", alt: {_s(c.alt)}, width: 100%)'
        figure = f"#figure({image}, caption: [#{_s(c.title)}]) <{c.anchor}>"
        if alt_carries_data(c):
            # On paper the chart's labels carry its figures, and a screen reader reads
            # them in the alt text: a table repeating them would say everything twice.
            return figure
        unit = f" ({c.unit_label})" if c.unit_label else ""
        data = self.table(c.data, f"Siffrorna i diagrammet{unit}", None, None)
        return f"{figure}\n\n{data}"


def _em_width(width: str, size: float) -> float | None:
    """A fixed column width in points ("6em", "12pt"), None for "auto" and shares."""
    for unit, factor in (("em", size), ("pt", 1.0)):
        if width.endswith(unit):
            return float(width.removesuffix(unit)) * factor
    return None


def _fitted(view: TableView, widths: list[str]) -> ColumnPlan | None:
    """Measured widths for a table whose usual widths would squeeze its labels, else None.

    The labels need at least their longest word (and their indentation) and, up to that,
    room for a few words a line; "auto" columns are counted at their widest entry.
    """
    cells = [[view.headers[j], *(r.cells[j].text for r in view.rows)] for j in range(len(view.headers))]
    if view.has_notes:
        cells.insert(0, ["Not", *(f"Not {r.note_number}" for r in view.rows if r.note_number)])
    taken = 0.0
    for width, texts in zip(widths[1:], cells, strict=True):
        fixed = _em_width(width, BODY_SIZE)
        if fixed is None:  # "auto": an entry on one line
            fixed = max(text_twips(t, BODY_SIZE) for t in texts) / TWIPS_PER_PT
        taken += fixed + 8  # the cell's inset on both sides
    labels = [r.label for r in view.rows]
    indent = max((r.level for r in view.rows), default=0) * BODY_SIZE
    word = max((longest_word_twips(t, BODY_SIZE) for t in labels), default=0) / TWIPS_PER_PT
    line = max((text_twips(t, BODY_SIZE) for t in labels), default=0) / TWIPS_PER_PT
    wanted = max(word, min(line, LABEL_WIDTH_EM * BODY_SIZE)) + indent + 8
    if taken + wanted <= TEXT_WIDTH_PT:
        return None
    return plan_columns(view, int(TEXT_WIDTH_PT * TWIPS_PER_PT))


def _prose(view: TableView) -> bool:
    """Whether a text column holds sentences (comments, målvärden), not words."""
    return any(
        not numeric and max((len(r.cells[j].text) for r in view.rows), default=0) > SHORT_TEXT
        for j, numeric in enumerate(view.numeric_columns)
    )


def _breaks(b: TablePlacement, introduced: bool) -> bool:
    """Whether the placed table may break over pages: a long one, or one of more than a few
    rows whose heading and introduction stand above it (all three start together, so a
    page is not left half blank in front of them)."""
    view = table_view(b.rounded, b.note_numbers)
    return _may_break(view) or (introduced and len(view.rows) > 2 * MIN_ROWS_AT_FOOT)


def _may_break(view: TableView) -> bool:
    """A longer table may break over pages (rows of running text are several lines high,
    so such a table counts as long sooner)."""
    return len(view.rows) > (4 if _prose(view) else 30)


def _share(texts: list[str]) -> str:
    """A column of running text takes a share of the free width by how much text it holds
    per row, so a column of a few comments does not squeeze the goals beside it."""
    mean = sum(len(t) for t in texts) / len(texts) if texts else 0
    return f"{min(max(mean, 24), 60) / 20:.2f}fr"


def _section_heading(b: Block) -> bool:
    """A heading below the chapter's (a chapter heading starts its own page anyway)."""
    return isinstance(b, Heading) and b.level > 1


def alt_carries_data(c: Chart) -> bool:
    """Whether the chart's text alternative states every figure of the chart (and is short
    enough to be read out); otherwise the PDF prints the chart's data table."""
    if len(c.alt) > MAX_ALT_CHARS:
        return False
    shown = (format_number(v, c.decimals) for s in c.series for v in s.values if v is not None)
    return all(text in c.alt for text in shown) and all(cat in c.alt for cat in c.categories)


def cover(tp: TitlePage) -> str:
    """The title page: logo, organisation, title, period; the decision line at the foot."""
    logo = ""
    top = "6cm"
    if tp.logo is not None:
        data = typst_text_or_bytes(tp.logo.data) if tp.logo.format == "svg" else typst_bytes(tp.logo.data)
        alt = _s(tp.logo.alt)
        logo = f'  #image({data}, format: "{tp.logo.format}", alt: {alt}, height: 2.4cm)\n  #v(1.8cm)\n'
        top = "2.6cm"
    tagline = f"  #v(0.15cm)\n  #text(size: 12pt, fill: muted)[#{_s(tp.tagline)}]\n" if tp.tagline else ""
    decision = f"  #text(size: 11pt)[#{_s(tp.decision)}]\n  #v(0.3cm)\n" if tp.decision else ""
    return (
        f"#page(header: none, footer: none, margin: (x: 2.6cm, top: {top}))[\n"
        f"{logo}"
        f"  #text(size: 14pt, fill: muted)[#{_s(tp.organisation)}]\n"
        f"{tagline}"
        "  #v(0.4cm)\n"
        f'  #text(size: 34pt, weight: "bold", fill: accent)[#{_s(tp.title)}]\n'
        "  #v(0.3cm)\n"
        f"  #text(size: 12pt)[#{_s(tp.subtitle)}]\n"
        "  #v(1fr)\n"
        f"{decision}"
        "  #line(length: 100%, stroke: 1.2pt + accent)\n"
        "  #v(0.2cm)\n"
        f"  #text(size: 9pt, fill: muted)[#{_s('Bokslutsdatum ' + tp.closing_date.isoformat())}]\n"
        "]"
    )


def typst_source(doc: Document) -> str:
    tp = doc.title_page
    w = _Writer(doc)
    date = tp.closing_date
    body = "\n\n".join(w.blocks(ch.blocks) for ch in doc.chapters)
    header = (
        "context { if counter(page).get().first() > 2 {"
        " let chapters = heading.where(level: 1, outlined: true);"
        " let here-page = here().page();"
        " let on-page = query(chapters).filter(h => h.location().page() == here-page);"
        " let before = query(chapters.before(here()));"
        " let current = if on-page.len() > 0 { on-page.first().body }"
        " else if before.len() > 0 { before.last().body } else { [] };"
        " set text(size: 8.5pt, fill: muted);"
        f" grid(columns: (1fr, auto), current, {_s(tp.title)});"
        " v(-0.3em); line(length: 100%, stroke: 0.4pt + luma(150)) } }"
    )
    footer = (
        "context { if counter(page).get().first() > 1 {"
        " set text(size: 9pt, fill: muted); align(center, counter(page).display()) } }"
    )
    title = _s(f"{tp.title} – {tp.organisation}")
    # A draft carries the mark on every page, the title page included (page background).
    draft = (
        "#set page(background: place(top + center, dy: 0.9cm, "
        f'text(size: 13pt, weight: "bold", fill: rgb("#8a1010"), {_s(DRAFT_MARK)})))\n'
        if doc.draft
        else ""
    )
    return f"""#set document(title: {title}, author: {_s(tp.organisation)},
  date: datetime(year: {date.year}, month: {date.month}, day: {date.day}))
{PREAMBLE}
#set page(paper: "a4", margin: (top: 2.7cm, bottom: 2.4cm, x: 2.4cm),
  header: {header}, footer: {footer})
{draft}
{cover(tp)}

#outline(title: "Innehåll", depth: 2)
#pagebreak()

{body}
"""


def render_pdf(doc: Document) -> bytes:
    source = typst_source(doc)
    stamp = dt.datetime.combine(doc.title_page.closing_date, dt.time(12), tzinfo=dt.UTC)
    try:
        out = typst.compile(
            source.encode("utf-8"),
            format="pdf",
            pdf_standards=["ua-1"],
            ignore_system_fonts=True,
            timestamp=int(stamp.timestamp()),
        )
    except typst.TypstError as exc:  # a bug in our generator, or text Typst cannot lay out
        raise BokslutError(f"PDF kunde inte skapas: {exc.message}") from None
    assert isinstance(out, bytes)
    return mark_row_headers(out)
