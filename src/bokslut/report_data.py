"""The report's data namespace: every table by id and every named value.

Built by merging the :class:`~bokslut.parts.ReportPart` of each computing area.
All tables are rounded together, once, here (:func:`bokslut.rounding.round_report`),
so that every table and every figure the text takes from them show one number
for one quantity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from bokslut.diagnostics import BokslutError, Finding, error
from bokslut.parts import ReportPart
from bokslut.rounding import ReportRounding, round_report
from bokslut.table import CellRef, ColumnKind, Rounded, Table, Unit, Value


@dataclass(frozen=True, slots=True)
class ReportData:
    tables: Mapping[str, Table] = field(default_factory=dict)
    values: Mapping[str, Value | int] = field(default_factory=dict)
    rounded: Mapping[str, Rounded] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    rounding: ReportRounding | None = None  # groups of same-quantity cells and conflicts

    @classmethod
    def merge(cls, parts: Iterable[ReportPart]) -> ReportData:
        """One namespace from all parts; a table id or value name given twice is an error."""
        tables: dict[str, Table] = {}
        values: dict[str, Value | int] = {}
        findings: list[Finding] = []
        problems: list[Finding] = []
        for part in parts:
            findings.extend(part.findings)
            for t in part.tables:
                if t.id in tables:
                    problems.append(error(f"tabellen '{t.id}' beräknas två gånger", where=t.id))
                tables[t.id] = t
            for name, value in part.values.items():
                if name in values and values[name] != value:
                    problems.append(
                        error(f"värdet '{name}' har två olika värden ({values[name]} och {value})")
                    )
                values[name] = value
        if problems:
            raise BokslutError("Rapportens data går inte att sätta ihop.", problems)
        rounding = round_report(tables)
        return cls(tables, values, rounding.rounded, tuple(findings), rounding)

    def pinned_display(self, name: str, exact: Decimal, unit: Unit) -> Decimal | None:
        """The number the tables in ``unit`` show for the value ``name`` with value ``exact``.

        A figure in the text is the same quantity as a cell with the same exact value:
        first a row named ``name`` (``Row.quantity``), then a row whose id is ``name``,
        then any cell of a same-quantity group; it shows that cell's number.
        """
        grouped = (
            {CellRef(m.table, m.row, m.column) for g in self.rounding.groups for m in g}
            if self.rounding is not None
            else set()
        )
        best: tuple[int, Decimal] | None = None
        for tid, table in self.tables.items():
            if (table.unit or Unit.KR) is not unit:
                continue
            for row in table.rows:
                for col in table.columns:
                    if (row.column_kind or col.kind) is not ColumnKind.MONEY:
                        continue
                    if row.values.get(col.id) != exact:
                        continue
                    rank = (
                        0
                        if row.quantity == name
                        else 1
                        if row.id == name
                        else 2
                        if CellRef(tid, row.id, col.id) in grouped
                        else None
                    )
                    shown = self.rounded[tid].get(row.id, col.id)
                    if rank is not None and isinstance(shown, Decimal) and (best is None or rank < best[0]):
                        best = (rank, shown)
        return best[1] if best is not None else None
