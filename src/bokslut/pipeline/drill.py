"""Drill-down over a workspace: the report's data as `build` rounds it, beside the open store.

The CLI (``bokslut harled``) and the web application open it the same way, so a figure
is explained with the numbers the published report shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bokslut.diagnostics import Finding
from bokslut.drilldown import Drill
from bokslut.ledger.store import Store, open_store
from bokslut.pipeline.areas import report_parts
from bokslut.report_data import ReportData
from bokslut.statements import StatementsPart
from bokslut.workspace.config import Config
from bokslut.workspace.layout import Layout


def drill_from_parts(layout: Layout, config: Config) -> tuple[ReportData, StatementsPart | None]:
    parts = report_parts(layout, config)
    data = ReportData.merge(parts)
    statements = next((p for p in parts if isinstance(p, StatementsPart)), None)
    return data, statements


@contextmanager
def open_drill(layout: Layout, config: Config) -> Iterator[tuple[Drill, tuple[Finding, ...]]]:
    """A :class:`Drill` over the workspace and the findings met while computing the report."""
    data, part = drill_from_parts(layout, config)
    with drill_over(layout, data, part) as drill:
        yield drill, data.findings


@contextmanager
def drill_over(layout: Layout, data: ReportData, part: StatementsPart | None) -> Iterator[Drill]:
    """A :class:`Drill` over report data already computed (the web application keeps it between pages)."""
    with open_store(layout) as store:
        yield drill_on(store, data, part)


def drill_on(store: Store, data: ReportData, part: StatementsPart | None) -> Drill:
    """A :class:`Drill` over report data already computed and a store already open."""
    context = part.statements.context if part is not None and part.statements is not None else None
    return Drill(data.tables, data.rounded, data.values, context, store)
