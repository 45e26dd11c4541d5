"""Checks of what the reader sees: the rounded numbers agree with themselves (docs/avrundning.md).

These are the invariants of :mod:`bokslut.rounding`, checked on its output rather
than trusted: every shown sum is the sum of its shown parts, every derived column
its definition on shown values, every declared identity holds as shown, every
same-quantity group shows one number, and every rounding conflict is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from bokslut.diagnostics import Finding, error
from bokslut.render.numbers import format_number
from bokslut.report_data import ReportData
from bokslut.rounding import ReportRounding, round_report
from bokslut.table import CellRef, ColumnKind, Rounded, Table, split_part

__all__ = ["check_rounding", "check_shown"]


def check_shown(data: ReportData) -> list[Finding]:
    """Every invariant of the shown numbers over the report's tables."""
    report = data.rounding
    if report is None:  # a ReportData made by hand: round it the way merge would
        report = round_report(data.tables)
    return check_rounding(data.tables, report)


def check_rounding(tables: Mapping[str, Table], report: ReportRounding) -> list[Finding]:
    out: list[Finding] = []
    for tid, table in tables.items():
        rounded = report.rounded.get(tid)
        if rounded is None:
            out.append(error(f"tabellen '{table.title}' har inga visade värden", where=tid, code="visat"))
            continue
        out += _sums(table, rounded)
        out += _derived(table, rounded)
        out += _identities(tables, table, report)
    out += _groups(tables, report)
    for c in report.conflicts:
        out.append(
            error(c.message, where=_where(CellRef(c.table, c.row, c.column)), code="avrundning-konflikt")
        )
    return out


def _where(cell: CellRef) -> str:
    return f"{cell.table}/{cell.row}/{cell.column}"


def _text(v: Decimal) -> str:
    return format_number(v, max(0, -int(v.as_tuple().exponent)))


def _shown_number(rounded: Rounded, row: str, column: str) -> Decimal | None:
    v = rounded.get(row, column)
    return v if isinstance(v, Decimal) else None


def _sums(table: Table, rounded: Rounded) -> list[Finding]:
    out: list[Finding] = []
    for row in table.rows:
        if not row.parts:
            continue
        for col in table.columns:
            if (row.column_kind or col.kind) not in (ColumnKind.MONEY, ColumnKind.NUMBER):
                continue
            shown = _shown_number(rounded, row.id, col.id)
            if shown is None:
                continue
            total = Decimal(0)
            for part in row.parts:
                sign, pid = split_part(part)
                pv = _shown_number(rounded, pid, col.id)
                if pv is not None:
                    total += sign * pv
            if total != shown:
                out.append(
                    error(
                        f"tabellen '{table.title}' visar {_text(shown)} på raden '{row.label}' "
                        f"({col.label}) men de visade delarna summerar till {_text(total)}",
                        where=_where(CellRef(table.id, row.id, col.id)),
                        code="visad-summa",
                    )
                )
    return out


def _derived(table: Table, rounded: Rounded) -> list[Finding]:
    out: list[Finding] = []
    for col in table.columns:
        if col.derived is None:
            continue
        left, op, right = col.derived
        for row in table.rows:
            v = _shown_number(rounded, row.id, col.id)
            a = _shown_number(rounded, row.id, left)
            b = _shown_number(rounded, row.id, right)
            if v is None or a is None or b is None:
                continue
            want = a + b if op == "+" else a - b
            if v != want:
                out.append(
                    error(
                        f"tabellen '{table.title}' visar {_text(v)} som {col.label} på raden "
                        f"'{row.label}', men {table.column(left).label} {op} {table.column(right).label} "
                        f"är {_text(want)} med de visade talen",
                        where=_where(CellRef(table.id, row.id, col.id)),
                        code="visad-avvikelse",
                    )
                )
    return out


def _exact(tables: Mapping[str, Table], cell: CellRef) -> Decimal | None:
    t = tables.get(cell.table)
    return t.number(cell.row, cell.column) if t is not None else None


def _identities(tables: Mapping[str, Table], table: Table, report: ReportRounding) -> list[Finding]:
    """A declared identity that holds exactly must hold as shown (in one unit)."""
    out: list[Finding] = []
    for ident in table.identities:
        cells = [ident.cell, *(t for _, t in ident.terms)]
        exact = [_exact(tables, c) for c in cells]
        shown = [report.shown(c) for c in cells]
        units = {tables[c.table].unit for c in cells if c.table in tables}
        e = [v for v in exact if isinstance(v, Decimal)]
        sv = [v for v in shown if isinstance(v, Decimal)]
        if len(units) != 1 or len(e) != len(cells) or len(sv) != len(cells):
            continue
        signs = [s for s, _ in ident.terms]
        if e[0] != sum((s * v for s, v in zip(signs, e[1:], strict=True)), Decimal(0)):
            continue  # the exact values disagree: the ledger checks report that
        want = sum((s * v for s, v in zip(signs, sv[1:], strict=True)), Decimal(0))
        if sv[0] != want:
            label = tables[ident.cell.table].row(ident.cell.row).label
            out.append(
                error(
                    f"raden '{label}' visar {_text(sv[0])} men ska enligt sin definition visa "
                    f"{_text(want)} ({ident.reason or 'deklarerad identitet'})",
                    where=_where(ident.cell),
                    code="visad-identitet",
                )
            )
    return out


def _groups(tables: Mapping[str, Table], report: ReportRounding) -> list[Finding]:
    out: list[Finding] = []
    for group in report.groups:
        first = group[0]
        base = report.shown(CellRef(first.table, first.row, first.column))
        if not isinstance(base, Decimal):
            continue
        for m in group[1:]:
            v = report.shown(CellRef(m.table, m.row, m.column))
            if isinstance(v, Decimal) and m.sign * v == first.sign * base:
                continue
            t0, t1 = tables[first.table], tables[m.table]
            out.append(
                error(
                    f"samma storhet visas olika: '{t1.row(m.row).label}' i tabellen '{t1.title}' "
                    f"visar {_text(v) if isinstance(v, Decimal) else v} men '{t0.row(first.row).label}' "
                    f"i tabellen '{t0.title}' visar {_text(base)}",
                    where=_where(CellRef(m.table, m.row, m.column)),
                    code="samma-storhet",
                )
            )
    return out
