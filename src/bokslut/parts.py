"""What each computing area hands to the report: tables, named values, findings.

Statements, goal follow-up, personnel and key figures each produce a
:class:`ReportPart`; the composer merges them into one namespace of tables
(by table id) and values (by name, usable as ``{{ v.name }}`` in chapters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bokslut.diagnostics import Finding
from bokslut.table import Table, Value


@dataclass(frozen=True, slots=True)
class ReportPart:
    tables: tuple[Table, ...] = ()
    # Named values for the text and for indicators: exact Decimal (kronor for money,
    # percent as 12.5), int counts, or text. Names are identifiers: "arets_resultat".
    values: Mapping[str, Value | int] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
