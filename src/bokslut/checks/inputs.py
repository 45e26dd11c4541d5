"""Checks that the inputs fit the report: the ledger, the budget and the personnel data.

The ledger must be the organisation's own (#ORGNR, #FNAMN against
bokslut.toml) and cover the period reported (a January–September file cannot
make an årsredovisning; a delårsrapport's closing date must lie inside the
data). Budget and forecast rows must name verksamheter, projekt and accounts
that exist. The ledger's own consistency (opening = last closing, mapping,
the statements' exact identities) is checked here too, over the same
computation the report uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bokslut.checks.ledger import declared_closing, missing_objects, opening_balances, unmapped_accounts
from bokslut.checks.statements import check_statements
from bokslut.compose.report import ComposedReport
from bokslut.diagnostics import BokslutError, Finding, error, notice, warning
from bokslut.statements import StatementsPart
from bokslut.statements.build import compute
from bokslut.statements.context import Context
from bokslut.statements.plan import PlanRow
from bokslut.workspace.config import Config, RapportTyp

if TYPE_CHECKING:
    from bokslut.ledger.queries import LedgerFile


def ledger(report: ComposedReport) -> list[Finding]:
    """The ledger checks, the organisation and the period, from one open store (the one the
    statements were computed from, when the report carries them)."""
    from bokslut.ledger.queries import ledger_files
    from bokslut.ledger.store import open_store

    computed = next(
        (p.statements for p in report.parts if isinstance(p, StatementsPart) and p.statements is not None),
        None,
    )
    if computed is not None and computed.ledger_files is not None:
        s = computed
        out: list[Finding] = list(computed.store_findings)
        out += organisation(computed.ledger_files, report.config)
        out += coverage(computed.ledger_files, report.config)
    else:
        try:
            with open_store(report.layout) as store:
                out = list(store.findings)
                s = computed if computed is not None else compute(store.con, report.layout, report.config)
                files = ledger_files(store.con)
                out += organisation(files, report.config)
                out += coverage(files, report.config)
        except BokslutError as exc:  # the same problem stopped the statements; say it once
            return list(exc.findings) or [error(exc.message)]
    ctx = s.context
    if ctx is not None:
        out += opening_balances(ctx)
        out += declared_closing(ctx)
        out += unmapped_accounts(ctx)
        out += missing_objects(ctx)
        if s.tables:
            out += check_statements(ctx, s)
        out += plan_references(ctx)
    return out


def _orgnr(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return digits[-10:] if len(digits) == 12 else digits


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


def organisation(files: Sequence[LedgerFile], config: Config) -> list[Finding]:
    """Each ledger file is the organisation's: #ORGNR (an error) and #FNAMN (a warning)."""
    org = config.organisation
    out: list[Finding] = []
    for path, company, orgnr in ((f.path, f.company, f.orgnr) for f in files):
        if orgnr and org.orgnr and _orgnr(orgnr) != _orgnr(org.orgnr):
            out.append(
                error(
                    f"huvudboken är en annan organisations: filens #ORGNR är {orgnr} men "
                    f'bokslut.toml anger orgnr = "{org.orgnr}" för {org.namn}',
                    file=str(path),
                    where="#ORGNR",
                    code="fel-organisation",
                )
            )
        elif orgnr and not org.orgnr:
            out.append(
                notice(
                    f'filen har organisationsnummer {orgnr}; skriv orgnr = "{orgnr}" under '
                    "[organisation] i bokslut.toml så kontrolleras att varje fil är organisationens",
                    file=str(path),
                    where="#ORGNR",
                    code="orgnr-saknas",
                )
            )
        if company and _name(company) != _name(org.namn):
            out.append(
                warning(
                    f"huvudboken är bokförd för '{company}' (#FNAMN) men rapporten gäller "
                    f"'{org.namn}' (bokslut.toml) – kontrollera att filen är organisationens",
                    file=str(path),
                    where="#FNAMN",
                    code="annat-namn",
                )
            )
    return out


def _shift(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def coverage(files: Sequence[LedgerFile], config: Config) -> list[Finding]:
    """The ledger covers the period of the report, and of the year compared with."""
    r = config.rapport
    start, end = r.period()
    closing = r.closing_date()
    report_kind = "delårsrapporten" if r.typ is RapportTyp.DELARSRAPPORT else "årsredovisningen"
    years = [f for f in files if f.fiscal_year in (r.ar, r.ar - 1)]
    years.sort(key=lambda f: -(f.fiscal_year or 0))  # stable: by path within a year, as listed
    # As the store gives them: a file of these years has its #RAR dates.
    rows: list[tuple[Any, ...]] = [
        (f.path, f.fiscal_year, f.year_start, f.year_end, f.omfattn, f.last_date) for f in years
    ]
    out: list[Finding] = []
    for path, year, y_start, y_end, omfattn, last_date in rows:
        current = year == r.ar
        if current and (y_start, y_end) != (start, end):
            out.append(
                error(
                    f"räkenskapsåret i huvudboken är {y_start}–{y_end} men bokslut.toml anger {start}–{end}",
                    file=str(path),
                    where="#RAR 0",
                    code="rakenskapsar",
                )
            )
            continue
        needed = closing if current else min(y_end, _shift(closing, year - r.ar))
        if not current and r.typ is RapportTyp.ARSREDOVISNING:
            needed = y_end
        what = report_kind if current else f"jämförelseåret {year} i {report_kind}"
        if omfattn is not None:
            if omfattn < needed:
                out.append(
                    error(
                        f"huvudboken omfattar bara tiden till {omfattn} (#OMFATTN) men {what} "
                        f"gäller till {needed} – importera en fil som omfattar hela perioden",
                        file=str(path),
                        where="#OMFATTN",
                        code="period-saknas",
                    )
                )
            continue
        # Without #OMFATTN: a whole month before the closing date without a single
        # voucher means the file stops early (a year-end has closing entries).
        if last_date is not None and last_date < needed.replace(day=1):
            out.append(
                error(
                    f"huvudboken har verifikationer bara till {last_date} men {what} gäller till "
                    f"{needed} – importera en fil som omfattar hela perioden",
                    file=str(path),
                    code="period-saknas",
                )
            )
    return out


_SOURCE = re.compile(r"^(?P<file>.*) \((?:rad (?P<line>\d+)|(?P<cell>[A-Z]+\d+))\)$")


def _place(row: PlanRow) -> dict[str, object]:
    m = _SOURCE.match(row.source)
    if m is None:
        return {"file": row.source or None}
    if m.group("line"):
        return {"file": m.group("file"), "line": int(m.group("line"))}
    return {"file": m.group("file"), "where": m.group("cell")}


def plan_references(ctx: Context) -> list[Finding]:
    """Budget and forecast rows name verksamheter, projekt and accounts that exist."""
    config = ctx.config
    checked = [
        (kind, row)
        for kind, rows in (("budget", ctx.budget), ("prognos", ctx.prognos))
        for row in rows
        if row.source != "#PBUDGET"  # the ledger's own budget names its own accounts and objects
    ]
    if not checked:
        return []
    named = (config.dimensioner.verksamhet, config.dimensioner.projekt)
    dims = {d for d in named if d is not None} | {d for _, row in checked for d, _ in _objects(row.objects)}
    objects = set(ctx.facts.objects)
    accounts = set(ctx.facts.account_names)
    for yd in ctx.facts.years.values():
        accounts |= yd.accounts()
        # Objects used on transactions count even where the file never declares them; only the
        # dimensions the rows name are looked at (the statements have projected them already).
        for d in dims:
            used = yd.by_object(d).values()
            objects.update((d, code) for flows in used for code in flows if code is not None)
    out: list[Finding] = []
    for kind, row in checked:
        out += _row_references(kind, row, config, objects, accounts)
    return out


def _row_references(
    kind: str, row: PlanRow, config: Config, objects: set[tuple[int, str]], accounts: set[str]
) -> list[Finding]:
    dims = config.dimensioner
    out: list[Finding] = []
    if row.verksamhet is not None:
        known = row.verksamhet in config.verksamheter or (
            dims.verksamhet is not None and (dims.verksamhet, row.verksamhet) in objects
        )
        if not known:
            out.append(
                error(
                    f"{kind}raden gäller verksamheten '{row.verksamhet}', som inte finns i "
                    "huvudboken eller under [verksamheter] i bokslut.toml",
                    code="okand-verksamhet",
                    **_place(row),
                )
            )
    if row.account is not None and row.account not in accounts:
        out.append(
            error(
                f"{kind}raden gäller konto {row.account}, som inte finns i huvudboken",
                code="okant-konto",
                **_place(row),
            )
        )
    if row.projekt is not None:
        known = row.projekt in config.projekt or (
            dims.projekt is not None and (dims.projekt, row.projekt) in objects
        )
        if not known:
            out.append(
                warning(
                    f"{kind}raden gäller projektet '{row.projekt}', som inte finns i huvudboken "
                    "eller under [projekt] i bokslut.toml",
                    code="okant-projekt",
                    **_place(row),
                )
            )
    for pair in _objects(row.objects):
        if pair not in objects:
            out.append(
                error(
                    f"{kind}raden gäller objektet {pair[0]}:{pair[1]}, som inte finns i huvudboken",
                    code="okant-objekt",
                    **_place(row),
                )
            )
    return out


def _objects(key: str) -> Sequence[tuple[int, str]]:
    from bokslut.sie.model import split_objects

    return split_objects(key) if key else ()


# ---------------------------------------------------------------------------
# Personnel


def personnel(report: ComposedReport) -> list[Finding]:
    """A year without absence data is never shown as 0,0 % sick leave."""
    from bokslut.personnel import PersonnelPart, load_records
    from bokslut.personnel.statistics import absence_covers, year_period

    doc = report.document
    tables = [t for tid, t in (doc.tables.items() if doc else ()) if tid.startswith("sjukfranvaro")]
    if not tables:
        return []
    read = next((p for p in report.parts if isinstance(p, PersonnelPart)), None)
    if read is not None:  # the records the tables were made from
        ab, abs_name = read.absences, read.absence_file
    else:
        _, ab, _, _, abs_name = load_records(report.layout, report.config)
    closing = report.config.rapport.closing_date()
    out: list[Finding] = []
    for rounded in tables:
        t = rounded.table
        for col in t.columns:
            if not col.id.startswith("ar_") or not col.id[3:].isdigit():
                continue
            year = int(col.id[3:])
            start, end = year_period(year, closing)
            if ab is not None and absence_covers(ab, start, end):
                continue
            shown = [r for r in t.rows if isinstance(rounded.get(r.id, col.id), Decimal)]
            if shown:
                out.append(
                    error(
                        f"sjukfrånvaron {year} visas som ett tal men frånvarofilen har inga uppgifter "
                        f"för {year}; året ska visa 'uppgift saknas'",
                        file=abs_name,
                        where=f"{t.id}/{shown[0].id}/{col.id}",
                        code="personal-uppgift-saknas",
                    )
                )
    return out


__all__ = ["coverage", "ledger", "organisation", "personnel", "plan_references"]
