"""The compiled sweep of plain header lines reads them as the exact reader does."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bokslut.sie import encoding as enc
from bokslut.sie.model import Account, Balance, Object, PeriodBalance
from bokslut.sie.plainheader import KONTO, OBJEKT, SRU, PlainSweep
from bokslut.sie.reader import ExactLines, _decode, _start

ENCODINGS = [enc.CP437, enc.UTF8, enc.CP1252]


def _result(reader, encoding):
    sie = reader.result(enc.Detected(encoding, False, ""), check_total=False)
    return (
        sie.objects,
        sie.accounts,
        sie.balances,
        sie.period_balances,
        dict(sie.counts),
        sie.findings,
    )


def swept(
    lines: list[tuple[int, bytes]], encoding: str, batch: int, sweep_after: int = 0, told: bool = False
):
    """What the exact reader's lines give with the sweep, fed ``batch`` lines at a time (the
    first batches one by one until more than ``sweep_after`` lines have come); ``told``: each
    batch says how many lines follow it, as the scanner's do."""
    reader = ExactLines("f.se", enc.Detected(encoding, False, ""), sweep_after=sweep_after)
    for k in range(0, len(lines), batch):
        reader.feed(lines[k : k + batch], max(0, len(lines) - k - batch) if told else 0)
    return _result(reader.finish(), encoding)


def one_by_one(lines: list[tuple[int, bytes]], encoding: str):
    """The same lines through the plain records' patterns, one at a time (no sweep)."""
    reader = ExactLines("f.se", enc.Detected(encoding, False, ""))
    reader._one_by_one(lines)
    return _result(reader.finish(), encoding)


def exact(lines: list[tuple[int, bytes]], encoding: str):
    """The same lines through the exact reader alone."""
    reader = _start("f.se", enc.Detected(encoding, False, ""))
    for no, raw in lines:
        reader.feed(no, _decode(reader, no, raw, encoding))
    reader.finish()
    return _result(reader, encoding)


def numbered(raws: list[bytes]) -> list[tuple[int, bytes]]:
    return list(enumerate(raws, start=1))


def test_plain_lines_become_records_with_their_lines():
    lines = numbered(
        [
            b"#FLAGGA 0",
            b'#OBJEKT 1 "A1" "Ansvar \x94st"',
            b"#OBJEKT\t6 P7",
            b"#IB 0 1930 100.5",
            b"#UB -1 1930 -7",
            b'#RES 0 "3010" 5.55 ',
            b'#PSALDO 0 202301 3010 {1 "A 1" 6 P7} -5.00',
            b"#PBUDGET -1 202212 3010 {} 12",
            b'#OBJEKT 1 "A1" "Ansvar igen"',
            b'#KONTO 1930 "Bank "',
            b"#SRU 1930 7201 ",
            b'#SRU "1930" " 7202"',
        ]
    )
    objects, accounts, balances, periods, counts, findings = swept(lines, enc.CP437, 100)
    assert list(objects) == [Object(1, "A1", "Ansvar igen", 9), Object(6, "P7", "", 3)]
    assert accounts == (Account("1930", "Bank", 10, sru=("7201", " 7202")),)
    assert balances == (
        Balance("IB", 0, "1930", 10050, 4),
        Balance("UB", -1, "1930", -700, 5),
        Balance("RES", 0, "3010", 555, 6),
    )
    assert periods == (
        PeriodBalance("PSALDO", 0, 202301, "3010", -500, 7, ((1, "A 1"), (6, "P7"))),
        PeriodBalance("PBUDGET", -1, 202212, "3010", 1200, 8),
    )
    assert counts == {
        "#FLAGGA": 1,
        "#OBJEKT": 3,
        "#IB": 1,
        "#UB": 1,
        "#RES": 1,
        "#PSALDO": 1,
        "#PBUDGET": 1,
        "#KONTO": 1,
        "#SRU": 2,
    }
    assert findings == ()


def test_the_sweep_marks_only_the_plain_shapes():
    lines = numbered(
        [
            b'#OBJEKT 1 "A1"',
            b"#OBJEKT 1234567890 A",  # ten digits
            b'#OBJEKT 1 "A\\1"',  # a backslash
            b"#OBJEKT 1 A B C",  # a third field
            b"#IB 0 1930 1.555",
            b"#IB 0 1930 5 2",  # a quantity: the patterns read it
            b"#PSALDO 0 202313 3010 {} 5",
            b'#PSALDO 0 202301 3010 {"1" A} 5',
            b"#PSALDO 0 202301 3010 {1} 5",
            b"#PSALDO 0 202301 3010 {1 A}5",
            b"#IB 0 \x81 5",  # no character in Windows-1252
            b"#IB 0 \xa0 5",  # a no-break space: stripped away, no account left
            b" #IB 0 1930 5",
            b"#IB",
            b"#IB 0",
            b"#UB 0 1930 1234567890123456",
            b"#KONTO 1930",
            b"#SRU 1930 7201",
            b"#SRU 1930",  # no code
            b'#KONTO "" Tom',
            b"#KONTO 1930 Bank Kassa",  # text without quotes
        ]
    )
    kind = PlainSweep(enc.CP1252).sweep(lines).kind
    assert kind.tolist() == [OBJEKT] + [0] * 15 + [KONTO, SRU, 0, 0, 0]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_ids_and_names_are_stripped_as_python_strips_them(encoding):
    spaces = {enc.CP437: b"\xff", enc.UTF8: "\u3000\u2028\xa0\x85".encode(), enc.CP1252: b"\xa0"}[encoding]
    # A last byte 0x85: "à" in CP437, "…" in Windows-1252, in UTF-8 a line break (a space to strip).
    name = b" N" + (b"\xc2\x85" if encoding == enc.UTF8 else b"\x85") + b" "
    raw = b'#OBJEKT 1 "' + spaces + b"A" + spaces + b'" "' + spaces + name + spaces + b'"'
    lines = numbered([b"#FLAGGA 0", raw])
    assert PlainSweep(encoding).sweep(lines).kind.tolist() == [0, OBJEKT]
    got = swept(lines, encoding, 10)
    assert got == exact(lines, encoding)
    assert got[0][0].id == "A"


def test_bytes_utf8_refuses_are_left_to_the_exact_reader():
    for bad in (b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80"):
        lines = numbered([b"#FLAGGA 0", b'#OBJEKT 1 "A' + bad + b'"'])
        assert PlainSweep(enc.UTF8).sweep(lines).kind.tolist() == [0, 0]
        assert swept(lines, enc.UTF8, 10) == exact(lines, enc.UTF8)


def test_the_chart_is_applied_line_by_line():
    lines = numbered(
        [
            b"#FLAGGA 0",
            b"#SRU 1930 7201",  # before its #KONTO: a warning
            b"#KONTO 1930 Bank",  # declared by the #SRU: a notice
            b"#KONTO 3010 Avgift",
            b"#KTYP 3010 I",
            b"#SRU 3010 7301",
            b"#KONTO 3010 Igen",
            b"#SRU 3010 7302",
        ]
    )
    for batch in (1, 4, 100):
        got = swept(lines, enc.UTF8, batch)
        assert got == one_by_one(lines, enc.UTF8) == exact(lines, enc.UTF8)
    assert [f.line for f in got[5]] == [None, 2, 3, 7]  # the first: UTF-8 is no SIE encoding
    assert got[1][1] == Account("3010", "Igen", 7, "I", None, ("7301", "7302"))


def test_a_run_of_chart_lines_stops_where_the_exact_reader_must_read_and_goes_on_after():
    lines = numbered(
        [
            b"#FLAGGA 0",
            b"#KONTO 1930 Bank",
            b"#KONTO 4010 Varor",
            b"#SRU 4010 7401",
            b"#SRU 4010 7402",  # a second code for an account made in the run
            b'#SRU 4010 " "',  # no code
            b"#SRU 1930 7201",  # an account made before the run
            b'#KONTO "" Tom',  # no number
            b"#SRU 5010 7501",  # no such account yet
            b"#KONTO 5010 Lokal",
            b"#KONTO 5010 Dubbel",  # declared again in the run
            b"#SRU 5010 7502",
            b"#KONTO 7010 Ny",
            b"#KONTO 7010 Igen",  # declared again, the first time in the same run
            *(b"#KONTO %d Konto%d\n#SRU %d %d" % (k, k, k, 9000 + k) for k in range(6000, 6300)),
        ]
    )
    lines = numbered([raw for _, joined in lines for raw in joined.split(b"\n")])
    expected = exact(lines, enc.UTF8)
    for batch in (1, 2, 3, 5, 100, 1000):
        got = swept(lines, enc.UTF8, batch)
        assert got == expected
        assert got == one_by_one(lines, enc.UTF8)
    accounts = {a.number: a for a in expected[1]}
    assert accounts["4010"] == Account("4010", "Varor", 3, sru=("7401", "7402"))
    assert accounts["1930"].sru == ("7201",)
    assert accounts["5010"] == Account("5010", "Dubbel", 11, sru=("7501", "7502"))
    assert accounts["7010"] == Account("7010", "Igen", 14)
    assert accounts["6299"] == Account("6299", "Konto6299", 613, sru=("15299",))
    assert expected[4]["#KONTO"] == 307 and expected[4]["#SRU"] == 306  # every line, read or not
    assert [f.line for f in expected[5]][1:] == [6, 8, 9, 10, 11, 14]


def test_lines_where_the_exact_reader_is_in_charge_are_its_own():
    # Before the first record, inside a voucher without braces and in a checksummed stretch,
    # the sweep's lines are read one by one.
    lines = numbered(
        [
            b'#OBJEKT 1 "A0"',
            b"#FLAGGA 0",
            b'#OBJEKT 1 "A1"',
            b'#VER A 1 20230105 "x"',
            b'#OBJEKT 1 "A2"',
            b"#IB 0 1930 5",
            b"#KSUMMA",
            b'#OBJEKT 1 "A3"',
            b"#PSALDO 0 202301 3010 {} 5",
            b"#KSUMMA 0",
            b'#OBJEKT 1 "A0" "igen"',
        ]
    )
    for batch in (1, 3, 100):
        assert swept(lines, enc.UTF8, batch) == one_by_one(lines, enc.UTF8) == exact(lines, enc.UTF8)


# Hostile header lines, built from bytes: fields quoted or bare, padded with spaces, tabs and
# non-ASCII spaces, escapes, braces, huge numbers, bad periods and bytes that are no character.
# Plain values are drawn more often, so that most lines are of the sweep's shapes.
def _mostly(good: list[bytes], odd: list[bytes]) -> st.SearchStrategy[bytes]:
    return st.sampled_from(good * 8 + odd)


_ODD_TEXT = [b"a b", b"a\tb", b"x\\y", b"", b"{", b"}", b"\x7f", b"\xc3", b"\x81", b"\xed\xa0\x80"]
_SPACES = [b"\xff", b"\xa0", b"\xc2\xa0", b"\xe3\x80\x80", b"\xc2\x85"]  # in one encoding or another
_TEXT = _mostly([b"A1", b"1930", b"P007", b"\x94st", b"\xc3\xb6st", b"C:", b"|"], _ODD_TEXT + _SPACES)
_INDEX = _mostly([b"0", b"-1", b"99", b"07"], [b"007", b"100", b"-", b"+1", b'"0"'])
_AMOUNT = _mostly(
    [b"0", b"-1", b"100", b"1.5", b"1.55", b"-0.00", b"123456789012345", b"-007.1"],
    [b"1234567890123456", b"1.555", b"5.", b".5", b"+2", b"1,5", b"-", b'"5"'],
)
_DIM = _mostly([b"1", b"6", b"01", b"123456789"], [b"1234567890", b"x", b'"1"', b"-1"])
_PERIOD = _mostly(
    [b"202301", b"202312", b"190001", b"219912"], [b"202313", b"202300", b"189912", b"220001", b"20230"]
)
_BLANK = st.sampled_from([b" ", b" ", b"\t", b"  ", b" \t"])


@st.composite
def _field(draw) -> bytes:
    text = b"".join(draw(st.lists(_TEXT, min_size=1, max_size=3)))
    shape = draw(st.sampled_from(["bare", "bare", "quoted", "quoted", "escaped"]))
    if shape == "quoted":
        return b'"' + text + b'"'
    if shape == "escaped":
        return b'"' + text + b'\\"x"'
    return text


@st.composite
def _object_list(draw) -> bytes:
    items = []
    for _ in range(draw(st.integers(0, 3))):
        items += [draw(_DIM), draw(_field())]
    if draw(st.integers(0, 5)) == 0:
        items = items[:-1]
    out = b"{"
    for item in items:
        out += draw(st.sampled_from([b" ", b" ", b"", b"\t"])) + item
    return out + draw(st.sampled_from([b"", b" "])) + b"}"


@st.composite
def hostile_line(draw) -> bytes:
    label = draw(
        st.sampled_from(
            [b"#OBJEKT", b"#IB", b"#UB", b"#RES", b"#PSALDO", b"#PBUDGET", b"#KONTO", b"#SRU"] * 3
            + [b"#objekt", b"#OBJEKTX", b"#IB0"]
        )
    )
    if label in (b"#PSALDO", b"#PBUDGET"):
        fields = [draw(_INDEX), draw(_PERIOD), draw(_field()), draw(_object_list()), draw(_AMOUNT)]
    elif label in (b"#IB", b"#UB", b"#RES"):
        fields = [draw(_INDEX), draw(_field()), draw(_AMOUNT)]
    elif label in (b"#KONTO", b"#SRU"):
        fields = [draw(_field())]
    else:
        fields = [draw(_DIM), draw(_field())]
    if label in (b"#OBJEKT", b"#KONTO", b"#SRU") and draw(st.booleans()):
        fields.append(draw(_field()))
    if draw(st.integers(0, 7)) == 0:
        fields.append(draw(_field()))  # a quantity, or a field too many
    if draw(st.integers(0, 7)) == 0:
        del fields[draw(st.integers(0, len(fields) - 1))]
    line = draw(_mostly([b""], [b" "])) + label
    for f in fields:
        line += draw(_BLANK) + f
    return line + draw(st.sampled_from([b"", b"", b" ", b"\t"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(hostile_line(), max_size=30),
    st.sampled_from(ENCODINGS),
    st.integers(1, 12),
    st.booleans(),
    st.sampled_from([0, 0, 4, 15]),
)
def test_hostile_header_lines_read_like_the_exact_reader(raws, encoding, batch, voucher, sweep_after):
    head = [b"#FLAGGA 0", b'#OBJEKT 1 "A1" "Ansvar"', b"#KONTO 1930 Bank"]
    middle = [b'#VER A 1 20230105 "x"', b"#TRANS 1930 {} 5"] if voucher else []
    lines = numbered(head + raws[: len(raws) // 2] + middle + raws[len(raws) // 2 :])
    got = swept(lines, encoding, batch, sweep_after)
    assert got == one_by_one(lines, encoding)
    assert got == exact(lines, encoding)


@pytest.mark.parametrize("told", [False, True])
@pytest.mark.parametrize("again", [None, 5, 9_999])
def test_an_object_declared_again_in_a_later_batch_is_found(again, told):
    # Told how many lines come, the sweep's table of keys is made for all of them at once;
    # else it grows as they come.
    raws = [b"#FLAGGA 0"] + [b'#OBJEKT 1 "A%d" "Namn %d"' % (k, k) for k in range(10_000)]
    if again is not None:
        raws.append(b'#OBJEKT 1 "A%d" "Igen"' % again)
    lines = numbered(raws)
    objects = swept(lines, enc.CP437, 1000, told=told)[0]
    assert len(objects) == 10_000
    if again is not None:
        assert objects[again] == Object(1, f"A{again}", "Igen", 10_002)
    assert objects == one_by_one(lines, enc.CP437)[0]


def test_the_sweep_takes_over_once_more_lines_than_its_threshold_have_come():
    raws = [b"#FLAGGA 0"] + [b'#OBJEKT 1 "A%d" "Namn %d"' % (k, k) for k in range(30)]
    lines = numbered(raws)
    reader = ExactLines("f.se", enc.Detected(enc.CP437, False, ""), sweep_after=20)
    reader.feed(lines[:20])
    assert reader._sweep is None  # 20 lines: read one by one
    reader.feed(lines[20:])
    assert reader._sweep is not None
    assert _result(reader.finish(), enc.CP437) == one_by_one(lines, enc.CP437)
