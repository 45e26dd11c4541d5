"""The store checks itself: a damaged or partly deleted cache is rebuilt with a notice, never trusted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tests.ledger.sie_texts import small

from bokslut.ledger.importer import import_files
from bokslut.ledger.rowfiles import rows_dir
from bokslut.workspace.config import OrgTyp
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
