"""`bokslut mal` as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def bokslut(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bokslut", *args], capture_output=True, text=True, timeout=120
    )


def test_mall_writes_an_empty_template_and_refuses_to_overwrite(tmp_path: Path):
    r = bokslut("mal", "mall", str(tmp_path))
    assert r.returncode == 0, r.stderr
    wb = load_workbook(tmp_path / "mal.xlsx")
    assert wb.sheetnames == [
        "Instruktioner",
        "Inställningar",
        "Målområden",
        "Mål",
        "Indikatorer",
        "Utfall",
    ]
    assert [c.value for c in wb["Indikatorer"][1]][:5] == ["id", "mal", "namn", "enhet", "riktning"]
    again = bokslut("mal", "mall", str(tmp_path))
    assert again.returncode == 1 and "finns redan" in again.stderr
    r = bokslut("mal", "mall", str(tmp_path / "beslut.xlsx"), "--beslut")
    assert r.returncode == 0 and load_workbook(tmp_path / "beslut.xlsx").sheetnames == ["Beslut"]


def test_mall_can_be_filled_from_yaml(tmp_path: Path):
    source = EXAMPLES / "sydnarke-2020" / "data" / "mal.yaml"
    r = bokslut("mal", "mall", str(tmp_path / "mal.xlsx"), "--fran", str(source))
    assert r.returncode == 0, r.stderr
    wb = load_workbook(tmp_path / "mal.xlsx")
    goals = [row[3] for row in wb["Mål"].iter_rows(min_row=2, values_only=True)]
    assert "Ge god service och IT-drift av hög kvalitet" in goals


def test_visa_prints_tables_and_findings_as_json(tmp_path: Path):
    ws = tmp_path / "ws"
    assert (
        bokslut(
            "new",
            str(ws),
            "--org",
            "Sydnärkes IT-nämnd",
            "--orgtyp",
            "gemensam-namnd",
            "--ar",
            "2020",
        ).returncode
        == 0
    )
    for name in ("mal.yaml", "beslut.yaml"):
        (ws / "data" / name).write_text(
            (EXAMPLES / "sydnarke-2020" / "data" / name).read_text("utf-8"), "utf-8"
        )
    r = bokslut("mal", "visa", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [t["id"] for t in data["tables"]] == ["mal_hierarki_1", "politiska_beslut"]
    assert data["values"]["beslut_antal"] == "6"
    # A bad status is an error: exit code 1, the finding on stderr with file and line.
    text = (ws / "data" / "beslut.yaml").read_text("utf-8").replace("status: pågår", "status: klar", 1)
    (ws / "data" / "beslut.yaml").write_text(text, "utf-8")
    r = bokslut("mal", "visa", str(ws))
    assert r.returncode == 1
    assert "data/beslut.yaml:8 (beslut[0].status)" in r.stderr and "okänd status 'klar'" in r.stderr
