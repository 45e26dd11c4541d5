"""Small hand-made ledgers: write real SIE files with the writer, let the store index them.

Loaded by path from the conftest files of tests/statements, tests/checks and the CLI test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bokslut.money import parse_ore
from bokslut.sie.model import (
    Account,
    Balance,
    Dimension,
    FiscalYear,
    Header,
    Object,
    PeriodBalance,
    Transaction,
    Voucher,
)
from bokslut.sie.writer import write_sie
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

Row = tuple  # (account, kronor[, {dim: obj}])


def ore(x: object) -> int:
    return parse_ore(str(x))


@dataclass
class LedgerWorkspace:
    root: Path
    toml: str = ""
    years: dict[int, dict] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        return Layout(self.root)

    def config(
        self,
        *,
        typ: str = "kommun",
        rapport: str = "arsredovisning",
        ar: int = 2023,
        bokslutsdatum: str | None = None,
        extra: str = "",
    ) -> LedgerWorkspace:
        cut = f"bokslutsdatum = {bokslutsdatum}\n" if bokslutsdatum else ""
        self.toml = (
            f'[organisation]\nnamn = "Testförbundet"\ntyp = "{typ}"\n\n'
            f'[rapport]\ntyp = "{rapport}"\nar = {ar}\n{cut}\n{extra}\n'
        )
        (self.root / "bokslut.toml").write_text(self.toml, encoding="utf-8")
        return self

    def year(
        self,
        year: int,
        *,
        ib: dict[str, object] | None = None,
        vouchers: Sequence[tuple[str, Sequence[Row]]] = (),
        pbudget: Iterable[tuple[str, object, dict[int, str]]] = (),
        res_prev: dict[str, object] | None = None,
        ub_prev: dict[str, object] | None = None,
        names: dict[str, str] | None = None,
        oib: Iterable[tuple[str, object, dict[int, str]]] = (),
    ) -> LedgerWorkspace:
        """Vouchers as (date, [(account, kronor, {dim: obj}), …]); kronor debit positive.

        ``oib``: opening balances per object, (account, kronor, {dim: obj}) (#OIB)."""
        write_ledger(
            self.root / "data" / "ledger" / f"{year}.se",
            year,
            ib=ib,
            vouchers=vouchers,
            pbudget=pbudget,
            res_prev=res_prev,
            ub_prev=ub_prev,
            names=names,
            oib=oib,
        )
        return self

    def company(
        self,
        rel: str,
        year: int,
        *,
        ib: dict[str, object] | None = None,
        vouchers: Sequence[tuple[str, Sequence[Row]]] = (),
        oib: Iterable[tuple[str, object, dict[int, str]]] = (),
        name: str = "Testbolaget AB",
        ib_prev: dict[str, object] | None = None,
        res_prev: dict[str, object] | None = None,
    ) -> Path:
        """A koncernföretag's own SIE 4 file (BAS accounts) at ``rel`` in the workspace;
        ``ib_prev`` and ``res_prev`` are last year's #IB -1 and #RES -1."""
        path = self.root / rel
        write_ledger(
            path, year, ib=ib, vouchers=vouchers, oib=oib, fnamn=name, ib_prev=ib_prev, res_prev=res_prev
        )
        return path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def chapter(self, *tables: str) -> Path:
        """A chapter placing the statements (all the checks need of a finished report)."""
        names = tables or ("resultatrakning", "balansrakning", "kassaflodesanalys", "balanskravsutredning")
        body = "\n\n".join(f'{{{{ tabell("{t}") }}}}' for t in names)
        return self.write("text/01-rapport.md", f"# Rapporten\n\n{body}\n\n{{{{ noter() }}}}\n")

    def compute(self):
        from bokslut.statements import compute_for

        return compute_for(self.layout, load_config(self.layout.config))

    def checks(self):
        from bokslut.pipeline.check import run_checks

        return run_checks(self.layout, load_config(self.layout.config))


def write_ledger(
    path: Path,
    year: int,
    *,
    ib: dict[str, object] | None = None,
    vouchers: Sequence[tuple[str, Sequence[Row]]] = (),
    pbudget: Iterable[tuple[str, object, dict[int, str]]] = (),
    res_prev: dict[str, object] | None = None,
    ub_prev: dict[str, object] | None = None,
    names: dict[str, str] | None = None,
    oib: Iterable[tuple[str, object, dict[int, str]]] = (),
    fnamn: str = "Testförbundet",
    ib_prev: dict[str, object] | None = None,
) -> None:
    """One SIE 4 file for ``year`` written by the project's own writer."""
    vs: list[Voucher] = []
    accounts: set[str] = set(ib or {})
    objects: set[tuple[int, str]] = set()
    for n, (date, rows) in enumerate(vouchers, start=1):
        tx = []
        for r in rows:
            account, amount = r[0], ore(r[1])
            objs = tuple(sorted((r[2] if len(r) > 2 else {}).items()))
            objects.update(objs)
            accounts.add(account)
            tx.append(Transaction(account=account, amount=amount, objects=objs))
        vs.append(Voucher("A", str(n), dt.date.fromisoformat(date), f"ver {n}", tuple(tx)))
    balances = [Balance("IB", 0, a, ore(x), 0) for a, x in sorted((ib or {}).items())]
    for account, amount, objs in oib:
        accounts.add(account)
        objects.update(objs.items())
        balances.append(Balance("OIB", 0, account, ore(amount), 0, tuple(sorted(objs.items()))))
    balances += [Balance("IB", -1, a, ore(x), 0) for a, x in sorted((ib_prev or {}).items())]
    balances += [Balance("RES", -1, a, ore(x), 0) for a, x in sorted((res_prev or {}).items())]
    accounts.update(ib_prev or {})
    balances += [Balance("UB", -1, a, ore(x), 0) for a, x in sorted((ub_prev or {}).items())]
    accounts.update(res_prev or {})
    accounts.update(ub_prev or {})
    periods = []
    for account, amount, objs in pbudget:
        accounts.add(account)
        objects.update(objs.items())
        periods.append(
            PeriodBalance(
                "PBUDGET",
                0,
                year * 100 + 1,
                account,
                ore(amount),
                0,
                tuple(sorted(objs.items())),
            )
        )
    header = Header(
        sietyp=4,
        fnamn=fnamn,
        fiscal_years=(
            FiscalYear(0, dt.date(year, 1, 1), dt.date(year, 12, 31), 0),
            FiscalYear(-1, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31), 0),
        ),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_sie(
            out,
            header,
            accounts=[Account(a, (names or {}).get(a, f"Konto {a}"), 0) for a in sorted(accounts)],
            dimensions=[Dimension(d, f"Dim {d}", 0) for d in sorted({d for d, _ in objects})],
            objects=[Object(d, o, f"Objekt {o}", 0) for d, o in sorted(objects)],
            balances=balances,
            period_balances=periods,
            vouchers=vs,
        )
