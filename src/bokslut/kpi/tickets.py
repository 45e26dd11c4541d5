"""Service-desk tickets (data/kpi/arenden.*): volumes, service level, first-line resolution.

Columns: id, skapad, prioritet, forsta_aterkoppling, lost, kanal, kategori
(timestamps ÅÅÅÅ-MM-DD TT:MM[:SS]), and optionally verksamhet (which desk,
e.g. "IT" or "Kundtjänst") and forsta_linjen (ja/nej: solved at first line).
A ticket belongs to the year it was created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow.compute as pc

from bokslut.diagnostics import Finding, notice
from bokslut.personnel.calendar import holiday_array
from bokslut.tabular import (
    DEFAULT_MAX_BYTES,
    DICTIONARY,
    TIMESTAMP,
    ColumnSpec,
    Problems,
    codes,
    empty_mask,
    parse_flag,
    parse_timestamp,
    read_table,
    stripped,
    within_period,
    years_of,
)
from bokslut.workspace.config import Kpi, office_minutes

TICKET_COLUMNS = (
    ColumnSpec("id"),
    ColumnSpec("skapad", fast_type=TIMESTAMP),
    ColumnSpec("prioritet", fast_type=DICTIONARY),
    ColumnSpec("forsta_aterkoppling", fast_type=TIMESTAMP),
    ColumnSpec("lost", fast_type=TIMESTAMP),
    ColumnSpec("kanal", fast_type=DICTIONARY),
    ColumnSpec("kategori", fast_type=DICTIONARY),
    ColumnSpec("verksamhet", required=False, fast_type=DICTIONARY),
    ColumnSpec("forsta_linjen", required=False, fast_type=DICTIONARY),
)

JA_NEJ = {
    "ja": "ja",
    "j": "ja",
    "1": "ja",
    "true": "ja",
    "nej": "nej",
    "n": "nej",
    "0": "nej",
    "false": "nej",
}


@dataclass(frozen=True, slots=True)
class Coded:
    """A text column as codes into ``names`` (the distinct texts, "" for empty)."""

    codes: npt.NDArray[np.int32]
    names: tuple[str, ...]

    def matching(self, wanted: str) -> npt.NDArray[np.bool_]:
        hits = [i for i, n in enumerate(self.names) if n.casefold() == wanted.casefold()]
        return np.isin(self.codes, hits)

    def counts(self, mask: npt.NDArray[np.bool_]) -> dict[str, int]:
        n = np.bincount(self.codes[mask], minlength=len(self.names))
        out: dict[str, int] = {}
        for name, c in zip(self.names, n, strict=True):
            if name and c:
                out[name] = out.get(name, 0) + int(c)
        return out


@dataclass(frozen=True, slots=True)
class Tickets:
    year: npt.NDArray[np.int64]
    priority: Coded  # as written, stripped
    channel: Coded
    category: Coded
    desk: Coded  # verksamhet (all "" when the column is absent)
    within_level: npt.NDArray[np.int8]  # 1 within, 0 not, -1 no service level for its priority
    resolved: npt.NDArray[np.bool_]
    first_line: npt.NDArray[np.int8]  # 1 ja, 0 nej, -1 not recorded
    file: str


def office_minutes_since_epoch(
    ts: npt.NDArray[np.datetime64],
    open_min: int,
    close_min: int,
    holidays: npt.NDArray[np.datetime64],
) -> npt.NDArray[np.int64]:
    """Office minutes from 1970-01-01 to each timestamp; differences give elapsed office time."""
    day = ts.astype("datetime64[D]")
    minute = ((ts - day).astype("timedelta64[m]")).astype(np.int64)
    epoch = np.datetime64("1970-01-01", "D")
    full_days = np.busday_count(epoch, day, holidays=holidays).astype(np.int64)
    open_today = np.is_busday(day, holidays=holidays)
    today = np.where(open_today, np.clip(minute, open_min, close_min) - open_min, 0)
    return full_days * (close_min - open_min) + today


def read_tickets(
    path: Path,
    display: str,
    settings: Kpi,
    closing: tuple[int, int] = (12, 31),
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    root: Path | None = None,
) -> tuple[Tickets | None, list[Finding]]:
    raw, findings = read_table(path, display, TICKET_COLUMNS, settings.kolumner.arenden, max_bytes, root=root)
    if raw is None:
        return None, findings
    problems = Problems(raw, findings)
    no_id = empty_mask(raw, "id")
    problems.rows(no_id, "id", "ärende-id saknas", "saknas")
    dup = np.zeros(raw.rows, dtype=bool)
    distinct = pc.count_distinct(stripped(raw, "id")).as_py()
    if distinct < raw.rows - max(int(no_id.sum()) - 1, 0):
        # Only a file that has duplicates pays for finding where they are.
        id_codes, _ = codes(raw, "id", with_names=False)
        _, first_index = np.unique(id_codes, return_index=True)
        dup[:] = True
        dup[first_index] = False
        dup &= ~no_id
    problems.rows(dup, "id", "ärende-id förekommer mer än en gång", "dubblett")
    created = parse_timestamp(raw, "skapad", problems, required=True)
    response = parse_timestamp(raw, "forsta_aterkoppling", problems, required=False)
    solved = parse_timestamp(raw, "lost", problems, required=False)
    early_response = ~np.isnat(created) & ~np.isnat(response) & (response < created)
    problems.rows(
        early_response,
        "forsta_aterkoppling",
        "första återkopplingen ligger före tidpunkten då ärendet skapades",
        "ordning",
    )
    early_solved = ~np.isnat(created) & ~np.isnat(solved) & (solved < created)
    problems.rows(early_solved, "lost", "ärendet är löst före tidpunkten då det skapades", "ordning")
    first_line = np.full(raw.rows, -1, dtype=np.int8)
    if raw.has("forsta_linjen"):
        first_line = parse_flag(raw, "forsta_linjen", problems, required=False, what="första linjen")
    prio_codes, prio_names = codes(raw, "prioritet")
    levels = {k.casefold(): v for k, v in settings.servicenivaer_min.items()}
    # Per distinct priority text: its limit in minutes, -1 without a service level.
    limit_of = np.array([levels.get(n.casefold(), -1) for n in prio_names] or [-1], dtype=np.int64)
    limit = limit_of[prio_codes]
    unknown_names = [n for n in prio_names if n and n.casefold() not in levels]
    unknown_prio = np.isin(prio_codes, [prio_names.index(n) for n in unknown_names])
    if levels and unknown_names:
        findings.append(
            notice(
                f"{int(unknown_prio.sum())} ärenden har en prioritet utan servicenivå i "
                f"bokslut.toml [kpi] servicenivaer_min ({', '.join(sorted(unknown_names)[:10])}) "
                "och ingår inte i servicegraden",
                file=display,
                where=f"kolumn {raw.column_headers.get('prioritet', 'prioritet')}",
            )
        )
    ok = ~no_id & ~dup & ~np.isnat(created) & ~early_response & ~early_solved
    ok &= ~(np.isnat(response) & ~empty_mask(raw, "forsta_aterkoppling"))
    ok &= ~(np.isnat(solved) & ~empty_mask(raw, "lost"))
    within = np.full(raw.rows, -1, dtype=np.int8)
    has_level = limit >= 0
    if has_level.any():
        answered = has_level & ~np.isnat(response) & ok
        elapsed = np.zeros(raw.rows, dtype=np.int64)
        if settings.kontorstid:
            open_min, close_min = office_minutes(settings.kontorstid)
            years = years_of(created[answered])
            hol = (
                holiday_array(range(int(years.min()) - 1, int(years.max()) + 2))
                if years.size
                else holiday_array([])
            )
            a = office_minutes_since_epoch(created[answered], open_min, close_min, hol)
            b = office_minutes_since_epoch(response[answered], open_min, close_min, hol)
            elapsed[answered] = b - a
        else:
            elapsed[answered] = ((response[answered] - created[answered]).astype("timedelta64[s]")).astype(
                np.int64
            )
            elapsed[answered] = -(-elapsed[answered] // 60)  # started minutes count
        # A ticket still without a response has not met its service level.
        within[has_level] = 0
        within[answered] = (elapsed[answered] <= limit[answered]).astype(np.int8)
    year = years_of(created)
    # Tickets after the closing day of their year are outside an interim report's periods.
    ok &= within_period(created, year, closing)

    def coded(name: str) -> Coded:
        c, names = codes(raw, name) if raw.has(name) else (np.zeros(raw.rows, np.int32), [""])
        return Coded(c[ok], tuple(names))

    return (
        Tickets(
            year=year[ok],
            priority=Coded(prio_codes[ok], tuple(prio_names)),
            channel=coded("kanal"),
            category=coded("kategori"),
            desk=coded("verksamhet"),
            within_level=within[ok],
            resolved=~np.isnat(solved[ok]),
            first_line=first_line[ok],
            file=display,
        ),
        findings,
    )


@dataclass(frozen=True, slots=True)
class TicketFigures:
    """Figures of one desk (or all) in one year."""

    count: int
    by_channel: Mapping[str, int]
    by_category: Mapping[str, int]
    level_total: Mapping[str, int]  # priority -> tickets with a service level
    level_within: Mapping[str, int]
    resolved: int
    first_line_known: int
    first_line_yes: int


def ticket_figures(t: Tickets, year: int, desk: str | None) -> TicketFigures:
    mask = t.year == year
    if desk is not None:
        mask &= t.desk.matching(desk)
    with_level = mask & (t.within_level >= 0)
    level_total = t.priority.counts(with_level)
    level_within = t.priority.counts(with_level & (t.within_level == 1))
    resolved = mask & t.resolved
    known = resolved & (t.first_line >= 0)
    return TicketFigures(
        count=int(mask.sum()),
        by_channel=t.channel.counts(mask),
        by_category=t.category.counts(mask),
        level_total=level_total,
        level_within={k: level_within.get(k, 0) for k in level_total},
        resolved=int(resolved.sum()),
        first_line_known=int(known.sum()),
        first_line_yes=int((known & (t.first_line == 1)).sum()),
    )


def ticket_years(t: Tickets) -> list[int]:
    return sorted({int(y) for y in np.unique(t.year)}, reverse=True)


def desks(t: Tickets) -> list[str]:
    present = np.unique(t.desk.codes)
    return sorted({t.desk.names[int(i)] for i in present if t.desk.names[int(i)]})
