"""The store checks itself: a damaged or partly deleted cache is rebuilt with a notice, never trusted."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from tests.ledger.sie_texts import small

from bokslut.ledger.importer import import_files
from bokslut.ledger.rowfiles import check_of, is_intact, rows_dir
from bokslut.ledger.store import open_store
from bokslut.money import format_ore
from bokslut.workspace.config import OrgTyp
from bokslut.workspace.layout import Layout
from bokslut.workspace.new import create_workspace


@pytest.fixture
def ws(tmp_path, sie_file):
    layout = create_workspace(tmp_path / "ws", "Testkommunen", OrgTyp.KOMMUN, 2023)
    import_files(layout, [sie_file(small())])
    return layout


def saldon(ws) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bokslut", "saldon", str(ws.root), "--konto", "3010"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def newest_generation(ws):
    return max(ws.cache.glob("ledger-*.duckdb"), key=lambda p: int(p.stem.split("-")[1]))


def rows_files(ws):
    return sorted(rows_dir(ws).glob("*.parquet"))


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def zero(path):
    path.write_bytes(b"")


def random_bytes(path):
    path.write_bytes(os.urandom(path.stat().st_size))


def damage_footer(path):
    data = bytearray(path.read_bytes())
    data[-40:-8] = b"\xff" * 32
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [os.remove, truncate, zero, random_bytes, damage_footer])
def test_a_damaged_or_missing_rows_file_is_rebuilt_never_read_as_zero(ws, damage):
    for path in rows_files(ws):
        damage(path)
    r = saldon(ws)
    assert r.returncode == 0, r.stderr
    assert "3010   Avgifter             0,00         −50,00           −50,00" in r.stdout
    notice = "data/ledger/2023.se: notis: cachens radfiler (.bokslut/rows) saknades eller var skadade"
    assert notice in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("damage", [truncate, zero, random_bytes])
def test_a_damaged_database_is_rebuilt_from_data(ws, damage):
    damage(newest_generation(ws))
    r = saldon(ws)
    assert r.returncode == 0, r.stderr
    assert "−50,00" in r.stdout
    assert "notis: huvudbokens lager i .bokslut var skadat och byggs om från data/ledger" in r.stderr
    assert "Traceback" not in r.stderr
    again = saldon(ws)
    assert (again.stdout, again.stderr) == (r.stdout, "")  # rebuilt once, then trusted


def test_an_intact_cache_is_read_as_it_is(ws):
    before = {p.name: p.stat().st_mtime_ns for p in [*rows_files(ws), newest_generation(ws)]}
    r = saldon(ws)
    assert (r.returncode, r.stderr) == (0, "")
    assert {p.name: p.stat().st_mtime_ns for p in [*rows_files(ws), newest_generation(ws)]} == before


# A ledger large enough that a rows file has a middle: the fees are many small amounts and one
# large one, whose bytes in the rows file lie beyond the first and last 64 KiB.
FEES = 16000
LARGE = 123_456_789  # öre


def fee_ledger(large: int = LARGE) -> str:
    fees = [100 * (10 + i % 90) for i in range(FEES)]
    fees[FEES // 2] = large
    vouchers = "".join(
        f'#VER A {i + 1} 2023{1 + i % 12:02d}05 "Avgift {i}"\n{{\n'
        f"#TRANS 1930 {{}} {ore // 100}.{ore % 100:02d}\n#TRANS 3010 {{}} -{ore // 100}.{ore % 100:02d}\n}}\n"
        for i, ore in enumerate(fees)
    )
    total = sum(fees)
    return (
        '#FLAGGA 0\n#SIETYP 4\n#PROGRAM "Test" 1\n#RAR 0 20230101 20231231\n'
        '#KONTO 1930 "Bank"\n#KONTO 3010 "Avgifter"\n'
        f"#UB 0 1930 {total // 100}.{total % 100:02d}\n#RES 0 3010 -{total // 100}.{total % 100:02d}\n"
        + vouchers
    )


FEES_TOTAL = sum(100 * (10 + i % 90) for i in range(FEES)) - 100 * (10 + (FEES // 2) % 90) + LARGE
NOTICE = (
    "data/ledger/2023.se: notis: cachens radfiler (.bokslut/rows) saknades eller var skadade och byggs om"
)


@pytest.fixture
def fees_ws(tmp_path, sie_file):
    layout = create_workspace(tmp_path / "fees", "Testkommunen", OrgTyp.KOMMUN, 2023)
    import_files(layout, [sie_file(fee_ledger(), "fees.se")])
    return layout


def shown_3010(r: subprocess.CompletedProcess[str]) -> str:
    """The movement saldon shows for account 3010."""
    (line,) = [line for line in r.stdout.splitlines() if line.startswith("3010")]
    return re.split(r" {2,}", line.strip())[-2]  # columns apart by spaces, digits grouped by NBSP


def amount_bytes(ore: int) -> bytes:
    return ore.to_bytes(8, "little", signed=True)  # Parquet's plain int64


def rows_parquet(ws) -> Path:
    (path,) = rows_dir(ws).glob("*.rows.parquet")
    return path


def change_in_the_middle(path: Path, old: bytes, new: bytes) -> None:
    """Overwrite ``old`` (found once, beyond both 64 KiB edges) in place, then set the
    modification time back, as a tool that covers its tracks would."""
    time.sleep(0.05)  # ctime moves in clock ticks of a few ms: the write must come in a later one
    data = path.read_bytes()
    assert data.count(old) == 1
    at = data.index(old)
    assert at >= 64 * 1024 and at + len(old) <= len(data) - 64 * 1024, "the test needs a middle"
    st = path.stat()
    with path.open("r+b") as f:
        f.seek(at)
        f.write(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def test_an_amount_changed_in_the_middle_with_its_mtime_set_back_is_found_on_the_next_open(fees_ws):
    assert shown_3010(saldon(fees_ws)) == format_ore(-FEES_TOTAL)
    change_in_the_middle(rows_parquet(fees_ws), amount_bytes(-LARGE), amount_bytes(-987_654_321))
    r = saldon(fees_ws)
    assert r.returncode == 0, r.stderr
    assert shown_3010(r) == format_ore(-FEES_TOTAL)
    assert r.stderr == NOTICE + "\n"  # said once
    again = saldon(fees_ws)
    assert (shown_3010(again), again.stderr) == (format_ore(-FEES_TOTAL), "")  # rebuilt once, then trusted


def test_the_full_check_reads_every_byte_the_status_check_cannot_see(fees_ws):
    # Bit rot: the bytes change below the kernel, so size, times, inode and both edges stay
    # as recorded; only reading the whole file finds it.
    path = rows_parquet(fees_ws)
    written = check_of(path)
    assert is_intact(fees_ws, written, full=True)
    change_in_the_middle(path, amount_bytes(-LARGE), amount_bytes(-987_654_321))
    rotted = dataclasses.replace(written, ctime_ns=path.stat().st_ctime_ns)
    assert is_intact(fees_ws, rotted)
    assert not is_intact(fees_ws, rotted, full=True)
    assert not is_intact(fees_ws, written)  # the write itself moved ctime


def test_a_permission_change_is_no_damage_the_cache_is_read_as_it_is(fees_ws):
    assert shown_3010(saldon(fees_ws)) == format_ore(-FEES_TOTAL)
    before = {p.name: p.stat().st_ctime_ns for p in rows_files(fees_ws)}
    for p in rows_files(fees_ws):
        p.chmod(0o444)  # a workspace made read-only to archive it
    assert all(p.stat().st_ctime_ns != before[p.name] for p in rows_files(fees_ws))
    r = saldon(fees_ws)
    assert (r.returncode, r.stderr) == (0, "")
    assert shown_3010(r) == format_ore(-FEES_TOTAL)
    assert {p.name for p in rows_files(fees_ws)} == set(before)  # not rebuilt


def copied_notice(ws) -> str:
    return (
        f"notis: {ws.cache}: cachen byggdes på en annan plats (arbetsytan är kopierad) och byggs om "
        "från data/ledger\n"
    )


def test_a_copied_workspace_rebuilds_its_cache_and_shows_the_ledger(fees_ws, tmp_path):
    copy = type(fees_ws)(tmp_path / "kopia")
    shutil.copytree(fees_ws.root, copy.root, copy_function=shutil.copy2, symlinks=True)
    copied = {p.name: p.stat().st_mtime_ns for p in rows_files(copy)}
    assert copied == {p.name: p.stat().st_mtime_ns for p in rows_files(fees_ws)}  # times preserved
    r = saldon(copy)
    assert r.returncode == 0, r.stderr
    assert shown_3010(r) == format_ore(-FEES_TOTAL)
    assert r.stderr == copied_notice(copy)
    assert not set(copied) & {p.name for p in rows_files(copy)}  # every rows file is new
    again = saldon(copy)
    assert (shown_3010(again), again.stderr) == (format_ore(-FEES_TOTAL), "")


def test_a_copy_that_does_not_keep_the_times_is_named_a_copy_too(fees_ws, tmp_path):
    # cp -r and most unzip tools give every file a new modification time.
    copy = type(fees_ws)(tmp_path / "kopia")
    shutil.copytree(fees_ws.root, copy.root, copy_function=shutil.copyfile, symlinks=True)
    assert {p.stat().st_mtime_ns for p in rows_files(copy)}.isdisjoint(
        p.stat().st_mtime_ns for p in rows_files(fees_ws)
    )
    r = saldon(copy)
    assert r.returncode == 0, r.stderr
    assert shown_3010(r) == format_ore(-FEES_TOTAL)
    assert r.stderr == copied_notice(copy)


def test_a_copied_workspace_whose_rows_file_was_crafted_shows_the_ledger(fees_ws, tmp_path):
    # The sender rewrites an amount in the rows file, keeps its size and sets its mtime
    # back; the workspace is then copied (a zip, a share) with its cache.
    change_in_the_middle(rows_parquet(fees_ws), amount_bytes(-LARGE), amount_bytes(-987_654_321))
    copy = type(fees_ws)(tmp_path / "mottagen")
    shutil.copytree(fees_ws.root, copy.root, copy_function=shutil.copy2, symlinks=True)
    r = saldon(copy)
    assert r.returncode == 0, r.stderr
    assert shown_3010(r) == format_ore(-FEES_TOTAL)
    assert r.stderr == copied_notice(copy)


def test_a_store_of_an_older_version_is_rebuilt_in_silence(fees_ws):
    con = duckdb.connect(str(newest_generation(fees_ws)))
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    con.execute("ALTER TABLE rows_check DROP COLUMN crc32")
    con.close()
    old = {p.name for p in rows_files(fees_ws)}
    r = saldon(fees_ws)
    assert (r.returncode, r.stderr) == (0, "")
    assert shown_3010(r) == format_ore(-FEES_TOTAL)
    assert not old & {p.name for p in rows_files(fees_ws)}  # rows files of new names, none reused


def test_a_file_in_data_ledger_changed_under_the_same_size_and_mtime_is_read_again_by_the_full_check(fees_ws):
    ledger = fees_ws.ledger_dir / "2023.se"
    st = ledger.stat()
    other = fee_ledger(large=223_456_789).encode("cp437")
    assert len(other) == st.st_size
    ledger.write_bytes(other)
    os.utime(ledger, ns=(st.st_atime_ns, st.st_mtime_ns))
    with open_store(fees_ws, verify="full") as store:
        (total,) = store.con.execute(
            "SELECT sum(amount) FROM \"transaction\" WHERE account = '3010'"
        ).fetchone()
        shown = [(f.file, f.message) for f in store.findings]
    assert total == -(FEES_TOTAL - LARGE + 223_456_789)
    assert shown == [
        (
            "data/ledger/2023.se",
            "filen har ändrats fast storleken och ändringstiden är desamma; den läses in på nytt",
        )
    ]


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lystkom-2023"


def bokslut(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bokslut", *args], capture_output=True, text=True, timeout=300
    )


def rot(ws, name: str, old: bytes, new: bytes) -> None:
    """Bit rot in the rows file ``name``: its bytes change below the kernel, so everything the
    check on every open compares (size, times, inode, both edges) stays as recorded."""
    path = rows_dir(ws) / name
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))  # in place: the same inode
    written = check_of(path)
    con = duckdb.connect(str(newest_generation(ws)))
    con.execute(
        "UPDATE rows_check SET mtime_ns = ?, ctime_ns = ?, digest = ? WHERE name = ?",
        [written.mtime_ns, written.ctime_ns, written.digest, name],
    )
    con.close()


def test_a_build_reads_every_byte_and_publishes_the_ledger_not_a_rotted_cache(tmp_path):
    root = tmp_path / "lystkom"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    clean = bokslut("build", str(root), "--format", "json", "--quiet")
    assert clean.returncode == 0, clean.stderr
    (report,) = (root / "build").glob("*.json")
    published = report.read_bytes()
    ws = Layout(root)
    with open_store(ws) as store:
        # saldon reads the file's year sums (bokslut.ledger.sums), a build checks them like the rows.
        name, account, amount = store.con.execute(
            "SELECT c.name, s.account, s.debit FROM ledger_year_sums s "
            "JOIN source_file f USING (file_id) JOIN rows_check c USING (file_id) "
            "WHERE f.path = 'data/ledger/2023.se' AND c.name LIKE '%.sums-%-year.parquet' "
            "AND s.debit > 1000000 QUALIFY count(*) OVER (PARTITION BY s.debit) = 1 "
            "ORDER BY s.debit LIMIT 1"
        ).fetchone()
    before = bokslut("saldon", str(root), "--konto", account)
    rot(ws, name, amount_bytes(amount), amount_bytes(amount + 100_000_00))
    fooled = bokslut("saldon", str(root), "--konto", account)
    assert fooled.stdout != before.stdout  # the check on every open cannot see bit rot
    built = bokslut("build", str(root), "--format", "json", "--quiet")
    assert built.returncode == 0, built.stderr
    assert NOTICE in built.stderr
    assert report.read_bytes() == published
    assert bokslut("saldon", str(root), "--konto", account).stdout == before.stdout  # rebuilt from data/


def test_the_full_check_reads_a_ledger_file_again_only_after_a_write(fees_ws, monkeypatch):
    from bokslut.ledger import filehash

    read: list[str] = []
    real = filehash.of_file
    monkeypatch.setattr(filehash, "of_file", lambda p: read.append(p.name) or real(p))
    for _ in range(2):
        with open_store(fees_ws, verify="full"):
            pass
    assert read == ["2023.se"]  # read once, then remembered by its inode and status-change time
    ledger = fees_ws.ledger_dir / "2023.se"
    st = ledger.stat()
    other = fee_ledger(large=223_456_789).encode("cp437")
    assert len(other) == st.st_size
    ledger.write_bytes(other)
    os.utime(ledger, ns=(st.st_atime_ns, st.st_mtime_ns))
    with open_store(fees_ws, verify="full") as store:
        (total,) = store.con.execute(
            "SELECT sum(amount) FROM \"transaction\" WHERE account = '3010'"
        ).fetchone()
    assert total == -(FEES_TOTAL - LARGE + 223_456_789)
