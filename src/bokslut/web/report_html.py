"""The composed chapters as the web's HTML, every figure linked to its drill-down page.

Written in the worker process that composed the chapters (:mod:`bokslut.web.preview_pool`),
from the same report data: only this text goes back to the server, never the document, so
the server neither unpickles a large document nor needs the report's data for a page.
"""

from __future__ import annotations

from urllib.parse import quote

from bokslut.document import Document
from bokslut.drilldown import Drill, UnknownName
from bokslut.render.html import HtmlWriter
from bokslut.report_data import ReportData


def drill_href(table: str, row: str, column: str) -> str:
    return f"/harled/{quote(table, safe='')}/{quote(row, safe='')}/{quote(column, safe='')}"


def chapters_html(doc: Document, data: ReportData | None) -> str:
    """Each chapter of ``doc`` as a ``<section>``; with ``data``, its figures link to their sources."""
    w = HtmlWriter(doc)
    if data is not None:
        tables = data.tables
        # Named values are found by cell alone: no store is opened here.
        names = Drill(data.tables, data.rounded, data.values)

        def figure_href(ref: str) -> str | None:
            if ref.startswith("cell:"):
                parts = ref.removeprefix("cell:").split("/")
                return drill_href(*parts) if len(parts) == 3 and parts[0] in tables else None
            if ref.startswith("v."):
                try:
                    found = names.value_cell(ref.removeprefix("v."))
                except UnknownName:
                    return None
                return drill_href(found[1].table, found[1].row, found[1].column) if found else None
            return None

        w.cell_href = lambda t, r, c: drill_href(t, r, c) if t in tables else None
        w.figure_href = figure_href
    return "\n".join(f'<section class="kapitel">{w.blocks(c.blocks)}</section>' for c in doc.chapters)
