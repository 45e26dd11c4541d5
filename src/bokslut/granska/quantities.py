"""The same quantity in several places: årets resultat, likvida medel, avskrivningar, the balance
sheet's sides, each note's total against its line, opening balances against last year's closing.

Statement tables are recognised by their row labels, not their titles, since every
municipality names them its own way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from bokslut.diagnostics import Level
from bokslut.granska.model import Cell, Column, Discrepancy, Document, Role, Row, RowKind, Table, amount
from bokslut.granska.numbers import shown

# Quantity → the row labels (lower case, without "varav", "- " and a trailing "*") that show it.
QUANTITIES: dict[str, tuple[str, ...]] = {
    "årets resultat": ("årets resultat", "årets resultat enligt resultaträkningen", "periodens resultat"),
    "likvida medel vid årets slut": (
        "likvida medel vid årets slut",
        "likvida medel vid periodens slut",
        "kassa och bank",
        "summa kassa och bank",
        "likvida medel",
        "summa likvida medel",
        "kassa och bank (likvida medel)",
    ),
    "avskrivningar": (
        "av- och nedskrivningar",
        "avskrivningar och nedskrivningar",
        "justering för av- och nedskrivningar",
        "justering för avskrivningar",
        "årets avskrivningar",
        "avskrivningar och nedskrivningar enligt plan",
    ),
}
ABSOLUTE = frozenset(["avskrivningar"])  # shown as a cost in one place and a plus in another
_PREFIX = re.compile(r"^[\-–−\s]*(varav\s+)?", re.IGNORECASE)


def normal_label(label: str) -> str:
    return " ".join(_PREFIX.sub("", label).rstrip("*: ").lower().split())


@dataclass(frozen=True, slots=True)
class Seen:
    table: Table
    row: Row
    column: Column
    cell: Cell
    parts: int = 1  # a note may show one quantity as several rows ("Årets avskrivningar" per class)

    def describe(self) -> str:
        what = self.row.label if self.parts == 1 else f"{self.parts} rader {self.row.label}"
        return f"{self.cell.text} i {self.table.name()} ({what}, {self.column.heading})"


_KONCERN = re.compile(r"sammanställd|koncern", re.IGNORECASE)
_DATE = re.compile(r"(20\d\d)-?(\d\d)-?(\d\d)\b|(?<!\d)(\d\d)(\d\d)(\d\d)(?!\d)")


def entity(table: Table) -> str:
    """Whose figures a table shows: the kommun's own, or the sammanställda räkenskaper's."""
    return "koncern" if _KONCERN.search(table.title) else "kommun"


def period_end(column: Column) -> str:
    """The day a column's figures run to: its heading's last date, else the end of its year."""
    found = list(_DATE.finditer(column.heading))
    if found:
        m = found[-1]
        if m.group(1):
            return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        return f"20{m.group(4)}-{m.group(5)}-{m.group(6)}"
    return f"{column.year}-12-31"


def _period_columns(table: Table) -> list[tuple[int, Column]]:
    return [
        (j, c)
        for j, c in enumerate(table.columns)
        if c.year is not None and c.role in (Role.VALUE, Role.OUTCOME)
    ]


def _amount_table(table: Table) -> bool:
    return not table.percent and table.unit in (None, "kr", "tkr", "mkr")


def _signed(s: Seen) -> Decimal:
    return s.cell.value or Decimal(0)


def _absolute(s: Seen) -> Decimal:
    return abs(s.cell.value or Decimal(0))


def is_income_statement(t: Table) -> bool:
    labels = [normal_label(r.label) for r in t.rows]
    return (
        "årets resultat" in labels
        and any("intäkter" in x for x in labels)
        and any("kostnader" in x for x in labels)
        and not any(x.startswith(("summa tillgångar", "likvida medel")) for x in labels)
    )


Key = tuple[str, int, str, str, str | None]  # quantity, year, period end, entity, unit


def _seen_in(t: Table) -> dict[Key, list[Seen]]:
    """Each quantity the table shows, per period; rows that split one quantity are added up."""
    income = is_income_statement(t)
    rows: dict[str, list[Row]] = defaultdict(list)
    for r in t.rows:
        label = normal_label(r.label)
        # "Avskrivningar" alone is the total only in the resultaträkning (a driftredovisning has
        # one per unit).
        if income and label in ("avskrivningar", "av- och nedskrivningar"):
            label = "av- och nedskrivningar"
        for q, labels in QUANTITIES.items():
            if label in labels:
                rows[q].append(r)
    out: dict[Key, list[Seen]] = defaultdict(list)
    for q, found in rows.items():
        for j, c in _period_columns(t):
            cells = [(r, cell) for r in found if (cell := r.cells[j]) is not None and cell.value is not None]
            if not cells:
                continue
            key = (q, c.year or 0, period_end(c), entity(t), t.unit)
            if q in ABSOLUTE and len(cells) > 1 and len({normal_label(r.label) for r, _ in cells}) == 1:
                total = sum((x.value or Decimal(0) for _, x in cells), Decimal(0))
                step = max(x.step for _, x in cells)
                out[key].append(Seen(t, cells[0][0], c, Cell(shown(total, step), total, step), len(cells)))
            else:
                out[key] += [Seen(t, r, c, cell) for r, cell in cells]
    return out


def reference(places: list[Seen], key: Callable[[Seen], Decimal]) -> Decimal:
    """The value most places agree on (the smaller one on a tie)."""
    values = [key(s) for s in places]
    return max(set(values), key=lambda v: (values.count(v), -abs(v)))


def quantities_seen(doc: Document) -> dict[Key, list[Seen]]:
    seen: dict[Key, list[Seen]] = defaultdict(list)
    for t in doc.tables:
        if _amount_table(t):
            for k, places in _seen_in(t).items():
                seen[k] += places
    return seen


def value_key(quantity: str) -> Callable[[Seen], Decimal]:
    return _absolute if quantity in ABSOLUTE else _signed


def check_quantities(doc: Document) -> list[Discrepancy]:
    seen = quantities_seen(doc)
    out: list[Discrepancy] = []
    for (q, year, _end, _entity, _unit), places in seen.items():
        key = value_key(q)
        values = {key(s) for s in places}
        if len(values) < 2:
            continue
        # The value most places agree on is the reference; every other place is the finding.
        ref = reference(places, key)
        first = next(s for s in places if key(s) == ref)
        for s in places:
            if key(s) == ref:
                continue
            out.append(
                Discrepancy(
                    Level.ERROR,
                    "granska.samma-storhet",
                    f"{q.capitalize()} {year} är {s.cell.text} i {s.table.name()} men {first.cell.text} i "
                    f"{first.table.name()} ({first.row.label}); samma belopp ska vara detsamma överallt",
                    s.row.place,
                    s.table.name(),
                    s.row.label,
                    s.column.heading,
                    s.row.label,
                    (s.describe(), first.describe()),
                )
            )
    out += _sides(doc)
    out += _opening_closing(doc)
    out += _notes(doc)
    return out


def _sides(doc: Document) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    for t in doc.tables:
        assets = next(
            (r for r in t.rows if normal_label(r.label) in ("summa tillgångar", "tillgångar totalt")), None
        )
        other = next(
            (
                r
                for r in t.rows
                if normal_label(r.label).startswith("summa eget kapital")
                and "skulder" in normal_label(r.label)
            ),
            None,
        )
        if assets is None or other is None:
            continue
        side_rows = [
            r
            for r in t.rows
            if re.match(
                r"^(summa (eget kapital|avsättningar|skulder)|eget kapital vid (årets|periodens) slut)$",
                normal_label(r.label),
            )
        ]
        for j, c in enumerate(t.columns):
            a = assets.cells[j]
            parts = [
                (r.label, sc) for r in side_rows if (sc := r.cells[j]) is not None and sc.value is not None
            ]
            if a is not None and a.value is not None and len(parts) >= 2:
                total = sum((amount(c) or Decimal(0) for _, c in parts), Decimal(0))
                if total != a.value:
                    names = " + ".join(f"{label} {c.text}" for label, c in parts)
                    out.append(
                        Discrepancy(
                            Level.WARNING,
                            "granska.balans",
                            f"Balansräkningens sidor går inte ihop {c.heading}: {assets.label} är {a.text}, "
                            f"men {names} blir {shown(total, a.step)} "
                            f"(skillnad {shown(abs(total - a.value), a.step)})",
                            other.place,
                            t.name(),
                            other.label,
                            c.heading,
                            other.label,
                            (f"{assets.label}: {a.text}", f"{names} = {shown(total, a.step)}"),
                        )
                    )
            b = other.cells[j]
            if a is None or b is None or a.value is None or b.value is None or a.value == b.value:
                continue
            out.append(
                Discrepancy(
                    Level.ERROR,
                    "granska.balans",
                    f"Balansräkningens sidor skiljer sig: {assets.label} {a.text} men {other.label} {b.text} "
                    f"(skillnad {shown(abs(a.value - b.value), a.step)})",
                    other.place,
                    t.name(),
                    other.label,
                    c.heading,
                    other.label,
                    (a.text, b.text),
                )
            )
    return out


_OPENING = re.compile(r"^(ingående|likvida medel vid årets början)\s*(.*)$")
_CLOSING = re.compile(r"^(utgående|likvida medel vid årets slut)\s*(.*)$")


def _topic(m: re.Match[str]) -> str:
    return m.group(2) if m.group(1) in ("ingående", "utgående") else "likvida medel"


def _opening_closing(doc: Document) -> list[Discrepancy]:
    """An opening balance for year Y is last year's closing balance, in the same section of a table."""
    out: list[Discrepancy] = []
    for t in doc.tables:
        cols = _period_columns(t)
        section: list[Row] = []
        sections: list[list[Row]] = []
        for r in t.rows:
            if r.kind is RowKind.HEADING and re.match(r"^(not\s*)?\d", r.label, re.IGNORECASE):
                sections.append(section)
                section = []
            section.append(r)
        sections.append(section)
        for rows in sections:
            for i, r in enumerate(rows):
                m = _OPENING.match(normal_label(r.label))
                # A note may repeat the same block per class of asset: the closing balance is the
                # first one after the opening.
                closing = next(
                    (
                        x
                        for x in rows[i + 1 :]
                        if m is not None
                        and (mc := _CLOSING.match(normal_label(x.label)))
                        and _topic(mc) == _topic(m)
                    ),
                    None,
                )
                if m is None or closing is None:
                    continue
                for j, c in cols:
                    prev = next((k for k, pc in cols if pc.year == (c.year or 0) - 1), None)
                    o = r.cells[j]
                    cl = closing.cells[prev] if prev is not None else None
                    if o is None or cl is None or o.value is None or cl.value is None or o.value == cl.value:
                        continue
                    out.append(
                        Discrepancy(
                            Level.ERROR,
                            "granska.ingaende",
                            f"{r.label} {c.year} är {o.text}, men {closing.label.lower()} "
                            f"{(c.year or 0) - 1} "
                            f"är {cl.text}; ingående balans ska vara föregående års utgående",
                            r.place,
                            t.name(),
                            r.label,
                            c.heading,
                            r.label,
                            (o.text, cl.text),
                        )
                    )
    return out


_NOTE_HEAD = re.compile(r"^(?:not\s*)?(\d{1,3})[.:]?\s+\S", re.IGNORECASE)
_NOTE_TITLE = re.compile(r"^not\s*(\d{1,3})\b", re.IGNORECASE)


def _note_sections(doc: Document) -> dict[int, tuple[Table, list[Row]]]:
    notes: dict[int, tuple[Table, list[Row]]] = {}
    for t in doc.tables:
        current: int | None = None
        if m := _NOTE_TITLE.match(t.title.strip()):
            current = int(m.group(1))
            notes[current] = (t, [])
        for r in t.rows:
            if r.kind is RowKind.HEADING and (m := _NOTE_HEAD.match(r.label)) and r.note is None:
                current = int(m.group(1))
                notes[current] = (t, [])
                continue
            if current is not None and current in notes and notes[current][0] is t:
                notes[current][1].append(r)
    return notes


def _notes(doc: Document) -> list[Discrepancy]:
    """A resultaträkning or balansräkning line with a note reference shows a figure its note shows too.

    (A kassaflödesanalys refers to notes for changes, which the notes do not show.)
    """
    notes = _note_sections(doc)
    out: list[Discrepancy] = []
    for t in doc.tables:
        if not (any(normal_label(r.label) == "summa tillgångar" for r in t.rows) or is_income_statement(t)):
            continue
        for r in t.rows:
            if r.note is None or r.note not in notes or r.kind is RowKind.HEADING:
                continue
            nt, nrows = notes[r.note]
            for j, c in _period_columns(t):
                cell = r.cells[j]
                if cell is None or cell.value is None:
                    continue
                k = next((k for k, nc in _period_columns(nt) if nc.year == c.year), None)
                if k is None:
                    continue
                shown_in_note = [v for x in nrows if (v := amount(x.cells[k])) is not None]
                if not shown_in_note or any(abs(v) == abs(cell.value) for v in shown_in_note):
                    continue
                # One line may be the sum of several like rows ("Årets avskrivningar" per class).
                groups: dict[str, Decimal] = defaultdict(Decimal)
                for x in nrows:
                    if (v := amount(x.cells[k])) is not None:
                        groups[normal_label(x.label)] += abs(v)
                if abs(cell.value) in groups.values():
                    continue
                totals = [x for x in nrows if x.kind is RowKind.SUM and x.cells[k] is not None]
                total = totals[-1] if totals else None
                total_text = total.cells[k].text if total is not None and total.cells[k] is not None else "–"  # type: ignore[union-attr]
                out.append(
                    Discrepancy(
                        Level.ERROR,
                        "granska.not",
                        f"{r.label} {c.year} är {cell.text} i {t.name()}, men not {r.note} visar "
                        f"inget sådant "
                        f"belopp (notens summa: {total_text})",
                        r.place,
                        t.name(),
                        r.label,
                        c.heading,
                        r.label,
                        (cell.text, total_text),
                    )
                )
    return out
