"""One pipeline for `bokslut check` and `bokslut build`: compose the report, run every check.

:data:`CHECKS` is the list of checks, each a function of the composed report
that returns findings (never raises). A check written over the report data or
the document alone joins the list through :func:`on_data` or
:func:`on_document`, one line each::

    on_data(check_shown),      # bokslut.checks.shown
    on_document(check_words),  # bokslut.checks.words
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bokslut.checks import document, goals, inputs
from bokslut.checks.interim import interim_inputs
from bokslut.checks.shown import check_shown
from bokslut.checks.words import direction_findings
from bokslut.compose.report import ComposedReport, PartsProvider, compose_report
from bokslut.diagnostics import Finding, Level, has_errors
from bokslut.document import Document
from bokslut.pipeline.areas import report_parts
from bokslut.report_data import ReportData
from bokslut.workspace.config import Config
from bokslut.workspace.layout import Layout

Check = Callable[[ComposedReport], list[Finding]]


def on_data(check: Callable[[ReportData], list[Finding]]) -> Check:
    """A check of the report data (tables, values) as a pipeline step."""

    def run(report: ComposedReport) -> list[Finding]:
        return check(report.data) if report.data is not None else []

    return run


def on_document(check: Callable[[Document], list[Finding]]) -> Check:
    """A check of the composed document as a pipeline step."""

    def run(report: ComposedReport) -> list[Finding]:
        return check(report.document) if report.document is not None else []

    return run


CHECKS: tuple[Check, ...] = (
    document.completeness,  # first: what is missing explains much of what follows
    inputs.ledger,  # the ledger's own consistency, its organisation and period, budget rows
    on_data(check_shown),  # shown sums add up; one quantity, one number (report-wide rounding)
    document.tie_out,  # the statements agree as shown
    document.figures,  # figures in the text show the values they name
    goals.goals,  # assessments agree with their shown numbers; counts in the text
    inputs.personnel,  # years without absence data are not 0,0 %
    on_document(interim_inputs),  # a delårsrapport's column without budget/prognos/last year
    on_document(direction_findings),  # a typed direction word against its figure's sign
)

_ORDER = {Level.ERROR: 0, Level.WARNING: 1, Level.NOTICE: 2}


@dataclass(frozen=True)
class Checked:
    report: ComposedReport
    findings: tuple[Finding, ...]  # errors first, each finding once

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


def check_report(report: ComposedReport, checks: Sequence[Check] = CHECKS) -> list[Finding]:
    """Every finding, errors first; within a level the first check's findings lead, then
    those from composing the report, then the other checks' in their order."""
    results = [check(report) for check in checks]
    findings: list[Finding] = [*results[0]] if results else []
    findings += report.findings
    for found in results[1:]:
        findings += found
    unique = list(dict.fromkeys(findings))
    return sorted(unique, key=lambda f: _ORDER[f.level])


def check_workspace(
    layout: Layout,
    config: Config,
    parts_providers: Sequence[PartsProvider] = (report_parts,),
    checks: Sequence[Check] = CHECKS,
) -> Checked:
    """Compose the report exactly as it is published and check all of it."""
    report = compose_report(layout, config, parts_providers)
    return Checked(report, tuple(check_report(report, checks)))


def run_checks(layout: Layout, config: Config) -> list[Finding]:
    """Every finding for the workspace's report, errors first."""
    return list(check_workspace(layout, config).findings)
