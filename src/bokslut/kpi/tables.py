"""Key-figure tables and named values from tickets, calls and yearly figures."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from bokslut.diagnostics import Finding, error
from bokslut.kpi.calls import CallFigures, QueueYear, share_within
from bokslut.kpi.tickets import Tickets, ticket_figures
from bokslut.kpi.yearly import YearlyFigure
from bokslut.table import Column, ColumnKind, Row, RowKind, Source, Table, Value
from bokslut.workspace.config import Kpi, KpiMatvarden

NO_RECORDS_NOTE = "– = inga registreringar det året."


def slug(name: str) -> str:
    """'Kundtjänst' -> 'kundtjanst', 'IT-support' -> 'it_support' (for value names)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_ = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_") or "x"


def percent(part: int, whole: int) -> Decimal | None:
    return Decimal(part) * 100 / Decimal(whole) if whole else None


def seconds_label(seconds: int) -> str:
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "1 minut" if minutes == 1 else f"{minutes} minuter"
    return f"{seconds} sekunder"


# ---------------------------------------------------------------------------
# Named values


def call_values(calls: CallFigures, denominator: str) -> dict[str, Value | int]:
    out: dict[str, Value | int] = {}
    for (queue, year), q in calls.figures.items():
        prefix = "samtal" if not queue else f"samtal_{slug(queue)}"
        out[f"{prefix}_inkommande_{year}"] = q.offered
        out[f"{prefix}_besvarade_{year}"] = q.answered
        share = percent(q.answered, q.offered)
        if share is not None:
            out[f"{prefix}_andel_besvarade_{year}"] = share
        for t in calls.thresholds:
            num, den = share_within(q, t, denominator)
            v = percent(num, den)
            if v is not None:
                out[f"{prefix}_andel_inom_{t}s_{year}"] = v
    return out


def ticket_values(tickets: Tickets, years: Sequence[int], desks: Sequence[str]) -> dict[str, Value | int]:
    out: dict[str, Value | int] = {}
    for desk in [None, *desks]:
        prefix = "arenden" if desk is None else f"arenden_{slug(desk)}"
        for year in years:
            f = ticket_figures(tickets, year, desk)
            if f.count == 0:
                continue
            out[f"{prefix}_antal_{year}"] = f.count
            for channel, n in f.by_channel.items():
                out[f"{prefix}_kanal_{slug(channel)}_{year}"] = n
            total_level = sum(f.level_total.values())
            if total_level:
                out[f"{prefix}_andel_inom_serviceniva_{year}"] = percent(
                    sum(f.level_within.values()), total_level
                )
                for prio, n in f.level_total.items():
                    out[f"{prefix}_andel_inom_serviceniva_{slug(prio)}_{year}"] = percent(
                        f.level_within[prio], n
                    )
            if f.first_line_known:
                out[f"{prefix}_andel_forsta_linjen_{year}"] = percent(f.first_line_yes, f.first_line_known)
    return out


def yearly_values(figures: Sequence[YearlyFigure]) -> dict[str, Value | int]:
    return {f"{f.id}_{f.year}": f.value for f in figures}


# ---------------------------------------------------------------------------
# Tables

ROW_LABELS = {
    "arenden": "Antal registrerade ärenden",
    "arenden_andel_inom_serviceniva": "Andel ärenden med första återkoppling inom servicenivån",
    "arenden_andel_forsta_linjen": "Andel lösta ärenden som lösts i första linjen",
    "samtal_inkommande": "Antal inkommande samtal",
    "samtal_besvarade": "Antal besvarade samtal",
    "samtal_andel_besvarade": "Andel besvarade samtal",
}


def _row_label(kind: str, arg: str, spec: KpiMatvarden, yearly: Sequence[YearlyFigure]) -> str:
    key = f"{kind}:{arg}" if arg else kind
    if key in spec.etiketter:
        return spec.etiketter[key]
    if kind == "arenden_kanal":
        return f"Ärenden via {arg}"
    if kind == "arenden_kategori":
        return f"Ärenden i kategorin {arg}"
    if kind == "samtal_andel_inom":
        return f"Andel samtal besvarade inom {seconds_label(int(arg))}"
    if kind == "nyckeltal":
        return next((f.label for f in yearly if f.id == arg), arg)
    return ROW_LABELS[kind]


KNOWN_ROWS = {
    "arenden",
    "arenden_kanal",
    "arenden_kategori",
    "arenden_andel_inom_serviceniva",
    "arenden_andel_forsta_linjen",
    "samtal_inkommande",
    "samtal_besvarade",
    "samtal_andel_besvarade",
    "samtal_andel_inom",
    "nyckeltal",
}
# Seconds in ASCII digits ("²" passes str.isdigit but is no number), at most five of them.
SECONDS = re.compile(r"^[0-9]{1,5}$")
NEEDS_ARG = {"arenden_kanal", "arenden_kategori", "samtal_andel_inom", "nyckeltal"}


def matvarden_table(
    spec: KpiMatvarden,
    index: int,
    settings: Kpi,
    report_year: int,
    tickets: Tickets | None,
    calls: CallFigures | None,
    yearly: Sequence[YearlyFigure],
) -> tuple[Table | None, list[Finding]]:
    findings: list[Finding] = []
    where = f"[[kpi.matvarden]] nr {index + 1} ({spec.id})"
    years = [report_year - k for k in range(spec.antal_ar)]
    cols = tuple(Column(f"ar_{y}", str(y), kind=ColumnKind.NUMBER, decimals=0) for y in years)
    rows: list[Row] = []
    empty_cell = False
    for n, entry in enumerate(spec.rader):
        kind, _, arg = entry.partition(":")
        if (
            kind not in KNOWN_ROWS
            or (kind in NEEDS_ARG) != bool(arg)
            or (kind == "samtal_andel_inom" and not SECONDS.match(arg))
        ):
            findings.append(
                error(
                    f"okänd rad '{entry}' i rader (kända: {', '.join(sorted(KNOWN_ROWS))}; "
                    "arenden_kanal:, arenden_kategori:, samtal_andel_inom: och nyckeltal: "
                    "tar ett värde efter kolon)",
                    file="bokslut.toml",
                    where=where,
                )
            )
            continue
        values: dict[str, Value] = {}
        sources: dict[str, Source] = {}
        is_share = "andel" in kind
        decimals = 1 if is_share else 0
        for y, col in zip(years, cols, strict=True):
            v: Decimal | None = None
            if kind.startswith("arenden") and tickets is not None:
                f = ticket_figures(tickets, y, spec.verksamhet)
                sources[col.id] = Source({"file": tickets.file, "ar": y, "verksamhet": spec.verksamhet})
                if f.count:
                    if kind == "arenden":
                        v = Decimal(f.count)
                    elif kind == "arenden_kanal":
                        v = _count_or_none(
                            {k.casefold(): c for k, c in f.by_channel.items()}.get(arg.casefold(), 0)
                        )
                    elif kind == "arenden_kategori":
                        v = _count_or_none(
                            {k.casefold(): c for k, c in f.by_category.items()}.get(arg.casefold(), 0)
                        )
                    elif kind == "arenden_andel_inom_serviceniva":
                        v = percent(sum(f.level_within.values()), sum(f.level_total.values()))
                    else:
                        v = percent(f.first_line_yes, f.first_line_known)
            elif kind.startswith("samtal") and calls is not None:
                q = calls.figures.get((_queue_name(calls, spec.ko), y))
                sources[col.id] = Source({"file": calls.file, "ar": y, "ko": spec.ko})
                if q is not None:
                    v = _call_cell(kind, arg, q, settings.servicegrad_av)
            elif kind == "nyckeltal":
                match = [f for f in yearly if f.id == arg and f.year == y]
                if match:
                    v = match[0].value
                    decimals = max(decimals, _written_decimals(v))
                    sources[col.id] = Source({"file": "nyckeltal", "rad": match[0].line})
            if v is None:
                empty_cell = True
            values[col.id] = v
        rows.append(
            Row(
                f"rad_{n + 1}_{slug(entry)}",
                _row_label(kind, arg, spec, yearly),
                values=values,
                sources=sources,
                column_kind=ColumnKind.PERCENT if is_share else None,
                decimals=decimals,
            )
        )
    if not rows:
        return None, findings
    return (
        Table(
            id=spec.id,
            title=spec.titel,
            columns=cols,
            rows=tuple(rows),
            unit=None,
            label_header="Mätvärden",
            caption=spec.titel,
            footnotes=(NO_RECORDS_NOTE,) if empty_cell else (),
        ),
        findings,
    )


def _written_decimals(v: Decimal) -> int:
    exponent = v.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _count_or_none(n: int) -> Decimal | None:
    return Decimal(n) if n else None


def _queue_name(calls: CallFigures, wanted: str | None) -> str:
    if wanted is None:
        return ""
    for q in calls.queues:
        if q.casefold() == wanted.casefold():
            return q
    return wanted


def _call_cell(kind: str, arg: str, q: QueueYear, denominator: str) -> Decimal | None:
    if kind == "samtal_inkommande":
        return Decimal(q.offered)
    if kind == "samtal_besvarade":
        return Decimal(q.answered)
    if kind == "samtal_andel_besvarade":
        return percent(q.answered, q.offered)
    num, den = share_within(q, int(arg), denominator)
    return percent(num, den)


def calls_table(calls: CallFigures, year: int, denominator: str) -> Table | None:
    queues = [q for q in calls.queues if (q, year) in calls.figures]
    if not queues:
        return None
    cols = [
        Column("inkommande", "Inkommande", kind=ColumnKind.NUMBER, decimals=0),
        Column("besvarade", "Besvarade", kind=ColumnKind.NUMBER, decimals=0),
        Column("andel_besvarade", "Andel besvarade", kind=ColumnKind.PERCENT, decimals=1),
    ]
    cols += [
        Column(f"inom_{t}s", f"Besvarade inom {seconds_label(t)}", kind=ColumnKind.PERCENT, decimals=1)
        for t in calls.thresholds
    ]
    rows: list[Row] = []
    for q in [*queues, ""]:
        fig = calls.figures[(q, year)]
        values: dict[str, Value] = {
            "inkommande": Decimal(fig.offered),
            "besvarade": Decimal(fig.answered),
            "andel_besvarade": percent(fig.answered, fig.offered),
        }
        for t in calls.thresholds:
            num, den = share_within(fig, t, denominator)
            values[f"inom_{t}s"] = percent(num, den)
        src = Source({"file": calls.file, "ar": year, "ko": q or None})
        sources = {c.id: src for c in cols}
        if q:
            rows.append(Row(slug(q), q, values=values, sources=sources))
        else:
            rows.append(Row("totalt", "Totalt", RowKind.TOTAL, values=values, sources=sources))
    base = "inkommande samtal" if denominator == "inkommande" else "besvarade samtal"
    return Table(
        id="samtal_per_ko",
        title=f"Telefoni per kö {year}",
        columns=tuple(cols),
        rows=tuple(rows),
        unit=None,
        label_header="Kö",
        caption=f"Samtal per kö {year}; andelarna inom en svarstid räknas av alla {base}.",
    )


def yearly_tables(figures: Sequence[YearlyFigure], settings: Kpi, report_year: int) -> list[Table]:
    tables: list[Table] = []
    names = sorted({f.table for f in figures if f.table})
    years = [report_year - k for k in range(settings.antal_ar)]
    for name in names:
        members = [f for f in figures if f.table == name and f.year in years]
        ids = list(dict.fromkeys(f.id for f in members))
        shown_years = [y for y in years if any(f.year == y for f in members)]
        cols = tuple(Column(f"ar_{y}", str(y), kind=ColumnKind.NUMBER) for y in shown_years)
        rows: list[Row] = []
        for ident in ids:
            mine = {f.year: f for f in members if f.id == ident}
            decimals = max(_written_decimals(f.value) for f in mine.values())
            rows.append(
                Row(
                    ident,
                    next(iter(mine.values())).label,
                    values={f"ar_{y}": (mine[y].value if y in mine else None) for y in shown_years},
                    sources={f"ar_{y}": Source({"file": "nyckeltal", "rad": mine[y].line}) for y in mine},
                    decimals=decimals,
                )
            )
        title = settings.nyckeltal_tabeller.get(name, f"Nyckeltal: {name}")
        unit = next((f.unit for f in members if f.unit), "")
        tables.append(
            Table(
                id=f"nyckeltal_{slug(name)}",
                title=title,
                columns=cols,
                rows=tuple(rows),
                unit=None,
                label_header="",
                caption=title + (f" ({unit})" if unit else ""),
            )
        )
    return tables


def ticket_tables(tickets: Tickets, settings: Kpi, report_year: int) -> list[Table]:
    """Tickets per channel and service level per priority, latest years, all desks."""
    years = [report_year - k for k in range(settings.antal_ar)]
    figs = {y: ticket_figures(tickets, y, None) for y in years}
    years = [y for y in years if figs[y].count]
    if not years:
        return []
    cols = tuple(Column(f"ar_{y}", str(y), kind=ColumnKind.NUMBER, decimals=0) for y in years)
    src = {c.id: Source({"file": tickets.file, "ar": y}) for c, y in zip(cols, years, strict=True)}
    channels = sorted({k for y in years for k in figs[y].by_channel}, key=str.casefold)
    rows = [
        Row(
            f"kanal_{slug(ch)}",
            ch,
            values={f"ar_{y}": Decimal(figs[y].by_channel.get(ch, 0)) for y in years},
            sources=src,
        )
        for ch in channels
    ]
    unrecorded = {y: figs[y].count - sum(figs[y].by_channel.values()) for y in years}
    if any(unrecorded.values()):
        rows.append(
            Row(
                "kanal_okand",
                "Kanal ej registrerad",
                values={f"ar_{y}": Decimal(unrecorded[y]) for y in years},
                sources=src,
            )
        )
    rows.append(
        Row(
            "totalt",
            "Totalt",
            RowKind.TOTAL,
            values={f"ar_{y}": Decimal(figs[y].count) for y in years},
            parts=tuple(r.id for r in rows),
            sources=src,
        )
    )
    tables = [
        Table(
            id="arenden_per_kanal",
            title="Registrerade ärenden per kanal",
            columns=cols,
            rows=tuple(rows),
            unit=None,
            label_header="Kanal",
            caption="Antal registrerade ärenden per kanal och år (efter datum då ärendet skapades).",
        )
    ]
    priorities = [
        p
        for p in settings.servicenivaer_min
        if any(p.casefold() in {k.casefold() for k in figs[y].level_total} for y in years)
    ]
    if priorities:
        pcols = tuple(Column(f"ar_{y}", str(y), kind=ColumnKind.PERCENT, decimals=1) for y in years)
        prow: list[Row] = []
        for p in priorities:
            values: dict[str, Value] = {}
            for y in years:
                tot = {k.casefold(): (n, figs[y].level_within[k]) for k, n in figs[y].level_total.items()}
                n, w = tot.get(p.casefold(), (0, 0))
                values[f"ar_{y}"] = percent(w, n)
            minutes = settings.servicenivaer_min[p]
            limit = f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"
            prow.append(Row(f"prioritet_{slug(p)}", f"{p} (inom {limit})", values=values, sources=src))
        overall = {
            f"ar_{y}": percent(sum(figs[y].level_within.values()), sum(figs[y].level_total.values()))
            for y in years
        }
        prow.append(Row("totalt", "Samtliga", RowKind.TOTAL, values=overall, sources=src))
        hours = f" räknat i kontorstid {settings.kontorstid} vardagar" if settings.kontorstid else ""
        tables.append(
            Table(
                id="arenden_serviceniva",
                title="Andel ärenden med första återkoppling inom servicenivån",
                columns=pcols,
                rows=tuple(prow),
                unit=None,
                label_header="Prioritet",
                caption="Andel ärenden per prioritet vars första återkoppling kom inom "
                f"servicenivån{hours}; "
                "ärenden utan återkoppling räknas som utanför.",
            )
        )
    return tables
