"""The report as the reader gets it: parts → report data → chapters → document.

:func:`compose_report` is the one way a workspace becomes a
:class:`~bokslut.document.Document`; ``bokslut check`` and ``bokslut build``
both use it, so what is checked is exactly what is published. It never raises
for bad user data: a problem that stops composing (a chapter error, a table
computed twice) is a finding, and the document is then missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bokslut.compose.chapters import compose, read_chapters
from bokslut.compose.cover import read_logo
from bokslut.diagnostics import BokslutError, Finding, error
from bokslut.document import Document, TitlePage
from bokslut.parts import ReportPart
from bokslut.report_data import ReportData
from bokslut.swedish import date_text
from bokslut.table import Unit
from bokslut.workspace.config import Config, RapportTyp
from bokslut.workspace.layout import Layout

PartsProvider = Callable[[Layout, Config], Iterable[ReportPart]]


@dataclass(frozen=True)
class ComposedReport:
    """Everything the checks look at: the inputs, the data and the composed document."""

    layout: Layout
    config: Config
    chapters: tuple[tuple[str, str], ...]  # (workspace-relative file, text)
    data: ReportData | None  # None when the parts could not be merged
    document: Document | None  # None when the chapters could not be composed
    findings: tuple[Finding, ...]  # from reading, computing and composing
    parts: tuple[ReportPart, ...] = ()  # as the areas computed them (a check may reuse one)


def title_page(config: Config, layout: Layout | None = None) -> TitlePage:
    """The cover; the logo file is read (and checked) only when ``layout`` is given."""
    r = config.rapport
    start, end = r.period()
    closing = r.closing_date()
    if r.typ is RapportTyp.DELARSRAPPORT:
        title = f"Delårsrapport {closing.year}"
        subtitle = f"Perioden {date_text(start)} – {date_text(closing)}"
    else:
        title = f"Årsredovisning {r.ar}"
        subtitle = f"Räkenskapsåret {date_text(start)} – {date_text(end)}"
    t = config.titelsida
    org = config.organisation.namn
    logo = read_logo(layout, t.logotyp, org) if layout is not None and t.logotyp else None
    return TitlePage(
        org, title, subtitle, closing, Unit(r.enhet), tagline=t.undertitel, decision=t.beslut, logo=logo
    )


def _cover(config: Config, layout: Layout, findings: list[Finding]) -> TitlePage:
    """The title page; a logo that cannot be used is an error, and the rest is still checked."""
    try:
        return title_page(config, layout)
    except BokslutError as exc:
        findings.extend(exc.findings or [_as_finding(exc)])
        return title_page(config)


def compose_report(
    layout: Layout, config: Config, parts_providers: Sequence[PartsProvider]
) -> ComposedReport:
    findings: list[Finding] = []
    parts: list[ReportPart] = []
    for provider in parts_providers:
        try:
            parts.extend(provider(layout, config))
        except BokslutError as exc:  # e.g. an unbalanced voucher stops the ledger store
            findings.extend(exc.findings or [_as_finding(exc)])
    chapters: tuple[tuple[str, str], ...] = ()
    try:
        chapters = tuple(read_chapters(layout, config.kapitel.max_storlek_kb * 1024))
    except BokslutError as exc:
        findings.extend(exc.findings or [_as_finding(exc)])
    data: ReportData | None = None
    try:
        data = ReportData.merge(parts)
    except BokslutError as exc:
        findings.extend(f for p in parts for f in p.findings)
        findings.extend(exc.findings or [_as_finding(exc)])
    document: Document | None = None
    if data is not None:
        findings.extend(data.findings)
        try:
            document = compose(
                chapters, data, _cover(config, layout, findings), layout.root, layout.template_cache
            )
        except BokslutError as exc:
            findings.extend(exc.findings or [_as_finding(exc)])
    return ComposedReport(layout, config, chapters, data, document, tuple(findings), tuple(parts))


def _as_finding(exc: BokslutError) -> Finding:
    return error(exc.message)
