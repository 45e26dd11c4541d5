from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from bokslut import personnel
from bokslut.diagnostics import Level
from bokslut.workspace.layout import Layout

from .conftest import HEADER_EMP, config, staff


def messages(part):
    return [(f.file, f.line, f.where, f.message) for f in part.findings if f.level is Level.ERROR]


def test_bad_rows_are_reported_and_the_rest_is_used(workspace):
    layout = workspace(
        [
            *staff(2),
            "3;K;1980;konsult;2020-01-01;;100;40",
            "4;M;1980;tillsvidare;2023-06-01;2023-05-01;100;40",
            "5;M;1980;tillsvidare;2023-02-30;;100;40",
        ],
        ["1;2023-03-10;2023-03-01;100;sjuk", "9;2023-03-01;2023-03-02;100;sjuk"],
    )
    part = personnel.build_part(layout, config(), {})
    errors = messages(part)
    assert errors[0][:3] == ("data/personal/anstallda.csv", 4, "kolumn anstallningsform")
    assert "okänt värde för anställningsform" in errors[0][3] and "konsult" in errors[0][3]
    assert any(e[1] == 5 and e[2] == "kolumn till" and "slutar före" in e[3] for e in errors)
    assert any(e[1] == 6 and e[2] == "kolumn fran" and "ÅÅÅÅ-MM-DD" in e[3] for e in errors)
    assert any(e[0] == "data/personal/franvaro.csv" and e[1] == 2 and "slutar före" in e[3] for e in errors)
    assert any(e[1] == 3 and "finns inte i anstallda-filen" in e[3] for e in errors)
    # The two valid employees are still counted.
    assert part.values["anstallda_antal_2023"] == 2


def test_misspelt_column_is_named_with_a_suggestion(workspace, tmp_path: Path):
    layout = workspace(staff(1))
    path = tmp_path / "data" / "personal" / "anstallda.csv"
    path.write_text(path.read_text("utf-8").replace("sysselsattningsgrad", "syselsattningsgrad"), "utf-8")
    part = personnel.build_part(layout, config(), {})
    (err,) = [f for f in part.findings if f.level is Level.ERROR]
    assert err.line == 1 and "sysselsattningsgrad" in err.message
    assert "menade du 'syselsattningsgrad'" in err.message
    assert not part.tables


def test_other_hr_systems_column_names_and_codes_via_config(tmp_path: Path):
    folder = tmp_path / "data" / "personal"
    folder.mkdir(parents=True)
    (folder / "anstallda.csv").write_text(
        'Anst.nr,Kön,Född,Form,Från,Till,Grad\n1,Kvinna,1980,TV,2015-01-01,,"75,5"\n', "utf-8"
    )
    cfg = config(
        kolumner={
            "anstallda": {
                "anstallningsnummer": "Anst.nr",
                "kon": "Kön",
                "fodelsear": "Född",
                "anstallningsform": "Form",
                "fran": "Från",
                "till": "Till",
                "sysselsattningsgrad": "Grad",
            }
        },
        anstallningsformer={"TV": "tillsvidare"},
        veckoarbetstid=38.25,
    )
    part = personnel.build_part(Layout(tmp_path), cfg, {})
    assert not part.findings
    assert part.values["arsarbetare_kvinnor_2023"] == Decimal("0.755000")


def test_xlsx_input_with_spreadsheet_row_numbers(tmp_path: Path):
    folder = tmp_path / "data" / "personal"
    folder.mkdir(parents=True)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER_EMP.split(";"))
    ws.append([1, "K", 1980, "tillsvidare", "2015-01-01", None, 100, 40])
    ws.append([2, "Q", 1980, "tillsvidare", "2015-01-01", None, 100, 40])
    wb.save(folder / "anstallda.xlsx")
    part = personnel.build_part(Layout(tmp_path), config(), {})
    (err,) = [f for f in part.findings if f.level is Level.ERROR]
    assert (err.file, err.line, err.where) == ("data/personal/anstallda.xlsx", 3, "kolumn kon")
    assert part.values["anstallda_antal_2023"] == 1


def test_overlapping_sick_records_are_merged_with_a_warning_naming_both_rows(workspace):
    absences = [
        "1;2023-01-09;2023-01-13;50;sjuk",  # Mon–Fri at 50 %
        "1;2023-01-12;2023-01-20;50;sjuk",  # overlaps Thu–Fri: 100 % on those two days
        "2;2023-02-06;2023-02-10;75;sjuk",
        "2;2023-02-06;2023-02-10;75;sjuk",  # the same week twice: 150 % is capped at 100 %
        "3;2023-01-09;2023-01-13;100;sjuk",
        "3;2023-01-10;2023-01-10;100;vab",  # another reason is not sick leave and not merged
    ]
    part = personnel.build_part(workspace(staff(11), absences), config(), {})
    warnings = [(f.file, f.line, f.message) for f in part.findings if f.level is Level.WARNING]
    assert warnings == [
        (
            "data/personal/franvaro.csv",
            3,
            "sjukfrånvaron på rad 3 överlappar rad 2 för anställningsnummer 1; "
            "dagarna räknas en gång (omfattningarna läggs ihop, högst 100 %)",
        ),
        (
            "data/personal/franvaro.csv",
            5,
            "sjukfrånvaron på rad 5 överlappar rad 4 för anställningsnummer 2; "
            "dagarna räknas en gång (omfattningarna läggs ihop, högst 100 %)",
        ),
    ]
    # Person 1: 3 days × 50 % + 2 days × 100 % + 5 working days × 50 % (16–20 Jan; 14–15 is a
    # weekend) = 6 days; person 2: 5 days × 100 %; person 3: 5 days. 128 h of 22 088 h.
    sick_hours = (6 + 5 + 5) * 8
    assert part.values["sjukfranvaro_totalt_2023"] == Decimal("0.579500")
    assert part.values["sjukfranvaro_totalt_2023"] == Decimal(f"{100 * sick_hours / (11 * 251 * 8):.6f}")


def test_absences_wait_for_a_readable_employee_file(workspace, tmp_path: Path):
    layout = workspace(staff(11), ["1;2023-01-09;2023-01-13;100;sjuk"])
    (tmp_path / "data" / "personal" / "anstallda.csv").unlink()
    (tmp_path / "data" / "personal" / "anstallda.xlsx").write_bytes(b"PK\x03\x04trasig")
    part = personnel.build_part(layout, config(), {})
    assert [(f.level, f.file) for f in part.findings] == [
        (Level.ERROR, "data/personal/anstallda.xlsx"),
        (Level.NOTICE, "data/personal/franvaro.csv"),
    ]
    assert part.findings[1].message == "frånvarofilen används inte eftersom anstallda-filen inte kunde läsas"
