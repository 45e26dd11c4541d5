"""The report's data namespace: every table by id and every named value.

Built by merging the :class:`~bokslut.parts.ReportPart` of each computing area.
Each table is rounded once, here, so that a table and every figure the text
takes from it show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from bokslut.diagnostics import BokslutError, Finding, error
from bokslut.parts import ReportPart
from bokslut.table import ColumnKind, Rounded, Table, Unit, Value, round_table


@dataclass(frozen=True, slots=True)
class ReportData:
    tables: Mapping[str, Table] = field(default_factory=dict)
    values: Mapping[str, Value | int] = field(default_factory=dict)
    rounded: Mapping[str, Rounded] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()

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
        rounded = {tid: round_table(t) for tid, t in tables.items()}
        return cls(tables, values, rounded, tuple(findings))

    def pinned_display(self, name: str, exact: Decimal, unit: Unit) -> Decimal | None:
        """The number a table in ``unit`` shows for the quantity ``name`` with value ``exact``.

        A named value that is also a pinned row (``Row.quantity``) must read the same
        in the text as in the tables; this finds that shown number, if any.
        """
        for tid, table in self.tables.items():
            if (table.unit or Unit.KR) is not unit:
                continue
            for row in table.rows:
                if row.quantity != name:
                    continue
                for col in table.columns:
                    if (row.column_kind or col.kind) is not ColumnKind.MONEY:
                        continue
                    if row.values.get(col.id) == exact:
                        shown = self.rounded[tid].get(row.id, col.id)
                        if isinstance(shown, Decimal):
                            return shown
        return None
