from decimal import Decimal

import numpy as np
import pytest
from pydantic import ValidationError

from bokslut import kpi
from bokslut.diagnostics import Level
from bokslut.kpi.tickets import office_minutes_since_epoch
from bokslut.personnel.calendar import holiday_array
from bokslut.workspace.config import Kpi, swedish_message

from .conftest import config

HEADER = "id;skapad;prioritet;forsta_aterkoppling;lost;kanal;kategori;verksamhet;forsta_linjen\n"
TICKETS = HEADER + (
    "1;2023-03-01 10:00;akut;2023-03-01 10:20;2023-03-01 11:00;telefon;incident;IT;ja\n"
    "2;2023-03-01 10:00;akut;2023-03-01 10:45;2023-03-02 11:00;telefon;incident;IT;nej\n"
    "3;2023-03-03 16:00;normal;2023-03-06 09:00;;e-post;fråga;IT;\n"
    "4;2023-03-03 16:00;normal;;;serviceportal;beställning;Kundtjänst;\n"
    "5;2022-05-01 10:00;hög;2022-05-01 10:30;2022-05-01 12:00;;incident;IT;ja\n"
)
LEVELS = {"akut": 30, "normal": 480, "hög": 120}


def test_counts_per_channel_service_level_and_first_line(workspace):
    part = kpi.build_part(workspace("arenden.csv", TICKETS), config(servicenivaer_min=LEVELS), {})
    v = part.values
    assert not part.findings
    assert v["arenden_antal_2023"] == 4 and v["arenden_it_antal_2023"] == 3
    assert v["arenden_kanal_telefon_2023"] == 2
    # Akut: 20 min within, 45 min not. Normal: Friday 16:00 -> Monday 09:00 is 65 h wall time;
    # ticket 4 has no response yet and so is outside.
    assert v["arenden_andel_inom_serviceniva_akut_2023"] == Decimal(50)
    assert v["arenden_andel_inom_serviceniva_normal_2023"] == Decimal(0)
    assert v["arenden_andel_forsta_linjen_2023"] == Decimal(50)  # of the two resolved and recorded
    tables = {t.id: t for t in part.tables}
    assert tables["arenden_per_kanal"].value("totalt", "ar_2023") == 4
    assert tables["arenden_per_kanal"].value("kanal_okand", "ar_2022") == 1


def test_office_hours_count_only_open_time(workspace):
    cfg = config(servicenivaer_min=LEVELS, kontorstid="08:00-17:00")
    part = kpi.build_part(workspace("arenden.csv", TICKETS), cfg, {})
    # Friday 16:00 -> Monday 09:00 is two office hours: within the normal level of 8 h.
    assert part.values["arenden_andel_inom_serviceniva_normal_2023"] == Decimal(50)


def test_office_minutes_skip_nights_weekends_and_holidays():
    hol = holiday_array([2023])
    ts = np.array(["2023-04-06T16:30", "2023-04-11T08:30", "2023-04-11T20:00"], dtype="datetime64[s]")
    m = office_minutes_since_epoch(ts, 8 * 60, 17 * 60, hol)
    # Thursday 16:30 -> Tuesday 08:30 over Easter (Fri and Mon are holidays): 30 + 30 minutes.
    assert m[1] - m[0] == 60
    assert m[2] - m[1] == 8 * 60 + 30


def test_answered_before_created_is_an_error_on_that_row_only(workspace):
    text = TICKETS + (
        "6;2023-04-01 10:00;akut;2023-04-01 09:00;;telefon;incident;IT;ja\n1;2023-04-02 10:00;akut;;;;;IT;\n"
    )
    part = kpi.build_part(workspace("arenden.csv", text), config(servicenivaer_min=LEVELS), {})
    errors = {(f.line, f.where): f.message for f in part.findings if f.level is Level.ERROR}
    assert set(errors) == {(7, "kolumn forsta_aterkoppling"), (8, "kolumn id")}
    assert "före tidpunkten då ärendet skapades" in errors[(7, "kolumn forsta_aterkoppling")]
    assert "mer än en gång" in errors[(8, "kolumn id")]
    assert part.values["arenden_antal_2023"] == 4


def test_priorities_without_service_level_are_noted(workspace):
    part = kpi.build_part(workspace("arenden.csv", TICKETS), config(servicenivaer_min={"akut": 30}), {})
    (note,) = part.findings
    assert note.level is Level.NOTICE and "hög, normal" in note.message


def test_office_hours_outside_a_day_are_refused_in_swedish():
    with pytest.raises(ValidationError) as exc:
        Kpi(kontorstid="25:00-99:00")
    (err,) = exc.value.errors()
    assert err["loc"] == ("kontorstid",)
    assert swedish_message(err) == "'25:00-99:00' är ingen tid på dygnet (00:00–24:00)"
