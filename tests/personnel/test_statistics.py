from decimal import Decimal

from bokslut import personnel
from bokslut.rounding import round_table

from .conftest import config, staff


def values(layout, cfg=None):
    part = personnel.build_part(layout, cfg or config(), {})
    return part, {t.id: t for t in part.tables}


def test_arsarbetare_weigh_grade_and_days(workspace):
    layout = workspace(
        [
            "1;K;1980;tillsvidare;2015-01-01;;100;40",
            "2;K;1990;visstid;2023-07-01;2023-12-31;50;40",  # 184/365 of a year at 50 %
            "3;M;1970;tillsvidare;2010-01-01;2023-03-31;80;40",
        ]
    )
    part, _ = values(layout)
    assert part.values["arsarbetare_kvinnor_2023"] == Decimal("1.252055")
    assert part.values["arsarbetare_man_2023"] == Decimal("0.197260")
    assert part.values["anstallda_antal_2023"] == 3


def test_people_are_counted_once_under_their_latest_form(workspace):
    layout = workspace(
        [
            "1;K;1980;provanstallning;2023-01-01;2023-06-30;100;40",
            "1;K;1980;tillsvidare;2023-07-01;;100;40",
            "2;M;1980;vikariat;2023-01-01;2023-05-31;100;40",
        ]
    )
    _, tables = values(layout)
    t = tables["anstallda_anstallningsform"]
    assert t.value("tillsvidare_k", "ar_2023") == 1
    assert t.value("vikariat_m", "ar_2023") == 1
    assert t.value("totalt", "ar_2023") == 2
    assert "provanstallning_k" not in {r.id for r in t.rows}
    # Counted on the closing day instead, the substitute who left in May is not there.
    _, tables = values(layout, config(anstallda_rakning="bokslutsdagen"))
    assert tables["anstallda_anstallningsform"].value("totalt", "ar_2023") == 1
    assert "31 december" in tables["anstallda_anstallningsform"].title


def test_sick_share_counts_working_hours_only(workspace):
    # 22 people so no group is suppressed; one is sick Mon 9 Jan – Sun 15 Jan at 50 %.
    layout = workspace(staff(11) + staff(11, kon="M", offset=11), ["1;2023-01-09;2023-01-15;50;sjuk"])
    part, _tables = values(layout)
    ordinary = 22 * 251 * 8  # 251 working days in 2023
    sick = 5 * 8 * 0.5
    assert part.values["sjukfranvaro_totalt_2023"] == Decimal(f"{100 * sick / ordinary:.6f}")
    women = 11 * 251 * 8
    assert part.values["sjukfranvaro_kvinnor_2023"] == Decimal(f"{100 * sick / women:.6f}")
    assert part.values["sjukfranvaro_man_2023"] == Decimal("0.000000")


def test_adjacent_absences_form_one_long_spell(workspace):
    emps = staff(11) + staff(11, kon="M", offset=11)
    # 40 + 25 days back to back = one spell of 65 days -> long-term; a separate 3-day spell is not.
    absences = [
        "1;2023-02-01;2023-03-12;100;sjuk",
        "1;2023-03-13;2023-04-06;100;sjuk",
        "2;2023-05-08;2023-05-10;100;sjuk",
    ]
    part, _ = values(workspace(emps, absences))
    share = part.values["sjukfranvaro_langtid_andel_2023"]
    long_days = 47  # working days 1 Feb – 6 Apr 2023 (7 April is långfredagen)
    assert share == Decimal(f"{100 * long_days / (long_days + 3):.6f}")


def test_other_absence_is_not_sick_leave(workspace):
    layout = workspace(staff(11) + staff(11, kon="M", offset=11), ["1;2023-07-03;2023-07-28;100;semester"])
    part, _ = values(layout)
    assert part.values["sjukfranvaro_totalt_2023"] == 0


def test_small_groups_are_suppressed_with_a_note(workspace):
    # 12 women and 9 men aged 30–49; the men's and other age groups have at most ten people.
    layout = workspace(staff(12) + staff(9, kon="M", offset=12), ["13;2023-03-06;2023-03-08;100;sjuk"])
    part, tables = values(layout)
    kon = tables["sjukfranvaro_kon"]
    assert kon.value("man", "ar_2023") is None
    assert kon.value("kvinnor", "ar_2023") == Decimal("0.000000")
    assert "högst 10 anställda" in kon.footnotes[0]
    assert "sjukfranvaro_man_2023" not in part.values
    shown = round_table(tables["sjukfranvaro_alder"])
    assert shown.get("alder_upp_till_29", "ar_2023") is None
    assert shown.get("alder_30_49", "ar_2023") == Decimal("0.1")


def test_age_is_the_age_reached_during_the_year(workspace):
    # Born 1993: 30 during 2023 (even if the birthday is in December) -> 30–49 group.
    layout = workspace(staff(11, born=1993) + staff(11, kon="M", born=1994, offset=11), [])
    _, tables = values(layout)
    ages = tables["sjukfranvaro_alder"]
    assert ages.value("alder_30_49", "ar_2023") is not None
    assert ages.value("alder_upp_till_29", "ar_2023") is not None  # eleven men born 1994


def test_no_sick_leave_disclosure_for_ten_or_fewer_employees(workspace):
    part, tables = values(workspace(staff(6), ["1;2023-01-09;2023-01-10;100;sjuk"]))
    assert "sjukfranvaro_kon" not in tables
    assert any("högst tio" in f.message for f in part.findings)


def test_overlapping_sick_records_count_each_day_once(workspace):
    # Person 1: 1–31 March and 20 March – 28 April: one spell of 59 days (short),
    #   41 working days (March 23; April 18, långfredagen and annandag påsk excepted).
    # Person 2: 1 September – 31 October and October once more: 61 days (long),
    #   43 working days (September 21, October 22).
    absences = [
        "1;2023-03-01;2023-03-31;;sjuk",
        "1;2023-03-20;2023-04-28;;sjuk",
        "2;2023-09-01;2023-10-31;;sjuk",
        "2;2023-10-01;2023-10-31;;sjuk",
    ]
    part, _ = values(workspace(staff(11), absences))
    ordinary = 11 * 251 * 8
    sick = (41 + 43) * 8
    long_term = 43 * 8
    assert part.values["sjukfranvaro_totalt_2023"] == Decimal("3.042376")  # 672 h / 22 088 h
    assert part.values["sjukfranvaro_totalt_2023"] == Decimal(f"{100 * sick / ordinary:.6f}")
    assert part.values["sjukfranvaro_langtid_andel_2023"] == Decimal("51.190476")  # 344 h / 672 h
    assert part.values["sjukfranvaro_langtid_andel_2023"] == Decimal(f"{100 * long_term / sick:.6f}")
    # Counted twice, the same records gave 4,20 % and 56,03 %.
    assert [(f.line, f.code) for f in part.findings] == [
        (3, "overlappande-franvaro"),
        (5, "overlappande-franvaro"),
    ]
