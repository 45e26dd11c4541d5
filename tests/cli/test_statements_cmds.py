"""`bokslut tables` and `bokslut check` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lystkom-2023"


def bokslut(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bokslut", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def lystkom(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "lystkom"
    root.mkdir()
    shutil.copy(EXAMPLE / "bokslut.toml", root / "bokslut.toml")
    shutil.copytree(EXAMPLE / "data" / "ledger", root / "data" / "ledger")
    shutil.copytree(EXAMPLE / "data" / "budget", root / "data" / "budget")
    return root


def test_text_table_is_aligned_swedish(lystkom):
    r = bokslut("tables", str(lystkom), "--tabell", "resultatrakning")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Resultaträkning (tkr)"
    row = next(x for x in lines if x.startswith("Verksamhetens intäkter"))
    assert row.endswith("43 901   40 360")  # grouped thousands, right-aligned columns
    assert "Not" in lines[1]


def test_json_is_the_documented_format(lystkom):
    r = bokslut("tables", str(lystkom), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    rr = next(t for t in data["tables"] if t["id"] == "resultatrakning")
    assert rr["unit"] == "tkr" and rr["columns"][0] == {"id": "utfall", "label": "2023"}
    row = next(x for x in rr["rows"] if x["id"] == "arets_resultat")
    assert row["kind"] == "total" and row["values"]["utfall"] == 1376000 and row["display"]["utfall"] == 1376
    intakter = next(x for x in rr["rows"] if x["id"] == "verksamhetens_intakter")
    assert intakter["note"] == "not_verksamhetens_intakter"
    note = next(t for t in data["tables"] if t["id"] == "not_verksamhetens_intakter")
    assert note["note"] == 1
    assert data["values"]["arets_resultat"] == 1376000


def test_csv_and_unknown_table(lystkom):
    r = bokslut("tables", str(lystkom), "--tabell", "balanskravsutredning", "--csv")
    assert r.returncode == 0
    assert r.stdout.splitlines()[0] == "tabell;rad;etikett;typ;not;ar_2023;ar_2022;ar_2021"
    r = bokslut("tables", str(lystkom), "--tabell", "finns_inte")
    assert r.returncode == 2 and "ingen tabell med id 'finns_inte'" in r.stderr


def test_check_passes_on_a_finished_example(tmp_path):
    root = tmp_path / "sydnarke"
    shutil.copytree(
        EXAMPLE.parent / "sydnarke-2020", root, ignore=shutil.ignore_patterns(".bokslut", "build")
    )
    r = bokslut("check", str(root))
    assert r.returncode == 0, r.stderr
    assert r.stderr == "bokslut check: inga anmärkningar\n"


def test_check_names_what_a_half_made_workspace_lacks(lystkom):
    r = bokslut("check", str(lystkom), "--json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["ok"] is False
    missing = next(f for f in data["findings"] if f["code"] == "kapitel-saknas")
    assert missing["level"] == "error" and missing["file"] == "text"
    assert "text/ saknar kapitelfiler" in missing["message"]


def test_check_fails_on_broken_data(lystkom, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(lystkom, broken, ignore=shutil.ignore_patterns(".bokslut"))
    toml = (broken / "bokslut.toml").read_text(encoding="utf-8")
    (broken / "bokslut.toml").write_text(toml + '\n[kontoplan.rad]\n"8520" = "okand"\n', encoding="utf-8")
    r = bokslut("check", str(broken), "--json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["ok"] is False
    assert any(f["code"] == "konto-okand-rad" and "8520" in f["message"] for f in data["findings"])
