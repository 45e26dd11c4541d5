"""Row texts read where they stand in their ledger file, as the scanner would have read them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bokslut.diagnostics import BokslutError
from bokslut.ledger import texts


def _ledger(
    tmp_path: Path, fields: list[str], encoding: str = "utf-8"
) -> tuple[texts.LedgerFile, list[int], list[int]]:
    """A file of one row line per field (its text as written), and each field's place."""
    data, at, length = b"", [], []
    for k, field in enumerate(fields):
        head = f"#TRANS 3010 {{}} -{k}.00 20230105 ".encode(encoding)
        raw = field.encode(encoding)
        at.append(len(data) + len(head))
        length.append(len(raw) if raw not in (b"", b'""') else 0)  # as the scanner finds them
        data += head + raw + b"\r\n"
    path = tmp_path / "bok.se"
    path.write_bytes(data)
    st = path.stat()
    return texts.LedgerFile(path, "data/ledger/bok.se", st.st_size, st.st_mtime_ns, encoding), at, length


def _read(ledger: texts.LedgerFile, at: list[int], length: list[int]) -> list[str | None]:
    with texts.opened(ledger) as read:
        return texts.decoded(read, np.array(at, np.int64), np.array(length, np.int64), ledger).to_pylist()


FIELDS = ['"Hyra"', "", '"ränta \\"lån\\""', 'bare\\"x', '"a\\\\"b"', '"Åkesson & Söner"', "", '"\\""']
SHOWN = ["Hyra", None, 'ränta "lån"', 'bare\\"x', 'a\\"b', "Åkesson & Söner", None, '"']


@pytest.mark.parametrize("encoding", ["utf-8", "cp437", "cp1252"])
@pytest.mark.parametrize("stretch", [1, 40, 1 << 23])
def test_texts_read_in_stretches_of_any_size_are_the_texts_the_rows_had(
    tmp_path, monkeypatch, encoding, stretch
):
    """Quoted texts lose their quotes and each \\" is a quote; a bare text stays as written; a row
    without text is None; letters come out as UTF-8 from whichever encoding the file has."""
    monkeypatch.setattr(texts, "_STRETCH", stretch)
    ledger, at, length = _ledger(tmp_path, FIELDS, encoding)
    assert _read(ledger, at, length) == SHOWN


def test_rows_in_any_order_and_one_row_twice_read_in_the_order_asked(tmp_path):
    ledger, at, length = _ledger(tmp_path, FIELDS)
    order = [5, 0, 2, 2, 7, 1, 3]
    assert _read(ledger, [at[i] for i in order], [length[i] for i in order]) == [SHOWN[i] for i in order]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        # (A text cannot end in a backslash: it would escape the closing quote.)
        st.text(alphabet=st.sampled_from('ab å"\\Ö\t'), max_size=12)
        .filter(lambda t: not t.endswith("\\"))
        .map(lambda t: '"' + t.replace('"', '\\"') + '"'),
        max_size=30,
    ),
    st.integers(1, 200),
)
def test_any_quoted_text_is_read_back_as_written_before_escaping(tmp_path_factory, fields, stretch):
    ledger, at, length = _ledger(tmp_path_factory.mktemp("t"), fields, "cp437")
    old, texts._STRETCH = texts._STRETCH, stretch
    try:
        got = _read(ledger, at, length)
    finally:
        texts._STRETCH = old
    # The writer's escaping undone: a backslash before a quote was the writer's.
    assert got == [f[1:-1].replace('\\"', '"') or None for f in fields]


def test_a_ledger_file_changed_since_it_was_read_is_named_and_nothing_is_read(tmp_path):
    ledger, at, length = _ledger(tmp_path, FIELDS)
    with ledger.path.open("ab") as f:
        f.write(b"#TRANS 3010 {} 1.00\r\n")
    with pytest.raises(
        BokslutError, match=r"data/ledger/bok.se: bokföringsfilen har ändrats sedan den lästes in"
    ):
        _read(ledger, at, length)
    ledger.path.unlink()
    with pytest.raises(
        BokslutError,
        match=r"data/ledger/bok.se: radernas texter läses ur bokföringsfilen, men den kan inte öppnas",
    ):
        _read(ledger, at, length)


def test_a_text_that_is_no_longer_where_it_was_is_refused_not_shown_cut(tmp_path):
    """The same size and time, other bytes (a file edited and its time put back): a quoted text
    whose quotes are not at its ends, or a place past the end, is not read."""
    ledger, at, length = _ledger(tmp_path, FIELDS)
    data = bytearray(ledger.path.read_bytes())
    data[at[0] + length[0] - 1] = ord("x")
    ledger.path.write_bytes(bytes(data))
    os.utime(ledger.path, ns=(ledger.mtime_ns, ledger.mtime_ns))
    with pytest.raises(BokslutError, match="en rads text står inte där bokföringsfilen hade den"):
        _read(ledger, at[:1], length[:1])
    with pytest.raises(BokslutError, match="står inte där"):
        _read(ledger, [ledger.size - 2], [5])


def test_row_texts_take_a_rows_own_text_or_read_it_from_its_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, at_a, len_a = _ledger(tmp_path / "a", FIELDS[:3])
    b, at_b, len_b = _ledger(tmp_path / "b", FIELDS[2:6], "cp437")
    rows = [
        (1, "egen text", None, None),
        (2, None, at_b[1], len_b[1]),
        (1, None, at_a[0], len_a[0]),
        (3, None, None, None),
        (2, None, at_b[0], len_b[0]),
        (1, None, at_a[1], len_a[1]),
    ]
    assert texts.row_texts({1: a, 2: b}, rows) == ["egen text", 'bare\\"x', "Hyra", None, 'ränta "lån"', None]
