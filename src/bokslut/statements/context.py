"""What every statement needs: the config, the chart, the aggregated ledger, the years."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bokslut.chart.mapping import Chart, PrefixMap
from bokslut.diagnostics import Finding
from bokslut.statements.facts import Facts, Flow, Gross, YearData, object_of
from bokslut.statements.organisation import OrgInputs
from bokslut.statements.plan import PlanRow
from bokslut.workspace.config import Config, RapportTyp


@dataclass(frozen=True)
class LineSum:
    """The exact total of one line and the accounts behind it."""

    ore: int = 0
    accounts: frozenset[str] = frozenset()


@dataclass
class Context:
    config: Config
    chart: Chart
    facts: Facts
    year: int
    budget: Sequence[PlanRow] = ()
    prognos: Sequence[PlanRow] = ()
    findings: list[Finding] = field(default_factory=list)
    # data/organisation and the amounts keyed by it (the table per nämnd, and its drill-down).
    org: OrgInputs = field(default_factory=OrgInputs)

    def plan_lines(self, rows: Sequence[PlanRow], year: int, mapper: PrefixMap) -> dict[str, LineSum]:
        """Budget or forecast rows that name an account, summed per line of ``mapper``."""
        out: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
        for r in rows:
            if r.year != year or r.account is None:
                continue
            if self.is_internal(r.account, r.objects):
                continue
            line = mapper.get(r.account)
            if line is None:
                continue
            out[line][0] += r.amount
            out[line][1].add(r.account)
        return {k: LineSum(v[0], frozenset(v[1])) for k, v in out.items()}

    def budget_lines(self, offset: int, mapper: PrefixMap) -> dict[str, LineSum]:
        return self.plan_lines(self.budget, self.year - offset, mapper)

    def kostnadsslag_of(self, r: PlanRow) -> str | None:
        if r.kostnadsslag is not None:
            return r.kostnadsslag
        if r.account is not None:
            return self.chart.kostnadsslag.get(r.account)
        return None

    def verksamhet_of(self, r: PlanRow) -> str | None:
        if r.verksamhet is not None:
            return r.verksamhet
        dim = self.config.dimensioner.verksamhet
        return object_of(r.objects, dim) if dim is not None else None

    def projekt_of(self, r: PlanRow) -> str | None:
        if r.projekt is not None:
            return r.projekt
        dim = self.config.dimensioner.projekt
        return object_of(r.objects, dim) if dim is not None else None

    @property
    def interim(self) -> bool:
        return self.config.rapport.typ is RapportTyp.DELARSRAPPORT

    def yd(self, offset: int = 0) -> YearData | None:
        return self.facts.get(self.year - offset)

    def period_filter(self, yd: YearData, accounts: frozenset[str] | set[str], sign: int) -> dict[str, Any]:
        return {
            "accounts": sorted(accounts),
            "from": yd.start.isoformat(),
            "to": yd.cut.isoformat(),
            "sign": sign,
        }

    def balance_filter(self, yd: YearData, accounts: frozenset[str] | set[str], sign: int) -> dict[str, Any]:
        return {"accounts": sorted(accounts), "balance_at": yd.cut.isoformat(), "sign": sign}

    def is_internal(self, account: str, objects: str) -> bool:
        if account in self.chart.internal_accounts:
            return True
        dim = self.config.dimensioner.motpart
        if dim is not None and self.config.internt.motparter:
            obj = object_of(objects, dim)
            return obj is not None and obj in self.config.internt.motparter
        return False

    def internal_gross(self, yd: YearData, account: str) -> Gross:
        """(debit, credit) of ``account``'s internal items in the period (see :meth:`is_internal`)."""
        if account in self.chart.internal_accounts:
            f = yd.flow(account)
            return f.debit, f.credit
        dim, motparter = self.config.dimensioner.motpart, self.config.internt.motparter
        if dim is None or not motparter:
            return 0, 0
        internal = [g for obj, g in yd.by_object(dim).get(account, {}).items() if obj in motparter]
        return sum(d for d, _ in internal), sum(c for _, c in internal)

    def internal_net(self, yd: YearData, account: str) -> int:
        """Net movement of ``account``'s internal items in the period."""
        return sum(self.internal_gross(yd, account))

    def external_net(self, yd: YearData, account: str) -> int:
        """Net movement of ``account`` in the period with internal items eliminated."""
        return yd.net(account) - self.internal_net(yd, account)

    def period_lines(
        self, yd: YearData, mapper: PrefixMap, accept: Callable[[str], bool] | None = None
    ) -> dict[str, LineSum]:
        """Result accounts' external movements in the period, summed per line."""
        out: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
        for account in yd.period:
            if accept is not None and not accept(account):
                continue
            line = mapper.get(account)
            if line is None:
                continue
            amount = self.external_net(yd, account)
            out[line][0] += amount
            out[line][1].add(account)
        return {k: LineSum(v[0], frozenset(v[1])) for k, v in out.items()}

    def balance_lines(self, yd: YearData, at_cut: bool = True) -> dict[str, LineSum]:
        """Balance accounts at the cut (or at the opening), summed per statement line."""
        out: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
        for account in yd.accounts():
            if not is_balance_account(account):
                continue
            line = self.chart.rad.get(account)
            if line is None:
                continue
            amount = yd.balance_at_cut(account) if at_cut else yd.opening(account)
            out[line][0] += amount
            out[line][1].add(account)
        return {k: LineSum(v[0], frozenset(v[1])) for k, v in out.items()}

    def year_result(self, yd: YearData) -> int:
        """Årets resultat in öre, report sign (profit positive): all result accounts."""
        return -sum(yd.net(a) for a in yd.period if not is_balance_account(a))

    def flow_of(self, yd: YearData, accounts: set[str]) -> Flow:
        total = Flow()
        for a in accounts:
            total = total + yd.flow(a)
        return total


def is_balance_account(account: str) -> bool:
    return account[:1] in ("1", "2")


def period_label(config: Config, year: int, cut: dt.date) -> str:
    """Column label: "2023" for a whole year, "Utfall 200731" style for an interim cut."""
    return str(year)
