"""HTML: paragraphs, headings and list items by line, tables with their caption and row classes."""

from __future__ import annotations

from html.parser import HTMLParser

from bokslut.granska.grid import RawRow, RawTable, understand
from bokslut.granska.model import Document, Place, Table, TextBlock

_BLOCKS = frozenset(["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "dd", "dt", "blockquote"])
_SKIP = frozenset(["script", "style", "svg", "head", "title", "template", "noscript"])
_BOLD = frozenset(["b", "strong"])


class _Parser(HTMLParser):
    def __init__(self, file: str) -> None:
        super().__init__(convert_charrefs=True)
        self.file = file
        self.blocks: list[TextBlock] = []
        self.raw_tables: list[RawTable] = []
        self.skip = 0
        self.text: list[str] = []
        self.text_line = 0
        self.block_tag: str | None = None
        self.recent: list[str] = []
        self.tables: list[RawTable] = []  # open tables (nested ones are read as their own)
        self.row: RawRow | None = None
        self.cell: list[str] | None = None
        self.row_bold = True  # every figure of the row is inside <b>/<strong>
        self.cell_bold_text: list[str] = []
        self.bold = 0
        self.in_head = False
        self.caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        line = self.getpos()[0]
        if self.caption is not None:
            self.caption.append(" ")
        if self.cell is not None:
            self.cell.append(" ")
        if tag in _BOLD:
            self.bold += 1
        if tag == "table":
            self._end_block()
            self.tables.append(RawTable([], Place(self.file, line=line), "", self.recent[-3:]))
        elif tag == "caption" and self.tables:
            self.caption = []
        elif tag == "thead":
            self.in_head = True
        elif tag == "tbody":
            self.in_head = False
        elif tag == "tr" and self.tables:
            self.row = RawRow([], Place(self.file, line=line), css=a.get("class") or "", header=self.in_head)
            self.row_bold = True
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.cell_bold_text = []
        elif tag in _BLOCKS and not self.tables:
            self._end_block()
            self.block_tag = tag
            self.text_line = line
        elif tag == "br":
            self._data(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in _BOLD:
            self.bold = max(0, self.bold - 1)
        if tag == "caption" and self.caption is not None and self.tables:
            self.tables[-1].title = " ".join("".join(self.caption).split())
            self.caption = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            text = " ".join("".join(self.cell).split())
            self.row.cells.append(text)
            if text and tag == "td" and "".join(self.cell_bold_text).split() != text.split():
                self.row_bold = False
            self.cell = None
        elif tag == "tr" and self.row is not None and self.tables:
            self.row.bold = self.row_bold and any(c for c in self.row.cells[1:])
            self.tables[-1].rows.append(self.row)
            self.row = None
        elif tag == "table" and self.tables:
            t = self.tables.pop()
            if not t.title:
                t.title = next((x for x in reversed(t.context[-2:]) if len(x) <= 120), "")
            self.raw_tables.append(t)
            self.recent = []
        elif tag == self.block_tag:
            self._end_block()

    def _data(self, data: str) -> None:
        if self.caption is not None:
            self.caption.append(data)
        elif self.cell is not None:
            self.cell.append(data)
            if self.bold > 0:
                self.cell_bold_text.append(data)
        elif self.block_tag is not None:
            self.text.append(data)
        elif data.strip() and not self.tables:
            if not self.text:
                self.text_line = self.getpos()[0]
            self.block_tag = self.block_tag or "#text"
            self.text.append(data)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._data(data)

    def _end_block(self) -> None:
        text = " ".join("".join(self.text).split())
        if text:
            heading = (self.block_tag or "").startswith("h")
            self.blocks.append(TextBlock(text, Place(self.file, line=self.text_line), heading))
            self.recent.append(text)
        self.text = []
        self.block_tag = None


def read_html(text: str, file: str) -> Document:
    p = _Parser(file)
    p.feed(text)
    p.close()
    p._end_block()
    tables: list[Table] = [t for raw in p.raw_tables if (t := understand(raw)) is not None]
    return Document(file, "HTML", tuple(p.blocks), tuple(tables), lines=text.count("\n") + 1)
