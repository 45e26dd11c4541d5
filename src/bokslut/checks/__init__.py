"""`bokslut check`: every consistency check the data allows (DESIGN.md §4).

Each check returns findings (never raises); :func:`run_checks` runs them all
over a freshly computed report so that every problem is reported at once.
"""

from __future__ import annotations

from bokslut.checks.ledger import (
    declared_closing,
    missing_objects,
    opening_balances,
    unmapped_accounts,
)
from bokslut.checks.statements import check_statements
from bokslut.diagnostics import Finding, Level
from bokslut.statements.build import compute
from bokslut.workspace.config import Config
from bokslut.workspace.layout import Layout

__all__ = ["run_checks"]

_ORDER = {Level.ERROR: 0, Level.WARNING: 1, Level.NOTICE: 2}


def run_checks(layout: Layout, config: Config) -> list[Finding]:
    from bokslut.ledger.store import open_store

    with open_store(layout) as store:
        findings: list[Finding] = list(store.findings)
        s = compute(store.con, layout, config)
    findings += s.findings
    ctx = s.context
    if ctx is not None:
        findings += opening_balances(ctx)
        findings += declared_closing(ctx)
        findings += unmapped_accounts(ctx)
        findings += missing_objects(ctx)
        if s.tables:
            findings += check_statements(ctx, s)
    return sorted(findings, key=lambda f: _ORDER[f.level])
