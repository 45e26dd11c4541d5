"""The parsed key-figure files are kept in .bokslut/kpi/ and read again whenever anything they
depend on changes; a damaged entry, or one this user did not sign, never changes a figure."""

import json
import os
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from bokslut import cache_signing, kpi
from bokslut.kpi import cache

from .conftest import config
from .test_calls import CALLS
from .test_tickets import LEVELS, TICKETS

YEARLY = 'id,benamning,ar,varde,enhet\nnki_it,Lystkom IT,2023,"6,6",max 10\n'


def _all_files(workspace):
    workspace("arenden.csv", TICKETS)
    workspace("samtal.csv", CALLS)
    return workspace("nyckeltal.csv", YEARLY)


def test_figures_come_from_the_cache_once_the_files_are_read(workspace, monkeypatch):
    layout = _all_files(workspace)
    settings = config(servicenivaer_min=LEVELS)
    first = kpi.build_part(layout, settings, {})
    assert sorted(p.name for p in (layout.cache / "kpi").iterdir()) == [
        "arenden.bin",
        "nyckeltal.bin",
        "samtal.bin",
    ]

    def not_again(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    for reader in ("read_tickets", "read_calls", "read_yearly"):
        monkeypatch.setattr(kpi, reader, not_again)
    again = kpi.build_part(layout, settings, {})
    assert again.values == first.values
    assert again.values["arenden_andel_inom_serviceniva_akut_2023"] == Decimal(50)
    assert again.values["samtal_kundtjanst_inkommande_2023"] == 4
    assert again.values["nki_it_2023"] == Decimal("6.6")
    assert [t.rows for t in again.tables] == [t.rows for t in first.tables]
    assert again.findings == first.findings


def test_an_edited_file_is_read_again_even_with_the_same_size_and_time(workspace):
    layout = workspace("samtal.csv", CALLS)
    assert kpi.build_part(layout, config(), {}).values["samtal_kundtjanst_inkommande_2023"] == 4
    path = layout.kpi_dir / "samtal.csv"
    before = path.stat()
    # One call moves from Kundtjänst to a queue of the same length: same bytes count.
    moved = CALLS.replace("Kundtjänst,2023-01-02T08:00:00", "Kundtjänsx,2023-01-02T08:00:00")
    path.write_text(moved, "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    values = kpi.build_part(layout, config(), {}).values
    assert values["samtal_kundtjanst_inkommande_2023"] == 3
    assert values["samtal_kundtjansx_inkommande_2023"] == 1


def test_changed_settings_read_the_file_again(workspace):
    layout = workspace("arenden.csv", TICKETS)
    assert kpi.build_part(layout, config(servicenivaer_min=LEVELS), {}).values[
        "arenden_andel_inom_serviceniva_akut_2023"
    ] == Decimal(50)
    # 20 and 45 minutes to the first response: neither within 15.
    tight = {**LEVELS, "akut": 15}
    assert kpi.build_part(layout, config(servicenivaer_min=tight), {}).values[
        "arenden_andel_inom_serviceniva_akut_2023"
    ] == Decimal(0)


def test_a_changed_parser_is_a_new_key(monkeypatch):
    key = cache.entry_key("abc", kind="samtal")
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another version of bokslut")
    assert cache.entry_key("abc", kind="samtal") != key


def _parts(entry: Path) -> tuple[dict, bytearray]:
    data = entry.read_bytes()
    start = len(cache.MAGIC) + cache.MAC_LENGTH + 1
    end = data.index(b"\n", start)
    return json.loads(data[start:end]), bytearray(data[end + 1 :])


def _signed(header: dict, body: bytes, key: bytes) -> bytes:
    line = json.dumps(header).encode()
    return cache.MAGIC + cache_signing.sign(key, line, bytes(body)) + b"\n" + line + b"\n" + bytes(body)


def _with_priority_code(entry: Path, code: int, key: bytes) -> bytes:
    """The entry with the first ticket's priority code set to ``code``, signed with ``key``."""
    header, body = _parts(entry)
    offset = 0
    for name, dtype, length in header["arrays"]:
        if name == "priority":
            codes = np.frombuffer(body, dtype=dtype, count=length, offset=offset).copy()
            codes[0] = code
            body[offset : offset + codes.nbytes] = codes.tobytes()
        offset += np.dtype(dtype).itemsize * length
    return _signed(header, body, key)


def _own_key() -> bytes:
    key = cache_signing.signing_key()
    assert key is not None
    return key


DAMAGE = {
    "noise": lambda entry: os.urandom(300),
    "empty": lambda entry: b"",
    "cut short": lambda entry: entry.read_bytes()[:-100],
    "a flipped byte": lambda entry: entry.read_bytes()[:-5] + b"X" + entry.read_bytes()[-4:],
    "signed by this user, codes past the names": lambda entry: _with_priority_code(entry, 999, _own_key()),
    "signed by this user, object arrays": lambda entry: _signed(
        {**_parts(entry)[0], "arrays": [[n, "|O", k] for n, _, k in _parts(entry)[0]["arrays"]]},
        _parts(entry)[1],
        _own_key(),
    ),
    "another type in the header": lambda entry: entry.read_bytes().replace(b'"file":"', b'"file":["', 1),
    "signed by this user, another type in the header": lambda entry: _signed(
        {**_parts(entry)[0], "value": {**_parts(entry)[0]["value"], "file": ["x"]}},
        _parts(entry)[1],
        _own_key(),
    ),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_or_planted_entry_is_ignored_and_rewritten(workspace, damage):
    layout = workspace("arenden.csv", TICKETS)
    settings = config(servicenivaer_min=LEVELS)
    expected = kpi.build_part(layout, settings, {})
    entry = layout.cache / "kpi" / "arenden.bin"
    good = entry.read_bytes()
    entry.write_bytes(DAMAGE[damage](entry))
    part = kpi.build_part(layout, settings, {})
    assert part.values == expected.values
    assert part.values["arenden_it_antal_2023"] == 3
    assert [t.rows for t in part.tables] == [t.rows for t in expected.tables]
    assert entry.read_bytes() == good  # rewritten


def test_a_cache_that_cannot_be_written_only_costs_time(workspace):
    layout = workspace("samtal.csv", CALLS)
    layout.cache.mkdir()
    (layout.cache / "kpi").write_text("a file where the folder should be", "utf-8")
    for _ in range(2):
        assert kpi.build_part(layout, config(), {}).values["samtal_kundtjanst_inkommande_2023"] == 4


def test_an_entry_that_is_a_link_is_not_followed(workspace, tmp_path_factory):
    layout = workspace("samtal.csv", CALLS)
    expected = kpi.build_part(layout, config(), {}).values
    entry = layout.cache / "kpi" / "samtal.bin"
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "samtal.bin"
    elsewhere.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert kpi.build_part(layout, config(), {}).values == expected
    assert not entry.is_symlink()  # replaced by an entry of its own
    assert elsewhere.read_bytes() == entry.read_bytes()


def test_figures_brought_along_in_a_received_workspaces_cache_are_not_shown(workspace):
    """A sender can compute the key of the files they send, but cannot sign as the receiver."""
    layout = workspace("arenden.csv", TICKETS)
    settings = config(servicenivaer_min=LEVELS)
    expected = kpi.build_part(layout, settings, {}).values
    entry = layout.cache / "kpi" / "arenden.bin"
    # Every ticket counted as the third priority ("normal"): a different service level.
    header, _ = _parts(entry)
    names = header["value"]["names"]["priority"]
    crafted = _with_priority_code(entry, names.index("hög"), os.urandom(32))
    entry.write_bytes(crafted)
    assert kpi.build_part(layout, settings, {}).values == expected
    # The same entry signed with this user's key is used: the signature is what decides.
    entry.write_bytes(_with_priority_code(entry, names.index("hög"), _own_key()))
    assert kpi.build_part(layout, settings, {}).values != expected


def test_without_a_signing_key_nothing_is_kept(workspace, monkeypatch):
    monkeypatch.setattr(cache, "signing_key", lambda: None)
    layout = workspace("samtal.csv", CALLS)
    assert kpi.build_part(layout, config(), {}).values["samtal_kundtjanst_inkommande_2023"] == 4
    assert not (layout.cache / "kpi").exists()
