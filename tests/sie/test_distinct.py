"""A piece's grouped columns encoded once, and what the checks and the sums read from the codes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bokslut.sie import checks, distinct


def test_a_column_of_one_value_is_a_dictionary_of_that_value():
    kinds = pa.array(["TRANS"] * 5)
    d = distinct.dictionary(kinds)
    assert d.dictionary.to_pylist() == ["TRANS"]
    assert d.indices.to_pylist() == [0] * 5


def test_a_column_of_several_values_is_encoded_in_order_of_first_use():
    # Of the same width as the kinds, so only the bytes tell them apart; sliced, as pieces are.
    kinds = pa.array(["XXXXX", "TRANS", "TRANS", "RTRAN", "TRANS", "BTRAN"]).slice(1)
    d = distinct.dictionary(kinds)
    assert d.dictionary.to_pylist() == ["TRANS", "RTRAN", "BTRAN"]
    assert d.indices.to_pylist() == [0, 0, 1, 0, 2]
    assert distinct.dictionary(pa.chunked_array([kinds[:2], kinds[2:]])).to_pylist() == kinds.to_pylist()


def test_short_values_are_encoded_by_words_exactly_as_arrow_encodes_them():
    # Accounts and short object keys: empty, 1-16 bytes (8 and 16 on the words' edges),
    # non-ASCII, equal first words; the last values end at the buffer's end (read byte by byte).
    values = ["3010", "", "1:A1|6:P7", "12345678", "123456789", "1234567812345678", "Å", "1234567812345670"]
    column = pa.array(values * 3 + ["3010", "1234567812345678"])
    short = distinct.ShortValues()
    for arr in (column, column.slice(5), column.slice(2, 9)):
        encoded = short.dictionary(arr)
        assert encoded is not None
        assert encoded.equals(pc.dictionary_encode(arr))
        assert distinct.dictionary(arr).equals(encoded)
    assert distinct.dictionary(column).dictionary.to_pylist() == values


@pytest.mark.parametrize("slots", [1024, 1 << 18])
def test_one_table_encodes_column_after_column_each_with_its_own_dictionary(slots):
    # A file's pieces one after another: the table grows for the first (30 000 keys; begun
    # small) or holds them as it is (begun as a streamed file's), and is cleared after each,
    # so the next piece's dictionary holds only its own values, in its order.
    short = distinct.ShortValues(slots)
    many = pa.array([f"1:{(i * 7919) % 30_000}" for i in range(90_000)])
    first = short.dictionary(many)
    assert first is not None and len(first.dictionary) == 30_000
    assert first.equals(pc.dictionary_encode(many))
    few = pa.array(["1:7", "1:5", "1:7", "1:29999"])
    second = short.dictionary(few)
    assert second is not None
    assert second.dictionary.to_pylist() == ["1:7", "1:5", "1:29999"]
    assert second.indices.to_pylist() == [0, 1, 0, 2]


def test_a_value_over_16_bytes_leaves_the_column_to_arrows_encoding():
    short = distinct.ShortValues()
    column = pa.array(["3010", "1:A1|6:P7|7:Q12345", "3010"])
    assert short.dictionary(column) is None
    encoded = distinct.encoded(pa.table({"account": column}), short)["account"].chunk(0)
    assert encoded.dictionary.to_pylist() == ["3010", "1:A1|6:P7|7:Q12345"]
    assert encoded.indices.to_pylist() == [0, 1, 0]
    # What the refused column put in the table is gone again.
    after = short.dictionary(pa.array(["1:A1|6:P7", "3010"]))
    assert after is not None and after.dictionary.to_pylist() == ["1:A1|6:P7", "3010"]


def test_a_value_over_16_bytes_after_many_rows_leaves_nothing_in_the_table():
    # Rows are looked up a batch at a time: the long value comes after several batches'
    # values were added, and a table begun small has grown for them.
    short = distinct.ShortValues(64)
    column = pa.array([f"1:{i}" for i in range(300)] + ["1:A1|6:P7|7:Q12345"] + ["1:0"])
    assert short.dictionary(column) is None
    after = short.dictionary(pa.array(["1:299", "3010", "1:299"]))
    assert after is not None
    assert after.dictionary.to_pylist() == ["1:299", "3010"]
    assert after.indices.to_pylist() == [0, 1, 0]


def test_encoded_turns_only_the_grouped_columns_into_dictionaries_and_keeps_their_values():
    rows = pa.table(
        {
            "kind": ["TRANS", "TRANS"],
            "account": ["3010", "1930"],
            "objects": ["1:A", ""],
            "text": ["a", "b"],
        }
    )
    out = distinct.encoded(rows)
    assert [str(f.type) for f in out.schema] == [
        "dictionary<values=string, indices=int32, ordered=0>",
        "dictionary<values=string, indices=int32, ordered=0>",
        "dictionary<values=string, indices=int32, ordered=0>",
        "string",
    ]
    assert out.to_pylist() == rows.to_pylist()
    assert distinct.encoded(out) is out  # encoded once: given again, nothing is done


def test_first_lines_of_a_dictionary_column_are_those_of_its_strings():
    values = pa.chunked_array([pa.array(["1:A|6:P", "1:B", "1:A|6:P", "6:P|7:Q", "1:B"])])
    lines = pa.chunked_array([pa.array([12, 13, 10, 15, 11], pa.int64())])
    # A dictionary with a value no row uses (as a filtered piece's has): it is no first use.
    encoded = pa.DictionaryArray.from_arrays(
        pa.array([0, 1, 0, 3, 1], pa.int32()), pa.array(["1:A|6:P", "1:B", "9:UNUSED", "6:P|7:Q"])
    )
    for split in (False, True):
        plain = distinct.as_dict(distinct.first_lines(values, lines, split=split))
        coded = distinct.as_dict(distinct.first_lines(pa.chunked_array([encoded]), lines, split=split))
        assert coded == plain
    assert plain == {"1:A": 10, "6:P": 10, "1:B": 11, "7:Q": 15}


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


_ids = st.one_of(
    st.text(alphabet="ab|\\é", max_size=20),
    st.builds(lambda c, n: c * n, st.sampled_from("xé|"), st.integers(250, 300)),
)
_keys = st.lists(st.builds(lambda d, i: f"{d}:{_escaped(i)}", st.integers(1, 3), _ids), max_size=3).map(
    "|".join
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(_keys, max_size=12), max_size=5),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_first_lines_kept_over_pieces_are_those_of_the_whole_column(pieces, split, encode, rising, rnd):
    # Pieces of object keys (some with escaped "|" and "\\", some longer than the table's
    # slots hold), their lines rising through the pieces as a file's do or in any order.
    n = sum(len(p) for p in pieces)
    lines = list(range(1, n + 1)) if rising else [rnd.randint(1, 50) for _ in range(n)]
    found = distinct.FirstLines(split=split)
    at = 0
    for piece in pieces:
        values = pa.array(piece, pa.string())
        column = distinct.dictionary(values) if encode and piece else values
        found.add(pa.chunked_array([column], column.type), np.array(lines[at : at + len(piece)], np.int64))
        at += len(piece)
    whole = pa.table({"v": pa.array([k for p in pieces for k in p], pa.string()), "line": lines})
    expected = checks.first_uses(whole, "v", split=split, compiled=False)
    assert distinct.as_dict(found.table()) == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(_keys, min_size=40, max_size=120), st.booleans())
def test_pairs_read_eight_bytes_at_a_time_are_those_read_byte_by_byte(keys, split):
    # A column long enough that its pairs are read a word at a time (all but those in its
    # last 16 bytes), with "|" and escapes at any place in a word and pairs of any length.
    lines = np.arange(1, len(keys) + 1, dtype=np.int64)
    found = distinct.FirstLines(split=split)
    found.add(pa.array(keys, pa.string()), lines)
    whole = pa.table({"v": pa.array(keys, pa.string()), "line": lines})
    assert distinct.as_dict(found.table()) == checks.first_uses(whole, "v", split=split, compiled=False)


@pytest.mark.parametrize("slots", [8192, 1 << 18])
def test_first_lines_of_many_values_grow_the_table_and_keep_each_first_line(slots):
    # Begun small, the table grows; begun as a streamed file's, it holds them as it is.
    rng = np.random.default_rng(7)
    ids = [f"1:{i:06d}|6:{'P' * (i % 40)}{i % 977}" for i in rng.integers(0, 30_000, 200_000)]
    lines = np.arange(10, 10 + len(ids), dtype=np.int64)
    found = distinct.FirstLines(split=True, slots=slots)
    for start in range(0, len(ids), 30_000):
        found.add(pa.array(ids[start : start + 30_000]), lines[start : start + 30_000])
    expected = checks.first_uses(pa.table({"v": ids, "line": lines}), "v", split=True, compiled=False)
    assert len(expected) > 10_000
    assert distinct.as_dict(found.table()) == expected


def test_equal_to_tells_which_rows_hold_a_value_or_none_when_all_do():
    assert distinct.equal_to(pa.chunked_array([pa.array(["TRANS", "TRANS"])]), "TRANS") is None
    assert distinct.equal_to(distinct.dictionary(pa.array(["TRANS", "TRANS"])), "TRANS") is None
    kinds = pa.array(["TRANS", "RTRANS", "TRANS"])
    for column in (kinds, pa.chunked_array([kinds]), distinct.dictionary(kinds)):
        mask = distinct.equal_to(column, "TRANS")
        assert mask is not None and mask.to_pylist() == [True, False, True]


def test_sums_by_key_adds_debits_and_credits_apart_counts_rows_and_keeps_the_last_day():
    key = np.array([7, 3, 7, 7, 3], np.int64)
    amount = np.array([100, -50, -30, 0, 20], np.int64)
    day = np.array([19000, 19005, 19010, 19002, 19001], np.int32)
    keys, debit, credit, rows, last = distinct.sums_by_key(key, amount, day, bound=10)
    assert keys.tolist() == [7, 3]  # in order of first use
    assert debit.tolist() == [100, 20]
    assert credit.tolist() == [-30, -50]
    assert rows.tolist() == [3, 2]
    assert last.tolist() == [19010, 19005]


def test_sums_by_key_give_what_arrow_groups_on_many_keys():
    rng = np.random.default_rng(1)
    key = rng.integers(0, 5000, 100_000)
    amount = rng.integers(-(10**9), 10**9, 100_000)
    day = rng.integers(18000, 19000, 100_000).astype(np.int32)
    keys, debit, credit, rows, last = distinct.sums_by_key(key, amount, day, bound=5000)
    t = pa.table(
        {"k": key, "d": np.where(amount > 0, amount, 0), "c": np.where(amount < 0, amount, 0), "day": day}
    )
    g = t.group_by("k").aggregate([("d", "sum"), ("c", "sum"), ("day", "count"), ("day", "max")])
    expected = g.sort_by("k")
    order = np.argsort(keys)
    assert keys[order].tolist() == expected["k"].to_pylist()
    assert debit[order].tolist() == expected["d_sum"].to_pylist()
    assert credit[order].tolist() == expected["c_sum"].to_pylist()
    assert rows[order].tolist() == expected["day_count"].to_pylist()
    assert last[order].tolist() == expected["day_max"].to_pylist()
    assert pc.sum(pa.array(debit + credit)).as_py() == int(amount.sum())


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["", "1:A", "1:A|6:P", "1:Ä", "x" * 300, "1:a", "a", "6:P"]), max_size=20),
        max_size=6,
    ),
    st.integers(0, 3),
)
def test_codes_kept_over_pieces_number_the_strings_in_order_of_first_use(pieces, offset):
    codes = distinct.Codes()
    seen: dict[str, int] = {}
    for piece in pieces:
        # A slice, as a piece's column may be one: read from its own offset.
        values = pa.array(["pad"] * offset + piece, pa.string()).slice(offset)
        assert codes.codes(values).tolist() == [seen.setdefault(v, len(seen)) for v in piece]
    assert len(codes) == len(seen)
    assert codes.strings().to_pylist() == list(seen)


def test_codes_of_many_strings_grow_the_table_and_the_bytes():
    # More strings than the first table holds (4 096) and more bytes than its first store.
    values = [f"1:A{i:06d}|6:{'P' * (i % 40)}" for i in range(20_000)]
    codes = distinct.Codes()
    assert codes.codes(pa.array(values[:15_000])).tolist() == list(range(15_000))
    again = codes.codes(pa.array(values[::-1]))
    assert again.tolist() == [*range(15_000, 20_000), *range(14_999, -1, -1)]
    assert codes.strings().to_pylist() == values[:15_000] + values[15_000:][::-1]


def _slot_twins() -> tuple[str, str]:
    """Two values of one length and one first 16 bytes that a new table (8 192 slots) puts in
    one slot with one tag (length and 24 bits of the hash): told apart only by their bytes
    after the first 16, which the slot holds. Hashed as the kernels hash them, a million
    candidates at once."""
    n = 1_000_000
    suffixes = np.char.zfill(np.arange(n).astype(str), 11)
    values = np.char.add("1:A00042|6:P0333", suffixes)  # 27 bytes, the first 16 alike
    raw = np.frombuffer(values.astype("S27").tobytes(), np.uint8).reshape(n, 27)
    w0 = np.ascontiguousarray(raw[:, :8]).view("<u8").ravel()
    w1 = np.ascontiguousarray(raw[:, 8:16]).view("<u8").ravel()
    rest = np.zeros(n, np.uint64)
    for k in range(16, 27):
        rest = (rest ^ raw[:, k].astype(np.uint64)) * np.uint64(1099511628211)
    h = w0 ^ ((w1 ^ rest) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(27)
    for shift, factor in ((33, 0xFF51AFD7ED558CCD), (33, 0xC4CEB9FE1A85EC53), (33, 0)):
        h ^= h >> np.uint64(shift)
        if factor:
            h *= np.uint64(factor)
    place = ((h >> np.uint64(40)) << np.uint64(13)) | (h & np.uint64(8191))
    order = np.argsort(place, kind="stable")
    same = np.flatnonzero(place[order][1:] == place[order][:-1])
    assert same.size, "no two values in one slot with one tag"
    a, b = order[same[0]], order[same[0] + 1]
    # The same hash as the kernels' own (packing and finalizer written out above).
    assert int(distinct._words_hash(w0[a], w1[a], rest[a], 27)) == int(h[a])
    return str(values[a]), str(values[b])


def test_values_in_one_slot_with_one_tag_are_told_apart_by_their_bytes():
    first, second = _slot_twins()
    assert first[:16] == second[:16] and len(first) == len(second) and first != second
    codes = distinct.Codes()
    assert codes.codes(pa.array([first, second, first, second])).tolist() == [0, 1, 0, 1]
    found = distinct.FirstLines()
    found.add(pa.array([first, second, second]), np.array([3, 5, 8], np.int64))
    assert distinct.as_dict(found.table()) == {first: 3, second: 5}
