"""Generate Lystkom's HR and operational exports (deterministic, seed 2023).

The published annual report 2023 gives only results: årsarbetare, headcounts,
sick-leave percentages, call and ticket volumes. This script builds the
per-person employment periods and absences, the individual calls and tickets
that such results come from, and then checks — by running bokslut's own
computation on the written files — that the computed figures equal the
published ones. Nothing in the report is typed in: bokslut computes every
figure from these rows.

Run from the repository root:  .venv/bin/python examples/lystkom-2023/generate_personal_kpi.py
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

from bokslut.personnel.calendar import holiday_array, working_days

HERE = Path(__file__).resolve().parent
PERSONAL = HERE / "data" / "personal"
KPI = HERE / "data" / "kpi"
YEARS = (2020, 2021, 2022, 2023)
WEEK_HOURS = 40.0

# Published figures (Lystkom årsredovisning 2023).
ARSARBETARE = {  # year -> (kvinnor, män)
    2023: (Decimal("11.1"), Decimal("15.9")),
    2022: (Decimal("10.9"), Decimal("16.5")),
    2021: (Decimal("10.9"), Decimal("16.0")),
    2020: (Decimal("10.5"), Decimal("14.4")),
}
SJUK = {  # year -> total, kvinnor, män, 30–49, 50+, långtidsandel
    2023: (2.9, 3.1, 2.6, 2.9, 3.3, 0.0),
    2022: (3.8, 4.8, 3.1, 4.2, 3.9, 26.7),
    2021: (2.3, 3.4, 1.7, 2.5, 2.9, 11.9),
    2020: (2.7, 3.1, 2.5, 4.1, 1.8, 0.0),
}


@dataclass
class Period:
    form: str
    start: dt.date
    end: dt.date | None  # None: ongoing


@dataclass
class Person:
    pid: str
    kon: str
    born: int
    periods: list[Period]
    grades: dict[int, float] = field(default_factory=dict)  # year -> percent

    def span(self, year: int) -> tuple[dt.date, dt.date] | None:
        lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
        starts = [max(p.start, lo) for p in self.periods if p.start <= hi and (p.end is None or p.end >= lo)]
        ends = [
            min(p.end or hi, hi) for p in self.periods if p.start <= hi and (p.end is None or p.end >= lo)
        ]
        return (min(starts), max(ends)) if starts else None


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def roster() -> list[Person]:
    """Who worked at Lystkom 2020–2023. Headcounts on 31 December match the published table."""
    people: list[Person] = []
    early = d("2012-01-01")
    # Women, tillsvidare throughout (birth years spread over the age groups).
    for i, born in enumerate([1964, 1968, 1966, 1975, 1979, 1983, 1986, 1966, 1968, 1981, 1990], start=1):
        people.append(Person(f"K{i:02d}", "K", born, [Period("tillsvidare", early, None)]))
    people.append(Person("K12", "K", 1969, [Period("tillsvidare", early, d("2021-03-31"))]))
    people.append(Person("K13", "K", 1993, [Period("tillsvidare", d("2021-08-01"), d("2022-05-31"))]))
    people.append(Person("K14", "K", 1988, [Period("tillsvidare", d("2021-09-01"), d("2022-09-30"))]))
    people.append(
        Person(
            "K15",
            "K",
            1996,
            [
                Period("visstid", d("2022-03-01"), d("2022-12-31")),
                Period("tillsvidare", d("2023-01-01"), None),
            ],
        )
    )
    # Women on fixed-term contracts and substitutes.
    people.append(Person("K16", "K", 1998, [Period("visstid", d("2020-11-01"), d("2021-02-28"))]))
    people.append(Person("K17", "K", 1995, [Period("visstid", d("2020-08-15"), d("2021-03-31"))]))
    people.append(Person("K18", "K", 1999, [Period("visstid", d("2020-09-01"), d("2022-01-31"))]))
    people.append(Person("K19", "K", 1997, [Period("visstid", d("2021-09-01"), d("2022-02-28"))]))
    people.append(Person("K20", "K", 2000, [Period("visstid", d("2021-10-01"), d("2022-03-31"))]))
    people.append(Person("K21", "K", 1976, [Period("visstid", d("2021-10-01"), d("2022-01-31"))]))
    people.append(Person("K22", "K", 1970, [Period("vikariat", d("2020-11-01"), d("2021-02-28"))]))
    people.append(Person("K23", "K", 1985, [Period("vikariat", d("2020-12-01"), d("2021-01-31"))]))
    people.append(Person("K24", "K", 1991, [Period("vikariat", d("2020-10-01"), d("2021-03-31"))]))
    people.append(Person("K25", "K", 1994, [Period("visstid", d("2023-02-01"), None)]))
    # Men, tillsvidare throughout.
    for i, born in enumerate(
        [1962, 1965, 1967, 1970, 1964, 1969, 1968, 1980, 1982, 1984, 1987, 1989, 1963, 1978],
        start=1,
    ):
        people.append(Person(f"M{i:02d}", "M", born, [Period("tillsvidare", early, None)]))
    people.append(Person("M15", "M", 1972, [Period("tillsvidare", early, d("2023-04-30"))]))
    people.append(Person("M16", "M", 1992, [Period("provanstallning", d("2020-10-01"), d("2021-03-31"))]))
    # Men on fixed-term contracts and substitutes.
    people.append(Person("M17", "M", 1997, [Period("visstid", d("2020-09-01"), d("2021-06-30"))]))
    people.append(Person("M18", "M", 1999, [Period("visstid", d("2021-05-01"), d("2022-04-30"))]))
    people.append(Person("M19", "M", 1995, [Period("visstid", d("2021-08-16"), d("2023-01-31"))]))
    people.append(Person("M20", "M", 2001, [Period("visstid", d("2022-06-01"), d("2022-12-31"))]))
    people.append(Person("M21", "M", 1998, [Period("visstid", d("2023-02-01"), None)]))
    for i, (born, start) in enumerate(
        [(1990, "2022-10-01"), (1985, "2022-11-01"), (1979, "2022-09-01"), (1993, "2022-10-15")],
        start=22,
    ):
        people.append(Person(f"M{i}", "M", born, [Period("vikariat", d(start), d("2023-03-31"))]))
    return people


# ---------------------------------------------------------------------------
# Årsarbetare: default grades, then adjust a few people so the totals match.

DEFAULT_GRADES = [100, 100, 75, 100, 80, 100, 100, 90, 100, 100, 50, 100, 100, 85, 100]


def fte(person: Person, year: int) -> float:
    span = person.span(year)
    if span is None:
        return 0.0
    lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days = sum(
        (min(p.end or hi, hi) - max(p.start, lo)).days + 1
        for p in person.periods
        if p.start <= hi and (p.end is None or p.end >= lo)
    )
    return days / ((hi - lo).days + 1) * person.grades[year] / 100


def set_grades(people: list[Person]) -> None:
    """Default grades, then scale the full-year staff's grades so årsarbetare match."""
    for i, person in enumerate(people):
        for year in YEARS:
            if person.span(year):
                person.grades[year] = float(DEFAULT_GRADES[i % len(DEFAULT_GRADES)])
    for year in YEARS:
        for kon, target in zip(("K", "M"), ARSARBETARE[year], strict=True):
            group = [p for p in people if p.kon == kon and p.span(year)]
            core = [p for p in group if fte_cover(p, year) == 1.0]
            base = {p.pid: float(DEFAULT_GRADES[people.index(p) % len(DEFAULT_GRADES)]) for p in core}
            rest = sum(fte(p, year) for p in group if p not in core)

            def total(f: float, core: list[Person] = core, base: dict[str, float] = base) -> float:
                return sum(min(100.0, base[p.pid] * f) for p in core) / 100

            lo, hi = 0.0, 3.0
            for _ in range(60):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if rest + total(mid) < float(target) else (lo, mid)
            for p in core:
                p.grades[year] = round(min(100.0, base[p.pid] * hi), 1)
            got = sum(fte(p, year) for p in group)
            if abs(got - float(target)) > 0.03:
                raise SystemExit(f"{year} {kon}: årsarbetare {got:.3f}, publicerat {target}")


def fte_cover(person: Person, year: int) -> float:
    grade = person.grades[year]
    person.grades[year] = 100.0
    cover = fte(person, year)
    person.grades[year] = grade
    return round(cover, 9)


def employment_rows(people: list[Person]) -> Iterator[list[str]]:
    """One row per employment period and year (a new row whenever the grade changes)."""
    for p in people:
        for period in p.periods:
            for year in YEARS:
                lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
                if period.start > hi or (period.end is not None and period.end < lo):
                    continue
                start = max(period.start, lo) if year > YEARS[0] or period.start >= lo else period.start
                ongoing = period.end is None and year == YEARS[-1]
                end = "" if ongoing else min(period.end or hi, hi).isoformat()
                yield [
                    p.pid,
                    p.kon,
                    str(p.born),
                    period.form,
                    start.isoformat(),
                    end,
                    _percent(p.grades[year]),
                    f"{WEEK_HOURS:g}",
                ]


def _percent(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".").replace(".", ",")


# ---------------------------------------------------------------------------
# Sick leave


HOLIDAYS = holiday_array(range(2019, 2025))


def workdays(a: dt.date, b: dt.date) -> int:
    return int(
        working_days(np.array([a], dtype="datetime64[D]"), np.array([b], dtype="datetime64[D]"), HOLIDAYS)[0]
    )


def day_hours(p: Person, year: int) -> float:
    return WEEK_HOURS / 5 * p.grades[year] / 100


def ordinary_hours(p: Person, year: int) -> float:
    lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
    total = 0
    for period in p.periods:
        if period.start > hi or (period.end is not None and period.end < lo):
            continue
        total += workdays(max(period.start, lo), min(period.end or hi, hi))
    return total * day_hours(p, year)


def age_group(p: Person, year: int) -> str:
    age = year - p.born
    return "y" if age <= 29 else ("m" if age <= 49 else "o")


def _pick(lo: float, hi: float, ok: callable) -> float | None:  # type: ignore[valid-type]
    for k in range(0, 41):
        for sign in (1, -1):
            x = (lo + hi) / 2 + sign * (hi - lo) / 2 * k / 40
            if lo <= x <= hi and ok(x):
                return x
    return None


def solve_year(people: list[Person], year: int) -> dict[tuple[str, str], float]:
    """Sick hours per (kön, åldersgrupp) whose shares round to the published figures."""
    tot_t, k_t, m_t, mid_t, old_t, _ = SJUK[year]
    cells = {(k, a): 0.0 for k in "KM" for a in "ymo"}
    for p in people:
        if p.span(year):
            cells[(p.kon, age_group(p, year))] += ordinary_hours(p, year)
    o_k = cells[("K", "y")] + cells[("K", "m")] + cells[("K", "o")]
    o_m = cells[("M", "y")] + cells[("M", "m")] + cells[("M", "o")]
    o_mid = cells[("K", "m")] + cells[("M", "m")]
    o_old = cells[("K", "o")] + cells[("M", "o")]
    o_y = cells[("K", "y")] + cells[("M", "y")]
    total_o = o_k + o_m
    eps = 0.048  # stay inside the rounding interval of every published figure

    def interval(v: float) -> tuple[float, float]:
        return v - eps, v + eps

    best: tuple[float, float, float, float] | None = None
    for k_pct in np.linspace(*interval(k_t), 19):
        for m_pct in np.linspace(*interval(m_t), 19):
            s_total = (k_pct * o_k + m_pct * o_m) / 100
            if not (tot_t - eps) <= 100 * s_total / total_o <= tot_t + eps:
                continue
            for mid_pct in np.linspace(*interval(mid_t), 9):
                for old_pct in np.linspace(*interval(old_t), 9):
                    s_y = s_total - (mid_pct * o_mid + old_pct * o_old) / 100
                    # The young group is too small to be published; its share is free but sane.
                    if 0 <= s_y <= 0.04 * o_y:
                        score = (
                            abs(k_pct - k_t) + abs(m_pct - m_t) + abs(mid_pct - mid_t) + abs(old_pct - old_t)
                        )
                        if best is None or score < best[0]:
                            best = (score, k_pct, m_pct, mid_pct * 1000 + old_pct)
                            chosen = (k_pct, m_pct, mid_pct, old_pct)
    if best is None:
        raise SystemExit(f"{year}: no sick-leave split fits the published figures")
    k_pct, m_pct, mid_pct, old_pct = chosen
    s_k, s_m = k_pct * o_k / 100, m_pct * o_m / 100
    by_age = {"m": mid_pct * o_mid / 100, "o": old_pct * o_old / 100}
    by_age["y"] = s_k + s_m - by_age["m"] - by_age["o"]
    # Split each age group between women and men so that the women's total is s_k.
    out: dict[tuple[str, str], float] = {}
    cap = {c: 0.3 * h for c, h in cells.items()}
    lo = {a: max(0.0, by_age[a] - cap[("M", a)]) for a in "ymo"}
    hi = {a: min(by_age[a], cap[("K", a)]) for a in "ymo"}
    women = {a: min(max(by_age[a] * s_k / (s_k + s_m), lo[a]), hi[a]) for a in "ymo"}
    diff = s_k - sum(women.values())
    for a in "moy":
        room = (hi[a] - women[a]) if diff > 0 else (women[a] - lo[a])
        step = min(abs(diff), room)
        women[a] += step if diff > 0 else -step
        diff = s_k - sum(women.values())
    if abs(diff) > 1e-6:
        raise SystemExit(f"{year}: cannot split sick hours between women and men")
    for a in "ymo":
        out[("K", a)] = women[a]
        out[("M", a)] = by_age[a] - women[a]
    return out


@dataclass
class Spell:
    pid: str
    start: dt.date
    end: dt.date
    extent: float  # percent
    reason: str = "sjuk"


def spells_for(
    person: Person,
    year: int,
    hours: float,
    rng: random.Random,
    taken: list[tuple[dt.date, dt.date]],
    long_hours: float = 0.0,
) -> list[Spell]:
    """Absences of one person in one year adding up to ``hours`` (long_hours in one long spell)."""
    span = person.span(year)
    assert span is not None
    lo, hi = span
    per_day = day_hours(person, year)
    out: list[Spell] = []

    def free(a: dt.date, b: dt.date) -> bool:
        # Two days' gap keeps separate absences from joining into one spell.
        return all(b + dt.timedelta(days=2) < s or a - dt.timedelta(days=2) > e for s, e in taken)

    if long_hours > 0:
        for length in range(75, 200):
            start = lo + dt.timedelta(days=20)
            end = start + dt.timedelta(days=length - 1)
            if end > hi - dt.timedelta(days=5):
                break
            full = workdays(start, end) * per_day
            if full >= long_hours:
                extent = round(100 * long_hours / full, 2)
                out.append(Spell(person.pid, start, end, extent))
                taken.append((start, end))
                hours -= workdays(start, end) * per_day * extent / 100
                break
        else:
            raise SystemExit(f"{person.pid} {year}: no room for a long spell")
    attempts = 0
    while hours > 0.01:
        attempts += 1
        if attempts > 5000:
            raise SystemExit(f"{person.pid} {year}: cannot place {hours:.1f} sick hours")
        length = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 7, 8, 10])
        offset = rng.randrange(0, max(1, (hi - lo).days - length))
        start = lo + dt.timedelta(days=offset)
        end = start + dt.timedelta(days=length - 1)
        if end > hi or not free(start, end):
            continue
        days = workdays(start, end)
        if days == 0:
            continue
        full = days * per_day
        extent = 100.0 if full <= hours else round(100 * hours / full, 2)
        if extent < 1:
            extent = 1.0
        out.append(Spell(person.pid, start, end, extent))
        taken.append((start, end))
        hours -= full * extent / 100
    return out


def absences(people: list[Person], rng: random.Random) -> list[Spell]:
    spells: list[Spell] = []
    taken: dict[str, list[tuple[dt.date, dt.date]]] = {p.pid: [] for p in people}
    for year in YEARS:
        targets = solve_year(people, year)
        long_share = SJUK[year][5]
        total_sick = sum(targets.values())
        long_left = total_sick * long_share / 100
        for (kon, group), hours in sorted(targets.items(), key=lambda kv: -kv[1]):
            members = [p for p in people if p.kon == kon and p.span(year) and age_group(p, year) == group]
            members.sort(key=lambda p: p.pid)
            weights = [rng.uniform(0.2, 1.0) for _ in members]
            shares = [w / sum(weights) * hours for w in weights]
            host_index = -1
            long_here = 0.0
            # Long-term sick time lands on the person with the most working time in the
            # largest cells (as much as a cell can carry); the others share the rest.
            if long_left > 0:
                host_index = max(range(len(members)), key=lambda i: ordinary_hours(members[i], year))
                long_here = min(long_left, 0.8 * hours)
                host_share = long_here + 0.2 * (hours - long_here) / len(members)
                others = hours - host_share
                rest = sum(w for i, w in enumerate(weights) if i != host_index)
                shares = [host_share if i == host_index else w / rest * others for i, w in enumerate(weights)]
                long_left -= long_here
            for i, (p, share) in enumerate(zip(members, shares, strict=True)):
                spells += spells_for(p, year, share, rng, taken[p.pid], long_here if i == host_index else 0.0)
        # Holidays are not sick time, so a spell around them is still correct.
        if long_left > 1e-6:
            raise SystemExit(f"{year}: long-term sick time could not be placed")
    # Some other absence (not sick leave) so that the file looks like a real export.
    for p in people[:12]:
        for year in YEARS:
            span = p.span(year)
            if span and (span[1] - span[0]).days > 120:
                start = dt.date(year, 7, 6)
                if span[0] <= start and start + dt.timedelta(days=20) <= span[1]:
                    spells.append(Spell(p.pid, start, start + dt.timedelta(days=20), 100.0, "semester"))
    spells.sort(key=lambda s: (s.start, s.pid))
    return spells


# ---------------------------------------------------------------------------
# Calls, tickets and yearly figures


def calls(rng: random.Random) -> Iterator[list[str]]:
    """(kö, year, offered, answered, answered within limit, limit s)."""
    plan = [
        ("Kundtjänst", 2023, 115_004, 112_076, 0.916, 30),
        ("Kundtjänst", 2022, 116_240, 111_583, 0.860, 30),
        ("IT-support", 2023, 10_400, 9_650, 0.680, 60),
        ("IT-support", 2022, 9_800, 9_310, 0.860, 60),
        ("IT-support", 2021, 14_000, 13_020, 0.740, 60),
    ]
    for queue, year, offered, answered, share, limit in plan:
        within = int((Decimal(offered) * Decimal(str(share))).to_integral_value(ROUND_HALF_UP))
        assert within <= answered
        times = _times(rng, year, offered)
        kinds = ["within"] * within + ["late"] * (answered - within) + ["lost"] * (offered - answered)
        rng.shuffle(kinds)
        for ts, kind in zip(times, kinds, strict=True):
            if kind == "within":
                wait = rng.randint(0, limit)
                answered_text = "ja"
            elif kind == "late":
                wait = limit + 1 + int(rng.expovariate(1 / 60))
                answered_text = "ja"
            else:
                wait = rng.randint(5, 240)
                answered_text = "nej"
            yield [queue, ts, str(wait), answered_text]


def _times(rng: random.Random, year: int, n: int) -> list[str]:
    days = [dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(366 if year % 4 == 0 else 365)]
    open_days = [x for x in days if x.weekday() < 5]
    out = []
    for _ in range(n):
        day = rng.choice(open_days)
        seconds = rng.randint(8 * 3600, 16 * 3600 + 1799)
        out.append(dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds))
    out.sort()
    return [t.isoformat(timespec="seconds") for t in out]


PRIORITIES = [("akut", 30, 0.03), ("hög", 120, 0.12), ("normal", 480, 0.70), ("låg", 2400, 0.15)]


def tickets(rng: random.Random) -> Iterator[list[str]]:
    plan = [  # desk, year, {kanal: count}
        ("IT", 2023, {"telefon": 4800, "serviceportal": 530, "besök": 200, "e-post": 3070}),
        ("IT", 2022, {"telefon": 6000, "e-post": 3500}),
        ("IT", 2021, {"": 8600}),
        ("Kundtjänst", 2023, {"serviceportal": 1210, "e-post": 896, "telefon": 600}),
    ]
    categories = {
        "IT": ["incident", "beställning", "behörighet", "fråga"],
        "Kundtjänst": ["mobiltelefoni", "e-tjänstekort", "telefoni", "beställning"],
    }
    number = 0
    for desk, year, channels in plan:
        kinds = [k for k, n in channels.items() for _ in range(n)]
        rng.shuffle(kinds)
        for created, channel in zip(_times(rng, year, len(kinds)), kinds, strict=True):
            number += 1
            t0 = dt.datetime.fromisoformat(created)
            prio = rng.choices([p for p, _, _ in PRIORITIES], weights=[w for _, _, w in PRIORITIES])[0]
            limit = {p: m for p, m, _ in PRIORITIES}[prio]
            response = t0 + dt.timedelta(minutes=rng.randint(1, int(limit * 1.3)))
            first_line = rng.random() < 0.45
            solved = response + dt.timedelta(minutes=rng.randint(5, 60 * 24 * (1 if first_line else 10)))
            yield [
                f"{desk[:2].upper()}-{year}-{number:06d}",
                created,
                prio,
                response.isoformat(timespec="seconds"),
                solved.isoformat(timespec="seconds"),
                channel,
                rng.choice(categories[desk]),
                desk,
                "ja" if first_line else "nej",
            ]


YEARLY = [
    # id, benämning, år, värde, enhet, tabell
    ("nki_kundtjanst", "Lystkom kundtjänst", 2023, "7.5", "max 10,0", "nki"),
    ("nki_kundtjanst", "Lystkom kundtjänst", 2022, "7.4", "max 10,0", "nki"),
    ("nki_kundtjanst", "Lystkom kundtjänst", 2021, "7.3", "max 10,0", "nki"),
    ("nki_it", "Lystkom IT", 2023, "6.6", "max 10,0", "nki"),
    ("nki_it", "Lystkom IT", 2022, "6.9", "max 10,0", "nki"),
    ("nki_it", "Lystkom IT", 2021, "6.4", "max 10,0", "nki"),
    ("nmi_kundtjanst", "NMI kundtjänst (höstens OSA-enkät)", 2023, "88.3", "max 100", ""),
    ("nmi_it", "NMI IT (höstens OSA-enkät)", 2023, "86.8", "max 100", ""),
    ("utvecklingsplan_andel", "Medarbetare med individuell utvecklingsplan", 2023, "100", "%", ""),
    ("moten_andel_resfria", "Formaliserade möten som varit resfria", 2023, "97.6", "%", ""),
    (
        "utrustning_andel_atervunnen",
        "Utrangerad utrustning till återbruk eller återvinning",
        2023,
        "100",
        "%",
        "",
    ),
    (
        "utrustning_returloop",
        "Enheter till återanvändning eller återvinning via returloop",
        2023,
        "1840",
        "st",
        "",
    ),
    ("mobiltelefoner_inlamnade", "Mobiltelefoner inlämnade för destruering", 2023, "173", "st", ""),
    ("mobiltelefoner_inlamnade", "Mobiltelefoner inlämnade för destruering", 2022, "100", "st", ""),
]


def write_csv(path: Path, header: list[str], rows: Iterable[list[str]], *, gz: bool = False) -> None:
    """Write atomically; a gzip file gets no timestamp or name, so reruns are byte-identical."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    delimiter = ";" if path.parent.name == "personal" else ","
    with tmp.open("wb") as raw:
        binary = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) if gz else raw
        with io.TextIOWrapper(binary, encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
            f.flush()
            if gz:
                binary.close()
    tmp.replace(path)


def main() -> None:
    rng = random.Random(2023)
    people = roster()
    set_grades(people)
    write_csv(
        PERSONAL / "anstallda.csv",
        [
            "anstallningsnummer",
            "kon",
            "fodelsear",
            "anstallningsform",
            "fran",
            "till",
            "sysselsattningsgrad",
            "veckoarbetstid",
        ],
        list(employment_rows(people)),
    )
    spells = absences(people, rng)
    write_csv(
        PERSONAL / "franvaro.csv",
        ["anstallningsnummer", "fran", "till", "omfattning", "orsak"],
        [[s.pid, s.start.isoformat(), s.end.isoformat(), _percent(s.extent), s.reason] for s in spells],
    )
    write_csv(KPI / "samtal.csv.gz", ["ko", "inkommande", "vantetid_s", "besvarat"], calls(rng), gz=True)
    write_csv(
        KPI / "arenden.csv.gz",
        [
            "id",
            "skapad",
            "prioritet",
            "forsta_aterkoppling",
            "lost",
            "kanal",
            "kategori",
            "verksamhet",
            "forsta_linjen",
        ],
        tickets(rng),
        gz=True,
    )
    write_csv(
        KPI / "nyckeltal.csv",
        ["id", "benamning", "ar", "varde", "enhet", "tabell"],
        [[a, b, str(c), v, e, t] for a, b, c, v, e, t in YEARLY],
    )
    print(f"{len(people)} personer och {len(spells)} frånvaroperioder skrivna under data/")


def verify() -> None:
    """Compute the report's figures from the written files and compare with the publication."""
    from bokslut import kpi, personnel
    from bokslut.table import round_table
    from bokslut.workspace.config import Config, Kpi, Organisation, Personal, Rapport
    from bokslut.workspace.layout import Layout

    config = Config(
        organisation=Organisation(namn="Lystkom", typ="kommunalforbund"),
        rapport=Rapport(ar=2023),
        personal=Personal(anstallda_rakning="bokslutsdagen"),
        kpi=Kpi(svarstider_s=[30, 60]),
    )
    layout = Layout(HERE)
    part = personnel.build_part(layout, config, {})
    shown = {t.id: round_table(t) for t in part.tables}
    problems = [f.format() for f in part.findings]
    for year, (kv, ma) in ARSARBETARE.items():
        got = (
            shown["medelantal_anstallda"].get("kvinnor", f"ar_{year}"),
            shown["medelantal_anstallda"].get("man", f"ar_{year}"),
        )
        if got != (kv, ma):
            problems.append(f"årsarbetare {year}: {got} ≠ {(kv, ma)}")
    for year, (tot, kv, ma, mid, old, long_) in SJUK.items():
        col = f"ar_{year}"
        checks = [
            ("sjukfranvaro_kon", "totalt", tot),
            ("sjukfranvaro_kon", "kvinnor", kv),
            ("sjukfranvaro_kon", "man", ma),
            ("sjukfranvaro_alder", "alder_30_49", mid),
            ("sjukfranvaro_alder", "alder_50", old),
            ("sjukfranvaro_langtid", "andel", long_),
        ]
        for table, row, want in checks:
            got = shown[table].get(row, col)
            if got != Decimal(str(want)).quantize(Decimal("0.1")):
                problems.append(f"{table}/{row} {year}: {got} ≠ {want}")
    values = kpi.build_part(layout, config, {}).values
    expected = {
        "samtal_kundtjanst_besvarade_2023": 112_076,
        "samtal_it_support_inkommande_2023": 10_400,
        "arenden_it_antal_2023": 8_600,
        "arenden_kundtjanst_antal_2023": 2_706,
    }
    for name, want in expected.items():
        if values.get(name) != want:
            problems.append(f"{name}: {values.get(name)} ≠ {want}")
    for name, want in (
        ("samtal_kundtjanst_andel_inom_30s_2023", "91.6"),
        ("samtal_it_support_andel_inom_60s_2023", "68.0"),
    ):
        got = values.get(name)
        if not isinstance(got, Decimal) or got.quantize(Decimal("0.1"), ROUND_HALF_UP) != Decimal(want):
            problems.append(f"{name}: {got} ≠ {want}")
    if problems:
        raise SystemExit("Beräknat skiljer sig från det publicerade:\n" + "\n".join(problems))
    print("Kontroll: bokslut räknar fram de publicerade siffrorna ur de genererade filerna.")


if __name__ == "__main__":
    main()
    verify()
