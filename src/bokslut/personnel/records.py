"""HR records: employment periods and absences, read and validated as column arrays.

Columns (our names; other names are mapped in bokslut.toml [personal.kolumner]):

* anstallda: anstallningsnummer, kon (K/M), fodelsear, anstallningsform, fran,
  till (empty = ongoing), sysselsattningsgrad (percent), veckoarbetstid (hours at 100 %)
* franvaro: anstallningsnummer, fran, till, omfattning (percent, empty = 100), orsak

A row with an error is left out of the computation and reported; every other
row is used, so one bad line never hides the rest of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from bokslut.diagnostics import Finding, error, warning
from bokslut.tabular import (
    DEFAULT_MAX_BYTES,
    DICTIONARY,
    MAX_LISTED,
    ColumnSpec,
    Problems,
    codes,
    empty_mask,
    parse_choice,
    parse_date,
    parse_number,
    read_table,
    text,
)
from bokslut.workspace.config import Personal

# Canonical employment forms and how the report names them.
ANSTALLNINGSFORMER: Mapping[str, str] = {
    "tillsvidare": "Tillsvidareanställd",
    "provanstallning": "Provanställning",
    "visstid": "Visstidsanställning",
    "vikariat": "Vikariat",
    "timanstallning": "Timanställning",
    "sasongsanstallning": "Säsongsanställning",
}

# Spellings people write for the canonical forms (the config can add the HR system's codes).
FORM_SPELLINGS: Mapping[str, str] = {
    "tillsvidare": "tillsvidare",
    "tillsvidareanställd": "tillsvidare",
    "tillsvidareanställning": "tillsvidare",
    "provanstallning": "provanstallning",
    "provanställning": "provanstallning",
    "visstid": "visstid",
    "visstidsanställning": "visstid",
    "allmän visstid": "visstid",
    "särskild visstid": "visstid",
    "vikariat": "vikariat",
    "timanstallning": "timanstallning",
    "timanställning": "timanstallning",
    "timavlönad": "timanstallning",
    "sasongsanstallning": "sasongsanstallning",
    "säsongsanställning": "sasongsanstallning",
}

KON: Mapping[str, str] = {"k": "K", "kvinna": "K", "m": "M", "man": "M"}

DATE = pa.date32()
EMPLOYEE_COLUMNS = (
    ColumnSpec("anstallningsnummer"),
    ColumnSpec("kon", fast_type=DICTIONARY),
    ColumnSpec("fodelsear"),
    ColumnSpec("anstallningsform", fast_type=DICTIONARY),
    ColumnSpec("fran", fast_type=DATE),
    ColumnSpec("till", fast_type=DATE),
    ColumnSpec("sysselsattningsgrad"),
    ColumnSpec("veckoarbetstid", required=False),
)

ABSENCE_COLUMNS = (
    ColumnSpec("anstallningsnummer", fast_type=DICTIONARY),
    ColumnSpec("fran", fast_type=DATE),
    ColumnSpec("till", fast_type=DATE),
    ColumnSpec("omfattning", required=False, fast_type=pa.float64()),
    ColumnSpec("orsak", fast_type=DICTIONARY),
)


@dataclass(frozen=True, slots=True)
class Employments:
    """Valid employment periods (one element per row kept)."""

    person: npt.NDArray[np.int64]  # index into `people`
    form: npt.NDArray[np.object_]  # canonical form
    start: npt.NDArray[np.datetime64]
    end: npt.NDArray[np.datetime64]  # inclusive; far future when ongoing
    grade: npt.NDArray[np.float64]  # sysselsättningsgrad as a fraction (1.0 = 100 %)
    week_hours: npt.NDArray[np.float64]  # hours of a full-time week
    people: npt.NDArray[np.object_]  # anställningsnummer per person index
    female: npt.NDArray[np.bool_]  # per person
    birth_year: npt.NDArray[np.int64]  # per person
    file: str


@dataclass(frozen=True, slots=True)
class Absences:
    person: npt.NDArray[np.int64]
    start: npt.NDArray[np.datetime64]
    end: npt.NDArray[np.datetime64]
    extent: npt.NDArray[np.float64]  # omfattning as a fraction
    sick: npt.NDArray[np.bool_]


OPEN_END = np.datetime64("2999-12-31", "D")


def read_employments(
    path: Path,
    display: str,
    settings: Personal,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    root: Path | None = None,
) -> tuple[Employments | None, list[Finding]]:
    raw, findings = read_table(
        path, display, EMPLOYEE_COLUMNS, settings.kolumner.anstallda, max_bytes, root=root
    )
    if raw is None:
        return None, findings
    problems = Problems(raw, findings)
    ids = text(raw, "anstallningsnummer")
    no_id = empty_mask(raw, "anstallningsnummer")
    problems.rows(no_id, "anstallningsnummer", "anställningsnummer saknas", "saknas")
    kon = parse_choice(raw, "kon", problems, KON, required=True, what="kön", shown_choices=("K", "M"))
    birth = parse_number(raw, "fodelsear", problems, required=True, low=1900, high=2100, what="ett årtal")
    spellings = dict(FORM_SPELLINGS)
    spellings.update({k.casefold(): v for k, v in settings.anstallningsformer.items()})
    for code, canonical in settings.anstallningsformer.items():
        if canonical not in ANSTALLNINGSFORMER:
            findings.append(
                error(
                    f"[personal.anstallningsformer] '{code}' pekar på okänd anställningsform "
                    f"'{canonical}' (kända: {', '.join(ANSTALLNINGSFORMER)})",
                    file="bokslut.toml",
                )
            )
    form = parse_choice(
        raw,
        "anstallningsform",
        problems,
        spellings,
        required=True,
        what="anställningsform",
        shown_choices=[*ANSTALLNINGSFORMER, *settings.anstallningsformer],
    )
    start = parse_date(raw, "fran", problems, required=True)
    end = parse_date(raw, "till", problems, required=False)
    grade = parse_number(
        raw, "sysselsattningsgrad", problems, required=True, low=0, high=100, what="en procentsats"
    )
    hours = parse_number(
        raw,
        "veckoarbetstid",
        problems,
        required=False,
        low=0,
        high=60,
        low_inclusive=False,
        what="timmar per vecka",
    )
    hours = np.where(np.isnan(hours), settings.veckoarbetstid, hours)
    backwards = ~np.isnat(start) & ~np.isnat(end) & (end < start)
    problems.rows(
        backwards,
        "till",
        "anställningen slutar före sin början (till är tidigare än från)",
        "ordning",
    )
    bad_birth = ~np.isnan(birth) & (np.floor(birth) != birth)
    problems.rows(bad_birth, "fodelsear", "ska vara ett årtal", "tal")

    ok = (
        ~no_id
        & (kon != "")
        & ~np.isnan(birth)
        & ~bad_birth
        & (form != "")
        & ~np.isnat(start)
        & ~backwards
        & ~np.isnan(grade)
        & ~np.isnan(hours)
    )
    # A row whose `till` was unreadable must not become an ongoing employment.
    ok &= ~(np.isnat(end) & ~empty_mask(raw, "till"))

    people, person = np.unique(ids[ok].astype(str), return_inverse=True)
    female = np.zeros(people.size, dtype=bool)
    birth_year = np.zeros(people.size, dtype=np.int64)
    kon_ok = kon[ok]
    birth_ok = birth[ok].astype(np.int64)
    female[person] = kon_ok == "K"
    birth_year[person] = birth_ok
    # One person, one gender and one birth year: disagreeing rows are reported, not guessed.
    inconsistent = (female[person] != (kon_ok == "K")) | (birth_year[person] != birth_ok)
    if inconsistent.any():
        rows = raw.row_numbers(ok)[inconsistent]
        for row_no, pid in list(zip(rows, person[inconsistent], strict=True))[:MAX_LISTED]:
            findings.append(
                error(
                    f"anställningsnummer {people[pid]} har annat kön eller födelseår än på "
                    "en annan rad för samma person",
                    file=display,
                    line=int(row_no),
                    where="kolumn kon/fodelsear",
                    code="motstridig-person",
                )
            )
    emp = Employments(
        person=person.astype(np.int64),
        form=form[ok],
        start=start[ok],
        end=np.where(np.isnat(end[ok]), OPEN_END, end[ok]),
        grade=grade[ok] / 100.0,
        week_hours=hours[ok],
        people=people.astype(object),
        female=female,
        birth_year=birth_year,
        file=display,
    )
    return emp, findings


def read_absences(
    path: Path,
    display: str,
    settings: Personal,
    employments: Employments | None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    root: Path | None = None,
) -> tuple[Absences | None, list[Finding]]:
    raw, findings = read_table(
        path, display, ABSENCE_COLUMNS, settings.kolumner.franvaro, max_bytes, root=root
    )
    if raw is None:
        return None, findings
    problems = Problems(raw, findings)
    # Distinct numbers (a few thousand) are looked up, not the many absence rows.
    id_codes, id_names = codes(raw, "anstallningsnummer")
    no_id = id_codes == (id_names.index("") if "" in id_names else -1)
    problems.rows(no_id, "anstallningsnummer", "anställningsnummer saknas", "saknas")
    start = parse_date(raw, "fran", problems, required=True)
    end = parse_date(raw, "till", problems, required=True)
    extent = parse_number(
        raw,
        "omfattning",
        problems,
        required=False,
        low=0,
        high=100,
        low_inclusive=False,
        what="en procentsats",
    )
    extent = np.where(np.isnan(extent) & empty_mask(raw, "omfattning"), 100.0, extent)
    reason_codes, reason_names = codes(raw, "orsak")
    no_reason = reason_codes == (reason_names.index("") if "" in reason_names else -1)
    problems.rows(no_reason, "orsak", "orsak saknas", "saknas")
    sick_words = {w.casefold() for w in settings.sjukorsaker}
    sick = np.isin(reason_codes, [i for i, n in enumerate(reason_names) if n.casefold() in sick_words])
    backwards = ~np.isnat(start) & ~np.isnat(end) & (end < start)
    problems.rows(backwards, "till", "frånvaron slutar före sin början (till är tidigare än från)", "ordning")
    person = np.full(raw.rows, -1, dtype=np.int64)
    if employments is not None and employments.people.size and id_names:
        people = employments.people.astype(str)
        names = np.array(id_names, dtype=str)
        pos = np.clip(np.searchsorted(people, names), 0, people.size - 1)
        person_of_name = np.where(people[pos] == names, pos, -1)
        person = person_of_name[id_codes]
    unknown = (person < 0) & ~no_id
    problems.rows(
        unknown,
        "anstallningsnummer",
        "anställningsnumret finns inte i anstallda-filen",
        "okand-person",
    )
    ok = (person >= 0) & ~np.isnat(start) & ~np.isnat(end) & ~backwards & ~np.isnan(extent) & ~no_reason
    absences = Absences(
        person=person[ok],
        start=start[ok],
        end=end[ok],
        extent=extent[ok] / 100.0,
        sick=sick[ok],
    )
    people = employments.people if employments is not None else np.zeros(0, dtype=object)
    merged, overlaps = merge_overlapping_sick(absences, raw.row_numbers(ok), display, people)
    return merged, findings + overlaps


# Extents are summed in hundredths of a percent, exactly (1.0 = 10 000).
_UNITS = 10_000
_DAY_OFFSET = 1_000_000  # days before 1970 stay positive (dates are years 1–9999)


def merge_overlapping_sick(
    ab: Absences, lines: npt.NDArray[np.int64], display: str, people: npt.NDArray[np.object_]
) -> tuple[Absences, list[Finding]]:
    """Sick absences of one person that overlap, as non-overlapping periods, and a warning
    naming both rows of each overlap.

    On a day covered by several sick records the omfattningar are added, up to 100 %: two
    records of one sick week (an export that lists it twice) count the week once, and two
    half-time records on the same days count as full time. Without this, overlapping days
    are counted twice and the sick-leave share is too high (docs/personal.md).
    """
    sick_idx = np.flatnonzero(ab.sick)
    if sick_idx.size < 2:
        return ab, []
    person = ab.person[sick_idx]
    # Days counted from far back, so that a key person * big + day divides back exactly.
    start = ab.start[sick_idx].astype(np.int64) + _DAY_OFFSET
    end = ab.end[sick_idx].astype(np.int64) + _DAY_OFFSET
    order = np.lexsort((start, person))
    person, start, end = person[order], start[order], end[order]
    # Offsetting days by person makes one running maximum respect person borders.
    big = np.int64(10_000_000)
    key_end = person * big + end
    running = np.maximum.accumulate(key_end)
    overlapping = np.zeros(start.size, dtype=bool)
    overlapping[1:] = person[1:] * big + start[1:] <= running[:-1]
    if not overlapping.any():
        return ab, []
    # Which earlier row reaches furthest (the one each overlapping row runs into).
    position = np.arange(start.size)
    holder = np.maximum.accumulate(np.where(key_end >= running, position, -1))
    row_lines = lines[sick_idx[order]]
    findings: list[Finding] = []
    hits = np.flatnonzero(overlapping)
    for i in hits[:MAX_LISTED]:
        other = int(holder[i - 1])
        findings.append(
            warning(
                f"sjukfrånvaron på rad {int(row_lines[i])} överlappar rad {int(row_lines[other])} "
                f"för anställningsnummer {people[int(person[i])] if people.size else ''}; "
                "dagarna räknas en gång (omfattningarna läggs ihop, högst 100 %)",
                file=display,
                line=int(row_lines[i]),
                where="kolumn fran/till",
                code="overlappande-franvaro",
            )
        )
    if hits.size > MAX_LISTED:
        findings.append(
            warning(
                f"ytterligare {hits.size - MAX_LISTED} sjukfrånvarorader överlappar en tidigare rad "
                "för samma person; dagarna räknas en gång",
                file=display,
                code="overlappande-franvaro",
            )
        )
    # Sweep over start (+) and day-after-end (−) events; between two events of one person
    # the summed extent is constant.
    units = np.rint(ab.extent[sick_idx[order]] * _UNITS).astype(np.int64)
    keys = np.concatenate((person * big + start, person * big + end + 1))
    delta = np.concatenate((units, -units))
    count = np.concatenate((np.ones(start.size, np.int64), -np.ones(start.size, np.int64)))
    ev = np.argsort(keys, kind="stable")
    keys, delta, count = keys[ev], delta[ev], count[ev]
    level = np.cumsum(delta)
    active = np.cumsum(count)
    seg = np.flatnonzero((active[:-1] > 0) & (keys[1:] > keys[:-1]))
    seg_person = keys[seg] // big
    seg_start = (keys[seg] % big - _DAY_OFFSET).astype("datetime64[D]")
    seg_end = (keys[seg + 1] % big - 1 - _DAY_OFFSET).astype("datetime64[D]")
    seg_extent = np.minimum(level[seg], _UNITS) / _UNITS
    not_sick = np.flatnonzero(~ab.sick)
    merged = Absences(
        person=np.concatenate((ab.person[not_sick], seg_person)),
        start=np.concatenate((ab.start[not_sick], seg_start)),
        end=np.concatenate((ab.end[not_sick], seg_end)),
        extent=np.concatenate((ab.extent[not_sick], seg_extent)),
        sick=np.concatenate((np.zeros(len(not_sick), dtype=np.bool_), np.ones(len(seg), dtype=np.bool_))),
    )
    return merged, findings
