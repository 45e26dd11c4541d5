"""The computing areas whose parts make up the report, in the order they must run.

Each area's ``build_part(layout, config, known)`` sees the named values of the
areas before it: goal follow-up refers to values from the statements, the
personnel statistics and the key figures, so it comes last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bokslut import followup, kpi, personnel, statements
from bokslut.parts import ReportPart
from bokslut.table import Value
from bokslut.workspace.config import Config
from bokslut.workspace.layout import Layout

Area = Callable[[Layout, Config, Mapping[str, Value | int]], ReportPart]

AREAS: tuple[Area, ...] = (
    statements.build_part,
    personnel.build_part,
    kpi.build_part,
    followup.build_part,
)


def report_parts(layout: Layout, config: Config, areas: tuple[Area, ...] = AREAS) -> list[ReportPart]:
    """Every part of the report, computed from the workspace's data."""
    known: dict[str, Value | int] = {}
    parts: list[ReportPart] = []
    for area in areas:
        part = area(layout, config, known)
        known.update(part.values)
        parts.append(part)
    return parts
