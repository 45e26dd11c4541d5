"""The table model every computed table is expressed in, and rounding that adds up.

A :class:`Table` is plain data: columns, rows with stable ids, exact values
(``Decimal`` kronor for money, ``Decimal`` for other numbers, ``str`` for text)
and, for each value, the :class:`Source` that drill-down uses. Nothing here
knows about HTML, PDF or the store. Renderers take a table plus a
:class:`Rounded` view made by :func:`round_table`.

Rounding rules (DESIGN.md §4):

* every sum row (a row with ``parts``) shows its exact value rounded;
* every row with a ``quantity`` name is pinned the same way, so the same
  quantity shows the same number in every table of the report;
* the remaining parts (leaves) absorb the difference, by the smallest amount
  (largest remainder), so that every shown sum equals the sum of its shown parts;
* a sum whose parts are all sums (a grand total of subtotals) keeps its rounded
  value too: the subtotal nearest the other rounding moves one step together with
  one of its own parts, so it still adds up (it then differs from its own exact
  rounding by one step — the parts give way, never the total);
* a derived column (``Column.derived``, e.g. avvikelse = budget − utfall) is
  computed from the shown values of its operands, so the identity holds row by
  row and column sums still add up.

When a sum has no adjustable part left the constraint cannot be met; that is
reported in ``Rounded.conflicts`` (and by ``bokslut check``), never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

Value = Decimal | str | None


class RowKind(StrEnum):
    ITEM = "item"
    SUBTOTAL = "subtotal"
    TOTAL = "total"
    HEADING = "heading"


class ColumnKind(StrEnum):
    MONEY = "money"  # exact kronor, shown in the table's unit
    PERCENT = "percent"  # a percentage (12.5 means 12,5 %), shown with `decimals`
    NUMBER = "number"  # a count or measure, shown with `decimals`
    TEXT = "text"


class Unit(StrEnum):
    KR = "kr"
    TKR = "tkr"
    MKR = "mkr"


UNIT_SCALE = {Unit.KR: Decimal(1), Unit.TKR: Decimal(1000), Unit.MKR: Decimal(1_000_000)}
UNIT_DECIMALS = {Unit.KR: 0, Unit.TKR: 0, Unit.MKR: 1}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from, for drill-down and for the reader of the JSON.

    ``filter`` is JSON-able: e.g. ``{"accounts": ["3000-3999"], "from": "2023-01-01",
    "to": "2023-12-31", "objects": ["1:81141"], "sign": -1}`` or, for values that
    do not come from the ledger, ``{"file": "data/personal/franvaro.csv"}``.
    """

    filter: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    label: str
    kind: ColumnKind = ColumnKind.MONEY
    decimals: int | None = None  # for PERCENT/NUMBER; money follows the unit
    derived: tuple[str, str, str] | None = None  # (left column, "+" or "-", right column)


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    label: str
    kind: RowKind = RowKind.ITEM
    values: Mapping[str, Value] = field(default_factory=dict)
    parts: tuple[str, ...] = ()  # row ids summed into this row; "-id" subtracts
    note: str | None = None  # id of the note table this row refers to
    quantity: str | None = None  # report-wide name: pinned, shown identically everywhere
    level: int = 0  # indentation in the layout
    sources: Mapping[str, Source] = field(default_factory=dict)
    column_kind: ColumnKind | None = None  # overrides the columns' kind for this row
    decimals: int | None = None


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    unit: Unit | None = Unit.TKR
    caption: str = ""  # longer description for screen readers and the caption
    sign_convention: str = ""  # stated when it differs from the statutory layout
    footnotes: tuple[str, ...] = ()
    label_header: str = ""  # header of the label column ("Verksamhet", "Mål", …)

    def row(self, row_id: str) -> Row:
        for r in self.rows:
            if r.id == row_id:
                return r
        raise KeyError(row_id)

    def column(self, column_id: str) -> Column:
        for c in self.columns:
            if c.id == column_id:
                return c
        raise KeyError(column_id)

    def value(self, row_id: str, column_id: str) -> Value:
        return self.row(row_id).values.get(column_id)

    def number(self, row_id: str, column_id: str) -> Decimal | None:
        """The exact number in a cell, or None when the row, column or number is missing."""
        try:
            v = self.value(row_id, column_id)
        except KeyError:
            return None
        return v if isinstance(v, Decimal) else None


def summed_rows(rows: Sequence[Row], parts: Iterable[str], column_ids: Iterable[str]) -> dict[str, Decimal]:
    """Exact sums of ``parts`` per column (helper for building sum rows)."""
    by_id = {r.id: r for r in rows}
    out: dict[str, Decimal] = {}
    for col in column_ids:
        total = Decimal(0)
        for part in parts:
            sign, rid = _split_part(part)
            v = by_id[rid].values.get(col)
            if isinstance(v, Decimal):
                total += sign * v
        out[col] = total
    return out


def with_sums(table: Table) -> Table:
    """Fill each sum row's exact values from its parts (rows in dependency order)."""
    money_cols = [c.id for c in table.columns if c.kind is ColumnKind.MONEY and c.derived is None]
    rows: list[Row] = []
    for r in table.rows:
        if r.parts:
            values = dict(r.values)
            values.update(summed_rows(rows, r.parts, money_cols))
            r = replace(r, values=values)
        rows.append(r)
    return replace(table, rows=tuple(rows))


# ---------------------------------------------------------------------------
# Rounding


@dataclass(frozen=True, slots=True)
class RoundingConflict:
    table: str
    row: str
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class Rounded:
    """The shown numbers of one table in its unit: ``display[row][column]``."""

    table: Table
    display: Mapping[str, Mapping[str, Decimal | str | None]]
    conflicts: tuple[RoundingConflict, ...] = ()
    # (row, column) of subtotals shown one or more steps off their own rounding so that a
    # grand total of subtotals adds up; never a row with a quantity name, never an outermost total.
    adjusted: tuple[tuple[str, str], ...] = ()

    def get(self, row_id: str, column_id: str) -> Decimal | str | None:
        return self.display.get(row_id, {}).get(column_id)


def _split_part(part: str) -> tuple[int, str]:
    return (-1, part[1:]) if part.startswith("-") else (1, part)


def _quantize(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def column_decimals(table: Table, column: Column, row: Row | None = None) -> int:
    kind = (row.column_kind if row and row.column_kind else None) or column.kind
    if row is not None and row.decimals is not None:
        return row.decimals
    if kind is ColumnKind.MONEY:
        return UNIT_DECIMALS[table.unit or Unit.KR]
    return column.decimals if column.decimals is not None else (1 if kind is ColumnKind.PERCENT else 0)


def round_table(table: Table) -> Rounded:
    """Round ``table`` into its unit so that shown sums add up (see module doc)."""
    unit = table.unit or Unit.KR
    scale = UNIT_SCALE[unit]
    display: dict[str, dict[str, Decimal | str | None]] = {r.id: {} for r in table.rows}
    conflicts: list[RoundingConflict] = []
    adjusted: list[tuple[str, str]] = []
    rows_by_id = {r.id: r for r in table.rows}

    for col in table.columns:
        if col.derived is not None:
            continue
        # Amounts add up in the table's unit; counts and measures (årsarbetare) in the
        # column's decimals. Percentages are shown as they are: rates do not add.
        money = [r for r in table.rows if (r.column_kind or col.kind) is ColumnKind.MONEY]
        numbers = [r for r in table.rows if (r.column_kind or col.kind) is ColumnKind.NUMBER]
        for r in table.rows:
            if r not in money and r not in numbers:
                display[r.id][col.id] = _display_plain(table, col, r, r.values.get(col.id))
        groups = [(money, scale, UNIT_DECIMALS[unit])]
        groups += [(numbers, Decimal(1), column_decimals(table, col))]
        for rows, group_scale, decimals in groups:
            if rows:
                _balance_column(
                    table, col, rows, group_scale, decimals, rows_by_id, display, conflicts, adjusted
                )

    for col in table.columns:
        if col.derived is None:
            continue
        left, op, right = col.derived
        for r in table.rows:
            a, b = display[r.id].get(left), display[r.id].get(right)
            if isinstance(a, Decimal) and isinstance(b, Decimal):
                display[r.id][col.id] = a + b if op == "+" else a - b
            else:
                display[r.id][col.id] = _display_plain(table, col, r, r.values.get(col.id))
    return Rounded(table, display, tuple(conflicts), tuple(adjusted))


def _balance_column(
    table: Table,
    col: Column,
    rows: list[Row],
    scale: Decimal,
    decimals: int,
    rows_by_id: Mapping[str, Row],
    display: dict[str, dict[str, Decimal | str | None]],
    conflicts: list[RoundingConflict],
    adjusted: list[tuple[str, str]],
) -> None:
    """Round one column's summable rows so that every shown sum is the sum of its shown parts."""
    step = Decimal(1).scaleb(-decimals)
    exact: dict[str, Decimal] = {}
    shown: dict[str, Decimal] = {}
    for r in rows:
        v = r.values.get(col.id)
        if isinstance(v, Decimal):
            exact[r.id] = v / scale
            shown[r.id] = _quantize(exact[r.id], decimals)
    fixed = {r.id for r in rows if r.id in exact and (r.parts or r.quantity)}
    for r in rows:
        if not r.parts or r.id not in exact:
            continue
        target = shown[r.id]
        current = Decimal(0)
        leaves: list[tuple[int, str]] = []
        for part in r.parts:
            sign, pid = _split_part(part)
            if pid not in shown:
                continue
            if pid in fixed:
                current += sign * shown[pid]
            else:
                leaves.append((sign, pid))
        current += sum((sign * shown[pid] for sign, pid in leaves), Decimal(0))
        diff = target - current
        if diff and leaves:
            _distribute(diff, step, leaves, exact, shown)
        elif diff and _push_into_subtotals(r, diff, step, rows_by_id, exact, shown):
            pass
        elif diff:
            conflicts.append(
                RoundingConflict(
                    table.id,
                    r.id,
                    col.id,
                    f"Raden '{rows_by_id[r.id].label}' ({target}) kan inte visas som summan av "
                    f"sina delar ({current}) eftersom alla delar är låsta.",
                )
            )
        # Once a sum has been balanced its leaves are settled; a second sum that
        # shares them must not move them again.
        fixed.update(pid for _, pid in leaves)
    for rid, value in shown.items():
        display[rid][col.id] = value
        if rows_by_id[rid].parts and value != _quantize(exact[rid], decimals):
            adjusted.append((rid, col.id))
    for r in rows:
        if r.id not in shown:  # text such as "–" for a suppressed group, or nothing
            display[r.id][col.id] = _display_plain(table, col, r, r.values.get(col.id))


def _display_plain(table: Table, col: Column, row: Row, value: Value) -> Decimal | str | None:
    if value is None or isinstance(value, str):
        return value
    kind = row.column_kind or col.kind
    if kind is ColumnKind.MONEY:
        unit = table.unit or Unit.KR
        return _quantize(value / UNIT_SCALE[unit], UNIT_DECIMALS[unit])
    return _quantize(value, column_decimals(table, col, row))


def _distribute(
    diff: Decimal,
    step: Decimal,
    leaves: list[tuple[int, str]],
    exact: Mapping[str, Decimal],
    shown: dict[str, Decimal],
) -> None:
    """Move leaves by one step at a time, those nearest the other rounding first."""
    direction = 1 if diff > 0 else -1
    steps = int(abs(diff) / step)
    for _ in range(steps):
        # Signed remainder: how much the leaf's signed shown value lags its exact value.
        def priority(item: tuple[int, tuple[int, str]]) -> tuple[Decimal, Decimal, int]:
            idx, (sign, pid) = item
            lag = sign * (exact[pid] - shown[pid]) * direction
            return (lag, abs(exact[pid]), -idx)

        _, (sign, pid) = max(enumerate(leaves), key=priority)
        shown[pid] += sign * direction * step


def _best_part(
    row: Row,
    direction: int,
    rows_by_id: Mapping[str, Row],
    exact: Mapping[str, Decimal],
    shown: Mapping[str, Decimal],
    sums_only: bool,
) -> tuple[int, str] | None:
    """The part of ``row`` that lags its exact value most in ``direction`` (leaves first)."""
    best: tuple[tuple[int, Decimal, Decimal, int], tuple[int, str]] | None = None
    for idx, part in enumerate(row.parts):
        sign, pid = _split_part(part)
        prow = rows_by_id.get(pid)
        if prow is None or pid not in shown or prow.quantity:
            continue
        if sums_only and not prow.parts:
            continue
        lag = sign * (exact[pid] - shown[pid]) * direction
        key = (0 if prow.parts else 1, lag, abs(exact[pid]), -idx)
        if best is None or key > best[0]:
            best = (key, (sign, pid))
    return best[1] if best else None


def _push(
    rid: str,
    delta: Decimal,
    rows_by_id: Mapping[str, Row],
    exact: Mapping[str, Decimal],
    shown: dict[str, Decimal],
) -> bool:
    """Move row ``rid`` by ``delta`` and carry the move down to one of its parts, so every
    sum on the way still equals its shown parts."""
    row = rows_by_id[rid]
    if row.parts:
        direction = 1 if delta > 0 else -1
        pick = _best_part(row, direction, rows_by_id, exact, shown, sums_only=False)
        if pick is None:
            return False
        sign, pid = pick
        if not _push(pid, sign * delta, rows_by_id, exact, shown):
            return False
    shown[rid] += delta
    return True


def _push_into_subtotals(
    row: Row,
    diff: Decimal,
    step: Decimal,
    rows_by_id: Mapping[str, Row],
    exact: Mapping[str, Decimal],
    shown: dict[str, Decimal],
) -> bool:
    """A sum made only of sums (a grand total of subtotals): move the subtotal(s) nearest
    the other rounding, each with one of its own parts — the parts give way, the total
    never does (DESIGN.md §4). False when every part is pinned by a quantity name."""
    direction = 1 if diff > 0 else -1
    for _ in range(int(abs(diff) / step)):
        pick = _best_part(row, direction, rows_by_id, exact, shown, sums_only=True)
        if pick is None:
            return False
        sign, pid = pick
        if not _push(pid, sign * direction * step, rows_by_id, exact, shown):
            return False
    return True


def shown_total_matches(rounded: Rounded) -> list[str]:
    """Return ids of sum rows whose shown value is not the sum of shown parts (for checks/tests)."""
    bad: list[str] = []
    for r in rounded.table.rows:
        if not r.parts:
            continue
        for col in rounded.table.columns:
            v = rounded.get(r.id, col.id)
            if not isinstance(v, Decimal) or (r.column_kind or col.kind) is not ColumnKind.MONEY:
                continue
            total = Decimal(0)
            for part in r.parts:
                sign, pid = _split_part(part)
                pv = rounded.get(pid, col.id)
                if isinstance(pv, Decimal):
                    total += sign * pv
            if total != v:
                bad.append(f"{r.id}/{col.id}")
    return bad
