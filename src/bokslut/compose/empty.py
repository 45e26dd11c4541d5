"""Rows and columns a placed table leaves out because they are empty for the organisation.

A kommunalförbund has no "Bidrag till infrastruktur"; a decision list whose decisions
carry no dates needs no Datum column. The statements keep every row (the data, the
JSON and the checks see them all); only the placed table, which every format renders,
leaves them out. A row goes only when it is zero or empty in every column, exactly as
well as shown, so no sum changes and no rounding moves; a row with a withheld value
("–"), a note or a total stays.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bokslut.table import Rounded, Row, RowKind, Value, split_part


def _nothing(value: Value | Decimal | str | None) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return Decimal(value) == 0


def _empty_row(rounded: Rounded, row: Row, dropped: set[str]) -> bool:
    if row.kind in (RowKind.TOTAL, RowKind.HEADING) or row.note is not None:
        return False
    if row.kind is RowKind.SUBTOTAL and not all(split_part(p)[1] in dropped for p in row.parts):
        return False
    if any(v is None for v in row.values.values()):  # a withheld figure, shown as "–"
        return False
    columns = [c.id for c in rounded.table.columns]
    exact = all(_nothing(row.values.get(c)) for c in columns)
    shown = all(_nothing(rounded.get(row.id, c)) for c in columns)
    return exact and shown


def _empty_column(rounded: Rounded, column_id: str) -> bool:
    for row in rounded.table.rows:
        if column_id in row.values and row.values[column_id] is None:
            return False  # a withheld figure is something to show
        value = rounded.get(row.id, column_id)
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True


def without_empty(rounded: Rounded) -> Rounded:
    """The table without its all-empty rows and columns (see the module docstring)."""
    table = rounded.table
    dropped: set[str] = set()
    for row in table.rows:
        if _empty_row(rounded, row, dropped):
            dropped.add(row.id)
    # A bare heading whose rows have all gone (or that has none, like the statement's
    # "Bidrag till infrastruktur" for a kommunalförbund) heads nothing. A heading over
    # a sub-heading ("TILLGÅNGAR" over "Anläggningstillgångar") or with values of its
    # own (a goal with its assessment) stays.
    column_ids = [c.id for c in table.columns]
    for i, row in enumerate(table.rows):
        if row.kind is not RowKind.HEADING or not all(_nothing(rounded.get(row.id, c)) for c in column_ids):
            continue
        section: list[str] = []
        following = None
        for below in table.rows[i + 1 :]:
            if below.kind is not RowKind.ITEM:
                following = below
                break
            section.append(below.id)
        if following is not None and following.kind is RowKind.HEADING and not section:
            continue
        if all(rid in dropped for rid in section):
            dropped.add(row.id)
    kept = [r for r in table.rows if r.id not in dropped]
    columns = tuple(c for c in table.columns if not _empty_column(rounded, c.id))
    if len(kept) == len(table.rows) and len(columns) == len(table.columns):
        return rounded
    if not kept or not columns:
        return rounded  # an empty table is shown as it is, not as nothing
    return replace(rounded, table=replace(table, rows=tuple(kept), columns=columns))
