"""Operational key figures: service-desk tickets, telephony and yearly figures (NKI, …).

``build_part`` reads data/kpi/arenden.*, samtal.* and nyckeltal.* (each
optional) and returns tables and named values such as
``samtal_kundtjanst_andel_inom_30s_2023`` (docs/kpi.md lists them all).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bokslut.diagnostics import Finding
from bokslut.kpi import cache
from bokslut.kpi.calls import CallFigures, read_calls
from bokslut.kpi.tables import (
    call_values,
    calls_table,
    matvarden_table,
    ticket_tables,
    ticket_values,
    yearly_tables,
    yearly_values,
)
from bokslut.kpi.tickets import Tickets, desks, read_tickets, ticket_years
from bokslut.kpi.yearly import YearlyFigure, read_yearly
from bokslut.parts import ReportPart
from bokslut.table import Table, Value
from bokslut.tabular import find_input
from bokslut.workspace.config import Config
from bokslut.workspace.layout import Layout

__all__ = ["build_part", "load_inputs"]


def _display(layout: Layout, path: Path) -> str:
    try:
        return path.relative_to(layout.root).as_posix()
    except ValueError:
        return path.name


def load_inputs(
    layout: Layout, config: Config, *, use_cache: bool = True
) -> tuple[Tickets | None, CallFigures | None, list[YearlyFigure], list[Finding]]:
    """The parsed key-figure files; from ``.bokslut/kpi/`` when a file is as it was last read."""
    findings: list[Finding] = []
    closing = config.rapport.closing_date()
    period_end = (closing.month, closing.day)
    tickets: Tickets | None = None
    calls: CallFigures | None = None
    yearly: list[YearlyFigure] = []
    limit, root = config.granser.tabell_bytes, layout.root
    folder = layout.kpi_cache if use_cache else None
    settings = config.kpi.model_dump(mode="json")
    path = find_input(layout.kpi_dir, "arenden")
    if path is not None:
        shown, source = _display(layout, path), path
        tickets, f = cache.cached(
            folder,
            "arenden",
            root,
            source,
            {"file": shown, "kpi": settings, "closing": period_end, "limit": limit},
            lambda: read_tickets(source, shown, config.kpi, period_end, max_bytes=limit, root=root),
            cache.encode_tickets,
            cache.decode_tickets,
        )
        findings += f
    path = find_input(layout.kpi_dir, "samtal")
    if path is not None:
        shown_calls, calls_source = _display(layout, path), path
        calls, f = cache.cached(
            folder,
            "samtal",
            root,
            calls_source,
            {"file": shown_calls, "kpi": settings, "closing": period_end, "limit": limit},
            lambda: read_calls(calls_source, shown_calls, config.kpi, period_end, max_bytes=limit, root=root),
            cache.encode_calls,
            cache.decode_calls,
        )
        findings += f
    path = find_input(layout.kpi_dir, "nyckeltal")
    if path is not None:
        shown_yearly, yearly_source = _display(layout, path), path
        yearly, f = cache.cached(
            folder,
            "nyckeltal",
            root,
            yearly_source,
            {"file": shown_yearly, "kpi": settings, "limit": limit},
            lambda: read_yearly(yearly_source, shown_yearly, config.kpi, max_bytes=limit, root=root),
            cache.encode_yearly,
            cache.decode_yearly,
        )
        findings += f
    return tickets, calls, yearly, findings


def build_part(layout: Layout, config: Config, known: Mapping[str, Value | int]) -> ReportPart:
    del known  # key figures come from their own files only
    tickets, calls, yearly, findings = load_inputs(layout, config)
    year = config.rapport.ar
    settings = config.kpi
    tables: list[Table] = []
    values: dict[str, Value | int] = {}
    for i, spec in enumerate(settings.matvarden):
        table, f = matvarden_table(spec, i, settings, year, tickets, calls, yearly)
        findings += f
        if table is not None:
            tables.append(table)
    if tickets is not None:
        tables += ticket_tables(tickets, settings, year)
        years = [y for y in ticket_years(tickets) if y <= year][: settings.antal_ar]
        values.update(ticket_values(tickets, years, desks(tickets)))
    if calls is not None:
        table = calls_table(calls, year, settings.servicegrad_av)
        if table is not None:
            tables.append(table)
        values.update(call_values(calls, settings.servicegrad_av))
    if yearly:
        tables += yearly_tables(yearly, settings, year)
        values.update(yearly_values(yearly))
    return ReportPart(tables=tuple(tables), values=values, findings=tuple(findings))
