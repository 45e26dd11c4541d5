"""Reading exports: dialects, encodings, typed fast path and precise cell errors."""

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa

from bokslut.tabular import (
    TIMESTAMP,
    ColumnSpec,
    Problems,
    parse_date,
    parse_number,
    parse_timestamp,
    read_table,
    text,
    years_of,
)

SPECS = (ColumnSpec("namn"), ColumnSpec("datum"), ColumnSpec("tal", required=False))


def test_semicolon_cp1252_and_whitespace(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_bytes('namn;datum;tal\nÅsa ; 2023-01-31;"1 234,5"\n'.encode("cp1252"))
    raw, findings = read_table(path, "x.csv", SPECS)
    assert raw is not None and not findings
    problems = Problems(raw, [])
    assert raw.columns["namn"][0].as_py() == "Åsa"
    assert parse_date(raw, "datum", problems, required=True)[0] == np.datetime64("2023-01-31")
    assert parse_number(raw, "tal", problems, required=False)[0] == 1234.5


def test_impossible_dates_are_errors_not_moved_to_another_day(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("namn,datum\na,2023-02-30\nb,2023-02-28\nc,2023-2-1\n", "utf-8")
    raw, _ = read_table(path, "x.csv", SPECS)
    problems = Problems(raw, [])
    out = parse_date(raw, "datum", problems, required=True)
    assert np.isnat(out[0]) and out[1] == np.datetime64("2023-02-28") and np.isnat(out[2])
    assert [(f.line, f.where) for f in problems.findings] == [
        (2, "kolumn datum"),
        (4, "kolumn datum"),
    ]


def test_typed_fast_path_falls_back_to_text_and_reports_the_cell(tmp_path: Path):
    specs = (ColumnSpec("t", fast_type=TIMESTAMP),)
    path = tmp_path / "x.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("t\n2023-01-01 10:00:00\n2023-01-01 25:00:00\n\n")
    raw, _ = read_table(path, "x.csv.gz", specs)
    assert raw is not None and pa.types.is_string(raw.columns["t"].type)
    problems = Problems(raw, [])
    out = parse_timestamp(raw, "t", problems, required=True)
    assert out[0] == np.datetime64("2023-01-01T10:00:00")
    assert [f.line for f in problems.findings] == [3]


def test_many_bad_cells_are_listed_then_summed_up(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("namn,datum,tal\n" + "a,2023-01-01,x\n" * 30, "utf-8")
    raw, _ = read_table(path, "x.csv", SPECS)
    problems = Problems(raw, [])
    parse_number(raw, "tal", problems, required=False)
    assert len(problems.findings) == 21
    assert "ytterligare 10 rader" in problems.findings[-1].message


def test_years_of_timestamps():
    ts = np.array(
        ["2020-12-31T23:59:59", "2021-01-01T00:00:00", "NaT", "2024-02-29T12:00"],
        dtype="datetime64[s]",
    )
    assert years_of(ts).tolist() == [2020, 2021, 0, 2024]


def test_rows_with_the_wrong_number_of_cells_are_named_and_the_rest_is_read(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text(
        "namn;datum;tal\nAnna;2023-01-02;1\nBo;2023-01-03\nCia;2023-01-04;3;4\nDan;2023-01-05;x\n"
    )
    raw, findings = read_table(path, "x.csv", SPECS)
    assert raw is not None
    assert [(f.line, f.code) for f in findings] == [(3, "falt-antal"), (4, "falt-antal")]
    assert findings[0].message.startswith("raden har 2 fält men rubrikraden 3; raden läses inte")
    assert "CSV parse error" not in findings[0].message
    assert text(raw, "namn").tolist() == ["Anna", "Dan"]
    # Cells of the rows after a left-out row keep their own row numbers.
    problems = Problems(raw, [])
    parse_number(raw, "tal", problems, required=True)
    assert [(f.line, f.message) for f in problems.findings] == [(5, "ska vara ett tal (värdet 'x')")]


def test_blank_lines_do_not_shift_the_row_numbers(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("namn,datum\n\nAnna,2023-01-02\n\r\n\nBo,2023-13-01\nCia\n")
    raw, findings = read_table(path, "x.csv", SPECS)
    assert raw is not None and [f.line for f in findings] == [7]
    problems = Problems(raw, [])
    parse_date(raw, "datum", problems, required=True)
    assert [f.line for f in problems.findings] == [6]


def test_infinite_and_huge_numbers_are_no_numbers(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text(
        "namn,datum,tal\na,2023-01-01,1e400\nb,2023-01-01,inf\nc,2023-01-01,²\nd,2023-01-01,2.5\n"
    )
    raw, _ = read_table(path, "x.csv", SPECS)
    assert raw is not None
    problems = Problems(raw, [])
    out = parse_number(raw, "tal", problems, required=True)
    assert np.isnan(out[:3]).all() and out[3] == 2.5
    assert [(f.line, f.message) for f in problems.findings] == [
        (2, "ska vara ett tal (värdet '1e400')"),
        (3, "ska vara ett tal (värdet 'inf')"),
        (4, "ska vara ett tal (värdet '²')"),
    ]


def test_a_file_that_is_not_utf8_after_the_first_block_names_its_line(tmp_path: Path):
    path = tmp_path / "x.csv"
    rows = "".join(f"namn{i},2023-01-01\n" for i in range(8000))
    path.write_bytes(b"namn,datum\n" + rows.encode() + b"\xc5sa,2023-01-01\n")
    raw, findings = read_table(path, "x.csv", SPECS)
    assert raw is None
    (finding,) = findings
    assert (finding.line, finding.code) == (8002, "kodning")
    assert finding.message.startswith("filen är inte UTF-8 hela vägen")


def test_a_packed_file_is_read_whole_and_one_not_utf8_further_on_names_its_line(tmp_path: Path):
    # Packed files are unpacked once, into memory: the check and the rows read from that.
    path = tmp_path / "x.csv.gz"
    rows = "".join(f"namn{i},2023-01-{i % 28 + 1:02d}\n" for i in range(8000))
    path.write_bytes(gzip.compress(b"namn,datum\n" + rows.encode()))
    raw, findings = read_table(path, "x.csv.gz", SPECS)
    assert raw is not None and not findings
    assert raw.rows == 8000 and text(raw, "namn")[-1] == "namn7999"
    path.write_bytes(gzip.compress(b"namn,datum\n" + rows.encode() + b"\xc5sa,2023-01-01\n"))
    raw, findings = read_table(path, "x.csv.gz", SPECS)
    assert raw is None
    (finding,) = findings
    assert (finding.line, finding.code) == (8002, "kodning")


def test_a_spreadsheet_that_is_no_zip_file_is_explained_in_swedish(tmp_path: Path):
    path = tmp_path / "x.xlsx"
    path.write_text("namn;datum\nAnna;2023-01-01\n")
    raw, findings = read_table(path, "x.xlsx", SPECS)
    assert raw is None
    (finding,) = findings
    assert finding.message == (
        "filen är ingen XLSX-fil (den är inte ett zip-arkiv) – "
        "spara den som Excel-arbetsbok (.xlsx) eller som CSV"
    )


def test_files_over_the_limit_are_refused_before_reading(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("namn,datum\n" + "Anna,2023-01-01\n" * 100_000)
    raw, findings = read_table(path, "x.csv", SPECS, max_bytes=1024 * 1024)
    assert raw is None
    assert [f.message for f in findings] == [
        "filen är 1,5 MB, större än gränsen 1 MB "
        "(höj den med [granser] tabell_mb i bokslut.toml om filen är rätt)"
    ]
    assert read_table(path, "x.csv", SPECS)[0] is not None


def test_a_spreadsheet_that_unpacks_beyond_the_limit_is_refused(tmp_path: Path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    assert path.stat().st_size < 64 * 1024
    raw, findings = read_table(path, "x.xlsx", SPECS, max_bytes=1024 * 1024)
    assert raw is None
    assert findings[0].message.startswith("kalkylbladet packas upp till 3 MB, mer än gränsen 1 MB")


def test_a_column_twice_in_the_header_is_an_error(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("namn,datum,Namn\na,2023-01-01,b\n")
    raw, findings = read_table(path, "x.csv", SPECS)
    assert raw is None
    assert [(f.line, f.message) for f in findings] == [
        (1, "kolumnen 'Namn' finns två gånger i rubrikraden (kolumn 1 och 3); bara en av dem kan användas")
    ]


def test_a_column_arrow_typed_by_itself_is_still_text(tmp_path: Path):
    # A quoted header with the delimiter in it is split differently by Arrow than by the sniffer,
    # so Arrow infers the column's type: null when empty, int64 for whole numbers.
    path = tmp_path / "x.csv"
    path.write_text('"na,mn",datum,"t,al"\n,2023-01-01,5\n,2023-01-02,6\n')
    raw, findings = read_table(path, "x.csv", SPECS, {"namn": "na,mn", "tal": "t,al"})
    assert raw is not None and not findings
    assert text(raw, "namn").tolist() == ["", ""]
    assert text(raw, "tal").tolist() == ["5", "6"]


def test_a_column_twice_in_a_spreadsheet_header_is_an_error_too(tmp_path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["namn", "datum", "namn"])
    sheet.append(["a", "2023-01-01", "b"])
    wb.save(tmp_path / "x.xlsx")
    raw, findings = read_table(tmp_path / "x.xlsx", "x.xlsx", SPECS)
    assert raw is None and [f.code for f in findings] == ["kolumn-dubblett"]


def test_dates_outside_1900_to_2200_are_typing_errors(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("namn,datum\na,0023-01-01\nb,2023-01-01\nc,9999-12-31\n")
    raw, _ = read_table(path, "x.csv", SPECS)
    assert raw is not None
    problems = Problems(raw, [])
    out = parse_date(raw, "datum", problems, required=True)
    assert np.isnat(out[0]) and out[1] == np.datetime64("2023-01-01") and np.isnat(out[2])
    assert [(f.line, f.message) for f in problems.findings] == [
        (2, "datumet ligger utanför åren 1900–2200 (värdet '0023-01-01')"),
        (4, "datumet ligger utanför åren 1900–2200 (värdet '9999-12-31')"),
    ]
    stamps = parse_timestamp(raw, "datum", Problems(raw, []), required=True)
    assert np.isnat(stamps[0]) and not np.isnat(stamps[1])


def test_control_characters_in_a_quoted_cell_are_escaped(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"namn,datum\na,2023-0\x1b[2J1-01\n")
    raw, _ = read_table(path, "x.csv", SPECS)
    assert raw is not None
    problems = Problems(raw, [])
    parse_date(raw, "datum", problems, required=True)
    assert [f.message for f in problems.findings] == [
        "ogiltigt datum, väntade ÅÅÅÅ-MM-DD (värdet '2023-0\\x1b[2J1-01')"
    ]


def test_old_mac_line_ends_and_blank_lines_keep_row_numbers(tmp_path: Path):
    # Found by fuzzing: a bare CR ends a line for Arrow, and row numbers ran past the file.
    path = tmp_path / "x.csv"
    path.write_bytes(b"namn,datum\r\ra,2023-01-01\rb,2023-13-01\r\nc,2023-01-02\n")
    raw, _ = read_table(path, "x.csv", SPECS)
    assert raw is not None and raw.rows == 3
    problems = Problems(raw, [])
    parse_date(raw, "datum", problems, required=True)
    assert [f.line for f in problems.findings] == [4]
