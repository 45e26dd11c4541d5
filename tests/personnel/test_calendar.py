import datetime as dt

import numpy as np

from bokslut.personnel.calendar import easter_sunday, holiday_array, holidays, working_days


def test_easter_and_movable_holidays():
    assert easter_sunday(2023) == dt.date(2023, 4, 9)
    assert easter_sunday(2024) == dt.date(2024, 3, 31)
    days = holidays(2023)
    assert dt.date(2023, 4, 7) in days  # långfredagen
    assert dt.date(2023, 5, 18) in days  # Kristi himmelsfärd
    assert dt.date(2023, 6, 23) in days  # midsommarafton


def test_working_days_skip_weekends_and_holidays():
    hol = holiday_array([2023])
    start = np.array(["2023-12-18", "2023-01-09", "2023-01-10"], dtype="datetime64[D]")
    end = np.array(["2023-12-31", "2023-01-13", "2023-01-09"], dtype="datetime64[D]")
    # 18–31 Dec: 10 weekdays minus julafton (Sun), juldagen, annandagen -> 8; empty span -> 0.
    assert working_days(start, end, hol).tolist() == [8, 5, 0]
    year = working_days(
        np.array(["2023-01-01"], "datetime64[D]"), np.array(["2023-12-31"], "datetime64[D]"), hol
    )
    assert year[0] == 260 - 9  # nine of the work-free days fall on weekdays in 2023
