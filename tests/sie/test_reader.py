"""Reading SIE text: records, vouchers, corrections, encodings, checksums and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bokslut.diagnostics import Level
from bokslut.sie.checks import validate
from bokslut.sie.reader import read_sie, read_sie_bytes

HEAD = """#FLAGGA 0
#FORMAT PC8
#SIETYP 4
#PROGRAM "Test" 1.0
#GEN 20240110
#FNAMN "Testkommunen"
#RAR 0 20230101 20231231
#KONTO 1930 "Bank"
#KONTO 3010 "Försäljning"
#KONTO 5010 "Lokalhyra"
"""


def errors(sie):
    return [f for f in (*sie.findings, *validate(sie)) if f.level is Level.ERROR]


def messages(sie, level=None):
    return [f.message for f in (*sie.findings, *validate(sie)) if level is None or f.level is level]


def read_text(text: str, encoding: str = "cp437"):
    return read_sie_bytes(text.encode(encoding), "t.se", fast=False)


def test_a_voucher_with_rows_objects_and_optional_fields():
    sie = read_text(
        HEAD
        + """#VER A 1 20230105 "Hyra januari" 20230106 "Lisa"
{
   #TRANS 5010 {1 "81141" 6 "P1"} 1000.50 20230104 "Hyra \\"jan\\"" 1 "Lisa"
   #TRANS 1930 {} -1000.50
}
"""
    )
    assert errors(sie) == []
    v = sie.vouchers.to_pylist()[0]
    assert (v["series"], v["number"], v["date"], v["text"], v["regdate"], v["sign"], v["line"]) == (
        "A",
        "1",
        dt.date(2023, 1, 5),
        "Hyra januari",
        dt.date(2023, 1, 6),
        "Lisa",
        11,
    )
    rows = sie.transactions.to_pylist()
    assert rows[0]["amount"] == 100050 and rows[0]["objects"] == "1:81141|6:P1"
    assert rows[0]["text"] == 'Hyra "jan"' and rows[0]["quantity"] == "1" and rows[0]["line"] == 13
    assert rows[1]["date"] == dt.date(2023, 1, 5)  # no transdat: the voucher's date


def test_btrans_is_never_counted_and_rtrans_twin_counts_once():
    sie = read_text(
        HEAD
        + """#VER A 1 20230105 "Porto"
{
 #TRANS 1930 {} -1000.00
 #BTRANS 3010 {} 1000.00 20230110 "" "" "Kalle"
 #RTRANS 5010 {} 1000.00 20230110 "" "" "Kalle"
 #TRANS 5010 {} 1000.00
}
"""
    )
    assert errors(sie) == []
    kinds = sie.transactions["kind"].to_pylist()
    assert kinds == ["TRANS", "BTRANS", "RTRANS", "TRANS"]


def test_rtrans_without_twin_is_counted_with_a_warning():
    sie = read_text(
        HEAD
        + """#VER A 1 20230105 "Porto"
{
 #TRANS 1930 {} -1000.00
 #RTRANS 5010 {} 1000.00
}
"""
    )
    assert errors(sie) == []
    assert any("tvilling" in m for m in messages(sie, Level.WARNING))
    t = sie.transactions.to_pylist()
    assert [(r["kind"], r["amount"]) for r in t] == [
        ("TRANS", -100000),
        ("RTRANS", 100000),
        ("TRANS", 100000),
    ]


def test_unknown_labels_and_extra_fields_are_skipped_with_a_notice():
    sie = read_text(HEAD + '#NYPOST 1 2 3\n#KONTO 1910 "Kassa" extra\n')
    notices = messages(sie, Level.NOTICE)
    assert any("okänd etikett #NYPOST" in m for m in notices)
    assert any("extra fält" in m for m in notices)
    assert errors(sie) == []


def test_crlf_and_omitted_trailing_fields():
    text = (
        HEAD.replace("\n", "\r\n")
        + '#VER "" "" 20230105\r\n{\r\n#TRANS 1930 {} 5\r\n#TRANS 3010 {} -5\r\n}\r\n'
    )
    sie = read_text(text)
    assert errors(sie) == []
    assert sie.vouchers["series"].to_pylist() == [""]
    assert sie.transactions["amount"].to_pylist() == [500, -500]


@pytest.mark.parametrize(
    "body, message, line",
    [
        ('#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} 5\n', "filen slutar mitt i verifikationen", 11),
        ("#TRANS 1930 {} 5\n", "utanför en verifikation", 11),
        ('#VER A 1 20230105 "x"\n{\n#TRANS 1930 {1 "2" 5\n}\n', "stängs aldrig", 13),
        (
            '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} fem\n#TRANS 3010 {} -5\n}\n',
            "inget belopp",
            13,
        ),
        (
            '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} 5.001\n#TRANS 3010 {} -5\n}\n',
            "fler än två decimaler",
            13,
        ),
        (
            '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} 5\n#TRANS 3010 {} -4.99\n}\n',
            "balanserar inte",
            11,
        ),
        (
            '#VER A 1 20231305 "x"\n{\n#TRANS 1930 {} 5\n#TRANS 3010 {} -5\n}\n',
            "inget giltigt datum",
            11,
        ),
        ("{\n", "'{' utan föregående #VER", 11),
        ("}\n", "'}' utan öppen verifikation", 11),
        ("hej\n", "börjar inte med en etikett", 11),
    ],
)
def test_bad_input_gets_a_swedish_error_with_its_line(body, message, line):
    sie = read_text(HEAD + body)
    found = [f for f in errors(sie) if message in f.message]
    assert found, messages(sie)
    assert found[0].line == line and found[0].file == "t.se"


def test_unbalanced_voucher_error_names_the_voucher_and_sum():
    sie = read_text(HEAD + '#VER B 17 20230105 "x"\n{\n#TRANS 1930 {} 5\n#TRANS 3010 {} -4.99\n}\n')
    (f,) = errors(sie)
    assert f.message == "verifikation B 17 balanserar inte: raderna summerar till 0,01 kr i stället för 0"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "filen är tom"),
        (b"   \n\n", "filen är tom"),
        (b"\x00\x01\x02PK\x03\x04" * 50, "binära data"),
        (b'<?xml version="1.0"?>\n<Sie xmlns="http://www.sie.se/sie5"/>', "SIE 5"),
        (b"Konto;Belopp\n1930;100\n", "ingen SIE-fil"),
    ],
)
def test_files_that_are_not_sie_4(data, message):
    sie = read_sie_bytes(data, "x.se", fast=False)
    assert len(sie.findings) == 1 and message in sie.findings[0].message
    assert sie.findings[0].level is Level.ERROR


def test_ksumma_worked_examples_from_the_specification():
    ok = read_text('#FLAGGA 0\n#KSUMMA\n#KONTO 1915 "Kassa \\"special\\""\n#KSUMMA 1921122205\n')
    assert errors(ok) == [] and ok.header.ksumma == 1921122205
    ver = read_text(
        '#FLAGGA 0\n#KSUMMA\n#VER A 1 20250101 "Test"\n{\n   #TRANS 1930 {1 "100"} -100.00\n'
        "   #TRANS 3010 {} 100.00\n}\n#KSUMMA 4059395007\n"
    )
    assert not [f for f in ver.findings if f.level is Level.ERROR]


def test_wrong_or_missing_ksumma_is_an_error():
    wrong = read_text('#FLAGGA 0\n#KSUMMA\n#KONTO 1915 "Kassa"\n#KSUMMA 1921122205\n')
    assert any("kontrollsumman stämmer inte" in m for m in messages(wrong, Level.ERROR))
    truncated = read_text('#FLAGGA 0\n#KSUMMA\n#KONTO 1915 "Kassa"\n')
    assert any("avkortad" in m for m in messages(truncated, Level.ERROR))


def test_ksumma_verifies_a_utf8_file_via_cp437():
    text = '#FLAGGA 0\n#KSUMMA\n#KONTO 1930 "Företagskonto"\n#KSUMMA 266490134\n'
    sie = read_text(text, "utf-8")
    assert sie.encoding == "utf-8"
    assert not [f for f in sie.findings if f.level is Level.ERROR]


@pytest.mark.parametrize("encoding, expected", [("cp437", "cp437"), ("utf-8", "utf-8"), ("cp1252", "cp1252")])
def test_encoding_is_detected_from_the_bytes(encoding, expected):
    sie = read_text(HEAD + '#KONTO 2440 "Leverantörsskulder åäö ÅÄÖ"\n', encoding)
    assert sie.encoding == expected
    assert any(a.name == "Leverantörsskulder åäö ÅÄÖ" for a in sie.accounts)
    warned = any("kodad som" in m for m in messages(sie, Level.WARNING))
    assert warned == (encoding != "cp437")


def test_balances_period_balances_and_objects():
    sie = read_text(
        HEAD
        + """#DIM 1 "Verksamhet"
#OBJEKT 1 "81141" "IT"
#IB 0 1930 100.00
#UB 0 1930 150.00
#UB -1 1930 100.00
#RES 0 3010 -50.00 2
#OIB 0 1930 {1 "81141"} 40.00
#PSALDO 0 202301 3010 {} -50.00
#PSALDO 0 202301 3010 {1 "81141"} -50.00
#PBUDGET 0 202301 3010 {} -60.00
#VER A 1 20230105 "Sålt"
{
#TRANS 1930 {1 "81141"} 50
#TRANS 3010 {1 "81141"} -50
}
"""
    )
    assert errors(sie) == []
    assert [(b.kind, b.year_index, b.account, b.amount) for b in sie.balances][:3] == [
        ("IB", 0, "1930", 10000),
        ("UB", 0, "1930", 15000),
        ("UB", -1, "1930", 10000),
    ]
    assert [(p.kind, p.period, p.objects) for p in sie.period_balances] == [
        ("PSALDO", 202301, ()),
        ("PSALDO", 202301, ((1, "81141"),)),
        ("PBUDGET", 202301, ()),
    ]


def test_reconciliation_warnings_name_the_account():
    sie = read_text(
        HEAD
        + """#IB 0 1930 100.00
#UB 0 1930 200.00
#RES 0 3010 -50.00
#VER A 1 20230105 "Sålt"
{
#TRANS 1930 {} 50
#TRANS 3010 {} -50
}
"""
    )
    warnings = messages(sie, Level.WARNING)
    assert any("konto 1930" in m and "utgående balans är 200,00 kr" in m for m in warnings)
    assert not any("konto 3010" in m for m in warnings)


def test_undeclared_account_and_object_are_warnings():
    sie = read_text(HEAD + '#VER A 1 20230105 "x"\n{\n#TRANS 1940 {1 "9"} 5\n#TRANS 3010 {} -5\n}\n')
    warnings = messages(sie, Level.WARNING)
    assert any("konto 1940 används men deklareras inte" in m for m in warnings)
    assert any("'9' i dimension 1" in m for m in warnings)
    assert errors(sie) == []


def test_read_sie_names_missing_files(tmp_path):
    sie = read_sie(tmp_path / "saknas.se")
    assert sie.findings[0].message == "filen finns inte"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_give_findings_never_an_exception(data):
    read_sie_bytes(data, "fuzz.se", fast=False)


LINES = st.sampled_from(
    [
        "#FLAGGA 0",
        "#SIETYP 4",
        "#RAR 0 20230101 20231231",
        '#KONTO 1930 "Bank"',
        '#VER A 1 20230105 "x"',
        "{",
        "}",
        "#TRANS 1930 {} 5",
        '#TRANS 3010 {1 "2"} -5',
        "#RTRANS 1930 {} 5",
        "#BTRANS 1930 {} 5",
        "#KSUMMA",
        "#KSUMMA 12",
        "#IB 0 1930 1",
        '#TRANS 1930 {1 "2" 5',
        '#VER "" "" x',
        "#OIB 0 1930 {1} 4",
        "#PSALDO 0 2023 3010 {} 1",
        "#UB -1 1930 x",
        "",
        "\t",
        '#VER A 1 20230105 "x" 2023013',
        "#GEN 2023-01-01",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=30))
def test_any_sequence_of_records_gives_findings_never_an_exception(lines):
    sie = read_sie_bytes(("\n".join(lines) + "\n").encode(), "fuzz.se", fast=False)
    validate(sie)
