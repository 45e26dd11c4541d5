"""Checks across the computed tables (DESIGN.md §4): the report agrees with itself."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bokslut.checks.koncern import check_koncern
from bokslut.diagnostics import Finding, error, notice, warning
from bokslut.statements.build import Statements
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.kassaflode import cash_flow_lines
from bokslut.table import ColumnKind, Table


def _kr(v: Decimal) -> str:
    text = f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",")
    return text.replace("-", "\u2212")


def _value(t: Table | None, row: str, col: str) -> Decimal | None:
    return t.number(row, col) if t is not None else None


def _where(table: str, row: str, col: str) -> str:
    return f"{table}/{row}/{col}"


def same_value(what: str, pairs: Sequence[tuple[str, Table | None, str, str]], code: str) -> list[Finding]:
    """Each (name, table, row, column) must hold the same exact value as the first."""
    present = [(n, t, r, c, v) for n, t, r, c in pairs if (v := _value(t, r, c)) is not None]
    if len(present) < 2:
        return []
    name0, t0, _, _, v0 = present[0]
    out: list[Finding] = []
    for n, t, r, c, v in present[1:]:
        if v != v0:
            assert t is not None and t0 is not None
            out.append(
                error(
                    f"{what}: {n} ({_kr(v)} kr) skiljer sig från {name0} ({_kr(v0)} kr)",
                    where=_where(t.id, r, c),
                    code=code,
                )
            )
    return out


def check_statements(ctx: Context, s: Statements) -> list[Finding]:
    rr, br = s.get("resultatrakning"), s.get("balansrakning")
    kfa, bk, drift = (
        s.get("kassaflodesanalys"),
        s.get("balanskravsutredning"),
        s.get("driftredovisning"),
    )
    inv = s.get("investeringsredovisning")
    out: list[Finding] = []
    if br is not None:
        for col in br.columns:
            a = _value(br, "summa_tillgangar", col.id)
            b = _value(br, "summa_eget_kapital_och_skulder", col.id)
            if a is not None and b is not None and a != b:
                out.append(
                    error(
                        f"balansräkningen {col.label} balanserar inte: tillgångar {_kr(a)} kr, "
                        f"eget kapital, avsättningar och skulder {_kr(b)} kr (skillnad "
                        f"{_kr(a - b)} kr) – kontrollera omappade konton",
                        where=_where("balansrakning", "summa_tillgangar", col.id),
                        code="br-balanserar-inte",
                    )
                )
    # In an interim report the balance sheet's comparison is the previous year-end,
    # not the same period, so only the current column is comparable across tables.
    for cid in ("utfall",) if ctx.interim else ("utfall", "utfall_fg"):
        out += same_value(
            "årets resultat",
            [
                ("resultaträkningen", rr, "arets_resultat", cid),
                ("balansräkningen", br, "ek_arets_resultat", cid),
                ("kassaflödesanalysen", kfa, "kf_arets_resultat", cid),
                ("noten om eget kapital", s.get("not_eget_kapital"), "arets_resultat", cid),
                ("driftredovisningens totala utfall", drift, "totalt", cid),
            ],
            "arets-resultat",
        )
    if bk is not None and bk.columns:
        out += same_value(
            "årets resultat",
            [
                ("resultaträkningen", rr, "arets_resultat", "utfall"),
                ("balanskravsutredningen", bk, "bk_arets_resultat", bk.columns[0].id),
            ],
            "arets-resultat",
        )
        v = _value(bk, "bk_balanskravsresultat", bk.columns[0].id)
        if v is not None and v < 0:
            out.append(
                notice(
                    "balanskravsresultatet är negativt: förvaltningsberättelsen ska enligt 11 "
                    "kap. 11 § LKBR redovisa när och hur underskottet ska regleras",
                    where=_where("balanskravsutredning", "bk_balanskravsresultat", bk.columns[0].id),
                    code="balanskrav-negativt",
                )
            )
    bkp = s.get("balanskrav_prognos")
    if bkp is not None:
        out += same_value(
            "årets resultat enligt prognosen",
            [
                ("resultaträkningens prognos", rr, "arets_resultat", "prognos"),
                ("balanskravsprognosen", bkp, "bk_arets_resultat", "prognos"),
            ],
            "arets-resultat",
        )
        v = _value(bkp, "bk_balanskravsresultat", "prognos")
        if v is not None and v < 0:
            out.append(
                notice(
                    "balanskravsresultatet för helåret väntas bli negativt: förvaltningsberättelsen "
                    "bör säga hur balanskravet ska uppfyllas (11 kap. 12 § KL)",
                    where=_where("balanskrav_prognos", "bk_balanskravsresultat", "prognos"),
                    code="balanskrav-negativt",
                )
            )
    # The cash-flow statement ends at the change in likvida medel.
    if kfa is not None:
        for col in kfa.columns:
            off = 0 if col.id == "utfall" else 1
            yd = ctx.yd(off)
            slut = _value(kfa, "kf_likvida_slut", col.id)
            if yd is None or slut is None:
                continue
            likvida = sum(
                yd.balance_at_cut(a)
                for a in yd.accounts()
                if is_balance_account(a) and a in ctx.chart.likvida_medel
            )
            actual = Decimal(likvida).scaleb(-2)
            if slut != actual:
                out.append(
                    error(
                        f"kassaflödesanalysen {col.label} slutar på {_kr(slut)} kr men likvida "
                        f"medel i balansräkningen är {_kr(actual)} kr (skillnad "
                        f"{_kr(slut - actual)} kr) – ett balanskonto saknar rad i kontoplanen",
                        where=_where("kassaflodesanalys", "kf_likvida_slut", col.id),
                        code="kassaflode-likvida",
                    )
                )
            depreciation = _value(kfa, "kf_avskrivningar", col.id)
            rr_dep = _value(rr, "avskrivningar", col.id)
            if depreciation is not None and rr_dep is not None and depreciation != -rr_dep:
                out.append(
                    warning(
                        f"justeringen för avskrivningar ({_kr(depreciation)} kr) skiljer sig "
                        f"från resultaträkningens avskrivningar ({_kr(-rr_dep)} kr)",
                        where=_where("kassaflodesanalys", "kf_avskrivningar", col.id),
                        code="kassaflode-avskrivningar",
                    )
                )
        _ = cash_flow_lines  # the same computation the statement used
    # Investments: the investeringsredovisning, the cash-flow statement and the note agree.
    if inv is not None and kfa is not None:
        total = _value(inv, "totalt", "utfall")
        kfa_inv = (_value(kfa, "kf_inv_materiella", "utfall") or Decimal(0)) + (
            _value(kfa, "kf_inv_immateriella", "utfall") or Decimal(0)
        )
        if total is not None and total != -kfa_inv:
            out.append(
                error(
                    f"investeringsredovisningens utfall ({_kr(total)} kr) skiljer sig från "
                    f"kassaflödesanalysens investeringar ({_kr(-kfa_inv)} kr)",
                    where=_where("investeringsredovisning", "totalt", "utfall"),
                    code="investeringar",
                )
            )
    out += namnd_nettokostnad(s)
    out += note_totals(s)
    out += check_koncern(s)
    out += equity_movements(ctx)
    out += internal_balance(ctx)
    out += derived_columns(s.tables)
    return out


def namnd_nettokostnad(s: Statements) -> list[Finding]:
    """The nämnder's total is the RR's verksamhetens nettokostnader (RKR R14's reconciliation)."""
    namnd, rr = s.get("driftredovisning_namnd"), s.get("resultatrakning")
    out: list[Finding] = []
    for col in ("utfall", "utfall_fg"):
        total = _value(namnd, "totalt", col)
        vnk = _value(rr, "verksamhetens_nettokostnader", col)
        if total is None or vnk is None or total == vnk:
            continue
        out.append(
            warning(
                f"driftredovisningen per nämnd summerar till {_kr(total)} kr men resultaträkningens "
                f"verksamhetens nettokostnader är {_kr(vnk)} kr (skillnad {_kr(total - vnk)} kr); "
                "interna poster som inte tar ut varandra i driftredovisningen förklarar skillnaden "
                "– redovisa avstämningen",
                where=_where("driftredovisning_namnd", "totalt", col),
                code="namnd-nettokostnad",
            )
        )
    return out


NOTE_LINES = {
    "not_verksamhetens_intakter": ("resultatrakning", "verksamhetens_intakter", 1),
    "not_verksamhetens_kostnader": ("resultatrakning", "verksamhetens_kostnader", -1),
    "not_medlemsavgifter": ("resultatrakning", "medlemsavgifter", 1),
    "not_skatteintakter": ("resultatrakning", "skatteintakter", 1),
    "not_generella_statsbidrag": ("resultatrakning", "generella_statsbidrag", 1),
    "not_finansiella_intakter": ("resultatrakning", "finansiella_intakter", 1),
    "not_finansiella_kostnader": ("resultatrakning", "finansiella_kostnader", -1),
    "not_fordringar": ("balansrakning", "fordringar", 1),
    "not_kassa_och_bank": ("balansrakning", "kassa_och_bank", 1),
    "not_langfristiga_skulder": ("balansrakning", "langfristiga_skulder", 1),
    "not_kortfristiga_skulder": ("balansrakning", "kortfristiga_skulder", 1),
}


def note_totals(s: Statements) -> list[Finding]:
    """Every note total equals its line in the statements."""
    out: list[Finding] = []
    for note_id, (table_id, row, sign) in NOTE_LINES.items():
        note, table = s.get(note_id), s.get(table_id)
        if note is None or table is None:
            continue
        for col in note.columns:
            n = _value(note, "summa", col.id)
            v = _value(table, row, col.id)
            if n is None or v is None:
                continue
            if n * sign != v:
                out.append(
                    error(
                        f"notens summa ({_kr(n)} kr) stämmer inte med raden "
                        f"'{table.row(row).label}' ({_kr(v)} kr)",
                        where=_where(note_id, "summa", col.id),
                        code="not-summa",
                    )
                )
    fixed = s.get("not_anlaggningstillgangar")
    br = s.get("balansrakning")
    if fixed is not None and br is not None:
        for r in fixed.rows:
            if not r.id.endswith(".redovisat"):
                continue
            line = r.id.split(".")[0]
            for col in fixed.columns:
                n, v = _value(fixed, r.id, col.id), _value(br, line, col.id)
                if n is not None and v is not None and n != v:
                    out.append(
                        error(
                            f"notens redovisade värde ({_kr(n)} kr) stämmer inte med "
                            f"balansräkningen ({_kr(v)} kr)",
                            where=_where(fixed.id, r.id, col.id),
                            code="not-summa",
                        )
                    )
    return out


def equity_movements(ctx: Context) -> list[Finding]:
    """Equity changes only through the RR (4 kap. 4 § 8 p. LKBR)."""
    yd = ctx.yd(0)
    if yd is None:
        return []
    out: list[Finding] = []
    for a in sorted(yd.period):
        if ctx.chart.rad.get(a) == "eget_kapital" and yd.net(a) != 0:
            out.append(
                warning(
                    f"konto {a} (eget kapital) har rörelser under året på "
                    f"{_kr(Decimal(-yd.net(a)).scaleb(-2))} kr; förändringar av eget kapital "
                    "ska gå via resultaträkningen (4 kap. 4 § LKBR) eller förklaras i en not",
                    file=ctx.facts.files.get(ctx.year),
                    where=f"konto {a}",
                    code="eget-kapital-rorelse",
                )
            )
    return out


def internal_balance(ctx: Context) -> list[Finding]:
    """Eliminated internal items should cancel: internal revenue = internal cost."""
    yd = ctx.yd(0)
    if yd is None:
        return []
    total = sum(ctx.internal_net(yd, a) for a in yd.period if not is_balance_account(a))
    if total == 0:
        return []
    return [
        warning(
            "de interna posterna som elimineras ur resultaträkningen tar inte ut varandra: "
            f"netto {_kr(Decimal(-total).scaleb(-2))} kr, så resultaträkningens rader summerar "
            "inte till årets resultat",
            file="bokslut.toml",
            where="[internt]",
            code="interna-poster",
        )
    ]


def derived_columns(tables: Sequence[Table]) -> list[Finding]:
    """Every exact avvikelse equals its definition (the shown ones are checked report-wide by
    :func:`bokslut.checks.shown.check_shown`, over every table the reader gets)."""
    out: list[Finding] = []
    for t in tables:
        for col in t.columns:
            if col.derived is None or col.kind is not ColumnKind.MONEY:
                continue
            left, op, right = col.derived
            for row in t.rows:
                a, b, v = row.values.get(left), row.values.get(right), row.values.get(col.id)
                exact = isinstance(a, Decimal) and isinstance(b, Decimal) and isinstance(v, Decimal)
                if exact and v != (a + b if op == "+" else a - b):  # type: ignore[operator]
                    out.append(
                        error(
                            f"avvikelsen är inte {left} {op} {right}",
                            where=_where(t.id, row.id, col.id),
                            code="avvikelse",
                        )
                    )
    return out
