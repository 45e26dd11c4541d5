"""All statement tables and named values of one report, from an open store."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

import duckdb

from bokslut.chart.mapping import load_chart
from bokslut.diagnostics import Finding, notice
from bokslut.ledger.sums import dims_of
from bokslut.statements.balanskrav import balanskravsutredning
from bokslut.statements.balanskrav_history import load_history
from bokslut.statements.balanskrav_register import balanskrav_register
from bokslut.statements.balansrakning import balansrakning
from bokslut.statements.commitments import (
    Commitments,
    commitment_values,
    commitments,
    merged_notes,
    retargeted,
    with_note_refs,
)
from bokslut.statements.context import Context
from bokslut.statements.delar import ekonomiskt_resultat
from bokslut.statements.drift import NO_OBJECT, driftredovisning, investeringsredovisning
from bokslut.statements.facts import Facts, load_facts
from bokslut.statements.interim import balanskrav_prognos, interim_resultatrakning
from bokslut.statements.kassaflode import kassaflodesanalys
from bokslut.statements.koncern import koncern_tables
from bokslut.statements.namnd import driftredovisning_namnd, namnd_values
from bokslut.statements.noter import all_notes, drop_unreferenced
from bokslut.statements.nyckeltal import nyckeltal
from bokslut.statements.organisation import load_org_inputs
from bokslut.statements.pension import closing_values
from bokslut.statements.plan import PlanRow, pbudget_rows, read_plan_dir, unknown_projects
from bokslut.statements.projekt import (
    accumulated_outcome,
    investeringsprojekt,
    investment_accounts,
    read_projects,
)
from bokslut.statements.resultatrakning import resultatrakning
from bokslut.table import Table, Unit, Value
from bokslut.tabular import find_input
from bokslut.workspace.config import Config, OrgTyp
from bokslut.workspace.layout import Layout

if TYPE_CHECKING:
    from bokslut.ledger.queries import LedgerFile

STATEMENT_ORDER = (
    "resultatrakning",
    "balansrakning",
    "ansvarsforbindelser",
    "kassaflodesanalys",
    "driftredovisning",
    "driftredovisning_namnd",
    "investeringsredovisning",
    "investeringsprojekt",
    "ekonomiskt_resultat",
    "balanskravsutredning",
    "balanskrav_aterstallande",
    "balanskrav_prognos",
    "nyckeltal",
    "koncern_resultatrakning",
    "koncern_balansrakning",
    "koncern_kassaflodesanalys",
    "kommunala_koncernen",
    "koncern_interna_poster",
    "koncern_forvarvsanalys",
)


@dataclass(frozen=True)
class Statements:
    tables: tuple[Table, ...]
    values: Mapping[str, Value | int]
    findings: tuple[Finding, ...] = ()
    context: Context | None = field(default=None, compare=False, repr=False)
    # The store as the statements read it, for the ledger checks over the report (which
    # then need not open it again): its own findings and its files.
    store_findings: tuple[Finding, ...] = field(default=(), compare=False, repr=False)
    ledger_files: tuple[LedgerFile, ...] | None = field(default=None, compare=False, repr=False)

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    def get(self, table_id: str) -> Table | None:
        try:
            return self.table(table_id)
        except KeyError:
            return None


def load_plans(
    layout: Layout, config: Config, facts: Facts
) -> tuple[list[PlanRow], list[PlanRow], list[Finding]]:
    """Budget (#PBUDGET and/or data/budget) and prognos (data/prognos)."""
    ledger_sign = config.budget.tecken == "bokforing"
    findings: list[Finding] = []
    budget: list[PlanRow] = []
    if config.budget.kalla in ("auto", "pbudget"):
        budget += pbudget_rows(facts)
    limit = config.granser.tabell_bytes
    if config.budget.kalla in ("auto", "fil"):
        rows, f = read_plan_dir(
            layout.budget_dir, layout.root, config.rapport.ar, ledger_sign, max_bytes=limit
        )
        budget += rows
        findings += f
    prognos, f = read_plan_dir(
        layout.prognos_dir, layout.root, config.rapport.ar, ledger_sign, max_bytes=limit
    )
    findings += f
    dim = config.dimensioner.projekt
    known = set(config.projekt) | {code for (d, code) in facts.objects if d == dim}
    findings += unknown_projects([*budget, *prognos], known, dim)
    return budget, prognos, findings


def compute(con: duckdb.DuckDBPyConnection, layout: Layout, config: Config) -> Statements:
    cut = config.rapport.bokslutsdatum
    d = config.dimensioner
    dims = dims_of(d)  # the same as the store's sums are kept by
    facts = load_facts(
        con,
        config.rapport.ar,
        cut if cut is not None else None,
        result_dims=dims.result,
        balance_dims=dims.balance,
    )
    budget, prognos, findings = load_plans(layout, config, facts)
    org = load_org_inputs(
        layout.root,
        config.rapport.ar,
        config.budget.tecken == "bokforing",
        stems={
            "organisation": layout.organisation_stem,
            "budget": layout.ansvarsbudget_stem,
            "prognos": layout.ansvarsprognos_stem,
            "ram": layout.ram_stem,
        },
        max_bytes=config.granser.tabell_bytes,
    )
    findings += org.findings
    ctx = Context(config, load_chart(config), facts, config.rapport.ar, budget, prognos, list(findings), org)
    if ctx.yd(0) is None:
        ctx.findings.append(
            notice(
                f"huvudboken saknar räkenskapsåret {config.rapport.ar}; inga finansiella "
                "rapporter kan beräknas",
                file="data/ledger",
            )
        )
        return Statements((), {}, tuple(ctx.findings), ctx)
    unit = Unit(config.rapport.enhet)
    rr = interim_resultatrakning(ctx, unit) if ctx.interim else resultatrakning(ctx, unit)
    br = balansrakning(ctx, unit)
    # Pensions, borgen, loans and leasing from data/ (annual report; a delårsrapport has no notes).
    extra = None if ctx.interim else commitments(layout, ctx, unit)
    if extra is not None:
        ctx.findings += extra.findings
        br = with_note_refs(br, extra.br_notes)
    kfa = None if ctx.interim else kassaflodesanalys(ctx, unit)
    tables: list[Table] = [rr, br]
    if extra is not None and extra.statement is not None:
        tables.append(extra.statement)
    if kfa is not None:
        tables.append(kfa)
    for maybe in (
        driftredovisning(ctx, unit),
        driftredovisning_namnd(ctx, unit, org),
        investeringsredovisning(ctx, unit),
        _projects(con, layout, ctx, unit),
        ekonomiskt_resultat(ctx, unit) if ctx.interim else None,
    ):
        if maybe is not None:
            tables.append(maybe)
    history, history_findings = load_history(layout.root, config.granser.yaml_bytes)
    ctx.findings += history_findings
    extra_values: dict[str, Value | int] = {}
    if ctx.interim:
        tables.append(balanskrav_prognos(ctx, unit, rr, history))
    else:
        bk = balanskravsutredning(ctx, unit, history)
        tables.append(bk)
        # A gemensam nämnd's balanskrav is its kommun's (KL 11 kap. 5 §): no register of its own.
        if config.organisation.typ is not OrgTyp.GEMENSAM_NAMND:
            register = balanskrav_register(ctx, bk, history, unit, _commitment_by_year(extra))
            ctx.findings += register.findings
            extra_values.update(register.values)
            if register.table is not None:
                tables.append(register.table)
    nt = nyckeltal(config.organisation.typ, rr, br, kfa)
    prev = ctx.yd(1)
    if ctx.interim and prev is not None and any(c.id == "utfall_fg" for c in nt.columns):
        # The comparison column mixes two dates: say which ratio is which.
        nt = replace(
            nt,
            footnotes=(
                *nt.footnotes,
                f"Jämförelsekolumnen: resultatet avser samma period {prev.year}, soliditet och "
                f"kassalikviditet balansräkningen {prev.end:%Y-%m-%d}.",
            ),
        )
    tables.append(nt)
    # Sammanställda räkenskaper (LKBR 12 kap.) when a koncern is declared; annual report only.
    group = koncern_tables(con, layout, ctx, unit, rr, br)
    if group is not None:
        ctx.findings += group.findings
        tables += group.tables
        extra_values.update(group.values)
    if ctx.interim:
        # LKBR 13 kap. asks for RR, BR and a simplified förvaltningsberättelse: no notes.
        tables = [replace(t, rows=tuple(replace(r, note=None) for r in t.rows)) for t in tables]
        return Statements(tuple(tables), named_values(ctx, tables), tuple(ctx.findings), ctx)
    notes = drop_unreferenced(all_notes(ctx, unit), tables)
    if extra is not None:
        notes = merged_notes(ctx, unit, notes, extra)
        tables = retargeted(tables, notes)
    numbers = note_numbers(tables + notes)
    notes.sort(key=lambda n: numbers.get(n.id, 10_000))
    tables += notes
    values = {**named_values(ctx, tables, extra), **extra_values}
    return Statements(tuple(tables), values, tuple(ctx.findings), ctx)


def _commitment_by_year(extra: Commitments | None) -> dict[int, Decimal]:
    """The pension ansvarsförbindelse (with löneskatt) per year of the pension file."""
    if extra is None or extra.pension is None:
        return {}
    out: dict[int, Decimal] = {}
    for y in extra.pension.years:
        v = closing_values(extra.pension, y).get("ansvarsforbindelse_pensioner_ub")
        if v is not None:
            out[y] = v
    return out


def _projects(con: duckdb.DuckDBPyConnection, layout: Layout, ctx: Context, unit: Unit) -> Table | None:
    """The multi-year investment projects of data/investeringsprojekt, if the workspace has it."""
    stem = layout.investeringsprojekt_stem
    path = find_input(stem.parent, stem.name)
    yd = ctx.yd(0)
    if path is None or yd is None:
        return None
    projects, findings = read_projects(
        path, path.relative_to(layout.root).as_posix(), max_bytes=ctx.config.granser.tabell_bytes
    )
    ctx.findings += findings
    dim = ctx.config.dimensioner.projekt
    accumulated = (
        accumulated_outcome(con, ctx, investment_accounts(ctx), dim, yd.cut) if dim is not None else {}
    )
    return investeringsprojekt(ctx, unit, projects, accumulated)


def note_numbers(tables: Sequence[Table]) -> dict[str, int]:
    """Note ids numbered in order of first reference (tables in report order)."""
    ids = {t.id for t in tables}
    out: dict[str, int] = {}
    pending = list(tables)
    for t in pending:
        for r in t.rows:
            if r.note and r.note in ids and r.note not in out:
                out[r.note] = len(out) + 1
    return out


def _val(t: Table | None, row: str, col: str) -> Decimal | None:
    return t.number(row, col) if t is not None else None


def _number(v: Value) -> Decimal | None:
    return v if isinstance(v, Decimal) else None


def named_values(
    ctx: Context, tables: Sequence[Table], extra: Commitments | None = None
) -> dict[str, Value | int]:
    by_id = {t.id: t for t in tables}
    rr, br = by_id.get("resultatrakning"), by_id.get("balansrakning")
    kfa, bk = by_id.get("kassaflodesanalys"), by_id.get("balanskravsutredning")
    nt, drift = by_id.get("nyckeltal"), by_id.get("driftredovisning")
    inv, er = by_id.get("investeringsredovisning"), by_id.get("ekonomiskt_resultat")
    out: dict[str, Value | int] = {}

    def put(name: str, value: Decimal | None) -> None:
        if value is not None:
            out[name] = value

    for suffix, col in (("", "utfall"), ("_fg", "utfall_fg")):
        for row in (
            "verksamhetens_intakter",
            "verksamhetens_kostnader",
            "avskrivningar",
            "verksamhetens_nettokostnader",
            "medlemsavgifter",
            "skatteintakter",
            "generella_statsbidrag",
            "verksamhetens_resultat",
            "finansiella_intakter",
            "finansiella_kostnader",
            "resultat_efter_finansiella_poster",
            "arets_resultat",
        ):
            put(row + suffix, _val(rr, row, col))
        put("eget_kapital" + suffix, _val(br, "summa_eget_kapital", col))
        put("balansomslutning" + suffix, _val(br, "summa_tillgangar", col))
        put("likvida_medel" + suffix, _val(kfa, "kf_likvida_slut", col) if kfa else None)
        put("arets_kassaflode" + suffix, _val(kfa, "kf_arets_kassaflode", col))
        inv_kfa = _val(kfa, "kf_inv_materiella", col)
        put("investeringar_kassaflode" + suffix, -inv_kfa if inv_kfa is not None else None)
        put("resultat_andel_av_omsattning" + suffix, _val(nt, "resultat_andel", col))
        put("soliditet" + suffix, _val(nt, "soliditet", col))
        put("kassalikviditet" + suffix, _val(nt, "kassalikviditet", col))
        put("sjalvfinansieringsgrad" + suffix, _val(nt, "sjalvfinansiering", col))
        if drift is not None:
            put("budgeterat_resultat" + suffix, _val(drift, "totalt", "budget" + suffix))
            put("driftens_resultat" + suffix, _val(drift, "totalt", "utfall" + suffix))
            put(
                "resultat_avvikelse_mot_budget" + suffix,
                _val(drift, "totalt", "avvikelse" + suffix),
            )
            for r in drift.rows:
                if r.id.endswith(".summa"):
                    code = r.id.split(".")[0]
                    if code == NO_OBJECT:
                        code = "ej_fordelat"
                    # The row at hand: looking each up again by id costs rows² on a region's drift.
                    put(f"drift_resultat_{code}{suffix}", _number(r.values.get("utfall" + suffix)))
                    put(f"drift_budget_{code}{suffix}", _number(r.values.get("budget" + suffix)))
    if bk is not None and bk.columns:
        first = bk.columns[0].id
        put("balanskravsresultat", _val(bk, "bk_balanskravsresultat", first))
        put("resultat_efter_balanskravsjusteringar", _val(bk, "bk_efter_justeringar", first))
    if ctx.interim:
        put("likvida_medel", _val(br, "kassa_och_bank", "utfall"))
    if inv is not None:
        put("investeringar", _val(inv, "totalt", "utfall"))
        put("investeringsbudget", _val(inv, "totalt", "budget"))
        put("investeringar_avvikelse", _val(inv, "totalt", "avvikelse"))
        put("investeringsprognos", _val(inv, "totalt", "prognos"))
    if er is not None:
        for col in ("budget", "utfall", "utfall_fg", "prognos", "avvikelse"):
            put(f"delar_resultat_{col}", _val(er, "summa", col))
    if ctx.interim and rr is not None:
        interim_values(ctx, rr, by_id.get("balanskrav_prognos"), put)
    out.update(namnd_values(by_id.get("driftredovisning_namnd")))
    if extra is not None:
        # ansvarsforbindelse_pensioner_ub, eget_kapital_inklusive_ansvarsforbindelse (the
        # balanskrav's 1 %/2 % rule), borgen, Kommuninvest, loans, leasing.
        out.update(commitment_values(extra.pension, ctx.year, tables))
    return out


def interim_values(
    ctx: Context, rr: Table, bkp: Table | None, put: Callable[[str, Decimal | None], None]
) -> None:
    """A delårsrapport's whole-year figures: every RR line's ``_budget``, ``_prognos`` and
    ``_avvikelse`` (prognos − budget), the balanskrav prognos, and the result's share of
    skatteintäkter and generella statsbidrag (or of the intäkter) in the prognos."""
    for row in rr.rows:
        for col in ("budget", "prognos", "avvikelse"):
            put(f"{row.id}_{col}", _val(rr, row.id, col))
    if bkp is not None:
        put("balanskravsresultat_prognos", _val(bkp, "bk_balanskravsresultat", "prognos"))
        put(
            "resultat_efter_balanskravsjusteringar_prognos",
            _val(bkp, "bk_efter_justeringar", "prognos"),
        )
    if ctx.config.organisation.typ in (OrgTyp.KOMMUN, OrgTyp.REGION):
        base_rows = ("skatteintakter", "generella_statsbidrag")
    else:
        base_rows = ("verksamhetens_intakter", "medlemsavgifter")
    result = _val(rr, "arets_resultat", "prognos")
    base = [_val(rr, r, "prognos") for r in base_rows]
    total = sum((b for b in base if b is not None), Decimal(0))
    if result is not None and total != 0:
        put("resultat_andel_av_omsattning_prognos", result / total * 100)
