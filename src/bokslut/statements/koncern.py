"""Sammanställda räkenskaper (LKBR 12 kap., RKR R16): the kommunal koncern's tables.

``koncern_tables`` reads the companies declared in ``[[koncern.foretag]]``, decides which
are consolidated (declared non-material, no usable file, under the materiality
threshold: left out with the reason shown), consolidates them proportionally
(:mod:`bokslut.statements.koncern_consolidation`) and builds, with the kommun's own
statement code over the consolidated year: ``koncern_resultatrakning`` (with the
companies' tax lines), ``koncern_balansrakning``, ``koncern_kassaflodesanalys``, the
overview ``kommunala_koncernen``, ``koncern_interna_poster`` and the notes to the
consolidated balance sheet; with last year consolidated beside this year when every
company has last year's figures. An annual report only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import duckdb

from bokslut.diagnostics import Finding, notice, warning
from bokslut.money import kronor
from bokslut.statements.balansrakning import balansrakning
from bokslut.statements.context import Context, LineSum
from bokslut.statements.engine import Cell, Line, build_table, money_cell
from bokslut.statements.kassaflode import kassaflodesanalys
from bokslut.statements.koncern_consolidation import (
    KOMMUN,
    Consolidation,
    PairSide,
    consolidate,
    consolidated_context,
    kommun_oib,
)
from bokslut.statements.koncern_forvarv import forvarvsanalys, read_acquisitions
from bokslut.statements.koncern_ledger import CompanyLedger, read_company, unknown_counterparties
from bokslut.statements.koncern_mapping import ASSET_LINES, RESULT_LINES, KoncernMapping, load_mapping
from bokslut.statements.koncern_noter import koncern_notes, with_note_refs
from bokslut.statements.resultatrakning import column_label, rr_line_sums, year_columns
from bokslut.statements.specs import RESULTATRAKNING
from bokslut.table import Column, ColumnKind, Row, RowKind, Table, Unit, Value
from bokslut.tabular import find_input
from bokslut.workspace.config import ForetagTyp, KoncernForetag, OrgTyp
from bokslut.workspace.layout import Layout

ORG_LABEL = {
    OrgTyp.KOMMUN: "Kommun",
    OrgTyp.REGION: "Region",
    OrgTyp.KOMMUNALFORBUND: "Kommunalförbund",
    OrgTyp.GEMENSAM_NAMND: "Gemensam nämnd",
}
TYP_LABEL = {
    ForetagTyp.AKTIEBOLAG: "Aktiebolag",
    ForetagTyp.KOMMUNALFORBUND: "Kommunalförbund",
    ForetagTyp.STIFTELSE: "Stiftelse",
    ForetagTyp.HANDELSBOLAG: "Handelsbolag",
    ForetagTyp.EKONOMISK_FORENING: "Ekonomisk förening",
}


def _koncern_rr_spec() -> tuple[Line, ...]:
    out: list[Line] = []
    for line in RESULTATRAKNING:
        if line.id == "extraordinara_poster":
            out.append(Line("skatt", "Skatt"))
            out.append(Line("uppskjuten_skatt", "Uppskjuten skatt"))
        if line.id == "arets_resultat":
            line = replace(
                line,
                parts=(
                    "resultat_efter_finansiella_poster",
                    "skatt",
                    "uppskjuten_skatt",
                    "extraordinara_poster",
                ),
            )
        out.append(line)
    return tuple(out)


KONCERN_RR = _koncern_rr_spec()


@dataclass(frozen=True)
class KoncernResult:
    tables: tuple[Table, ...]
    values: dict[str, Value | int]
    findings: tuple[Finding, ...]
    consolidation: Consolidation | None


@dataclass(frozen=True)
class _Company:
    foretag: KoncernForetag
    ledger: CompanyLedger | None
    reason: str | None  # why it is left out; None = consolidated


def koncern_tables(
    con: duckdb.DuckDBPyConnection, layout: Layout, ctx: Context, unit: Unit, rr: Table, br: Table
) -> KoncernResult | None:
    cfg = ctx.config.koncern
    if not cfg.foretag or ctx.interim or ctx.yd(0) is None:
        return None
    mapping, findings = load_mapping(layout.root, cfg.mappning, ctx.config.granser.tabell_bytes)
    try:
        config_text = layout.config.read_text(encoding="utf-8")
    except OSError:
        config_text = ""
    companies: list[_Company] = []
    known = {f.motpart for f in cfg.foretag} | {mapping.kommun_code}
    for f in cfg.foretag:
        if not f.vasentlig:
            companies.append(_Company(f, None, f"inte väsentligt: {f.skal}"))
            continue
        ledger, problems = read_company(
            layout.root, ctx.config, config_text, f, mapping, layout.cache / "koncern"
        )
        findings += problems
        if ledger is None:
            companies.append(_Company(f, None, "SIE-filen kunde inte användas (se meddelandena)"))
            continue
        findings += unknown_counterparties(ledger, known)
        companies.append(_Company(f, ledger, None))
    companies, material_findings = _materiality(companies, mapping, rr, br)
    findings += material_findings
    included = [c.ledger for c in companies if c.ledger is not None and c.reason is None]
    if ctx.config.dimensioner.motpart is None:
        findings.append(
            warning(
                "[dimensioner] motpart saknas: kommunens interna poster mot koncernföretagen kan "
                "inte elimineras i de sammanställda räkenskaperna",
                file="bokslut.toml",
                code="koncern-motpart-saknas",
            )
        )
    oib_rows = con.execute(
        "SELECT account, objects, amount FROM balance WHERE kind = 'OIB' AND year_index = 0 "
        "AND fiscal_year = ?",
        [ctx.year],
    ).fetchall()
    oib = kommun_oib([(str(a), str(o), int(x)) for a, o, x in oib_rows], ctx.config.dimensioner.motpart)
    cons = consolidate(ctx, included, oib, mapping)
    findings += cons.findings
    if not included:
        # LKBR 12 kap. 2 §: no sammanställda räkenskaper when no company is consolidated;
        # the overview still says which companies there are and why they are left out.
        findings.append(
            notice(
                "inget koncernföretag ingår i de sammanställda räkenskaperna; bara översikten visas",
                file="bokslut.toml",
                code="koncern-inga-foretag",
            )
        )
        overview = _overview(ctx, companies, cons, rr, br, unit)
        return KoncernResult((overview,), {"koncern_antal_foretag": 0}, tuple(findings), cons)
    previous, fg_findings = _previous_year(con, layout, ctx, config_text, companies, mapping)
    findings += fg_findings
    kctx = consolidated_context(ctx, cons, previous)
    k_rr = _koncern_rr(kctx, unit)
    k_br = _as_koncern(balansrakning(kctx, unit), "koncern_balansrakning", "Sammanställd balansräkning")
    k_kfa = _as_koncern(
        kassaflodesanalys(kctx, unit), "koncern_kassaflodesanalys", "Sammanställd kassaflödesanalys"
    )
    overview = _overview(ctx, companies, cons, rr, br, unit)
    notes, refs = koncern_notes(
        kctx,
        k_br,
        [
            (c.foretag.id, f"{c.foretag.namn} ({_pct(c.foretag.agarandel).removesuffix(',0')} %)")
            for c in companies
            if c.ledger is not None and c.reason is None
        ],
        unit,
    )
    k_br = with_note_refs(k_br, refs)
    tables: list[Table] = [k_rr, k_br, k_kfa, overview, *notes]
    internal = _internal_items(cons, unit)
    if internal is not None:
        tables.append(internal)
    stem = layout.data / "koncern" / "forvarvsanalys"
    path = find_input(stem.parent, stem.name)
    if path is not None:
        included_ids = [c.foretag for c in companies if c.ledger is not None and c.reason is None]
        acquisitions, problems = read_acquisitions(
            path,
            path.relative_to(layout.root).as_posix(),
            cfg.foretag,
            max_bytes=ctx.config.granser.tabell_bytes,
        )
        findings += problems
        analysis = forvarvsanalys(included_ids, acquisitions, cons.shares, unit)
        if analysis is not None:
            tables.append(analysis)
    values = _values(k_rr, k_br, k_kfa, len(included))
    return KoncernResult(tuple(tables), values, tuple(findings), cons)


def _previous_year(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    ctx: Context,
    config_text: str,
    companies: list[_Company],
    mapping: KoncernMapping,
) -> tuple[Consolidation | None, list[Finding]]:
    """Last year consolidated for the comparison column (LKBR 12 kap. with 4 kap.), with
    this year's companies: only when the kommun has last year and every one of them does."""
    if ctx.yd(1) is None:
        return None, []
    findings: list[Finding] = []
    ledgers: list[CompanyLedger] = []
    for c in companies:
        if c.ledger is None or c.reason is not None:
            continue
        ledger, problems = read_company(
            layout.root, ctx.config, config_text, c.foretag, mapping, layout.cache / "koncern", previous=True
        )
        findings += problems
        if ledger is None:
            continue
        findings += unknown_counterparties(
            ledger, {f.motpart for f in ctx.config.koncern.foretag} | {mapping.kommun_code}
        )
        ledgers.append(ledger)
    missing = [c.foretag.namn for c in companies if c.ledger is not None and c.reason is None]
    if len(ledgers) < len(missing):
        have = {x.foretag.namn for x in ledgers}
        findings.append(
            warning(
                "de sammanställda räkenskaperna visas utan jämförelseår: föregående års siffror saknas för "
                + ", ".join(n for n in missing if n not in have),
                file="bokslut.toml",
                code="koncern-fg-saknas",
            )
        )
        return None, findings
    oib_rows = con.execute(
        "SELECT account, objects, amount FROM balance WHERE kind = 'OIB' AND year_index = 0 "
        "AND fiscal_year = ?",
        [ctx.year - 1],
    ).fetchall()
    oib = kommun_oib([(str(a), str(o), int(x)) for a, o, x in oib_rows], ctx.config.dimensioner.motpart)
    cons = consolidate(ctx, ledgers, oib, mapping, offset=1)
    return cons, [*findings, *cons.findings]


def _materiality(
    companies: list[_Company], mapping: KoncernMapping, rr: Table, br: Table
) -> tuple[list[_Company], list[Finding]]:
    """LKBR 12 kap. 3 §: left out alone only if also together below the threshold."""
    limit = mapping.threshold
    if limit == 0:
        return companies, []
    base_oms = sum(
        (
            rr.number(r, "utfall") or Decimal(0)
            for r in ("verksamhetens_intakter", "skatteintakter", "generella_statsbidrag")
        ),
        Decimal(0),
    )
    base_bal = br.number("summa_tillgangar", "utfall") or Decimal(0)
    small: list[tuple[_Company, Decimal, Decimal]] = []
    for c in companies:
        if c.ledger is None or c.reason is not None:
            continue
        p = c.foretag.agarandel / 100
        oms = p * kronor(-c.ledger.line_total("verksamhetens_intakter", closing=False))
        bal = p * kronor(sum(c.ledger.line_total(line, closing=True) for line in ASSET_LINES))
        pct_oms = oms / base_oms * 100 if base_oms else Decimal(100)
        pct_bal = bal / base_bal * 100 if base_bal else Decimal(100)
        if abs(pct_oms) < limit and abs(pct_bal) < limit:
            small.append((c, pct_oms, pct_bal))
    if not small:
        return companies, []
    together_oms = sum((abs(x[1]) for x in small), Decimal(0))
    together_bal = sum((abs(x[2]) for x in small), Decimal(0))
    if together_oms >= limit or together_bal >= limit:
        names = ", ".join(c.foretag.namn for c, _, _ in small)
        return companies, [
            notice(
                f"{names} är var för sig under väsentlighetsgränsen ({limit} %) men inte tillsammans "
                "och tas därför med i de sammanställda räkenskaperna (LKBR 12 kap. 3 §)",
                file=mapping.file,
                code="koncern-vasentlighet",
            )
        ]
    left_out = {id(c): (o, b) for c, o, b in small}
    out: list[_Company] = []
    for c in companies:
        if id(c) in left_out:
            o, b = left_out[id(c)]
            reason = (
                f"under väsentlighetsgränsen {limit} % (andel av omsättningen {_pct(o)} %, "
                f"av balansomslutningen {_pct(b)} %)"
            )
            c = replace(c, reason=reason)
        out.append(c)
    return out, []


def _pct(x: Decimal) -> str:
    return f"{x.quantize(Decimal('0.1'))}".replace(".", ",")


def _koncern_rr(kctx: Context, unit: Unit) -> Table:
    cells: dict[str, dict[str, Cell]] = {line.id: {} for line in KONCERN_RR if not line.parts}
    columns: list[Column] = []
    for cid, offset in year_columns(kctx):
        sums = rr_line_sums(kctx, offset)
        columns.append(Column(cid, column_label(kctx, offset)))
        for line_id, row in cells.items():
            row[cid] = money_cell(-sums.get(line_id, LineSum()).ore, {})
    table = build_table(
        id="koncern_resultatrakning",
        title="Sammanställd resultaträkning",
        columns=columns,
        lines=KONCERN_RR,
        cells=cells,
        unit=unit,
        caption=(
            "Sammanställd resultaträkning för den kommunala koncernen enligt 12 kap. LKBR; "
            "intäkter positiva, kostnader negativa."
        ),
    )
    return _as_koncern(table, table.id, table.title)


def _as_koncern(table: Table, new_id: str, title: str) -> Table:
    """The kommun's statement code's table as the koncern's: own id, names and no drill-down
    (the companies' accounts are not in the kommun's ledger), no note references."""
    rows = tuple(
        replace(
            r,
            note=None,
            sources={},
            quantity=f"koncern_{r.quantity}" if r.quantity else None,
        )
        for r in table.rows
    )

    # The kommun's identities name the kommun's own tables (balansrakning, …), not these.
    return replace(table, id=new_id, title=title, rows=rows, identities=())


def _overview(
    ctx: Context, companies: list[_Company], cons: Consolidation, rr: Table, br: Table, unit: Unit
) -> Table:
    columns = (
        Column("typ", "Typ", ColumnKind.TEXT),
        Column("agarandel", "Ägarandel, %", ColumnKind.PERCENT, decimals=_decimals(companies)),
        Column("omsattning", "Omsättning"),
        Column("arets_resultat", "Årets resultat"),
        Column("eget_kapital", "Eget kapital"),
        Column("andel_resultat", "Andel av koncernens resultat"),
        Column("sammanstallning", "Sammanställning", ColumnKind.TEXT),
    )
    rows: list[Row] = []
    k_oms = sum(
        (
            rr.number(r, "utfall") or Decimal(0)
            for r in ("verksamhetens_intakter", "skatteintakter", "generella_statsbidrag")
        ),
        Decimal(0),
    )
    k_res = rr.number("arets_resultat", "utfall") or Decimal(0)
    rows.append(
        Row(
            "kommun",
            ctx.config.organisation.namn,
            values={
                "typ": ORG_LABEL[ctx.config.organisation.typ],
                "agarandel": Decimal(100),
                "omsattning": k_oms,
                "arets_resultat": k_res,
                "eget_kapital": br.number("summa_eget_kapital", "utfall"),
                "andel_resultat": k_res,
                "sammanstallning": "Kommunen",
            },
        )
    )
    total = k_res
    for c in companies:
        values: dict[str, Value] = {"typ": TYP_LABEL[c.foretag.typ], "agarandel": c.foretag.agarandel}
        if c.ledger is not None:
            result = -sum(
                (f.net for (a, _), f in c.ledger.flows.items() if c.ledger.lines.get(a) in RESULT_LINES),
                0,
            )
            values["omsattning"] = kronor(-c.ledger.line_total("verksamhetens_intakter", closing=False))
            values["arets_resultat"] = kronor(result)
            values["eget_kapital"] = kronor(-c.ledger.line_total("eget_kapital", closing=True) + result)
        if c.reason is None:
            share = cons.contributions.get(c.foretag.id, Decimal(0))
            values["andel_resultat"] = share
            values["sammanstallning"] = "Proportionell"
            total += share
        else:
            values["sammanstallning"] = f"Ingår inte: {c.reason}"
        rows.append(Row(f"foretag_{c.foretag.id}", c.foretag.namn, values=values))
    rows.append(
        Row(
            "elimineringar",
            "Elimineringar av interna poster",
            values={"andel_resultat": cons.elimination_result},
        )
    )
    total += cons.elimination_result
    if cons.dividend_result:
        rows.append(
            Row(
                "utdelningar",
                "Utdelningar inom koncernen",
                values={"andel_resultat": cons.dividend_result},
            )
        )
        total += cons.dividend_result
    rows.append(Row("summa", "Koncernens resultat", RowKind.TOTAL, values={"andel_resultat": total}))
    return Table(
        id="kommunala_koncernen",
        title="Den kommunala koncernen",
        columns=columns,
        rows=tuple(rows),
        unit=unit,
        caption=(
            "Koncernföretagen med typ, ägarandel, omsättning, årets resultat och eget kapital "
            "(företagets egna belopp, 100 %) och andelen av koncernens resultat efter enhetliga "
            "principer (LKBR 9 kap. 14–16 §§, 12 kap.)."
        ),
        footnotes=(
            "Sammanställningen är proportionell efter ägarandel. Obeskattade reserver delas i eget "
            "kapital och uppskjuten skatt; kommunens pensionsredovisning enligt blandmodellen "
            "tillämpas inte på koncernföretagen (12 kap. 6 § LKBR).",
        ),
    )


def _decimals(companies: list[_Company]) -> int:
    fractional = any(c.foretag.agarandel != c.foretag.agarandel.to_integral_value() for c in companies)
    return 1 if fractional else 0


def _internal_items(cons: Consolidation, unit: Unit) -> Table | None:
    rows: list[Row] = []
    done: set[frozenset[str]] = set()
    for a, b in sorted(cons.sides, key=lambda k: (k[0] != KOMMUN, k)):
        pair = frozenset((a, b))
        if pair in done:
            continue
        done.add(pair)
        mine, theirs = cons.sides.get((a, b), PairSide()), cons.sides.get((b, a), PairSide())
        for kind, label, x, y in (
            ("balans", "balansposter", mine.balance, theirs.balance),
            ("resultat", "resultatposter", mine.result, theirs.result),
        ):
            if x == 0 and y == 0:
                continue
            rows.append(
                Row(
                    f"{a}.{b}.{kind}",
                    f"{cons.names[a]} – {cons.names[b]}, {label}",
                    values={"forsta": kronor(x), "motpart": kronor(y), "differens": kronor(x + y)},
                )
            )
    if not rows:
        return None
    return Table(
        id="koncern_interna_poster",
        title="Interna poster mellan koncernens företag",
        columns=(
            Column("forsta", "Enligt första parten"),
            Column("motpart", "Enligt motparten"),
            Column("differens", "Differens", derived=("forsta", "+", "motpart")),
        ),
        rows=tuple(rows),
        unit=unit,
        caption="Interna mellanhavanden som elimineras, enligt vardera partens bokföring (100 %).",
        sign_convention="Bokföringens tecken: debet (fordran, kostnad) positivt, kredit negativt.",
    )


def _values(rr: Table, br: Table, kfa: Table, count: int) -> dict[str, Value | int]:
    out: dict[str, Value | int] = {"koncern_antal_foretag": count}
    for r in rr.rows:
        v = rr.number(r.id, "utfall")
        if v is not None:
            out[f"koncern_{r.id}"] = v
    for name, table, row in (
        ("koncern_eget_kapital", br, "summa_eget_kapital"),
        ("koncern_balansomslutning", br, "summa_tillgangar"),
        ("koncern_likvida_medel", kfa, "kf_likvida_slut"),
        ("koncern_arets_kassaflode", kfa, "kf_arets_kassaflode"),
    ):
        v = table.number(row, "utfall")
        if v is not None:
            out[name] = v
    return out
