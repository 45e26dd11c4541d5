"""Kassaflödesanalys, indirect method (RKR R13; layout regler.md §2.2).

Investing and financing are gross, from the debit and credit flows of each
account (an investment is the debit on an acquisition-value account, a new
loan the credit on a long-term liability), never from net balance changes.
Every balance account outside likvida medel belongs to exactly one line, so
the statement ends at the change in likvida medel unless an account is
unmapped; :mod:`bokslut.checks` compares it with the balance sheet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.engine import Cell, build_table, money_cell
from bokslut.statements.facts import YearData
from bokslut.statements.specs import KASSAFLODE
from bokslut.table import CellRef, Column, Identity, Table, Unit

_FIXED = {
    "immateriella": "immateriella",
    "mark_byggnader": "materiella",
    "maskiner_inventarier": "materiella",
    "ovriga_materiella": "materiella",
    "finansiella_anlaggningar": "finansiella",
    "kortfristiga_placeringar": "finansiella",
}


def cash_flow_lines(ctx: Context, yd: YearData) -> dict[str, tuple[int, set[str]]]:
    """Exact öre per KFA leaf line, and the accounts behind each."""
    acc, _, _ = _cash_flow_lines(ctx, yd)
    return acc


# flow ("net", "debit", "credit"), sign, accounts, and what drill-down calls it ("": the flow's name)
Term = tuple[str, int, set[str], str]


def _cash_flow_lines(
    ctx: Context, yd: YearData
) -> tuple[dict[str, tuple[int, set[str]]], dict[str, str], dict[str, list[Term]]]:
    """The lines, the flow each sums with its sign ("net-1", "debit-1", …; "gross" for a mix),
    and each line's terms: the accounts of each flow and sign (what a mix is made of)."""
    acc: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
    flows: dict[str, str] = {}
    terms: dict[str, dict[tuple[str, int], set[str]]] = defaultdict(dict)

    def add(line: str, amount: int, account: str, flow: str = "net", sign: int = -1) -> None:
        # ``amount`` is ``sign`` times the ledger's flow; a line mixing flows or signs is "gross".
        acc[line][0] += amount
        acc[line][1].add(account)
        kind = f"{flow}{sign:+d}"
        flows[line] = kind if flows.get(line, kind) == kind else "gross"
        terms[line].setdefault((flow, sign), set()).add(account)

    result_accounts = [a for a in yd.period if not is_balance_account(a)]
    for a in result_accounts:
        add("kf_arets_resultat", -yd.net(a), a)
        line = ctx.chart.rad.get(a)
        if line == "avskrivningar":
            add("kf_avskrivningar", yd.net(a), a, sign=1)
        if a in ctx.chart.realisationsvinster or a in ctx.chart.realisationsforluster:
            add("kf_ovriga_justeringar", yd.net(a), a, sign=1)
            # The sale's price includes the gain (less the loss): shown with the sale.
            add("kf_fors_materiella", -yd.net(a), a)
        if a in ctx.chart.orealiserade_vinster or a in ctx.chart.orealiserade_forluster:
            add("kf_ovriga_justeringar", yd.net(a), a, sign=1)
            add("kf_fors_finansiella", -yd.net(a), a)

    depreciation = acc["kf_avskrivningar"][0]
    for a in sorted(yd.period):
        if not is_balance_account(a) or a in ctx.chart.likvida_medel:
            continue
        line = ctx.chart.rad.get(a)
        f = yd.flow(a)
        if line is None:
            continue
        if line in _FIXED:
            kind = _FIXED[line]
            ack = ctx.chart.is_accumulated_depreciation(a) or ctx.chart.is_accumulated_impairment(a)
            if ack:
                add(f"kf_fors_{kind}", -f.net, a)
            else:
                add(f"kf_inv_{kind}", -f.debit, a, "debit")
                add(f"kf_fors_{kind}", -f.credit, a, "credit")
        elif line == "bidrag_infrastruktur":
            add("kf_infrastruktur", -f.debit, a, "debit")
            add("kf_ovriga_justeringar", -f.credit, a, "credit")
        elif line in ("fordringar",):
            add("kf_fordringar", -f.net, a)
        elif line == "forrad":
            add("kf_forrad", -f.net, a)
        elif line == "kortfristiga_skulder":
            add("kf_kortfristiga_skulder", -f.net, a)
        elif line in ("avsattningar_pensioner", "andra_avsattningar"):
            add("kf_gjorda_avsattningar", -f.credit, a, "credit")
            add("kf_ianspraktagna_avsattningar", -f.debit, a, "debit")
        elif line == "langfristiga_skulder":
            add("kf_nya_lan", -f.credit, a, "credit")
            add("kf_amortering", -f.debit, a, "debit")
        elif line == "eget_kapital":
            add("kf_ovriga_justeringar", -f.net, a)
        elif line == "kassa_och_bank":
            # Kassa och bank outside likvida medel (e.g. blocked accounts): a placement.
            add("kf_inv_finansiella", -f.debit, a, "debit")
            add("kf_fors_finansiella", -f.credit, a, "credit")
    # Depreciation was credited to the fixed-asset accounts; it is added back above,
    # so take it out of the sale lines where those credits landed.
    acc["kf_fors_materiella"][0] -= depreciation
    flows["kf_fors_materiella"] = "gross"  # credits less depreciation: no single flow
    listed = {line: [(f, s, a, "") for (f, s), a in by_kind.items()] for line, by_kind in terms.items()}
    if acc["kf_avskrivningar"][1]:
        taken_out = ("net", -1, set(acc["kf_avskrivningar"][1]), "Årets avskrivningar, avdragna")
        listed.setdefault("kf_fors_materiella", []).append(taken_out)

    likvida = [a for a in yd.accounts() if is_balance_account(a) and a in ctx.chart.likvida_medel]
    acc["kf_likvida_borjan"] = [sum(yd.opening(a) for a in likvida), set(likvida)]
    return {k: (int(v[0]), set(v[1])) for k, v in acc.items()}, flows, listed


def kassaflodesanalys(ctx: Context, unit: Unit) -> Table:
    columns: list[Column] = []
    cells: dict[str, dict[str, Cell]] = {}
    for cid, off in (("utfall", 0), ("utfall_fg", 1)):
        yd = ctx.yd(off)
        if yd is None or not yd.has_transactions:
            continue
        columns.append(Column(cid, str(yd.year)))
        lines, flows, terms = _cash_flow_lines(ctx, yd)
        for line, (amount, accounts) in lines.items():
            if line == "kf_likvida_borjan":
                flt: dict[str, Any] = {
                    "accounts": sorted(accounts),
                    "balance_at": yd.start.isoformat(),
                    "opening": True,
                    "sign": 1,
                }
            else:
                flow = flows.get(line, "net-1")
                if flow == "gross":
                    # What the mix is made of, so that drill-down can follow each flow.
                    parts = [
                        {"accounts": sorted(a), "flows": f, "sign": s, **({"label": label} if label else {})}
                        for f, s, a, label in terms.get(line, [])
                    ]
                    flt = {**ctx.period_filter(yd, accounts, 1), "flows": "gross", "terms": parts}
                else:
                    name, sign = flow[:-2], int(flow[-2:])
                    flt = ctx.period_filter(yd, accounts, sign)
                    if name != "net":
                        flt["flows"] = name
            cells.setdefault(line, {})[cid] = money_cell(amount, flt)
        for line in ("kf_arets_resultat", "kf_likvida_borjan"):
            cells.setdefault(line, {}).setdefault(cid, Cell(money_cell(0, {}).value))
    table = build_table(
        id="kassaflodesanalys",
        title="Kassaflödesanalys",
        columns=columns,
        lines=KASSAFLODE,
        cells=cells,
        unit=unit,
        caption="Kassaflödesanalys enligt indirekt metod; investerings- och finansieringsflöden brutto.",
        footnotes=(
            "Likvida medel omfattar kassa och bank"
            + (
                " samt kortfristiga placeringar"
                if any(p.startswith("18") for p in ctx.chart.likvida_medel.prefixes)
                else ""
            )
            + ".",
        ),
    )
    return replace(table, identities=_working_capital(ctx))


# A working-capital line is minus the change of its balance-sheet line over the year
# (plus for liabilities): the definition, so rounding shows it as the shown difference.
_WORKING_CAPITAL = (
    ("kf_fordringar", "fordringar", -1),
    ("kf_forrad", "forrad", -1),
    ("kf_kortfristiga_skulder", "kortfristiga_skulder", 1),
)


def _working_capital(ctx: Context) -> tuple[Identity, ...]:
    if ctx.interim:  # the balance sheet's comparison is the year-end, the cash flow's the same period
        return ()
    return tuple(
        Identity(
            CellRef("kassaflodesanalys", kf, "utfall"),
            (
                (sign, CellRef("balansrakning", br, "utfall")),
                (-sign, CellRef("balansrakning", br, "utfall_fg")),
            ),
            "förändringen i kassaflödesanalysen är förändringen i balansräkningen",
        )
        for kf, br, sign in _WORKING_CAPITAL
    )
