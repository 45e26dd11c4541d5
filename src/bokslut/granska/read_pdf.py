"""PDF with a text layer: words with their positions (pypdfium2), put back into lines and tables.

A printed table has no cells, only words on a line. A table line is a line whose right
part is numbers standing apart from the label (a gap wider than two letters); the
numbers' right edges, gathered over the table's lines, are its columns. The heading
lines just above (Budget, Utfall, years) are laid onto those columns by their right
edge. Thousand groups ("9 229") are single numbers: their gap is a space, not a column.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bokslut.granska.grid import RawRow, RawTable, understand
from bokslut.granska.model import Document, Place, Table, TextBlock
from bokslut.granska.numbers import NOTHING, parse_number

_GROUP = re.compile(r"^\d{3}(,\d+)?%?$")
_NOTE_WORD = re.compile(r"^Not$", re.IGNORECASE)


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    size: float
    bold: bool


@dataclass(slots=True)
class Line:
    words: list[Word]
    page: int

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> float:
        return self.words[0].top


def _number_word(text: str) -> bool:
    t = text.rstrip("*")
    return parse_number(t) is not None or t in NOTHING or t == "%"


def _lines(words: list[Word], page: int) -> list[Line]:
    ws = sorted(words, key=lambda w: (w.top, w.x0))
    lines: list[Line] = []
    for w in ws:
        if lines and abs(lines[-1].top - w.top) <= w.size * 0.25:
            lines[-1].words.append(w)
        else:
            lines.append(Line([w], page))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
        merged: list[Word] = []
        for w in line.words:
            prev = merged[-1] if merged else None
            if (
                prev is not None
                and _GROUP.match(w.text)
                and re.match(r"^[−\-–]?\d{1,3}( \d{3})*$", prev.text)
                and w.x0 - prev.x1 < w.size * 0.6
            ):
                merged[-1] = Word(
                    f"{prev.text} {w.text}", prev.x0, w.x1, prev.top, prev.size, prev.bold and w.bold
                )
            elif (
                prev is not None
                and w.text == "%"
                and w.x0 - prev.x1 < w.size * 0.5
                and _number_word(prev.text)
            ):
                merged[-1] = Word(f"{prev.text} %", prev.x0, w.x1, prev.top, prev.size, prev.bold)
            else:
                merged.append(w)
        line.words = merged
    return lines


def _split(line: Line) -> tuple[list[Word], list[Word]] | None:
    """(label words, number words) when the line ends in numbers standing apart from its label."""
    ws = line.words
    k = len(ws)
    while k > 0 and _number_word(ws[k - 1].text):
        k -= 1
    if k == len(ws):
        return None
    # "Not 3" belongs to the label side.
    if k > 0 and _NOTE_WORD.match(ws[k - 1].text) and k < len(ws) and re.match(r"^\d{1,3}$", ws[k].text):
        k += 1
    if k == 0:
        return [], ws
    gap = ws[k].x0 - ws[k - 1].x1 if k < len(ws) else 0
    size = ws[k - 1].size
    # A long label may come close to the first column (or run into it); numbers standing apart
    # from each other still make the line a table row.
    n = len(ws) - k
    apart = n >= 2 and all(b.x0 - a.x1 >= size for a, b in zip(ws[k:], ws[k + 1 :], strict=False))
    if gap < size * 1.6 and not (apart and (n >= 3 or gap >= size * 0.5)):
        return None
    return ws[:k], ws[k:]


def _clusters(edges: list[float]) -> list[float]:
    groups: list[list[float]] = []
    for x in sorted(edges):
        if groups and x - groups[-1][-1] <= 4:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [min(g) for g in groups]


@dataclass(frozen=True, slots=True)
class _Grid:
    """A table's number columns: right edges (numbers set flush right, as most reports do) or left
    edges (a word processor's default for a table cell)."""

    edges: list[float]
    left: bool

    def __len__(self) -> int:
        return len(self.edges)

    def index(self, w: Word) -> int:
        if not self.edges:
            return -1  # no numbers: everything is the label
        if self.left:
            # A heading word ("2023" in "Budget 2023") lies right of its column's left edge.
            starts = [i for i, e in enumerate(self.edges) if e <= w.x0 + 2]
            return starts[-1] if starts else 0
        return min(range(len(self.edges)), key=lambda i: abs(self.edges[i] - w.x1))


def _columns(rows: list[list[Word]]) -> _Grid:
    right = _clusters([w.x1 for ws in rows for w in ws])
    left = _clusters([w.x0 for ws in rows for w in ws])
    return _Grid(left, True) if len(left) < len(right) else _Grid(right, False)


def _table(file: str, lines: list[Line], head: list[Line], title: str, context: list[str]) -> RawTable:
    splits = [_split(ln) for ln in lines]
    numbers = [s[1] for s in splits if s is not None]
    cols = _columns(numbers)
    left = min((w.x0 for ws in numbers for w in ws), default=0.0)
    rows: list[RawRow] = []
    if head:
        cells = [""] * (len(cols) + 1)
        for ln in head:
            for w in ln.words:
                if w.x1 < left - 2:
                    cells[0] = f"{cells[0]} {w.text}".strip()
                else:
                    i = cols.index(w) + 1
                    cells[i] = f"{cells[i]} {w.text}".strip()
        rows.append(RawRow(cells, Place(file, page=head[0].page), header=True))
    previous: Line | None = None
    for ln, sp in zip(lines, splits, strict=True):
        label_words, nums = sp if sp is not None else (ln.words, [])
        # A label too long for its column goes on in lower case on the next line, without numbers.
        if (
            not nums
            and previous is not None
            and rows
            and not rows[-1].header
            and any(rows[-1].cells[1:])
            and ln.words[0].text[:1].islower()
            and ln.top - previous.top < ln.words[0].size * 1.8
        ):
            rows[-1].cells[0] = f"{rows[-1].cells[0]} {ln.text}"
            previous = ln
            continue
        previous = ln
        cells = [""] * (len(cols) + 1)
        label = " ".join(w.text for w in label_words)
        note = re.search(r"\s(Not\s+\d{1,3})$", label)
        if note:
            label = label[: note.start()]
        cells[0] = label
        for w in nums:
            i = cols.index(w) + 1
            cells[i] = w.text
        bold = bool(nums) and all(w.bold for w in ln.words)
        if note:
            cells.append(note.group(1))
        rows.append(RawRow(cells, Place(file, page=ln.page), bold))
    return RawTable(rows, Place(file, page=lines[0].page), title, context)


def _heading_line(line: Line) -> bool:
    words = [w.text for w in line.words]
    return any(
        re.match(r"^(budget|utfall|prognos|årsprognos|avvikelse|not|\d{4}|\d{6})$", w, re.IGNORECASE)
        for w in words
    )


def _year_line(line: Line) -> bool:
    """A heading line of years only ("2023 2023 2022 2022")."""
    return all(re.match(r"^(19[5-9]\d|20\d\d|\d{6})$", w.text) for w in line.words)


def _years_only(line: Line, sp: tuple[list[Word], list[Word]] | None) -> bool:
    words = line.words if sp is None else sp[1]
    return (sp is not None or _year_line(line)) and all(
        re.match(r"^(19[5-9]\d|20\d\d|\d{6})$", w.text) for w in words
    )


def _classify(lines: list[Line]) -> list[str]:
    """ "row", "head" or "text" for each line of a page."""
    splits = [_split(ln) for ln in lines]
    kinds = ["row" if sp is not None else "text" for sp in splits]

    def rows_follow(i: int) -> bool:
        k = i + 1
        while k < len(lines) and k - i <= 4 and kinds[k] == "text" and len(lines[k].text) < 60:
            k += 1
        return k < len(lines) and kinds[k] == "row" and not _years_only(lines[k], splits[k])

    # A line of years ("2023 2022", "Post Not 2023 2022") at the top of a table names its columns.
    for i, ln in enumerate(lines):
        if (
            _years_only(ln, splits[i])
            and (i == 0 or kinds[i - 1] != "row" or _years_only(lines[i - 1], splits[i - 1]))
            and rows_follow(i)
        ):
            kinds[i] = "head"
    # A short label-only line inside a table, or between its headings and first row, is a heading
    # row; not when it stands apart (the next table's title) or names columns (its headings).
    for i in range(1, len(lines)):
        close = lines[i].top - lines[i - 1].top <= lines[i].words[0].size * 2.0
        names_columns = _heading_line(lines[i]) or (
            i + 1 < len(lines) and kinds[i + 1] == "text" and _heading_line(lines[i + 1])
        )
        if (
            kinds[i] == "text"
            and kinds[i - 1] in ("row", "head")
            and len(lines[i].text) < 60
            and close
            and not (kinds[i - 1] == "row" and names_columns)
            and rows_follow(i - 1)
        ):
            kinds[i] = "row"
    # Heading lines name columns just above the first row.
    for i in range(len(lines)):
        if kinds[i] in ("row", "head") and (i == 0 or kinds[i - 1] == "text"):
            k = i - 1
            while k >= 0 and i - k <= 2 and kinds[k] == "text" and _heading_line(lines[k]):
                kinds[k] = "head"
                k -= 1
    return kinds


@dataclass(slots=True)
class _Flush:
    """Ends the paragraph being collected: it becomes a text block and a candidate table title."""

    blocks: list[TextBlock]
    paragraph: list[str]
    recent: list[str]
    place: Place

    def __call__(self) -> None:
        if self.paragraph:
            self.blocks.append(TextBlock(" ".join(self.paragraph), self.place))
            self.recent.append(" ".join(self.paragraph))
            self.paragraph.clear()


def read_pages(pages: list[tuple[int, list[Word], float]], file: str) -> Document:
    """pages: (page number, its words, page width)."""
    blocks: list[TextBlock] = []
    raw_tables: list[RawTable] = []
    paged = [(page, _lines(words, page)) for page, words, _width in pages]
    running = _running_headers([lines for _, lines in paged])
    for page, lines in paged:
        if lines and _tail(lines[0]) in running:
            lines = lines[1:]
        # The page number (a lone number on the last line) is no row of a table.
        if lines and len(lines[-1].words) == 1 and re.match(r"^\d{1,4}$", lines[-1].words[0].text):
            lines.pop()
        kinds = _classify(lines)
        paragraph: list[str] = []
        recent: list[str] = []
        flush = _Flush(blocks, paragraph, recent, Place(file, page=page))

        i = 0
        while i < len(lines):
            if kinds[i] == "text":
                text = lines[i].text
                # A word broken over two lines ("verksam-" / "heten") is one word.
                if (
                    paragraph
                    and paragraph[-1].endswith("-")
                    and len(paragraph[-1]) > 1
                    and paragraph[-1][-2].isalpha()
                ):
                    paragraph[-1] = paragraph[-1][:-1] + text
                else:
                    paragraph.append(text)
                gap = lines[i + 1].top - lines[i].top if i + 1 < len(lines) else 99.0
                if lines[i].words[0].bold or gap > lines[i].words[0].size * 1.9:
                    flush()
                i += 1
                continue
            flush()
            above = lines[i - 1].text if i > 0 and kinds[i - 1] == "text" else ""
            title = above if 0 < len(above) <= 120 else next((t for t in recent[-1:] if len(t) <= 120), "")
            head: list[Line] = []
            rows: list[Line] = []
            while i < len(lines) and kinds[i] == "head":
                head.append(lines[i])
                i += 1
            while i < len(lines) and kinds[i] == "row":
                rows.append(lines[i])
                i += 1
            if rows:
                raw_tables.append(_table(file, rows, head, title, recent[-3:]))
            else:
                for ln in head:
                    paragraph.append(ln.text)
            recent.clear()
        flush()
    tables: list[Table] = []
    for raw in _join_continued(raw_tables):
        if (t := understand(raw)) is not None:
            tables.append(t)
    return Document(file, "PDF", tuple(blocks), tuple(tables), pages=len(pages))


def _tail(line: Line) -> tuple[int, str]:
    return round(line.top), " ".join(w.text for w in line.words[-2:])


def _running_headers(pages: list[list[Line]]) -> set[tuple[int, str]]:
    """The line at the same height ending in the same words atop many pages ("Noter Årsredovisning
    2024") is the running header, no title or row."""
    tails = Counter(_tail(lines[0]) for lines in pages if lines)
    return {t for t, n in tails.items() if n >= max(3, len(pages) // 4)}


def _same_header(a: RawTable, b: RawTable) -> bool:
    ha = [" ".join(c.split()) for c in a.rows[0].cells] if a.rows and a.rows[0].header else None
    hb = [" ".join(c.split()) for c in b.rows[0].cells] if b.rows and b.rows[0].header else None
    return ha is not None and ha == hb


def _join_continued(raws: list[RawTable]) -> list[RawTable]:
    """A table broken over a page goes on on the next page, without heading lines or with the
    same heading lines repeated."""
    out: list[RawTable] = []
    for r in raws:
        prev = out[-1] if out else None
        repeated = prev is not None and _same_header(prev, r)
        if (
            prev is not None
            and r.rows
            and (not r.rows[0].header or repeated)
            and prev.rows
            and r.title in ("", prev.title)
            and len(r.rows[0].cells) == len(prev.rows[-1].cells)
            and r.place.page == (prev.rows[-1].place.page or 0) + 1
        ):
            prev.rows.extend(r.rows[1:] if repeated else r.rows)
        else:
            out.append(r)
    return out
