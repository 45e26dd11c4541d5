"""Noter: specifications of the statement lines, as far as the ledger carries them.

Note tables have stable ids (``not_verksamhetens_intakter`` …); statement rows
refer to them by id and :func:`bokslut.statements.numbering.note_numbers`
numbers them in order of first reference. Cost notes show costs as positive
amounts (as published reports do); that is stated as the table's sign
convention.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from bokslut.statements.balansrakning import br_columns, closing, equity_parts, year_result_to
from bokslut.statements.context import Context, LineSum, is_balance_account
from bokslut.statements.engine import Cell, Line, build_table, money_cell
from bokslut.statements.facts import YearData
from bokslut.statements.resultatrakning import column_label, year_columns
from bokslut.swedish import lower_first
from bokslut.table import CellRef, Column, ColumnKind, Identity, RowKind, Table, Unit

H, S, T = RowKind.HEADING, RowKind.SUBTOTAL, RowKind.TOTAL

INTAKT_LINES = (
    ("forsaljningsintakter", "Försäljningsintäkter"),
    ("taxor_och_avgifter", "Taxor och avgifter"),
    ("hyror_och_arrenden", "Hyror och arrenden"),
    ("bidrag_fran_staten", "Bidrag från staten"),
    ("ovriga_bidrag", "Övriga bidrag"),
    ("realisationsvinster", "Realisationsvinster"),
    ("ovriga_intakter", "Övriga intäkter"),
)

KOSTNAD_LINES = (
    ("bidrag_och_transfereringar", "Bidrag och transfereringar"),
    ("entreprenader_och_konsulttjanster", "Entreprenader och konsulttjänster"),
    ("hyra_lokaler_fordon_maskiner", "Hyra av lokaler, fordon och maskiner"),
    ("varor_och_material", "Varor och material"),
    ("realisationsforluster", "Realisationsförluster och utrangeringar"),
    ("ovriga_kostnader", "Övrigt"),
)

RR_NOTE_TITLES = {
    "medlemsavgifter": ("not_medlemsavgifter", "Medlemsavgifter", -1),
    "skatteintakter": ("not_skatteintakter", "Skatteintäkter", -1),
    "generella_statsbidrag": (
        "not_generella_statsbidrag",
        "Generella statsbidrag och utjämning",
        -1,
    ),
    "finansiella_intakter": ("not_finansiella_intakter", "Finansiella intäkter", -1),
    "finansiella_kostnader": ("not_finansiella_kostnader", "Finansiella kostnader", 1),
}

BR_NOTE_TITLES = {
    "fordringar": ("not_fordringar", "Kortfristiga fordringar", 1),
    "kassa_och_bank": ("not_kassa_och_bank", "Kassa och bank", 1),
    "langfristiga_skulder": ("not_langfristiga_skulder", "Långfristiga skulder", -1),
    "kortfristiga_skulder": ("not_kortfristiga_skulder", "Kortfristiga skulder", -1),
}

FIXED_LINES = (
    ("immateriella", "Immateriella anläggningstillgångar"),
    ("mark_byggnader", "Mark, byggnader och tekniska anläggningar"),
    ("maskiner_inventarier", "Maskiner och inventarier"),
    ("ovriga_materiella", "Övriga materiella anläggningstillgångar"),
)


def _rr_columns(ctx: Context, with_budget: bool) -> list[Column]:
    cols = [Column(cid, column_label(ctx, off)) for cid, off in year_columns(ctx)]
    if with_budget:
        cols.append(Column("budget", f"Budget {ctx.year}"))
    return cols


def _note_lines_by_rr(ctx: Context, yd: YearData, rr_line: str) -> dict[str, LineSum]:
    out: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
    for a in yd.period:
        if is_balance_account(a) or ctx.chart.rad.get(a) != rr_line:
            continue
        line = ctx.chart.noter.get(a) or "ovriga"
        out[line][0] += ctx.external_net(yd, a)
        out[line][1].add(a)
    return {k: LineSum(v[0], frozenset(v[1])) for k, v in out.items()}


def _budget_by_note(ctx: Context, rr_line: str) -> dict[str, LineSum]:
    out: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
    for r in ctx.budget:
        if r.year != ctx.year or r.account is None or ctx.is_internal(r.account, r.objects):
            continue
        if ctx.chart.rad.get(r.account) != rr_line:
            continue
        line = ctx.chart.noter.get(r.account) or "ovriga"
        out[line][0] += r.amount
        out[line][1].add(r.account)
    return {k: LineSum(v[0], frozenset(v[1])) for k, v in out.items()}


def _has_budget(ctx: Context) -> bool:
    return ctx.config.noter.budgetkolumn and any(
        r.year == ctx.year and r.account is not None for r in ctx.budget
    )


def _fill(
    ctx: Context,
    rr_line: str,
    sign: int,
    with_budget: bool,
    cells: dict[str, dict[str, Cell]],
    row_of: Callable[[str], str],
) -> None:
    for cid, off in year_columns(ctx):
        yd = ctx.yd(off)
        assert yd is not None
        for line, s in _note_lines_by_rr(ctx, yd, rr_line).items():
            cells.setdefault(row_of(line), {})[cid] = money_cell(
                sign * s.ore, ctx.period_filter(yd, s.accounts, sign)
            )
    if with_budget:
        for line, s in _budget_by_note(ctx, rr_line).items():
            cells.setdefault(row_of(line), {})["budget"] = money_cell(
                sign * s.ore,
                {"budget": True, "year": ctx.year, "accounts": sorted(s.accounts), "sign": sign},
            )


def not_verksamhetens_intakter(ctx: Context, unit: Unit) -> Table:
    with_budget = _has_budget(ctx)
    cells: dict[str, dict[str, Cell]] = {}
    known = {k for k, _ in INTAKT_LINES}
    _fill(
        ctx,
        "verksamhetens_intakter",
        -1,
        with_budget,
        cells,
        lambda x: x if x in known else "ovriga_intakter",
    )
    lines = [Line(k, label) for k, label in INTAKT_LINES]
    lines.append(
        Line(
            "summa",
            "Summa verksamhetens intäkter",
            T,
            parts=tuple(k for k, _ in INTAKT_LINES),
            show="always",
        )
    )
    return build_table(
        id="not_verksamhetens_intakter",
        title="Verksamhetens intäkter",
        columns=_rr_columns(ctx, with_budget),
        lines=lines,
        cells=cells,
        unit=unit,
    )


def not_verksamhetens_kostnader(ctx: Context, unit: Unit) -> Table:
    with_budget = _has_budget(ctx)
    cells: dict[str, dict[str, Cell]] = {}
    known = {k for k, _ in KOSTNAD_LINES} | {"personalkostnader", "pensionskostnader"}
    _fill(
        ctx,
        "verksamhetens_kostnader",
        1,
        with_budget,
        cells,
        lambda x: x if x in known else "ovriga_kostnader",
    )
    # Pension costs are part of the personnel costs and shown as "varav".
    personal: dict[str, Cell] = {}
    for col in set(cells.get("personalkostnader", {})) | set(cells.get("pensionskostnader", {})):
        a = cells.get("personalkostnader", {}).get(col)
        b = cells.get("pensionskostnader", {}).get(col)
        va = a.value if a and isinstance(a.value, Decimal) else Decimal(0)
        vb = b.value if b and isinstance(b.value, Decimal) else Decimal(0)
        accounts = sorted(
            set((a.filter if a else {}).get("accounts", []))
            | set((b.filter if b else {}).get("accounts", []))
        )
        either = a or b
        base = dict(either.filter) if either is not None else {}
        personal[col] = Cell(va + vb, {**base, "accounts": accounts})
    cells["personal_total"] = personal
    cells["varav_pension"] = cells.pop("pensionskostnader", {})
    cells.pop("personalkostnader", None)
    lines = [
        Line("personal_total", "Personalkostnader", S, show="always"),
        Line("varav_pension", "varav pensionskostnader inkl. särskild löneskatt", level=1),
    ]
    lines += [Line(k, label, level=0) for k, label in KOSTNAD_LINES]
    lines.append(Line("summa_ovriga", "Summa övriga kostnader", S, parts=tuple(k for k, _ in KOSTNAD_LINES)))
    lines.append(
        Line(
            "summa",
            "Summa verksamhetens kostnader",
            T,
            parts=("personal_total", "summa_ovriga"),
            show="always",
        )
    )
    return build_table(
        id="not_verksamhetens_kostnader",
        title="Verksamhetens kostnader",
        columns=_rr_columns(ctx, with_budget),
        lines=lines,
        cells=cells,
        unit=unit,
        sign_convention="Kostnader visas som positiva belopp.",
    )


def account_note(
    ctx: Context, table_id: str, title: str, rr_line: str, sign: int, unit: Unit
) -> Table | None:
    """A note that specifies an RR line per account (medlemsavgifter, finansiella poster)."""
    with_budget = _has_budget(ctx)
    cells: dict[str, dict[str, Cell]] = {}
    accounts: set[str] = set()
    for cid, off in year_columns(ctx):
        yd = ctx.yd(off)
        assert yd is not None
        for a in yd.period:
            if is_balance_account(a) or ctx.chart.rad.get(a) != rr_line:
                continue
            accounts.add(a)
            cells.setdefault(a, {})[cid] = money_cell(
                sign * ctx.external_net(yd, a), ctx.period_filter(yd, {a}, sign)
            )
    if with_budget:
        for r in ctx.budget:
            if r.year == ctx.year and r.account is not None and ctx.chart.rad.get(r.account) == rr_line:
                accounts.add(r.account)
                prev = cells.setdefault(r.account, {}).get("budget")
                base = prev.value if prev and isinstance(prev.value, Decimal) else Decimal(0)
                v = money_cell(sign * r.amount, {}).value
                assert isinstance(v, Decimal)
                cells[r.account]["budget"] = Cell(
                    base + v, {"budget": True, "year": ctx.year, "accounts": [r.account], "sign": sign}
                )
    if not accounts:
        return None
    ordered = sorted(accounts)
    lines = [Line(a, ctx.facts.account_names.get(a) or a) for a in ordered]
    lines.append(Line("summa", f"Summa {lower_first(title)}", T, parts=tuple(ordered), show="always"))
    return build_table(
        id=table_id,
        title=title,
        columns=_rr_columns(ctx, with_budget),
        lines=lines,
        cells=cells,
        unit=unit,
        sign_convention="Kostnader visas som positiva belopp." if sign == 1 else "",
    )


def balance_note(
    ctx: Context, table_id: str, title: str, br_line: str, sign: int, unit: Unit
) -> Table | None:
    """A note that specifies a BR line per account (fordringar, kassa och bank, skulder)."""
    cells: dict[str, dict[str, Cell]] = {}
    columns: list[Column] = []
    accounts: set[str] = set()
    for cid, yd, at_cut in br_columns(ctx):
        columns.append(
            Column(
                cid,
                str(yd.year) if not ctx.interim else f"{(yd.cut if at_cut else yd.end):%Y-%m-%d}",
            )
        )
        for a in yd.accounts():
            if not is_balance_account(a) or ctx.chart.rad.get(a) != br_line:
                continue
            accounts.add(a)
            when = yd.cut if at_cut else yd.end
            cells.setdefault(a, {})[cid] = money_cell(
                sign * closing(yd, a, at_cut),
                {"accounts": [a], "balance_at": when.isoformat(), "sign": sign},
            )
    if not accounts:
        return None
    ordered = sorted(accounts)
    lines = [Line(a, ctx.facts.account_names.get(a) or a) for a in ordered]
    lines.append(Line("summa", f"Summa {lower_first(title)}", T, parts=tuple(ordered), show="always"))
    return build_table(id=table_id, title=title, columns=columns, lines=lines, cells=cells, unit=unit)


def not_eget_kapital(ctx: Context, unit: Unit) -> Table:
    cells: dict[str, dict[str, Cell]] = {}
    columns: list[Column] = []
    for cid, yd, at_cut in br_columns(ctx):
        columns.append(Column(cid, str(yd.year)))
        eq = equity_parts(ctx, yd, at_cut)
        opening = LineSum(
            eq["rer_ib"].ore + eq["rur_ib"].ore + eq["other_ib"].ore,
            eq["rer_ib"].accounts | eq["rur_ib"].accounts | eq["other_ib"].accounts,
        )
        movement = (eq["rer_ub"].ore + eq["rur_ub"].ore + eq["other_ub"].ore) - opening.ore
        when = (yd.cut if at_cut else yd.end).isoformat()
        cells.setdefault("ingaende", {})[cid] = money_cell(
            opening.ore,
            {
                "accounts": sorted(opening.accounts),
                "balance_at": yd.start.isoformat(),
                "opening": True,
                "sign": -1,
            },
        )
        cells.setdefault("ovriga_forandringar", {})[cid] = money_cell(
            movement,
            {
                "accounts": sorted(opening.accounts),
                "from": yd.start.isoformat(),
                "to": when,
                "sign": -1,
            },
        )
        result, result_accounts = year_result_to(ctx, yd, at_cut)
        cells.setdefault("arets_resultat", {})[cid] = money_cell(
            result,
            {
                "accounts": sorted(result_accounts),
                "from": yd.start.isoformat(),
                "to": when,
                "sign": -1,
            },
        )
        if eq["rur_ub"].accounts:
            cells.setdefault("varav_rur", {})[cid] = money_cell(
                eq["rur_ub"].ore,
                {"accounts": sorted(eq["rur_ub"].accounts), "balance_at": when, "sign": -1},
            )
        if eq["rer_ub"].accounts:
            cells.setdefault("varav_rer", {})[cid] = money_cell(
                eq["rer_ub"].ore,
                {"accounts": sorted(eq["rer_ub"].accounts), "balance_at": when, "sign": -1},
            )
    lines = (
        Line("ingaende", "Ingående eget kapital (balanserat resultat)", show="always"),
        Line("ovriga_forandringar", "Övriga förändringar av eget kapital"),
        Line("arets_resultat", "Årets resultat", quantity="arets_resultat", show="always"),
        Line(
            "utgaende",
            "Utgående eget kapital",
            T,
            parts=("ingaende", "ovriga_forandringar", "arets_resultat"),
            quantity="eget_kapital",
            show="always",
        ),
        Line("varav_rur", "varav resultatutjämningsreserv", level=1),
        Line("varav_rer", "varav resultatreserv", level=1),
    )
    table = build_table(
        id="not_eget_kapital",
        title="Eget kapital",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
    )
    return replace(table, identities=tuple(carried_forward(table, "ingaende", "utgaende")))


def not_avsattningar(
    ctx: Context,
    unit: Unit,
    br_lines: tuple[str, ...] = ("avsattningar_pensioner", "andra_avsattningar"),
    title: str = "Avsättningar",
) -> Table | None:
    """Provisions' roll-forward from the ledger; ``br_lines`` without the pension line when
    the pension note (bokslut.statements.pension) specifies that line instead."""
    cells: dict[str, dict[str, Cell]] = {}
    columns: list[Column] = []
    any_account = False
    for cid, off in year_columns(ctx):
        yd = ctx.yd(off)
        assert yd is not None
        accts = {a for a in yd.accounts() if ctx.chart.rad.get(a) in br_lines}
        any_account = any_account or bool(accts)
        columns.append(Column(cid, column_label(ctx, off)))
        f = ctx.flow_of(yd, accts)
        flt = ctx.period_filter(yd, accts, -1)
        cells["ingaende"] = {
            **cells.get("ingaende", {}),
            cid: money_cell(-sum(yd.opening(a) for a in accts), {**flt, "opening": True}),
        }
        cells["nya"] = {
            **cells.get("nya", {}),
            cid: money_cell(-f.credit, {**flt, "flows": "credit"}),
        }
        cells["ianspraktagna"] = {
            **cells.get("ianspraktagna", {}),
            cid: money_cell(-f.debit, {**flt, "flows": "debit"}),
        }
    if not any_account:
        return None
    lines = (
        Line("ingaende", "Ingående avsättning", show="always"),
        Line("nya", "Nya avsättningar under året"),
        Line("ianspraktagna", "Ianspråktagna avsättningar"),
        Line(
            "utgaende",
            "Utgående avsättning",
            T,
            parts=("ingaende", "nya", "ianspraktagna"),
            show="always",
        ),
    )
    table = build_table(
        id="not_avsattningar",
        title=title,
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
    )
    if ctx.interim:
        return table
    return replace(table, identities=tuple(carried_forward(table, "ingaende", "utgaende")))


def not_anlaggningstillgangar(ctx: Context, unit: Unit) -> Table | None:
    """Roll-forward per BR line of the fixed assets (RKR R4, LKBR 9 kap. 9 §)."""
    cells: dict[str, dict[str, Cell]] = {}
    columns: list[Column] = []
    lines: list[Line] = []
    present: list[tuple[str, str]] = []
    for cid, off in year_columns(ctx):
        yd = ctx.yd(off)
        assert yd is not None
        columns.append(Column(cid, str(yd.year)))
    for br_line, label in FIXED_LINES:
        group_names: dict[str, str] = {}
        found = False
        for cid, off in year_columns(ctx):
            yd = ctx.yd(off)
            assert yd is not None
            accts = [a for a in yd.accounts() if is_balance_account(a) and ctx.chart.rad.get(a) == br_line]
            if not accts:
                continue
            found = True
            ack = {a for a in accts if ctx.chart.is_accumulated_depreciation(a)}
            ned = {a for a in accts if ctx.chart.is_accumulated_impairment(a)}
            cost = set(accts) - ack - ned
            p = f"{br_line}."

            def put(
                row: str,
                amount: int,
                accounts: set[str],
                extra: dict[str, Any],
                cid: str = cid,
                yd: YearData = yd,
                p: str = p,
            ) -> None:
                cells.setdefault(p + row, {})[cid] = money_cell(
                    amount, {**ctx.period_filter(yd, accounts, 1), **extra}
                )

            fc, fa, fn = ctx.flow_of(yd, cost), ctx.flow_of(yd, ack), ctx.flow_of(yd, ned)
            put("ib_anskaffning", sum(yd.opening(a) for a in cost), cost, {"opening": True})
            put("inkop", fc.debit, cost, {"flows": "debit"})
            put("utrangering", fc.credit, cost, {"flows": "credit"})
            put("ib_avskrivning", sum(yd.opening(a) for a in ack), ack, {"opening": True})
            put("avskrivning", fa.credit, ack, {"flows": "credit"})
            put("utrangering_avskrivning", fa.debit, ack, {"flows": "debit"})
            put("ib_nedskrivning", sum(yd.opening(a) for a in ned), ned, {"opening": True})
            put("nedskrivning", fn.credit, ned, {"flows": "credit"})
            put("aterford_nedskrivning", fn.debit, ned, {"flows": "debit"})
            # "varav" rows: book value per asset group (first three digits).
            groups: dict[str, set[str]] = defaultdict(set)
            for a in accts:
                groups[a[:3]].add(a)
            if len(groups) > 1:
                for g, members in groups.items():
                    named = sorted(m for m in members if m in cost) or sorted(members)
                    group_names[g] = ctx.facts.account_names.get(named[0]) or g
                    put(
                        f"varav_{g}",
                        sum(closing(yd, a, True) for a in members),
                        members,
                        {"balance": True},
                    )
            years = ctx.config.noter.nyttjandeperiod.get(str(yd.year), {})
            if br_line in years:
                cells.setdefault(p + "nyttjandeperiod", {})[cid] = Cell(
                    years[br_line],
                    {"file": "bokslut.toml", "key": f"noter.nyttjandeperiod.{yd.year}.{br_line}"},
                )
        if not found:
            continue
        present.append((br_line, label))
        p = f"{br_line}."
        lines += [
            Line(p + "rubrik", label, H, show="always"),
            Line(p + "ib_anskaffning", "Ingående anskaffningsvärde", show="always"),
            Line(p + "inkop", "Inköp", show="always"),
            Line(p + "utrangering", "Försäljningar och utrangeringar"),
            Line(
                p + "ub_anskaffning",
                "Utgående anskaffningsvärde",
                S,
                parts=(p + "ib_anskaffning", p + "inkop", p + "utrangering"),
                show="always",
            ),
            Line(p + "ib_avskrivning", "Ingående ackumulerade avskrivningar"),
            Line(p + "avskrivning", "Årets avskrivningar"),
            Line(p + "utrangering_avskrivning", "Försäljningar och utrangeringar"),
            Line(
                p + "ub_avskrivning",
                "Utgående ackumulerade avskrivningar",
                S,
                parts=(p + "ib_avskrivning", p + "avskrivning", p + "utrangering_avskrivning"),
            ),
            Line(p + "ib_nedskrivning", "Ingående ackumulerade nedskrivningar"),
            Line(p + "nedskrivning", "Årets nedskrivningar"),
            Line(p + "aterford_nedskrivning", "Återförda nedskrivningar"),
            Line(
                p + "ub_nedskrivning",
                "Utgående ackumulerade nedskrivningar",
                S,
                parts=(p + "ib_nedskrivning", p + "nedskrivning", p + "aterford_nedskrivning"),
            ),
            Line(
                p + "redovisat",
                f"Utgående redovisat värde, {lower_first(label)}",
                T,
                parts=(p + "ub_anskaffning", p + "ub_avskrivning", p + "ub_nedskrivning"),
                show="always",
            ),
        ]
        lines += [
            Line(f"{p}varav_{g}", f"varav {lower_first(name)}", level=1)
            for g, name in sorted(group_names.items())
        ]
        lines.append(
            Line(p + "nyttjandeperiod", "Bedömd genomsnittlig nyttjandeperiod, antal år", show="data")
        )
    if not present:
        return None
    table = build_table(
        id="not_anlaggningstillgangar",
        title=present[0][1] if len(present) == 1 else "Materiella och immateriella anläggningstillgångar",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
    )
    identities: list[Identity] = []
    if not ctx.interim:  # in a delårsrapport the comparison column is not the year before's close
        for br_line, _ in present:
            for what in ("anskaffning", "avskrivning", "nedskrivning"):
                identities += carried_forward(table, f"{br_line}.ib_{what}", f"{br_line}.ub_{what}")
    # RR's avskrivningar are the year's depreciation in this note, all asset lines together.
    for cid in (c.id for c in columns):
        depreciation = [
            (1, CellRef(table.id, f"{br_line}.avskrivning", cid))
            for br_line, _ in present
            if _has_cell(table, f"{br_line}.avskrivning", cid)
        ]
        if depreciation:
            identities.append(
                Identity(
                    CellRef("resultatrakning", "avskrivningar", cid),
                    tuple(depreciation),
                    "avskrivningarna i resultaträkningen är årets avskrivningar i noten",
                )
            )
    return replace(_years_row(table), identities=tuple(identities))


def _has_cell(table: Table, row_id: str, column_id: str) -> bool:
    return any(r.id == row_id and column_id in r.values for r in table.rows)


def carried_forward(table: Table, opening: str, closing_row: str) -> list[Identity]:
    """The opening balance of the year is the previous year's closing balance (by definition)."""
    if not (_has_cell(table, opening, "utfall") and _has_cell(table, closing_row, "utfall_fg")):
        return []
    return [
        Identity(
            CellRef(table.id, opening, "utfall"),
            ((1, CellRef(table.id, closing_row, "utfall_fg")),),
            "ingående balans är föregående års utgående balans",
        )
    ]


def _years_row(table: Table) -> Table:
    rows = tuple(
        replace(r, column_kind=ColumnKind.NUMBER, decimals=1) if r.id.endswith(".nyttjandeperiod") else r
        for r in table.rows
    )
    return replace(table, rows=rows)


def all_notes(ctx: Context, unit: Unit) -> list[Table]:
    notes: list[Table | None] = [
        not_verksamhetens_intakter(ctx, unit),
        not_verksamhetens_kostnader(ctx, unit),
        not_anlaggningstillgangar(ctx, unit),
    ]
    for rr_line, (tid, title, sign) in RR_NOTE_TITLES.items():
        notes.append(account_note(ctx, tid, title, rr_line, sign, unit))
    for br_line, (tid, title, sign) in BR_NOTE_TITLES.items():
        notes.append(balance_note(ctx, tid, title, br_line, sign, unit))
    notes.append(not_eget_kapital(ctx, unit))
    notes.append(not_avsattningar(ctx, unit))
    return [n for n in notes if n is not None]


def drop_unreferenced(notes: Sequence[Table], statements: Sequence[Table]) -> list[Table]:
    refs = {r.note for t in statements for r in t.rows if r.note}
    return [n for n in notes if n.id in refs]
