"""One generic engine: a spec (lines as data) plus leaf values -> a table model.

Every statement computes the exact values of its leaf lines per column (a
:class:`Cell`: kronor plus the drill-down filter) and hands them with its spec
to :func:`build_table`. The engine fills the sums, drops lines that are empty in
every column (the law's lines that do not apply), keeps sums consistent with the
lines that remain, and attaches sources and note references.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from bokslut.money import kronor
from bokslut.table import Column, ColumnKind, Row, RowKind, Source, Table, Unit, with_sums


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a statement spec.

    ``parts`` makes it a sum ("-id" subtracts). ``show`` is "always", "nonzero"
    (dropped when every column is zero or empty) or "data" (dropped when no
    column has a value at all).
    """

    id: str
    label: str
    kind: RowKind = RowKind.ITEM
    parts: tuple[str, ...] = ()
    note: str | None = None
    quantity: str | None = None
    level: int = 0
    show: str = "nonzero"


@dataclass(frozen=True, slots=True)
class Cell:
    value: Decimal | str | None
    filter: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


def money_cell(ore: int, flt: Mapping[str, Any], description: str = "") -> Cell:
    return Cell(kronor(ore), flt, description)


def build_table(
    *,
    id: str,
    title: str,
    columns: Sequence[Column],
    lines: Sequence[Line],
    cells: Mapping[str, Mapping[str, Cell]],
    unit: Unit | None = Unit.TKR,
    caption: str = "",
    sign_convention: str = "",
    footnotes: Iterable[str] = (),
    label_header: str = "",
) -> Table:
    kept: list[Line] = []
    kept_ids: set[str] = set()
    data_cols = [c.id for c in columns if c.derived is None]
    for line in lines:
        if line.parts:
            parts = tuple(p for p in line.parts if p.lstrip("-") in kept_ids)
            if not parts and line.show != "always":
                continue
            line = replace(line, parts=parts)
        elif line.kind is RowKind.HEADING:
            pass
        else:
            row_cells = cells.get(line.id, {})
            present = [row_cells[c].value for c in data_cols if c in row_cells]
            if line.show == "nonzero" and all(v is None or v == 0 for v in present):
                continue
            if line.show == "data" and all(v is None for v in present):
                continue
        kept.append(line)
        kept_ids.add(line.id)
    # Headings with nothing under them before the next heading of the same level go.
    pruned: list[Line] = []
    for i, line in enumerate(kept):
        if line.kind is RowKind.HEADING and line.show != "always":
            nxt = kept[i + 1] if i + 1 < len(kept) else None
            if nxt is None or (nxt.kind is RowKind.HEADING and nxt.level <= line.level):
                continue
        pruned.append(line)

    rows: list[Row] = []
    for line in pruned:
        row_cells = cells.get(line.id, {})
        values = {c: cell.value for c, cell in row_cells.items()}
        sources = {
            c: Source(dict(cell.filter), cell.description) for c, cell in row_cells.items() if cell.filter
        }
        rows.append(
            Row(
                id=line.id,
                label=line.label,
                kind=line.kind,
                values=values,
                parts=line.parts,
                note=line.note,
                quantity=line.quantity,
                level=line.level,
                sources=sources,
            )
        )
    table = Table(
        id=id,
        title=title,
        columns=tuple(columns),
        rows=tuple(rows),
        unit=unit,
        caption=caption,
        sign_convention=sign_convention,
        footnotes=tuple(footnotes),
        label_header=label_header,
    )
    table = with_sums(table)
    return fill_derived(_sum_sources(table))


def _sum_sources(table: Table) -> Table:
    """A sum's drill-down filter is the union of its parts' filters."""
    by_id: dict[str, Row] = {}
    rows: list[Row] = []
    for r in table.rows:
        if r.parts and not r.sources:
            merged: dict[str, Source] = {}
            for col in table.columns:
                filters = [
                    by_id[p.lstrip("-")].sources[col.id].filter
                    for p in r.parts
                    if col.id in by_id[p.lstrip("-")].sources
                ]
                if filters:
                    merged[col.id] = Source(merge_filters(filters), f"summa av {len(filters)} rader")
            r = replace(r, sources=merged)
        by_id[r.id] = r
        rows.append(r)
    return replace(table, rows=tuple(rows))


def merge_filters(filters: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    accounts: set[str] = set()
    for f in filters:
        for k, v in f.items():
            if k == "accounts":
                accounts.update(v)
            elif k not in out and k != "terms":  # one part's terms are not the sum's
                out[k] = v
    if accounts:
        out["accounts"] = sorted(accounts)
    return out


def fill_derived(table: Table) -> Table:
    """Exact values of derived columns (avvikelse = a − b) for every row, sums included."""
    derived = [c for c in table.columns if c.derived is not None]
    if not derived:
        return table
    rows = []
    for r in table.rows:
        values = dict(r.values)
        for c in derived:
            assert c.derived is not None
            left, op, right = c.derived
            a, b = values.get(left), values.get(right)
            if isinstance(a, Decimal) and isinstance(b, Decimal):
                values[c.id] = a + b if op == "+" else a - b
        rows.append(replace(r, values=values))
    return replace(table, rows=tuple(rows))


def with_percent_row(table: Table, row_id: str, decimals: int) -> Table:
    """The table with one row shown as a percentage (a rate or a share among amounts)."""
    rows = tuple(
        replace(r, column_kind=ColumnKind.PERCENT, decimals=decimals) if r.id == row_id else r
        for r in table.rows
    )
    return replace(table, rows=rows)
