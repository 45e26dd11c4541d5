from decimal import Decimal

from bokslut import kpi
from bokslut.diagnostics import Level

from .conftest import config

CALLS = """ko,inkommande,vantetid_s,besvarat
Kundtjänst,2023-01-02T08:00:00,10,ja
Kundtjänst,2023-01-02T08:01:00,30,ja
Kundtjänst,2023-01-02 08:02:00,31,ja
Kundtjänst,2023-01-02 08:03,90,nej
IT-support,2023-01-02T09:00:00,50,ja
IT-support,2022-12-30T09:00:00,5,ja
"""


def test_offered_answered_and_service_level_per_queue_and_year(workspace):
    part = kpi.build_part(workspace("samtal.csv", CALLS), config(), {})
    v = part.values
    assert not part.findings
    assert v["samtal_kundtjanst_inkommande_2023"] == 4
    assert v["samtal_kundtjanst_besvarade_2023"] == 3
    # Within 30 s counts 10 and 30, of all four incoming calls (the default).
    assert v["samtal_kundtjanst_andel_inom_30s_2023"] == Decimal(50)
    assert v["samtal_it_support_andel_inom_60s_2023"] == Decimal(100)
    assert v["samtal_inkommande_2023"] == 5 and v["samtal_inkommande_2022"] == 1
    table = {t.id: t for t in part.tables}["samtal_per_ko"]
    assert table.value("totalt", "besvarade") == 4


def test_share_of_answered_calls_when_configured(workspace):
    part = kpi.build_part(workspace("samtal.csv", CALLS), config(servicegrad_av="besvarade"), {})
    assert part.values["samtal_kundtjanst_andel_inom_30s_2023"] == Decimal(200) / 3


def test_bad_rows_are_reported_with_row_and_column(workspace):
    text = CALLS + "Kundtjänst,2023-13-02T08:00:00,10,ja\nKundtjänst,2023-01-02T08:00:00,tio,kanske\n"
    part = kpi.build_part(workspace("samtal.csv", text), config(), {})
    found = {(f.line, f.where) for f in part.findings if f.level is Level.ERROR}
    assert found == {(8, "kolumn inkommande"), (9, "kolumn vantetid_s"), (9, "kolumn besvarat")}
    # The good rows are still counted.
    assert part.values["samtal_kundtjanst_inkommande_2023"] == 4


def test_interim_report_compares_the_same_months_of_every_year(workspace):
    import datetime as dt

    from bokslut.workspace.config import Rapport, RapportTyp

    text = "ko,inkommande,vantetid_s,besvarat\n" + "".join(
        f"K,{day}T10:00:00,5,ja\n" for day in ("2022-03-01", "2022-07-31", "2022-08-01", "2023-07-31")
    )
    cfg = config().model_copy(
        update={"rapport": Rapport(ar=2023, typ=RapportTyp.DELARSRAPPORT, bokslutsdatum=dt.date(2023, 7, 31))}
    )
    part = kpi.build_part(workspace("samtal.csv", text), cfg, {})
    assert part.values["samtal_k_inkommande_2022"] == 2  # 1 August is after the period
    assert part.values["samtal_k_inkommande_2023"] == 1
