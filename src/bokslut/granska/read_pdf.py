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

_GROUP = re.compile(r"^\d{3}(,\d+)?%?\*?$")
_NOTE_WORD = re.compile(r"^Not$", re.IGNORECASE)
_NOTE_CELL = re.compile(r"^Not\s+\d{1,3}$", re.IGNORECASE)


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
                # "Not 3" and the 810 in the next column are no "3 810".
                and not (len(merged) >= 2 and _NOTE_WORD.match(merged[-2].text))
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
    note = k > 0 and _NOTE_WORD.match(ws[k - 1].text) and k < len(ws) and re.match(r"^\d{1,3}$", ws[k].text)
    if note:
        k += 1
    if k == 0:
        return [], ws
    gap = ws[k].x0 - ws[k - 1].x1 if k < len(ws) else 0
    size = ws[k - 1].size
    # A long label may come close to the first column (or run into it); numbers standing apart
    # from each other still make the line a table row.
    n = len(ws) - k
    apart = n >= 2 and all(b.x0 - a.x1 >= size for a, b in zip(ws[k:], ws[k + 1 :], strict=False))
    # A note column ("Not 9") standing apart from the label separates it from the numbers.
    noted = bool(note) and k >= 3 and ws[k - 2].x0 - ws[k - 3].x1 >= size * 1.6 and gap >= size * 0.4
    if gap < size * 1.6 and not noted and not (apart and (n >= 3 or gap >= size * 0.5)):
        return None
    return ws[:k], ws[k:]


@dataclass(frozen=True, slots=True)
class _Grid:
    """A table's number columns as the horizontal spans their numbers (and headings) cover: this
    holds whether a program sets numbers flush right, flush left (a word processor's default for a
    table cell) or centred."""

    spans: list[tuple[float, float]]

    def __len__(self) -> int:
        return len(self.spans)

    def index(self, x0: float, x1: float) -> int:
        if not self.spans:
            return -1  # no numbers: everything is the label
        overlaps = [min(x1, b) - max(x0, a) for a, b in self.spans]
        best = max(range(len(self.spans)), key=lambda i: overlaps[i])
        if overlaps[best] > 0:
            return best
        centre = (x0 + x1) / 2
        return min(
            range(len(self.spans)), key=lambda i: abs((self.spans[i][0] + self.spans[i][1]) / 2 - centre)
        )

    def overlapping(self, x0: float, x1: float) -> int | None:
        found = [i for i, (a, b) in enumerate(self.spans) if min(x1, b) > max(x0, a)]
        return found[0] if found else None

    def left(self) -> float:
        return self.spans[0][0] if self.spans else 0.0


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _columns(rows: list[list[Word]], head: list[Line]) -> _Grid:
    spans = _merge([(w.x0, w.x1) for ws in rows for w in ws])
    end = spans[-1][1] if spans else 0.0
    # A column with no number in this part of the table still has its heading: heading words right
    # of every number, gathered into phrases ("Budget 2023"), make columns of their own.
    extra: list[tuple[float, float]] = []
    for ln in head:
        previous: Word | None = None
        for w in ln.words:
            if w.x0 <= end:
                continue
            if previous is not None and w.x0 - previous.x1 < w.size * 0.8:
                extra[-1] = (extra[-1][0], w.x1)
            else:
                extra.append((w.x0, w.x1))
            previous = w
    return _Grid(_merge(spans + extra))


def _heading_columns(ln: Line, cols: _Grid) -> list[int]:
    """The column each word of a heading line names: the one it stands over, or the one the word
    next to it in the same phrase stands over ("Budget" beside "2023"); -1 for the label column."""
    over = [cols.overlapping(w.x0, w.x1) for w in ln.words]
    out: list[int] = []
    for k, w in enumerate(ln.words):
        if over[k] is not None or w.x1 < cols.left() - 2:
            out.append(-1 if over[k] is None else over[k])  # type: ignore[arg-type]
            continue
        near = [
            (gap, over[n])
            for n, gap in (
                (k - 1, w.x0 - ln.words[k - 1].x1 if k > 0 else None),
                (k + 1, ln.words[k + 1].x0 - w.x1 if k + 1 < len(ln.words) else None),
            )
            if gap is not None and gap < w.size * 0.8 and over[n] is not None
        ]
        out.append(min(near)[1] if near else cols.index(w.x0, w.x1))  # type: ignore[arg-type]
    return out


def _table(
    file: str, lines: list[Line], head: list[Line], title: str, context: list[str], carried: _Grid | None
) -> tuple[RawTable, _Grid]:
    splits = [_split(ln) for ln in lines]
    numbers = [s[1] for s in splits if s is not None]
    cols = carried or _columns(numbers, head)
    rows: list[RawRow] = []
    if head:
        cells = [""] * (len(cols) + 1)
        for ln in head:
            for w, j in zip(ln.words, _heading_columns(ln, cols), strict=True):
                i = j + 1
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
        cells = [""] * (len(cols) + 1)
        label = " ".join(w.text for w in label_words)
        # A label wrapped over two lines with the numbers set between them, vertically centred:
        # "Medel från verksamheten före förändring av" / "12 680 12 526" / "rörelsekapital".
        if (
            nums
            and not label_words
            and previous is not None
            and rows
            and not rows[-1].header
            and not any(rows[-1].cells[1:])
            and ln.top - previous.top < ln.words[0].size * 1.2
        ):
            label = rows.pop().cells[0]
        previous = ln
        note = re.search(r"\s(Not\s+\d{1,3})$", label)
        if note:
            label = label[: note.start()]
        cells[0] = label
        for w in nums:
            i = cols.index(w.x0, w.x1) + 1
            cells[i] = f"{cells[i]} {w.text}".strip() if cells[i] and i > 0 else w.text
        bold = bool(nums) and all(w.bold for w in ln.words)
        if note:
            cells.append(note.group(1))
        rows.append(RawRow(cells, Place(file, page=ln.page), bold))
    return RawTable(rows, Place(file, page=lines[0].page), title, context), cols


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
    # Heading lines name columns just above the first row, or above a sub-heading that stands
    # over the first row ("2023 2022 Budget 2023" / "1. Verksamhetens intäkter" / rows).
    for i in range(len(lines)):
        if kinds[i] in ("row", "head") and (i == 0 or kinds[i - 1] == "text"):
            if (
                i >= 2
                and kinds[i - 2] == "text"
                and _heading_line(lines[i - 2])
                and not _heading_line(lines[i - 1])
                and len(lines[i - 1].text) < 60
            ):
                kinds[i - 1] = "row"
                i -= 1
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
    # The columns of a table that runs to the foot of a page, for its rest atop the next page.
    carry: _Grid | None = None
    # A table's title and heading lines at the foot of a page, its rows on the next.
    pending: tuple[str, list[Line]] | None = None
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
        carried, carry = carry, None
        waiting, pending = pending, None
        ended = -1  # the line after the page's last table

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
            # Rows atop a page after a table that ran to the foot of the last one go on with it
            # (a wrapped label or a sub-heading may stand between).
            goes_on = (
                carried is not None
                and kinds[i] == "row"
                and i <= 3
                and all(len(ln.text) < 90 for ln in lines[:i])
            )
            if goes_on:
                title = ""
            if waiting is not None and i == 0 and kinds[0] == "row":
                title, head, goes_on = waiting[0], list(waiting[1]), False
            else:
                head = []
            waiting = None
            rows: list[Line] = []
            while i < len(lines) and kinds[i] == "head":
                head.append(lines[i])
                i += 1
            while i < len(lines) and kinds[i] == "row":
                rows.append(lines[i])
                i += 1
            if rows:
                raw, grid = _table(file, rows, head, title, recent[-3:], carried if goes_on else None)
                raw_tables.append(raw)
                carry, ended = grid, i
            else:
                for ln in head:
                    paragraph.append(ln.text)
            recent.clear()
            carried = None
        flush()
        if carry is not None and not (
            len(lines) - ended <= 3 and all(len(ln.text) < 90 for ln in lines[ended:])
        ):
            carry = None
        if lines and kinds[-1] == "text" and _heading_line(lines[-1]) and ended < len(lines) - 1:
            above = lines[-2].text if len(lines) >= 2 and kinds[-2] == "text" else ""
            pending = (above if len(above) <= 120 else "", [lines[-1]])
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


def _width(row: RawRow) -> int:
    """The row's label and number columns, without the note reference a row may carry last."""
    return len(row.cells) - (1 if row.cells and _NOTE_CELL.match(row.cells[-1]) else 0)


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
            and _width(r.rows[0]) == _width(prev.rows[-1])
            and r.place.page == (prev.rows[-1].place.page or 0) + 1
        ):
            prev.rows.extend(r.rows[1:] if repeated else r.rows)
        else:
            out.append(r)
    return out
