"""Working days: Monday–Friday except Swedish public holidays and the eves that
the municipal collective agreement (AB) treats as holidays.

Ordinary working time and sick time are both counted on these days, so a
holiday inside a sick spell is neither ordinary time nor sick time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _saturday_between(year: int, month: int, first: int, last: int) -> dt.date:
    for day in range(first, last + 1):
        d = dt.date(year, month, day)
        if d.weekday() == 5:
            return d
    raise AssertionError("unreachable: every 7-day span has a Saturday")


def holidays(year: int) -> list[dt.date]:
    """Work-free days of ``year`` (those falling on a weekend are harmless extras)."""
    easter = easter_sunday(year)
    midsommardagen = _saturday_between(year, 6, 20, 26)
    return [
        dt.date(year, 1, 1),  # nyårsdagen
        dt.date(year, 1, 6),  # trettondedag jul
        easter - dt.timedelta(days=2),  # långfredagen
        easter + dt.timedelta(days=1),  # annandag påsk
        dt.date(year, 5, 1),  # första maj
        easter + dt.timedelta(days=39),  # Kristi himmelsfärdsdag
        dt.date(year, 6, 6),  # nationaldagen
        midsommardagen - dt.timedelta(days=1),  # midsommarafton (ledig enligt AB)
        dt.date(year, 12, 24),  # julafton (ledig enligt AB)
        dt.date(year, 12, 25),  # juldagen
        dt.date(year, 12, 26),  # annandag jul
        dt.date(year, 12, 31),  # nyårsafton (ledig enligt AB)
    ]


def holiday_array(years: Iterable[int]) -> npt.NDArray[np.datetime64]:
    days = sorted({d for y in years for d in holidays(y)})
    return np.array(days, dtype="datetime64[D]")


def working_days(
    start: npt.NDArray[np.datetime64],
    end_inclusive: npt.NDArray[np.datetime64],
    holiday_days: npt.NDArray[np.datetime64],
) -> npt.NDArray[np.int64]:
    """Working days in [start, end] element-wise (0 where end < start)."""
    stop = end_inclusive + np.timedelta64(1, "D")
    ok = stop > start
    out = np.zeros(start.shape, dtype=np.int64)
    if ok.any():
        out[ok] = np.busday_count(start[ok], stop[ok], holidays=holiday_days)
    return out
