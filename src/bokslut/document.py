"""The composed report as plain data: what every renderer reads.

A :class:`Document` is the title page plus chapters of blocks (headings,
paragraphs, lists, placed tables, charts). Inline text is a sequence of runs;
a :class:`Figure` run remembers which value it shows (``ref``) and the exact
value behind it, so the JSON output and ``bokslut check`` can follow every
number in the text back to the data. Notes are numbered in the order they are
first referred to; :attr:`Document.notes` lists them.

Nothing here knows about Markdown, Jinja or any output format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Union

from bokslut.table import Rounded, Unit, Value

# Shown on every page and sheet of a draft (a report built although checks failed).
DRAFT_MARK = "UTKAST – EJ KONTROLLERAD"

# ---------------------------------------------------------------------------
# Inline runs


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Styled:
    style: str  # "strong", "em" or "code"
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """A number (or a text value) in running text that came from the data.

    ``ref`` names the source: ``v.arets_resultat`` or
    ``cell:driftredovisning/totalt/utfall_2023``; ``exact`` is the value before
    rounding (kronor for money), ``shown`` the rounded number as displayed, in
    ``unit`` ("kr", "tkr", "mkr", "%" or "" for plain numbers and text).
    """

    text: str
    ref: str
    exact: Value | int
    shown: Decimal | str | int | None = None
    unit: str = ""
    # The chapter line the expression stands on, for ``bokslut check``; not part of the output.
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class NoteRef:
    note_id: str
    number: int


@dataclass(frozen=True, slots=True)
class LineBreak:
    pass


@dataclass(frozen=True, slots=True)
class Image:
    """A picture from the workspace (a logo, a map, an organisation chart), with its bytes.

    ``src`` is the reference as written in the chapter, ``alt`` the required text
    alternative, ``media_type`` ``image/png`` or ``image/jpeg`` (checked from the bytes).
    """

    src: str
    alt: str
    media_type: str
    data: bytes = field(repr=False)
    line: int | None = field(default=None, compare=False)


Inline = Union[Text, Styled, Link, Figure, NoteRef, LineBreak, Image]  # noqa: UP007 - runtime alias


def plain_text(runs: tuple[Inline, ...]) -> str:
    """The runs as the reader sees them, without markup (for TOC, alt text, titles)."""
    out: list[str] = []
    for run in runs:
        if isinstance(run, Text):
            out.append(run.text)
        elif isinstance(run, Styled | Link):
            out.append(plain_text(run.children))
        elif isinstance(run, Figure):
            out.append(run.text)
        elif isinstance(run, NoteRef):
            out.append(f"not {run.number}")
        elif isinstance(run, Image):
            out.append(run.alt)
        else:
            out.append(" ")
    return "".join(out)


# ---------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 = chapter, 2 = section, 3 = subsection, …
    runs: tuple[Inline, ...]
    anchor: str

    @property
    def text(self) -> str:
        return plain_text(self.runs)


@dataclass(frozen=True, slots=True)
class Paragraph:
    runs: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class ListBlock:
    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class TablePlacement:
    """A table in the text. ``note_numbers`` maps each note id the table refers to
    to its number; a note table itself carries ``note_number``."""

    table_id: str
    rounded: Rounded
    anchor: str
    note_numbers: Mapping[str, int] = field(default_factory=dict)
    note_number: int | None = None

    @property
    def title(self) -> str:
        t = self.rounded.table
        if self.note_number is not None:
            return f"Not {self.note_number}. {t.title}"
        return t.title


class ChartKind(StrEnum):
    BAR = "stapel"  # grouped vertical bars: categories × series
    LINE = "linje"  # a trend: categories are periods in order
    HBAR = "liggande"  # horizontal bars, for long category names and counts


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[Decimal | None, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart with its data. ``values`` are the numbers as shown in the report
    (already rounded, in ``unit_label``), so the chart, its data table and the
    source table agree; ``data`` is that same data as a table for the reader."""

    id: str
    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit_label: str
    decimals: int
    alt: str
    data: Rounded
    anchor: str


@dataclass(frozen=True, slots=True)
class ChartPlacement:
    chart: Chart


Block = Union[Heading, Paragraph, ListBlock, Quote, TablePlacement, ChartPlacement]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class Chapter:
    source: str  # the chapter file, relative to the workspace ("text/01-inledning.md")
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        for b in self.blocks:
            if isinstance(b, Heading):
                return b.text
        return ""


@dataclass(frozen=True, slots=True)
class Logo:
    """An image file from the workspace, as read: ``format`` is "png", "jpg" or "svg"."""

    data: bytes
    format: str
    alt: str


@dataclass(frozen=True, slots=True)
class TitlePage:
    organisation: str
    title: str  # "Årsredovisning 2023"
    subtitle: str  # "Kommunalförbundet Lystkom" / "Perioden 1 januari – 31 augusti 2023"
    closing_date: dt.date  # also the timestamp of every output (never the clock)
    unit: Unit = Unit.TKR
    tagline: str = ""  # under the organisation's name: "för Lekebergs kommun"
    decision: str = ""  # "Beslutad av direktionen 2024-03-01 § 2"
    logo: Logo | None = None


@dataclass(frozen=True, slots=True)
class NoteInfo:
    note_id: str
    number: int
    title: str


@dataclass(frozen=True, slots=True)
class Document:
    title_page: TitlePage
    chapters: tuple[Chapter, ...]
    notes: tuple[NoteInfo, ...]
    tables: Mapping[str, Rounded]  # every table of the report, placed or not
    values: Mapping[str, Value | int]
    # A draft built despite errors (``bokslut build --utkast``): every format shows DRAFT_MARK.
    draft: bool = False

    def headings(self, max_level: int = 3) -> list[Heading]:
        return [h for h in iter_blocks(self) if isinstance(h, Heading) and h.level <= max_level]

    def placements(self) -> list[TablePlacement]:
        return [b for b in iter_blocks(self) if isinstance(b, TablePlacement)]

    def charts(self) -> list[Chart]:
        return [b.chart for b in iter_blocks(self) if isinstance(b, ChartPlacement)]


def iter_blocks(doc: Document) -> list[Block]:
    out: list[Block] = []

    def walk(blocks: tuple[Block, ...]) -> None:
        for b in blocks:
            out.append(b)
            if isinstance(b, ListBlock):
                for item in b.items:
                    walk(item)
            elif isinstance(b, Quote):
                walk(b.blocks)

    for ch in doc.chapters:
        walk(ch.blocks)
    return out
