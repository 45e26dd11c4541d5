"""Årsarbetare, headcount per employment form and sick leave (LKBR 11 kap. 6 §).

Definitions (docs/personal.md states them for users):

* A year's period is 1 January to the report's closing day in that year, so an
  interim report compares the same months of each year.
* Årsarbetare: each employment period contributes sysselsättningsgrad × the
  share of the period's calendar days it covers.
* Ordinary working time: working days (calendar.py) × veckoarbetstid / 5 ×
  sysselsättningsgrad, per employment period.
* Sick time: the working days of a sick absence that fall inside an employment
  period, × that period's daily hours × omfattning.
* A spell is a run of sick absences of one person where each begins at the
  latest the day after the previous one ended; a spell of 60 calendar days or
  more is long-term, and all its sick time counts as long-term (also the part
  in another year).
* Age is the age reached during the year (year − birth year).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bokslut.personnel.calendar import holiday_array, working_days
from bokslut.personnel.records import Absences, Employments

GROUPS = ("totalt", "kvinnor", "man", "alder_upp_till_29", "alder_30_49", "alder_50")
LONG_TERM_DAYS = 60


@dataclass(frozen=True, slots=True)
class YearStatistics:
    year: int
    period: tuple[dt.date, dt.date]
    arsarbetare_kvinnor: float
    arsarbetare_man: float
    # (canonical form, "K"/"M") -> number of people; each person once, under the form
    # of their latest employment period in the year (or on the closing day).
    people_by_form: Mapping[tuple[str, str], int]
    people: int  # people counted in people_by_form
    employed: int  # people with any employment in the year
    ordinary_hours: Mapping[str, float]  # per group of GROUPS
    sick_hours: Mapping[str, float]
    group_people: Mapping[str, int]
    long_term_sick_hours: float
    # Whether the absence file says anything about this year; without it the year's
    # sick leave is unknown, not zero.
    has_absences: bool = True


def year_period(year: int, closing: dt.date) -> tuple[dt.date, dt.date]:
    day = closing.day
    if closing.month == 2 and day == 29 and not _leap(year):
        day = 28
    return dt.date(year, 1, 1), dt.date(year, closing.month, day)


def absence_covers(ab: Absences, start: dt.date, end: dt.date) -> bool:
    """Whether any absence (of any cause) in the file falls inside ``start``–``end``."""
    s, e = np.datetime64(start, "D"), np.datetime64(end, "D")
    return bool(np.any((ab.start <= e) & (ab.end >= s)))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _absence_pairs(emp: Employments, ab: Absences) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """All (absence, employment) index pairs of the same person, vectorised."""
    order = np.argsort(emp.person, kind="stable")
    sorted_person = emp.person[order]
    lo = np.searchsorted(sorted_person, ab.person, side="left")
    hi = np.searchsorted(sorted_person, ab.person, side="right")
    counts = hi - lo
    total = int(counts.sum())
    a_idx = np.repeat(np.arange(ab.person.size, dtype=np.int64), counts)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    e_pos = np.repeat(lo, counts) + (np.arange(total, dtype=np.int64) - offsets)
    return a_idx, order[e_pos].astype(np.int64)


def long_term_mask(ab: Absences) -> npt.NDArray[np.bool_]:
    """True for sick absences that belong to a spell of at least 60 calendar days."""
    result = np.zeros(ab.person.size, dtype=bool)
    sick_idx = np.flatnonzero(ab.sick)
    if sick_idx.size == 0:
        return result
    start = ab.start[sick_idx].astype(np.int64)
    end = ab.end[sick_idx].astype(np.int64)
    person = ab.person[sick_idx]
    order = np.lexsort((start, person))
    start, end, person = start[order], end[order], person[order]
    # Offsetting days by person makes one global running maximum respect person borders.
    big = np.int64(10_000_000)
    key_end = person * big + end
    key_start = person * big + start
    running = np.maximum.accumulate(key_end)
    new_spell = np.ones(start.size, dtype=bool)
    new_spell[1:] = key_start[1:] > running[:-1] + 1
    firsts = np.flatnonzero(new_spell)
    spell_start = start[firsts]
    spell_end = np.maximum.reduceat(end, firsts)
    length = spell_end - spell_start + 1
    spell_of = np.cumsum(new_spell) - 1
    is_long = (length >= LONG_TERM_DAYS)[spell_of]
    result[sick_idx[order]] = is_long
    return result


def compute_years(
    emp: Employments,
    ab: Absences | None,
    years: Sequence[int],
    closing: dt.date,
    count_on_closing_day: bool = False,
) -> list[YearStatistics]:
    holidays = holiday_array(range(min(years) - 1, max(years) + 2)) if years else holiday_array([])
    if ab is not None and ab.person.size:
        a_idx, e_idx = _absence_pairs(emp, ab)
        keep = ab.sick[a_idx]
        a_idx, e_idx = a_idx[keep], e_idx[keep]
        long_abs = long_term_mask(ab)
    else:
        a_idx = e_idx = np.zeros(0, dtype=np.int64)
        long_abs = np.zeros(0, dtype=bool)
    daily = emp.week_hours / 5.0 * emp.grade
    out: list[YearStatistics] = []
    for year in years:
        p_start, p_end = year_period(year, closing)
        ps = np.datetime64(p_start, "D")
        pe = np.datetime64(p_end, "D")
        s = np.maximum(emp.start, ps)
        e = np.minimum(emp.end, pe)
        active = e >= s
        period_days = float((pe - ps).astype(np.int64) + 1)
        covered = np.where(active, (e - s).astype(np.int64) + 1, 0)
        fte = covered / period_days * emp.grade
        ordinary = working_days(s, e, holidays) * daily
        age = year - emp.birth_year  # per person
        female = emp.female
        n_people = emp.people.size
        group_of_person = {
            "totalt": np.ones(n_people, dtype=bool),
            "kvinnor": female,
            "man": ~female,
            "alder_upp_till_29": age <= 29,
            "alder_30_49": (age >= 30) & (age <= 49),
            "alder_50": age >= 50,
        }
        ord_person = np.bincount(emp.person, weights=ordinary, minlength=n_people)
        with_time = ord_person > 0
        sick_person: npt.NDArray[np.float64] = np.zeros(n_people)
        long_total = 0.0
        if ab is not None and a_idx.size:
            s2 = np.maximum(np.maximum(ab.start[a_idx], emp.start[e_idx]), ps)
            e2 = np.minimum(np.minimum(ab.end[a_idx], emp.end[e_idx]), pe)
            hours = working_days(s2, e2, holidays) * daily[e_idx] * ab.extent[a_idx]
            sick_person = np.bincount(emp.person[e_idx], weights=hours, minlength=n_people).astype(np.float64)
            long_total = float(hours[long_abs[a_idx]].sum())
        # Latest period in the year decides the form a person is counted under.
        counted = active & (emp.end >= pe) if count_on_closing_day else active
        act = np.flatnonzero(counted)
        order = np.lexsort((s[act].astype(np.int64), emp.person[act]))
        act = act[order]
        last = np.ones(act.size, dtype=bool)
        last[:-1] = emp.person[act][1:] != emp.person[act][:-1]
        chosen = act[last]
        people_by_form: dict[tuple[str, str], int] = {}
        for form, is_f in zip(emp.form[chosen], female[emp.person[chosen]], strict=True):
            key = (str(form), "K" if is_f else "M")
            people_by_form[key] = people_by_form.get(key, 0) + 1
        ordinary_g: dict[str, float] = {}
        sick_g: dict[str, float] = {}
        people_g: dict[str, int] = {}
        for name, members in group_of_person.items():
            ordinary_g[name] = float(ord_person[members].sum())
            sick_g[name] = float(sick_person[members].sum())
            people_g[name] = int((members & with_time).sum())
        fte_person = np.bincount(emp.person, weights=fte, minlength=n_people)
        out.append(
            YearStatistics(
                year=year,
                period=(p_start, p_end),
                arsarbetare_kvinnor=float(fte_person[female].sum()),
                arsarbetare_man=float(fte_person[~female].sum()),
                people_by_form=people_by_form,
                people=int(chosen.size),
                employed=int(np.unique(emp.person[active]).size),
                ordinary_hours=ordinary_g,
                sick_hours=sick_g,
                group_people=people_g,
                long_term_sick_hours=long_total,
                has_absences=ab is not None and absence_covers(ab, p_start, p_end),
            )
        )
    return out
