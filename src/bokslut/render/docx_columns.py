"""Column widths for a Word table, from what the cells hold.

Word (and LibreOffice) share a table's width equally between its columns unless
told otherwise, which breaks long labels inside words. We measure the text with
the advance widths of Cambria Bold (the document's body font; bold is the widest
weight a cell shows), so a figure column is as wide as its widest figure, a
column of short words as its longest entry, and the label column (and any column
of running text) takes what is left, never less than its longest word.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from bokslut.render.tables import TableView

# Advance widths of Cambria Bold in 1/1000 em (the metric-compatible Caladea Bold
# has the same), for the characters our tables use; anything else counts as DEFAULT.
_LOWER: tuple[int, ...] = (525, 568, 450, 570, 513, 335, 508, 600, 308, 297, 589, 311, 891)
_LOWER += (604, 530, 573, 559, 454, 444, 365, 609, 519, 779, 525, 521, 464)
_UPPER: tuple[int, ...] = (653, 634, 551, 664, 559, 534, 586, 719, 358, 340, 680, 541, 845)
_UPPER += (686, 647, 593, 647, 640, 473, 587, 695, 632, 959, 616, 587, 554)
_DIGITS = (533, 458, 507, 508, 553, 520, 538, 494, 556, 534)
_WIDTHS: dict[str, int] = {
    **{chr(ord("a") + i): w for i, w in enumerate(_LOWER)},
    **{chr(ord("A") + i): w for i, w in enumerate(_UPPER)},
    **{str(i): w for i, w in enumerate(_DIGITS)},
    " ": 220,
    "\u00a0": 220,
    ".": 230,
    ",": 232,
    ":": 280,
    "-": 311,
    "–": 500,
    "−": 592,
    "%": 976,
    "(": 408,
    ")": 408,
    "/": 505,
    "å": 525,
    "ä": 525,
    "ö": 530,
    "é": 513,
    "Å": 653,
    "Ä": 653,
    "Ö": 647,
}
DEFAULT = 600

TWIPS_PER_PT = 20
CELL_MARGIN = 85  # twips left and right of a cell's text (0.15 cm)
LEVEL_INDENT = 227  # twips a row label is indented per level (0.4 cm)
NOTE_HEADER = "Not"


@functools.lru_cache(maxsize=1 << 14)
def _units(text: str) -> int:
    """The advance width of ``text`` in 1/1000 em (kept: each table is planned at several
    sizes, and the Word file and the PDF measure the same texts)."""
    return sum(map(_WIDTHS.get, text, itertools.repeat(DEFAULT)))


def text_twips(text: str, size_pt: float) -> int:
    """The width of ``text`` on one line, in twips."""
    # 4 % to spare: renderers round glyph positions, and a word that just fits may not.
    return int(_units(text) * size_pt * TWIPS_PER_PT * 1.04 / 1000) + 1


def longest_word_twips(text: str, size_pt: float) -> int:
    return max((text_twips(w, size_pt) for w in text.split()), default=0)


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    widths: tuple[int, ...]  # twips, label column first (then "Not", then the value columns)
    size_pt: float  # the type size the widths were planned for
    margin: int = CELL_MARGIN  # twips left and right of the text in each cell


# Type sizes to try, largest first: a table that does not fit at one size is set smaller.
SIZES = (9.5, 8.5, 7.5)
# A text column whose entries are at most this long (characters) is kept on one line if it can be.
SHORT_TEXT = 16
NARROW_MARGIN = 45


def plan_columns(view: TableView, total: int) -> ColumnPlan:
    # Larger type first; at each size short texts first on one line, then wrapped between words;
    # last, narrower cell margins at the smallest size.
    attempts = [(size, short, CELL_MARGIN) for size in SIZES for short in (True, False)]
    attempts.append((SIZES[-1], False, NARROW_MARGIN))
    for size, short, margin in attempts:
        plan = _plan(view, total, size, short, margin)
        if plan is not None:
            return plan
    # Nothing fits even so: share what there is by need (words may break).
    return _fallback(view, total, SIZES[-1])


def _columns(view: TableView) -> list[tuple[str, list[str], bool]]:
    """(header, cell texts, numeric) per column, the label column first."""
    cols: list[tuple[str, list[str], bool]] = [(view.label_header, [r.label for r in view.rows], False)]
    if view.has_notes:
        cols.append((NOTE_HEADER, [f"Not {r.note_number}" for r in view.rows if r.note_number], False))
    for j, header in enumerate(view.headers):
        cols.append((header, [r.cells[j].text for r in view.rows], view.numeric_columns[j]))
    return cols


def _plan(view: TableView, total: int, size: float, short: bool, margin: int) -> ColumnPlan | None:
    cols = _columns(view)
    pad = 2 * margin
    # Each column: the width below which a word would break (need) and its width on one line (want).
    need: list[int] = []
    want: list[int] = []
    flexible: list[bool] = []
    for i, (header, cells, numeric) in enumerate(cols):
        word = max([longest_word_twips(header, size), *(longest_word_twips(c, size) for c in cells)])
        line = max([text_twips(header, size), *(text_twips(c, size) for c in cells)])
        if i == 0:  # a label is indented by its level, and its words must fit beside that
            word = max(
                [word, *(longest_word_twips(r.label, size) + LEVEL_INDENT * r.level for r in view.rows)]
            )
            line = max([line, *(text_twips(r.label, size) + LEVEL_INDENT * r.level for r in view.rows)])
        cell_line = max((text_twips(c, size) for c in cells), default=0)
        if numeric or (short and i > 0 and max((len(c) for c in cells), default=0) <= SHORT_TEXT):
            # Figures and short words stay on one line; a long header may wrap between words.
            fixed = max(word, cell_line) + pad
            need.append(fixed)
            want.append(fixed)
            flexible.append(False)
        else:
            need.append(word + pad)
            want.append(line + pad)
            flexible.append(True)
    # Figure columns share one width, so the years line up down the table.
    figures = [i for i, (_, _, numeric) in enumerate(cols) if numeric]
    widest = max((want[i] for i in figures), default=0)
    for i in figures:
        need[i] = want[i] = widest
    if sum(need) > total:
        return None
    fixed_total = sum(w for w, f in zip(want, flexible, strict=True) if not f)
    left = total - fixed_total
    flex = [i for i, f in enumerate(flexible) if f]
    widths = list(want)
    if not flex:
        # No column of running text: the label column takes the rest of the line.
        widths[0] += left
        return ColumnPlan(tuple(widths), size, margin)
    if sum(want[i] for i in flex) <= left:
        # Everything fits on one line: the label column takes the slack.
        slack = left - sum(want[i] for i in flex)
        widths[0 if flexible[0] else flex[0]] += slack
        return ColumnPlan(tuple(widths), size, margin)
    # Running text shares the rest in proportion to its length, but no column below its longest word.
    shares = _share(left, [need[i] for i in flex], [want[i] for i in flex])
    for i, w in zip(flex, shares, strict=True):
        widths[i] = w
    return ColumnPlan(tuple(widths), size, margin)


def _share(total: int, floors: list[int], wants: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``wants``, raising any share below its floor."""
    out = [0] * len(floors)
    open_ = list(range(len(floors)))
    budget = total
    while open_:
        weight = sum(wants[i] for i in open_)
        low = [i for i in open_ if budget * wants[i] / weight < floors[i]]
        if not low:
            for i in open_:
                out[i] = int(budget * wants[i] / weight)
            break
        for i in low:
            out[i] = floors[i]
            budget -= floors[i]
            open_.remove(i)
    out[0] += total - sum(out)
    return out


def _fallback(view: TableView, total: int, size: float) -> ColumnPlan:
    cols = _columns(view)
    wants = [
        max([text_twips(h, size), *(text_twips(c, size) for c in cells)]) + 2 * NARROW_MARGIN
        for h, cells, _ in cols
    ]
    return ColumnPlan(tuple(_share(total, [2 * NARROW_MARGIN] * len(cols), wants)), size, NARROW_MARGIN)
