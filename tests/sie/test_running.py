"""The checks over a file streamed in pieces say exactly what they say over the file read whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bokslut.diagnostics import Finding
from bokslut.sie import fastscan
from bokslut.sie.checks import validate
from bokslut.sie.model import SieFile
from bokslut.sie.reader import ExactLines, read_sie_bytes, sniff
from bokslut.sie.running import RunningChecks

Voucher = tuple[str, int, list[tuple[str, str, int]], int]  # number, day, rows, imbalance in öre


def ledger(
    vouchers: list[Voucher],
    *,
    header: tuple[str, ...] = ("#RAR 0 20230101 20231231",),
    declared: tuple[str, ...] = (),
) -> bytes:
    """A SIE file: vouchers (number, day of 2023, rows of account, objects, öre, imbalance),
    each balanced against 1930 unless given an imbalance."""
    lines = ["#FLAGGA 0", "#SIETYP 4", *header, '#DIM 1 "Ansvar"', *declared]
    for n, (number, day, rows, off) in enumerate(vouchers, 1):
        date = dt.date(2023, 1, 1) + dt.timedelta(days=day)
        lines += [f'#VER A {number} {date:%Y%m%d} "Verifikation {n}"', "{"]
        for account, objects, ore in rows:
            lines.append(f"#TRANS {account} {{{objects}}} {kr(ore)}")
        total = sum(ore for _, _, ore in rows) + off
        lines += [f"#TRANS 1930 {{}} {kr(-total)}", "}"]
    return ("\n".join(lines) + "\n").encode("cp437")


def kr(ore: int) -> str:
    return f"{'-' if ore < 0 else ''}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def streamed(tmp_path: Path, data: bytes, piece: int) -> tuple[SieFile, list[Finding], int]:
    """(the header read, the running checks' findings, how many pieces) for ``data`` streamed."""
    path = tmp_path / "bok.se"
    path.write_bytes(data)
    checks = RunningChecks("bok.se")
    pieces: list[fastscan.Piece] = []

    def consume(p: fastscan.Piece) -> None:
        pieces.append(p)
        checks.add(p.vouchers, p.rows)

    with path.open("rb") as f:
        result = fastscan.stream_fast(f, "bok.se", consume, ExactLines, sniff, piece_max_bytes=piece)
    assert result is not None
    return result.sie, checks.findings(result.sie), len(pieces)


def whole(data: bytes) -> list[Finding]:
    return validate(read_sie_bytes(data, "bok.se", fast=False))


def rows_of(*accounts_objects: str) -> list[tuple[str, str, int]]:
    return [(a, o, 10000) for a, o in (x.split("/") for x in accounts_objects)]


def plain(n: int, day: int = 10) -> Voucher:
    return (str(n), day, rows_of("3010/"), 0)


def test_a_voucher_number_used_in_the_first_and_the_third_piece_is_reported_with_both_lines(tmp_path):
    vouchers = [plain(n) for n in range(1, 10)] + [plain(2)] + [plain(n) for n in range(10, 14)]
    data = ledger(vouchers)
    _, found, pieces = streamed(tmp_path, data, piece=400)
    assert pieces >= 3
    messages = [f.message for f in found]
    assert "verifikationsnumret A 2 förekommer 2 gånger (rad 10, 50)" in messages
    assert found == whole(data)


def test_numbers_plain_or_not_are_told_apart_as_the_whole_file_checks_tell_them(tmp_path):
    """Plain numbers ("0", digits not led by 0) are compared as numbers, the rest as written:
    "01" and "1" are two numbers, "0" twice and "12a" twice are repeats."""
    numbers = ["01", "1", "0", "12a", "0", "12a", "01", "999999999999999", "1000000000000000"]
    vouchers = [(n, 10, rows_of("3010/"), 0) for n in numbers] + [plain(n) for n in range(2, 8)]
    data = ledger(vouchers)
    _, found, pieces = streamed(tmp_path, data, piece=400)
    assert pieces >= 3
    repeated = sorted(f.message.split(" förekommer")[0] for f in found if "förekommer" in f.message)
    assert repeated == ["verifikationsnumret A 0", "verifikationsnumret A 01", "verifikationsnumret A 12a"]
    assert found == whole(data)


def test_an_undeclared_object_first_used_in_the_second_piece_is_reported_at_that_line(tmp_path):
    vouchers = [plain(n) for n in range(1, 6)]
    vouchers += [("6", 10, rows_of("3010/1 A9"), 0), ("7", 10, rows_of("3010/1 A9", "3010/1 B7"), 0)]
    vouchers += [plain(n) for n in range(8, 14)]
    data = ledger(vouchers, declared=('#OBJEKT 1 A1 "Ett"',))
    _, found, pieces = streamed(tmp_path, data, piece=400)
    assert pieces >= 3
    (objects,) = [f for f in found if f.code == "odeklarerat-objekt"]
    assert (objects.message, objects.line) == (
        "objekt 'A9', 'B7' i dimension 1 används men deklareras inte med #OBJEKT",
        33,
    )
    assert found == whole(data)


def test_an_unbalanced_voucher_in_the_last_piece_is_an_error_at_its_line(tmp_path):
    vouchers = [plain(n) for n in range(1, 12)] + [("12", 10, rows_of("3010/"), 150)]
    data = ledger(vouchers)
    _, found, pieces = streamed(tmp_path, data, piece=400)
    assert pieces >= 3
    (bad,) = [f for f in found if f.code == "obalanserad-verifikation"]
    assert (bad.message, bad.line) == (
        "verifikation A 12 balanserar inte: raderna summerar till −1,50 kr i stället för 0",
        60,
    )
    assert found == whole(data)


def test_dates_outside_the_year_in_several_pieces_are_shown_first_twenty_in_file_order(tmp_path):
    vouchers = [plain(n, day=400 if n % 2 else -3) for n in range(1, 30)]
    data = ledger(vouchers)
    _, found, pieces = streamed(tmp_path, data, piece=400)
    assert pieces >= 5
    dates = [f for f in found if f.code == "datum-utanfor-ar"]
    assert [f.line for f in dates[:3]] == [7, 8, 12]
    assert dates[0].message == "datumet 2024-02-05 ligger utanför räkenskapsåret 2023-01-01–2023-12-31"
    assert dates[-1].message == "ytterligare 38 rader har datum utanför räkenskapsåret"
    assert found == whole(data)


def test_balances_are_reconciled_with_the_rows_up_to_omfattn(tmp_path):
    vouchers = [plain(n, day=n * 20) for n in range(1, 15)]
    header = ("#RAR 0 20230101 20231231", "#OMFATTN 20230630", '#KONTO 3010 "Intäkter"', "#RES 0 3010 500.00")
    data = ledger(vouchers, header=header)
    _, found, pieces = streamed(tmp_path, data, piece=400)
    assert pieces >= 3
    (res,) = [f for f in found if f.code == "res-transaktioner"]
    assert res.message == "konto 3010: årets transaktioner 900,00 kr men årets resultat (#RES) är 500,00 kr"
    assert found == whole(data)


def test_a_file_without_rar_takes_its_first_voucher_from_any_piece(tmp_path):
    vouchers = [plain(n, day=100) for n in range(1, 10)] + [plain(10, day=-200)]
    data = ledger(vouchers, header=())
    _, found, _ = streamed(tmp_path, data, piece=400)
    assert [f.message for f in found if f.code == "rar-saknas"] == [
        "filen saknar #RAR 0 (räkenskapsårets första och sista dag); räkenskapsåret antas vara "
        "kalenderåret 2022, året för den första verifikationen"
    ]
    assert found == whole(data)


_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["3010", "4010", "1510"]),
        st.sampled_from(["", "1 A1", "1 A2", '1 "B 1" 7 P1', "20 X"]),
        st.integers(-(10**7), 10**7),
    ),
    min_size=1,
    max_size=3,
)
_VOUCHERS = st.lists(
    st.tuples(
        st.sampled_from(["1", "2", "3", "007", "B12", '""']),
        st.integers(-20, 380),
        _ROWS,
        st.sampled_from([0, 0, 0, 1]),
    ),
    min_size=1,
    max_size=25,
)
_HEADERS = st.sampled_from(
    [
        ("#RAR 0 20230101 20231231",),
        ("#RAR 0 20230101 20231231", "#OMFATTN 20230531", "#UB 0 1510 12.00", "#RES 0 3010 -3.00"),
        ("#RAR 0 20230101 20231231", '#KONTO 3010 "Intäkter"', "#IB 0 1510 5.00", "#UB -1 1510 4.00"),
        (),
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(vouchers=_VOUCHERS, header=_HEADERS, piece=st.integers(700, 3000))
def test_the_running_checks_find_what_the_checks_find_on_the_whole_file(tmp_path, vouchers, header, piece):
    data = ledger(vouchers, header=header, declared=('#OBJEKT 1 A1 "Ett"',))
    path = tmp_path / "bok.se"
    path.write_bytes(data)
    checks = RunningChecks("bok.se")
    with path.open("rb") as f:
        result = fastscan.stream_fast(
            f,
            "bok.se",
            lambda p: checks.add(p.vouchers, p.rows),
            ExactLines,
            sniff,
            piece_max_bytes=piece,
        )
    assume(result is not None)  # else a stretch without #VER is longer than the piece: read exactly
    exact = read_sie_bytes(data, "bok.se", fast=False)
    assert checks.findings(result.sie) == validate(exact)
    assert result.sie.findings == exact.findings
    assert result.sie.counts == exact.counts
