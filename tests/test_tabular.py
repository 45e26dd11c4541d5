"""Reading exports: dialects, encodings, typed fast path and precise cell errors."""

import gzip
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
