"""Chapters (Markdown with Jinja expressions) + report data → the document model.

A chapter is rendered by Jinja in a sandbox with StrictUndefined. The
functions and filters it offers (``tabell``, ``noter``, ``diagram``, ``cell``,
``notnummer``, ``tkr``/``kr``/``mkr``/``procent``/``tal`` and the ``v``
namespace) do not return text: they record the object they place and return a
private-use marker. Markdown is parsed afterwards (markdown-it-py, raw HTML
off) and each marker is swapped back for its object, so a figure stays a
:class:`~bokslut.document.Figure` that knows which value it shows, and a table
stays a table placement.

Every problem is a Swedish finding naming the chapter file and line; all
chapters are tried before giving up, so the writer sees every mistake at once.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bokslut.compose.charts import build_chart
from bokslut.compose.empty import without_empty
from bokslut.compose.images import load_image
from bokslut.compose.sandbox import ChapterSandbox, LimitExceeded, template_line
from bokslut.compose.template_cache import TemplateCache
from bokslut.diagnostics import BokslutError, Finding, error
from bokslut.direction import PAIRS, Pair
from bokslut.document import (
    Block,
    Chapter,
    ChartPlacement,
    Document,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteInfo,
    NoteRef,
    Paragraph,
    Quote,
    Styled,
    TablePlacement,
    Text,
    TitlePage,
    plain_text,
)
from bokslut.money import round_half_up
from bokslut.render.numbers import UNIT_LABEL, format_number, format_percent, format_shown
from bokslut.report_data import ReportData
from bokslut.table import (
    UNIT_DECIMALS,
    UNIT_SCALE,
    Column,
    ColumnKind,
    Rounded,
    Row,
    Table,
    Unit,
    Value,
    column_decimals,
)
from bokslut.workspace.layout import Layout
from bokslut.workspace.safe_files import DEFAULT_MAX_BYTES, inside, leaves_workspace, read_plain_file

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


class ChapterError(Exception):
    """A mistake in a chapter, raised from inside a template function (Swedish message)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_chapters(layout: Layout, max_bytes: int = DEFAULT_MAX_BYTES) -> list[tuple[str, str]]:
    """The chapter files of ``text/`` in file-name order, as (relative name, text).

    Only plain files inside the workspace are read: a symbolic link, a folder
    named like a chapter or a file over ``max_bytes`` is a finding.
    """
    folder = layout.text_dir
    if folder.is_symlink() or (folder.exists() and inside(layout.root, "text") is None):
        finding = error("mappen är en symbolisk länk; kapitlen måste ligga i arbetsytan", file="text")
        raise BokslutError("Kapitlen kunde inte läsas.", [finding])
    if not folder.is_dir():
        return []
    out: list[tuple[str, str]] = []
    findings: list[Finding] = []
    for path in sorted(folder.glob("*.md")):
        rel = f"text/{path.name}"
        data = read_plain_file(layout.root, path, max_bytes, rel)
        if isinstance(data, Finding):
            findings.append(data)
            continue
        try:
            out.append((rel, data.decode("utf-8")))
        except UnicodeDecodeError as exc:
            findings.append(error(f"filen är inte UTF-8 ({exc.reason})", file=rel))
    if findings:
        raise BokslutError("Kapitlen kunde inte läsas.", findings)
    return out


# ---------------------------------------------------------------------------
# What the chapter's expressions see


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value from the data, on its way to a filter that decides how to show it."""

    ref: str
    exact: Value | int
    kind: ColumnKind | None = None  # known for table cells and pinned quantities
    table_unit: Unit | None = None
    shown: Decimal | str | None = None  # the table's rounded number (cells)
    decimals: int | None = None
    name: str | None = None  # value name, for pinned lookups
    absolute: bool = False  # ``| abs``: shown without sign ("costs were 10 430 tkr")

    # A chapter sees a value only through the filters that show it; text
    # conversion would print the unrounded number (``{{ v.x | string }}``, ``~``).
    def __str__(self) -> str:
        raise ChapterError(
            f"ange hur {self.ref} ska visas: | tkr, | kr, | mkr, | procent eller | tal", template_line()
        )

    def __format__(self, spec: str) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"<{self.ref}>"

    def __abs__(self) -> Quantity:
        # The sign is dropped after rounding, so the magnitude is the number the
        # table shows (largest-remainder adjustments included).
        return replace(self, ref=f"abs({self.ref})", absolute=True)


@dataclass
class _State:
    """Per-build bookkeeping: placed objects, note numbers, anchors."""

    data: ReportData
    report_unit: Unit
    # The workspace, for pictures in chapters; without it a picture keeps only its alt text.
    root: Path | None = None
    objects: list[tuple[object, int | None, str]] = field(default_factory=list)
    note_numbers: dict[str, int] = field(default_factory=dict)
    notes_placed: set[str] = field(default_factory=set)
    anchors: dict[str, int] = field(default_factory=dict)

    def mark(self, obj: object, line: int | None, kind: str) -> str:
        if isinstance(obj, Figure):
            obj = replace(obj, line=line)
        self.objects.append((obj, line, kind))
        return f"{_OPEN}{len(self.objects) - 1}{_CLOSE}"

    def anchor(self, base: str) -> str:
        n = self.anchors.get(base, 0) + 1
        self.anchors[base] = n
        return base if n == 1 else f"{base}-{n}"

    def note_number(self, note_id: str) -> int:
        if note_id not in self.note_numbers:
            self.note_numbers[note_id] = len(self.note_numbers) + 1
        return self.note_numbers[note_id]


def _names(items: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(items[:limit])
    more = f" … (+{len(items) - limit})" if len(items) > limit else ""
    return shown + more if items else "(inga)"


class Values:
    """``v`` in a chapter: every named value, as ``v.namn`` or ``v["namn"]``."""

    def __init__(self, data: ReportData) -> None:
        self._data = data
        self._money: frozenset[str] | None = None

    def __repr__(self) -> str:
        return "v"

    def __getattr__(self, name: str) -> Quantity | str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Quantity | str:
        values = self._data.values
        if name not in values:
            raise ChapterError(
                f"okänt värde 'v.{name}'; kända värden: {_names(sorted(values))}", template_line()
            )
        value = values[name]
        if isinstance(value, str):
            return value
        kind = ColumnKind.MONEY if self._is_money(name) else None
        if isinstance(value, int) and not isinstance(value, bool):
            kind = ColumnKind.NUMBER
        return Quantity(f"v.{name}", value, kind=kind, name=name)

    def _is_money(self, name: str) -> bool:
        if self._money is None:  # once per chapter: a chapter may name hundreds of values
            self._money = frozenset(
                r.quantity for t in self._data.tables.values() for r in t.rows if r.quantity
            )
        return name in self._money


def _table(state: _State, table_id: object) -> Table:
    if not isinstance(table_id, str) or table_id not in state.data.tables:
        raise ChapterError(
            f"okänd tabell '{table_id}'; kända tabeller: {_names(sorted(state.data.tables))}",
            template_line(),
        )
    return state.data.tables[table_id]


def _cell(state: _State, table_id: str, row_id: str, column_id: str) -> Quantity | str:
    table = _table(state, table_id)
    try:
        row: Row = table.row(row_id)
    except KeyError:
        raise ChapterError(
            f"tabellen '{table_id}' har ingen rad '{row_id}'; rader: {_names([r.id for r in table.rows])}",
            template_line(),
        ) from None
    try:
        col: Column = table.column(column_id)
    except KeyError:
        raise ChapterError(
            f"tabellen '{table_id}' har ingen kolumn '{column_id}'; kolumner: "
            f"{_names([c.id for c in table.columns])}",
            template_line(),
        ) from None
    exact = row.values.get(col.id)
    shown = state.data.rounded[table_id].get(row.id, col.id)
    if exact is None and shown is None:
        raise ChapterError(f"cellen {table_id}/{row_id}/{column_id} är tom", template_line())
    if isinstance(shown, str):
        return shown
    kind = row.column_kind or col.kind
    if col.derived is not None and exact is None:
        exact = shown  # a derived column has only its shown value
    return Quantity(
        f"cell:{table_id}/{row_id}/{column_id}",
        exact,
        kind=kind,
        table_unit=table.unit or Unit.KR,
        shown=shown,
        decimals=column_decimals(table, col, row),
    )


def _require_quantity(value: object, filter_name: str) -> Quantity:
    if isinstance(value, Quantity) and isinstance(value.exact, Decimal | int):
        return value
    raise ChapterError(
        f"filtret '{filter_name}' visar ett värde ur data (v.namn eller cell(…)), "
        f"inte {value!r} – skriv aldrig in siffror som data redan vet",
        template_line(),
    )


def _exact(q: Quantity) -> Decimal:
    assert isinstance(q.exact, Decimal | int)  # checked by _require_quantity
    return Decimal(q.exact)


def _exact_for(q: Quantity) -> Decimal | int:
    """The exact value a figure stands for (its magnitude after ``| abs``)."""
    exact = q.exact
    assert isinstance(exact, Decimal | int)  # checked by _require_quantity
    if not q.absolute:
        return exact
    return -exact if exact < 0 else exact


def _money_shown(state: _State, q: Quantity, unit: Unit) -> Decimal:
    exact = _exact(q)
    if q.shown is not None and q.table_unit is unit and isinstance(q.shown, Decimal):
        return q.shown
    if q.name is not None:
        pinned = state.data.pinned_display(q.name, exact, unit)
        if pinned is not None:
            return pinned
    return round_half_up(exact / UNIT_SCALE[unit], UNIT_DECIMALS[unit])


def _figure_filter(state: _State, unit: Unit, name: str) -> Callable[..., str]:
    def show(value: object, enhet: bool = True, avrunda: str | None = None) -> str:
        q = _require_quantity(value, name)
        if q.kind not in (None, ColumnKind.MONEY):
            raise ChapterError(f"{q.ref} är inget belopp; använd | procent eller | tal", template_line())
        if avrunda is not None:
            if avrunda not in {"tkr", "mkr"}:
                raise ChapterError(f'avrunda ska vara "tkr" eller "mkr", inte {avrunda!r}', template_line())
            coarse = Unit(avrunda)
            if UNIT_SCALE[coarse] <= UNIT_SCALE[unit]:
                raise ChapterError(
                    f"avrunda={avrunda!r} är inte grövre än {name}; avrunda används med | kr",
                    template_line(),
                )
            shown = _money_shown(state, q, coarse) * UNIT_SCALE[coarse] / UNIT_SCALE[unit]
            shown = shown.quantize(Decimal(1).scaleb(-UNIT_DECIMALS[unit]))
        else:
            shown = _money_shown(state, q, unit)
        if q.absolute:
            shown = abs(shown)
        text = format_shown(shown, unit, with_unit=bool(enhet))
        fig = Figure(text, q.ref, _exact_for(q), shown, UNIT_LABEL[unit])
        return state.mark(fig, template_line(), "inline")

    return show


def _percent_filter(state: _State) -> Callable[..., str]:
    def procent(value: object, decimaler: int | None = None, enhet: bool = True) -> str:
        q = _require_quantity(value, "procent")
        if q.kind is ColumnKind.MONEY:
            raise ChapterError(f"{q.ref} är ett belopp; använd | tkr, | kr eller | mkr", template_line())
        decimals = decimaler if decimaler is not None else (q.decimals if q.decimals is not None else 1)
        if decimaler is None and isinstance(q.shown, Decimal):
            shown = q.shown
        else:
            shown = round_half_up(_exact(q), decimals)
        if q.absolute:
            shown = abs(shown)
        fig = Figure(format_percent(shown, decimals, bool(enhet)), q.ref, _exact_for(q), shown, "%")
        return state.mark(fig, template_line(), "inline")

    return procent


def _number_filter(state: _State) -> Callable[..., str]:
    def tal(value: object, decimaler: int | None = None) -> str:
        q = _require_quantity(value, "tal")
        if q.kind is ColumnKind.MONEY:
            raise ChapterError(f"{q.ref} är ett belopp; använd | tkr, | kr eller | mkr", template_line())
        decimals = decimaler if decimaler is not None else (q.decimals or 0)
        if decimaler is None and isinstance(q.shown, Decimal):
            shown = q.shown
        else:
            shown = round_half_up(_exact(q), decimals)
        if q.absolute:
            shown = abs(shown)
        fig = Figure(format_number(shown, decimals), q.ref, _exact_for(q), shown, "")
        return state.mark(fig, template_line(), "inline")

    return tal


def _sign_shown(
    state: _State, value: object, name: str, enhet: str | None, decimaler: int | None, mot: object = None
) -> Decimal:
    """The number whose sign a direction word follows: the one a figure filter would show.

    With ``mot`` it is the difference of two shown numbers ("steg till 20,0 % från 16,1 %").
    """
    if mot is not None:
        return _sign_shown(state, value, name, enhet, decimaler) - _sign_shown(
            state, mot, name, enhet, decimaler
        )
    q = _require_quantity(value, name)
    if q.absolute:
        raise ChapterError(
            f"'{name}' väljer ordet efter talets tecken; ta bort | abs före {name}", template_line()
        )
    if enhet is not None and enhet not in {"kr", "tkr", "mkr"}:
        raise ChapterError(f'enhet ska vara "kr", "tkr" eller "mkr", inte {enhet!r}', template_line())
    if q.kind is ColumnKind.MONEY or (q.kind is None and enhet is not None):
        return _money_shown(state, q, Unit(enhet) if enhet else state.report_unit)
    if decimaler is None and isinstance(q.shown, Decimal):
        return q.shown
    if decimaler is None and q.kind is None:
        # A value in no table may be money or a percentage; without enhet= or
        # decimaler= its sign is taken at two decimals (öre, hundredths of a percent).
        decimaler = 2
    return round_half_up(_exact(q), decimaler if decimaler is not None else (q.decimals or 0))


def _direction_filter(state: _State, name: str, pair: Pair) -> Callable[..., str]:
    def word(
        value: object,
        omvant: bool = False,
        noll: str | None = None,
        enhet: str | None = None,
        decimaler: int | None = None,
        mot: object = None,
    ) -> str:
        shown = _sign_shown(state, value, name, enhet, decimaler, mot)
        if shown == 0 and noll is not None:
            return str(noll)
        return pair.word(shown, reverse=bool(omvant))

    return word


def _direction_function(state: _State) -> Callable[..., str]:
    def riktning(
        value: object,
        positivt: str,
        negativt: str,
        noll: str = "oförändrad",
        omvant: bool = False,
        enhet: str | None = None,
        decimaler: int | None = None,
        mot: object = None,
    ) -> str:
        shown = _sign_shown(state, value, "riktning", enhet, decimaler, mot)
        return Pair(str(positivt), str(negativt), str(noll)).word(shown, reverse=bool(omvant))

    return riktning


def _finalize(state: _State) -> Callable[[Any], Any]:
    def finalize(value: Any) -> Any:
        if isinstance(value, Quantity):
            if isinstance(value.exact, int) and not isinstance(value.exact, bool):
                n = _exact_for(value)
                fig = Figure(format_number(Decimal(n)), value.ref, n, n)
                return state.mark(fig, template_line(), "inline")
            raise ChapterError(
                f"ange hur {value.ref} ska visas: | tkr, | kr, | mkr, | procent eller | tal",
                template_line(),
            )
        if isinstance(value, Values):
            raise ChapterError("'v' är alla värden; skriv v.namn", template_line())
        return value

    return finalize


def _environment(state: _State) -> ChapterSandbox:
    env = ChapterSandbox(
        (Values,),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=_finalize(state),
    )

    def tabell(table_id: str) -> str:
        table = _table(state, table_id)
        return _place_table(state, table, template_line())

    def noter() -> str:
        markers: list[str] = []
        while True:  # a note may itself refer to further notes
            pending = sorted(
                (n, nid) for nid, n in state.note_numbers.items() if nid not in state.notes_placed
            )
            if not pending:
                return "\n\n".join(markers)
            for _, nid in pending:
                table = _table(state, nid)
                markers.append(_place_table(state, table, template_line(), note=True))

    def notnummer(note_id: str) -> str:
        _table(state, note_id)
        ref = NoteRef(note_id, state.note_number(note_id))
        return state.mark(ref, template_line(), "inline")

    def diagram(name: str, **options: Any) -> str:
        line = template_line()
        try:
            chart = build_chart(name, options, state.data, state.anchor)
        except ValueError as exc:
            raise ChapterError(str(exc), line) from None
        return state.mark(ChartPlacement(chart), line, "block")

    def cell(table_id: str, row_id: str, column_id: str) -> Quantity | str:
        return _cell(state, table_id, row_id, column_id)

    def finns(name: str) -> bool:
        # Lets a chapter keep a part that only some workspaces have data for
        # (a driftredovisning needs a verksamhet dimension) without failing the others.
        return name in state.data.tables or name in state.data.values

    env.globals.update(
        finns=finns,
        tabell=tabell,
        noter=noter,
        notnummer=notnummer,
        diagram=diagram,
        cell=cell,
        riktning=_direction_function(state),
        v=Values(state.data),
    )
    env.filters.update(
        tkr=_figure_filter(state, Unit.TKR, "tkr"),
        kr=_figure_filter(state, Unit.KR, "kr"),
        mkr=_figure_filter(state, Unit.MKR, "mkr"),
        procent=_percent_filter(state),
        tal=_number_filter(state),
        **{name: _direction_filter(state, name, pair) for name, pair in PAIRS.items()},
    )
    return env


def _place_table(state: _State, table: Table, line: int | None, note: bool = False) -> str:
    numbers: dict[str, int] = {}
    for row in table.rows:
        if row.note is None:
            continue
        if row.note not in state.data.tables:
            raise ChapterError(
                f"tabellen '{table.id}' rad '{row.id}' hänvisar till noten '{row.note}', "
                "som inte finns bland tabellerna",
                line,
            )
        numbers[row.note] = state.note_number(row.note)
    note_number = None
    if note:
        note_number = state.note_number(table.id)
        state.notes_placed.add(table.id)
    placement = TablePlacement(
        table.id,
        without_empty(state.data.rounded[table.id]),
        state.anchor(f"not-{note_number}" if note_number else f"tabell-{table.id}"),
        numbers,
        note_number,
    )
    return state.mark(placement, line, "block")


# ---------------------------------------------------------------------------
# Markdown → blocks

_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
_CAPTION = "Tabell:"


def _slug(text: str) -> str:
    table = str.maketrans("åäöÅÄÖéÉüÜ", "aaoAAOeEuU")
    s = re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-")
    # Anchors of notes, tables, charts and the page itself are reserved.
    if not s or re.match(r"^(not|ref|tabell|diagram|innehall)-", s):
        s = f"avsnitt-{s}".rstrip("-")
    return s


class _Converter:
    def __init__(self, state: _State, source: str) -> None:
        self.state = state
        self.source = source

    def blocks(self, tokens: list[Token]) -> tuple[Block, ...]:
        out: list[Block] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                runs = self.inline(tokens[i + 1])
                level = int(tok.tag[1])
                out.append(Heading(level, runs, self.state.anchor(_slug(plain_text(runs)))))
                i += 3
            elif tok.type == "paragraph_open":
                out.extend(self.paragraph(tokens[i + 1]))
                i += 3
            elif tok.type in {"bullet_list_open", "ordered_list_open"}:
                end = self._close(tokens, i)
                items: list[tuple[Block, ...]] = []
                j = i + 1
                while j < end:
                    item_end = self._close(tokens, j)
                    items.append(self.blocks(tokens[j + 1 : item_end]))
                    j = item_end + 1
                start = int(tok.attrGet("start") or 1)
                out.append(ListBlock(tok.type == "ordered_list_open", tuple(items), start))
                i = end + 1
            elif tok.type == "blockquote_open":
                end = self._close(tokens, i)
                out.append(Quote(self.blocks(tokens[i + 1 : end])))
                i = end + 1
            elif tok.type == "table_open":
                end = self._close(tokens, i)
                caption, after = self._caption(tokens, end + 1)
                out.append(self.text_table(tokens[i : end + 1], caption, tok))
                i = after
            elif tok.type in {"fence", "code_block"}:
                out.append(Paragraph((Styled("code", (Text(tok.content.rstrip("\n")),)),)))
                i += 1
            else:  # hr and anything structural we do not draw
                i += 1
        return tuple(out)

    def _caption(self, tokens: list[Token], i: int) -> tuple[str | None, int]:
        """A paragraph ``Tabell: …`` right after a Markdown table is its caption."""
        if (
            i + 2 < len(tokens)
            and tokens[i].type == "paragraph_open"
            and tokens[i + 1].content.strip().startswith(_CAPTION)
        ):
            return tokens[i + 1].content.strip()[len(_CAPTION) :].strip(), i + 3
        return None, i

    def text_table(self, tokens: list[Token], caption: str | None, start: Token) -> Block:
        """A Markdown table of facts (names, roles) written in the chapter.

        It becomes an ordinary table placement with text columns, so every format
        draws it like the computed tables: caption, header cells, no typed-in figures
        are made into numbers.
        """
        line = start.map[0] + 1 if start.map else None
        if not caption:
            raise ChapterError(
                "en tabell i texten behöver en rubrik: skriv 'Tabell: …' som ett eget stycke "
                "direkt efter tabellen",
                line,
            )
        rows: list[list[str]] = []
        current: list[str] = []
        for tok in tokens:
            if tok.type == "tr_open":
                current = []
            elif tok.type == "inline":
                current.append(plain_text(self.inline(tok)).strip())
            elif tok.type == "tr_close":
                rows.append(current)
        if len(rows) < 2 or len(rows[0]) < 2:
            raise ChapterError("en tabell i texten behöver en rubrikrad och minst två kolumner", line)
        header, body = rows[0], rows[1:]
        columns = tuple(Column(f"k{j}", label, ColumnKind.TEXT) for j, label in enumerate(header[1:], 1))
        table_rows = tuple(
            Row(f"r{n}", cells[0], values={f"k{j}": cells[j] for j in range(1, len(cells))})
            for n, cells in enumerate(body, 1)
        )
        table_id = self.state.anchor(f"tabell-{_slug(caption)}")
        table = Table(table_id, caption, columns, table_rows, unit=None, label_header=header[0])
        display = {r.id: dict(r.values) for r in table_rows}
        return TablePlacement(table_id, Rounded(table, display), table_id)

    @staticmethod
    def _close(tokens: list[Token], i: int) -> int:
        depth = 0
        for j in range(i, len(tokens)):
            depth += tokens[j].nesting
            if depth == 0:
                return j
        return len(tokens) - 1

    def paragraph(self, inline: Token) -> list[Block]:
        content = inline.content.strip()
        ids = _MARKER.findall(content)
        block_ids = [int(n) for n in ids if self.state.objects[int(n)][2] == "block"]
        if not block_ids:
            return [Paragraph(self.inline(inline))]
        rest = _MARKER.sub("", content).strip()
        if rest or len(block_ids) != len(ids):
            _, line, _ = self.state.objects[block_ids[0]]
            raise ChapterError(
                "tabell(), noter() och diagram() ska stå ensamma i ett eget stycke "
                "(med tomma rader före och efter)",
                line,
            )
        return [self.state.objects[n][0] for n in block_ids]  # type: ignore[misc]

    def inline(self, token: Token) -> tuple[Inline, ...]:
        stack: list[tuple[str, str, list[Inline]]] = [("root", "", [])]
        for child in token.children or []:
            t = child.type
            if t == "text":
                stack[-1][2].extend(self.text(child.content))
            elif t == "code_inline":
                stack[-1][2].append(Styled("code", (Text(child.content),)))
            elif t in {"softbreak"}:
                stack[-1][2].append(Text(" "))
            elif t == "hardbreak":
                stack[-1][2].append(LineBreak())
            elif t in {"strong_open", "em_open"}:
                stack.append((t[:-5], "", []))
            elif t == "link_open":
                stack.append(("link", str(child.attrGet("href") or ""), []))
            elif t in {"strong_close", "em_close", "link_close"} and len(stack) > 1:
                kind, href, runs = stack.pop()
                node: Inline = Link(href, tuple(runs)) if kind == "link" else Styled(kind, tuple(runs))
                stack[-1][2].append(node)
            elif t == "image":
                src = str(child.attrGet("src") or "")
                line = token.map[0] + 1 if token.map else None
                if leaves_workspace(src):
                    raise ChapterError(
                        f"bilden '{src}' ligger utanför arbetsytan; bilder och andra filer tas bara "
                        "från arbetsytans egna mappar",
                        line,
                    )
                alt = child.content.strip()
                if not alt:
                    raise ChapterError(
                        f"bilden '{src}' saknar alternativtext – skriv vad bilden visar inom "
                        f"hakparenteserna, t.ex. ![Förbundets logga]({src})",
                        line,
                    )
                if self.state.root is None:
                    stack[-1][2].extend(self.text(child.content))
                else:
                    image = load_image(self.state.root, self.source, src, alt, line)
                    if isinstance(image, str):
                        raise ChapterError(image, line)
                    stack[-1][2].append(image)
            else:
                stack[-1][2].extend(self.text(child.content))
        while len(stack) > 1:
            kind, href, runs = stack.pop()
            stack[-1][2].extend(runs)
        return _merge_text(tuple(stack[0][2]))

    def text(self, content: str) -> list[Inline]:
        out: list[Inline] = []
        pos = 0
        for m in _MARKER.finditer(content):
            if m.start() > pos:
                out.append(Text(content[pos : m.start()]))
            obj, line, kind = self.state.objects[int(m.group(1))]
            if kind == "block":
                raise ChapterError("tabell(), noter() och diagram() ska stå ensamma i ett eget stycke", line)
            out.append(obj)  # type: ignore[arg-type]
            pos = m.end()
        if pos < len(content):
            out.append(Text(content[pos:]))
        return out


def _merge_text(runs: tuple[Inline, ...]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for r in runs:
        if isinstance(r, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + r.text)
        else:
            out.append(r)
    return tuple(out)


# ---------------------------------------------------------------------------


def compose(
    chapters: Sequence[tuple[str, str]],
    data: ReportData,
    title_page: TitlePage,
    root: Path | None = None,
    template_cache: Path | None = None,
) -> Document:
    """Render every chapter and build the document; all mistakes are reported together.

    ``root`` is the workspace pictures are read from (``![alt](../bilder/logga.png)``);
    ``template_cache`` the folder compiled chapters are kept in (none: compiled each time).
    """
    state = _State(data, title_page.unit, root)
    env = _environment(state)
    compiled = TemplateCache(env, template_cache)
    findings: list[Finding] = []
    composed: list[Chapter] = []
    for name, text in chapters:
        try:
            env.start_chapter()
            template = compiled.from_string(name, text)
            template.filename = name
            rendered = template.render()
            blocks = _Converter(state, name).blocks(_md.parse(rendered))
            composed.append(Chapter(name, blocks))
        except TemplateSyntaxError as exc:
            findings.append(error(f"fel i uttrycket: {_syntax_message(exc)}", file=name, line=exc.lineno))
        except (ChapterError, LimitExceeded) as exc:
            findings.append(error(exc.message, file=name, line=exc.line))
        except RecursionError as exc:
            findings.append(
                error(
                    "uttrycket är för djupt nästlat eller anropar sig självt för många gånger "
                    "(ett makro som anropar sig självt?)",
                    file=name,
                    line=_tb_line(exc, name),
                )
            )
        except SyntaxError:  # Python's own limit on nested blocks in the compiled chapter
            findings.append(
                error(
                    "kapitlet har för många {% if %} eller {% for %} inuti varandra",
                    file=name,
                )
            )
        except MemoryError as exc:
            findings.append(error("uttrycket kräver för mycket minne", file=name, line=_tb_line(exc, name)))
        except UndefinedError as exc:
            findings.append(
                error(f"okänt namn: {_undefined_message(exc)}", file=name, line=_tb_line(exc, name))
            )
        except SecurityError as exc:
            findings.append(error(_security_message(exc), file=name, line=_tb_line(exc, name)))
        except (TypeError, ValueError, ArithmeticError) as exc:
            findings.append(error(_computation_message(exc), file=name, line=_tb_line(exc, name)))
    unplaced = sorted((n, nid) for nid, n in state.note_numbers.items() if nid not in state.notes_placed)
    for n, nid in unplaced:
        findings.append(
            error(
                f"not {n} ('{nid}') hänvisas till men placeras aldrig – skriv {{{{ noter() }}}} "
                "där noterna ska stå, efter de tabeller som hänvisar till dem",
            )
        )
    if findings:
        raise BokslutError("Kapitlen innehåller fel.", findings)
    notes = tuple(
        NoteInfo(nid, n, data.tables[nid].title)
        for nid, n in sorted(state.note_numbers.items(), key=lambda kv: kv[1])
    )
    return Document(title_page, tuple(composed), notes, dict(data.rounded), dict(data.values))


# Jinja's and Python's English, as a writer of chapters reads it in Swedish. Each pattern
# keeps the names it quotes (a filter, a function, an argument); anything not listed is
# named by its kind alone, never passed on in English.
_SYNTAX: tuple[tuple[str, str], ...] = (
    (r"No filter named '([^']*)'", "okänt filter '{0}'"),
    (r"No test named '([^']*)'", "okänt test '{0}'"),
    (r"Encountered unknown tag '([^']*)'", "okänd tagg '{{% {0} %}}'"),
    (r"unexpected end of template", "mallen tar slut mitt i ett uttryck eller block"),
    (r"unexpected char '(.*)' at \d+", "oväntat tecken '{0}'"),
    (r"unexpected '([^']*)'", "oväntat '{0}'"),
    (r"expected token '([^']*)', got '([^']*)'", "väntade '{0}' men fick '{1}'"),
    (r"expected token", "ett tecken saknas"),
    (r"unexpected end of input", "uttrycket tar slut för tidigt"),
)
_COMPUTATION: tuple[tuple[str, str], ...] = (
    (
        r"(\S+)\(\) got an unexpected keyword argument '([^']*)'",
        "filtret eller funktionen har ingen parameter '{1}'",
    ),
    (
        r"(\S+)\(\) got multiple values for argument '([^']*)'",
        "filtret eller funktionen fick '{1}' två gånger",
    ),
    (r"(\S+)\(\) missing (\d+) required", "filtret eller funktionen saknar {1} argument"),
    (
        r"(\S+)\(\) takes (\d+) positional arguments? but (\d+) (?:was|were) given",
        "filtret eller funktionen tar {1} argument men fick {2}",
    ),
    (
        r"unsupported operand type\(s\) for ([^:]+): '([^']*)' and '([^']*)'",
        "{0} går inte att använda mellan {1} och {2}",
    ),
    (r"can only concatenate", "text och tal kan inte läggas ihop med +"),
    (
        r"(?:float )?division(?: or modulo)? by zero|integer division or modulo by zero|"
        r"\[<class 'decimal\.DivisionByZero'>\]",
        "division med noll",
    ),
    (r"'([^']*)' object is not iterable", "ett värde av typen {0} går inte att loopa över"),
    (r"'([^']*)' object is not callable", "ett värde av typen {0} går inte att anropa"),
    (r"'([^']*)' object has no attribute '([^']*)'", "{0} har inget '{1}'"),
    (r"invalid literal for int\(\) with base \d+: (.*)", "{0} är inget heltal"),
    (r"could not convert string to float: (.*)", "{0} är inget tal"),
)


def _translated(text: str, table: tuple[tuple[str, str], ...]) -> str | None:
    for pattern, swedish in table:
        m = re.search(pattern, text)
        if m:
            return swedish.format(*m.groups())
    return None


def _syntax_message(exc: TemplateSyntaxError) -> str:
    return _translated(exc.message or "", _SYNTAX) or "uttrycket går inte att läsa"


def _undefined_message(exc: UndefinedError) -> str:
    msg = str(exc)
    m = re.match(r"'(.+?)' is undefined", msg)
    if m:
        known = "tabell, noter, notnummer, diagram, cell, riktning, finns, v"
        return f"'{m.group(1)}' finns inte; kända funktioner: {known}"
    m = re.search(r"has no attribute '([^']*)'", msg)
    if m:
        return f"'{m.group(1)}' finns inte"
    return "ett namn i uttrycket finns inte"


def _computation_message(exc: Exception) -> str:
    text = str(exc)
    if "no loader for this environment" in text:
        return (
            "{% include %}, {% import %} och {% extends %} finns inte i kapitel; "
            "varje kapitel är en egen fil i text/"
        )
    if text.startswith("Range too big"):
        return "range() får ge högst 100\u00a0000 tal i ett kapitel"
    reason = _translated(text, _COMPUTATION) or f"{type(exc).__name__}"
    return f"uttrycket kunde inte beräknas: {reason}"


def _security_message(exc: SecurityError) -> str:
    m = re.search(r"attribute '([^']*)'", str(exc))
    if m:
        return (
            f"'.{m.group(1)}' går inte att läsa i ett kapitel; ett värde visas bara genom sina "
            "filter (| tkr, | kr, | mkr, | procent, | tal)"
        )
    return "uttrycket är inte tillåtet i ett kapitel"


def _tb_line(exc: BaseException | None, name: str) -> int | None:
    tb = exc.__traceback__ if exc is not None else sys.exc_info()[2]
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
