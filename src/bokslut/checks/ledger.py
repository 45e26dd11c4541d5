"""Checks on the ledger itself: opening = last closing, closing = opening + vouchers, mapping.

That every voucher balances is checked when the store indexes a file (an
unbalanced voucher stops the store with the file and line named).
"""

from __future__ import annotations

from bokslut.diagnostics import Finding, error, warning
from bokslut.money import format_ore
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.specs import BR_ASSET_LINES, BR_LIABILITY_LINES, RR_LEAVES

LIMIT = 20  # findings of one kind listed one by one; the rest summarised
KNOWN_LINES = (
    frozenset(RR_LEAVES) | frozenset(BR_ASSET_LINES) | frozenset(BR_LIABILITY_LINES) | {"eget_kapital"}
)


def opening_balances(ctx: Context) -> list[Finding]:
    """IB of each year = UB of the year before (4 kap. 4 § 7 p. LKBR); results close to equity."""
    out: list[Finding] = []
    for year, yd in sorted(ctx.facts.years.items()):
        prev = ctx.facts.get(year - 1)
        if prev is None or not yd.ib:
            continue
        if not prev.has_transactions and not prev.declared_ub and not prev.declared_res:
            continue  # the year before is only named (#RAR -1), not described
        file = ctx.facts.files.get(year)
        prev_ub = {
            a: prev.balance_at_cut(a) + prev.after_cut.get(a, 0)
            for a in prev.accounts()
            if is_balance_account(a)
        }
        if not prev.has_transactions:
            prev_ub = dict(prev.declared_ub)
        equity_ib = equity_ub = 0
        bad: list[str] = []
        for a in sorted(set(prev_ub) | {x for x in yd.ib if is_balance_account(x)}):
            ib, ub = yd.ib.get(a, 0), prev_ub.get(a, 0)
            if ctx.chart.rad.get(a) == "eget_kapital":
                equity_ib += ib
                equity_ub += ub
                continue
            if ib != ub:
                bad.append(a)
                if len(bad) <= LIMIT:
                    out.append(
                        error(
                            f"ingående balans {year} för konto {a} ({format_ore(ib)} kr) är "
                            f"inte föregående års utgående balans ({format_ore(ub)} kr)",
                            file=file,
                            where=f"#IB 0 {a}",
                            code="ib-ub",
                        )
                    )
        result_prev = sum(
            prev.net(a) + prev.after_cut.get(a, 0) for a in prev.accounts() if not is_balance_account(a)
        )
        if not prev.has_transactions:
            result_prev = sum(prev.declared_res.values())
        # A restated year's #UB may already have the result closed into equity.
        closed = not prev.has_transactions and equity_ib == equity_ub
        if equity_ib != equity_ub + result_prev and not closed:
            out.append(
                error(
                    f"eget kapital vid ingången av {year} ({format_ore(-equity_ib)} kr) är inte "
                    "föregående års eget kapital plus årets resultat "
                    f"({format_ore(-(equity_ub + result_prev))} kr)",
                    file=file,
                    where="eget kapital (kontogrupp 20)",
                    code="ib-eget-kapital",
                )
            )
    return out


def declared_closing(ctx: Context) -> list[Finding]:
    """#UB and #RES as the file states them agree with #IB plus the vouchers."""
    out: list[Finding] = []
    for year, yd in sorted(ctx.facts.years.items()):
        if not yd.has_transactions or yd.cut != yd.end:
            continue
        file = ctx.facts.files.get(year)
        n = 0
        for a in sorted(yd.accounts()):
            computed = yd.balance_at_cut(a) + yd.after_cut.get(a, 0)
            declared = (yd.declared_ub if is_balance_account(a) else yd.declared_res).get(a)
            if declared is None and not yd.declared_ub and not yd.declared_res:
                continue
            declared = declared or 0
            if computed != declared:
                n += 1
                if n <= LIMIT:
                    kind = "#UB" if is_balance_account(a) else "#RES"
                    out.append(
                        error(
                            f"konto {a}: filens {kind} {year} är {format_ore(declared)} kr men "
                            f"ingående balans och verifikationer ger {format_ore(computed)} kr",
                            file=file,
                            where=f"{kind} 0 {a}",
                            code="ub-verifikationer",
                        )
                    )
        if n > LIMIT:
            out.append(
                error(
                    f"ytterligare {n - LIMIT} konton {year} avviker",
                    file=file,
                    code="ub-verifikationer",
                )
            )
    return out


def unmapped_accounts(ctx: Context) -> list[Finding]:
    """Every account with a balance or a movement maps to exactly one statement line."""
    out: list[Finding] = []
    seen: set[str] = set()
    for year in sorted(ctx.facts.years, reverse=True):
        yd = ctx.facts.years[year]
        for a in sorted(yd.accounts()):
            if a in seen:
                continue
            amount = yd.balance_at_cut(a) if is_balance_account(a) else yd.net(a)
            has_data = amount != 0 or yd.flow(a).debit != 0 or yd.opening(a) != 0
            if not has_data:
                continue
            seen.add(a)
            name = ctx.facts.account_names.get(a, "")
            label = f"{a} {name}".strip()
            line = ctx.chart.rad.get(a)
            if line is not None and line not in KNOWN_LINES:
                out.append(
                    error(
                        f"konto {label} är i [kontoplan.rad] kopplat till raden '{line}', som "
                        f"inte finns (kända rader: {', '.join(sorted(KNOWN_LINES))})",
                        file="bokslut.toml",
                        where=f"kontoplan.rad, konto {a}",
                        code="konto-okand-rad",
                    )
                )
            elif line is None:
                out.append(
                    error(
                        f"konto {label} har belopp {year} men hör inte till någon rad i "
                        "resultat- eller balansräkningen; lägg till det under [kontoplan.rad] "
                        "i bokslut.toml",
                        file=ctx.facts.files.get(year),
                        where=f"konto {a}",
                        code="konto-omappat",
                    )
                )
            elif (
                not is_balance_account(a)
                and ctx.config.dimensioner.verksamhet is not None
                and ctx.chart.kostnadsslag.get(a) is None
            ):
                out.append(
                    warning(
                        f"konto {label} saknar kostnadsslag och kommer inte med i "
                        "driftredovisningen; lägg till det under [kontoplan.kostnadsslag]",
                        file=ctx.facts.files.get(year),
                        where=f"konto {a}",
                        code="konto-utan-kostnadsslag",
                    )
                )
    return out


def missing_objects(ctx: Context) -> list[Finding]:
    """Result transactions without a verksamhet object land in "Ej fördelat"."""
    dim = ctx.config.dimensioner.verksamhet
    yd = ctx.yd(0)
    if dim is None or yd is None:
        return []
    accounts: set[str] = set()
    total = 0
    for a, flows in yd.by_object(dim).items():
        debit, credit = flows.get(None, (0, 0))
        if debit + credit and not is_balance_account(a):
            accounts.add(a)
            total += debit + credit
    if not accounts:
        return []
    return [
        warning(
            f"{format_ore(-total)} kr på kontona "
            f"{', '.join(sorted(accounts)[:10])}{' …' if len(accounts) > 10 else ''} saknar "
            f"objekt i dimension {dim} (verksamhet) och redovisas som 'Ej fördelat på verksamhet'",
            file=ctx.facts.files.get(ctx.year),
            code="objekt-saknas",
        )
    ]
