"""Personnel statistics as report tables and named values (suppressing small groups)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bokslut.personnel.records import ANSTALLNINGSFORMER
from bokslut.personnel.statistics import YearStatistics
from bokslut.swedish import date_text
from bokslut.table import Column, ColumnKind, Row, RowKind, Source, Table, Value

GROUP_LABELS = {
    "totalt": "Totalt",
    "kvinnor": "Kvinnor",
    "man": "Män",
    "alder_upp_till_29": "29 år eller yngre",
    "alder_30_49": "30–49 år",
    "alder_50": "50 år eller äldre",
}
KON_LABEL = {"K": "Kvinna", "M": "Man"}
MISSING = "uppgift saknas"
MISSING_NOTE = "Uppgift saknas: frånvarofilen har inga uppgifter för året."
SUPPRESSED_NOTE = (
    "– = uppgiften redovisas inte eftersom gruppen har högst {limit} anställda (LKBR 11 kap. 6 §)."
)


def exact(x: float, places: int = 6) -> Decimal:
    """A computed measure (hours, shares) as Decimal; float noise is far below any shown digit."""
    return Decimal(f"{x:.{places}f}")


def share(part: float, whole: float) -> Decimal | None:
    return exact(100.0 * part / whole) if whole > 0 else None


def _year_columns(
    stats: Sequence[YearStatistics], kind: ColumnKind, decimals: int, label: str
) -> tuple[Column, ...]:
    return tuple(Column(f"ar_{s.year}", label.format(ar=s.year), kind=kind, decimals=decimals) for s in stats)


def medelantal_table(stats: Sequence[YearStatistics], source_file: str) -> Table:
    cols = _year_columns(stats, ColumnKind.NUMBER, 1, "Antal årsarbetare {ar}")
    src = Source({"file": source_file}, "Årsarbetare ur anställningsperioderna")
    kv = {c.id: exact(s.arsarbetare_kvinnor) for c, s in zip(cols, stats, strict=True)}
    ma = {c.id: exact(s.arsarbetare_man) for c, s in zip(cols, stats, strict=True)}
    tot = {c.id: kv[c.id] + ma[c.id] for c in cols}
    sources = {c.id: src for c in cols}
    return Table(
        id="medelantal_anstallda",
        title="Medelantal anställda",
        columns=cols,
        rows=(
            Row("kvinnor", "Kvinnor", values=kv, sources=sources),
            Row("man", "Män", values=ma, sources=sources),
            Row(
                "totalt",
                "Totalt",
                RowKind.TOTAL,
                values=tot,
                parts=("kvinnor", "man"),
                sources=sources,
            ),
        ),
        unit=None,
        label_header="Kön",
        caption="Medelantal anställda i årsarbetare per kön och år.",
    )


def anstallningsform_table(
    stats: Sequence[YearStatistics], source_file: str, on_closing_day: bool = False
) -> Table:
    cols = (
        Column("kon", "Kön", kind=ColumnKind.TEXT),
        *_year_columns(stats, ColumnKind.NUMBER, 0, "{ar}"),
    )
    keys = sorted(
        {k for s in stats for k in s.people_by_form},
        key=lambda k: (list(ANSTALLNINGSFORMER).index(k[0]), k[1]),
    )
    src = Source({"file": source_file}, "Personer med anställning under året")
    rows: list[Row] = []
    for form, kon in keys:
        values: dict[str, Value] = {"kon": KON_LABEL[kon]}
        for c, s in zip(cols[1:], stats, strict=True):
            values[c.id] = Decimal(s.people_by_form.get((form, kon), 0))
        rows.append(
            Row(
                f"{form}_{kon.lower()}",
                ANSTALLNINGSFORMER[form],
                values=values,
                sources={c.id: src for c in cols[1:]},
            )
        )
    total: dict[str, Value] = {"kon": ""}
    for c, s in zip(cols[1:], stats, strict=True):
        total[c.id] = Decimal(s.people)
    rows.append(
        Row(
            "totalt",
            "Totalt antal personer",
            RowKind.TOTAL,
            values=total,
            parts=tuple(r.id for r in rows),
            sources={c.id: src for c in cols[1:]},
        )
    )
    when = stats[0].period[1] if stats else None
    if on_closing_day and when is not None:
        title = f"Antal anställda per anställningsform och kön den {date_text(when, year=False)}"
        caption = "Antal personer med anställning på bokslutsdagen respektive år."
    else:
        title = "Antal anställda under året per anställningsform och kön"
        caption = (
            "Antal personer som varit anställda under året; varje person räknas en gång, "
            "med anställningsformen i årets sista anställningsperiod."
        )
    return Table(
        id="anstallda_anstallningsform",
        title=title,
        columns=cols,
        rows=tuple(rows),
        unit=None,
        label_header="Anställningsform",
        caption=caption,
    )


def sick_table(
    table_id: str,
    title: str,
    groups: Sequence[str],
    label_header: str,
    stats: Sequence[YearStatistics],
    limit: int,
    source_file: str,
) -> tuple[Table, dict[str, Decimal | None]]:
    cols = _year_columns(stats, ColumnKind.PERCENT, 1, "{ar}")
    rows: list[Row] = []
    values_out: dict[str, Decimal | None] = {}
    suppressed_any = False
    for g in groups:
        values: dict[str, Value] = {}
        sources: dict[str, Source] = {}
        for c, s in zip(cols, stats, strict=True):
            v = share(s.sick_hours[g], s.ordinary_hours[g])
            if s.group_people[g] <= limit:
                v = None
                suppressed_any = True
            if not s.has_absences:
                v = None
            values[c.id] = v if s.has_absences else MISSING
            sources[c.id] = Source(
                {"file": source_file, "ar": s.year, "grupp": g},
                f"Sjukfrånvarotimmar / ordinarie arbetstid, {GROUP_LABELS[g].lower()}",
            )
            values_out[f"sjukfranvaro_{g}_{s.year}"] = v
        kind = RowKind.TOTAL if g == "totalt" else RowKind.ITEM
        rows.append(Row(g, GROUP_LABELS[g], kind, values=values, sources=sources))
    table = Table(
        id=table_id,
        title=title,
        columns=cols,
        rows=tuple(rows),
        unit=None,
        label_header=label_header,
        caption=f"{title}. Sjukfrånvarotimmar i procent av gruppens ordinarie arbetstid.",
        footnotes=_notes(stats, limit, suppressed_any),
    )
    return table, values_out


def long_term_table(
    stats: Sequence[YearStatistics], limit: int, source_file: str
) -> tuple[Table, dict[str, Decimal | None]]:
    cols = _year_columns(stats, ColumnKind.PERCENT, 1, "{ar}")
    values: dict[str, Value] = {}
    out: dict[str, Decimal | None] = {}
    suppressed = False
    for c, s in zip(cols, stats, strict=True):
        v = share(s.long_term_sick_hours, s.sick_hours["totalt"])
        if s.sick_hours["totalt"] == 0:
            v = Decimal(0)
        if s.group_people["totalt"] <= limit:
            v = None
            suppressed = True
        if not s.has_absences:
            v = None
        values[c.id] = v if s.has_absences else MISSING
        out[f"sjukfranvaro_langtid_andel_{s.year}"] = v
    src = Source({"file": source_file}, "Sjuktimmar i sjukperioder om minst 60 dagar / alla sjuktimmar")
    table = Table(
        id="sjukfranvaro_langtid",
        title="Andel sjukfrånvaro som avser frånvaro under en sammanhängande tid av 60 dagar eller mer",
        columns=cols,
        rows=(
            Row(
                "andel",
                "Andel av sjukfrånvaron (%)",
                values=values,
                sources={c.id: src for c in cols},
            ),
        ),
        unit=None,
        label_header="År",
        caption="Andel av den totala sjukfrånvarotiden som ingår i sjukperioder om 60 dagar eller mer.",
        footnotes=_notes(stats, limit, suppressed),
    )
    return table, out


def _notes(stats: Sequence[YearStatistics], limit: int, suppressed: bool) -> tuple[str, ...]:
    notes = [SUPPRESSED_NOTE.format(limit=limit)] if suppressed else []
    if any(not s.has_absences for s in stats):
        notes.append(MISSING_NOTE)
    return tuple(notes)


AGE_GROUPS = ("alder_upp_till_29", "alder_30_49", "alder_50", "totalt")
GENDER_GROUPS = ("kvinnor", "man", "totalt")
