"""`bokslut harled` as a user runs it: a figure, its accounts, an account's vouchers, as text and JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
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


def test_an_rr_cell_prints_its_accounts_in_swedish(lystkom):
    r = bokslut("harled", str(lystkom), "resultatrakning", "verksamhetens_kostnader", "utfall")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Resultaträkning › Verksamhetens kostnader › 2023"
    assert "visat -31 822 tkr  exakt -31 822 400,00 kr" in lines[1]
    lokal = next(x for x in lines if x.strip().startswith("6010"))
    assert lokal.endswith("rörelse 1 600 000,00  → -1 600 000,00")
    assert lines[-1].strip() == "Summa konton: -31 822 400,00 kr"


def test_json_breakdown_total_equals_the_cell_and_the_tables_shown_value(lystkom):
    r = bokslut("harled", str(lystkom), "resultatrakning", "verksamhetens_kostnader", "utfall", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout, parse_float=Decimal)
    b = data["breakdown"]
    tables = json.loads(bokslut("tables", str(lystkom), "--json").stdout, parse_float=Decimal)
    rr = next(t for t in tables["tables"] if t["id"] == "resultatrakning")
    assert set(b) >= {"figure", "kind", "description", "total", "difference", "notes", "accounts"}
    assert b["kind"] == "huvudbok"
    assert b["figure"]["shown"] == -31822  # what `tables` shows for the cell
    assert str(-31822) in json.dumps(rr, default=str)
    assert b["total"] == b["figure"]["exact"] == Decimal("-31822400.00")
    assert sum(a["amount"] for a in b["accounts"]) == b["total"]
    assert b["difference"] == 0


def test_with_konto_the_vouchers_page_and_totals(lystkom):
    r = bokslut(
        "harled", str(lystkom), "resultatrakning", "verksamhetens_kostnader", "utfall", "--konto", "6010"
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Konto 6010 Lokalhyror i Verksamhetens kostnader" in out
    assert "Verifikationer 1–36 av 36 (sida 1 av 1; 36 rader):" in out
    assert "  I 1  2023-01-31  Leverantörsfaktura lokalhyror  data/ledger/2023.se:462  → -71 154,55" in out
    assert "      6010 1:81141  71 154,55  data/ledger/2023.se:464" in out
    assert "Summa alla verifikationer: -1 600 000,00" in out
    j = json.loads(
        bokslut(
            "harled",
            str(lystkom),
            "resultatrakning",
            "verksamhetens_kostnader",
            "utfall",
            "--konto",
            "6010",
            "--json",
        ).stdout,
        parse_float=Decimal,
    )
    (page,) = j["vouchers"]
    assert page["vouchers_total"] == 36 and page["total"] == Decimal("-1600000.00")
    assert sum(v["amount"] for v in page["vouchers"]) == page["total"]  # one page holds all 36
    assert page["vouchers"][0]["rows"][0]["place"] == {
        "file": "data/ledger/2023.se",
        "line": 464,
        "cell": None,
        "text": "data/ledger/2023.se:464",
    }


def test_by_value_name(lystkom):
    r = bokslut("harled", str(lystkom), "--varde", "arets_resultat")
    assert r.returncode == 0, r.stderr
    assert (
        r.stdout.splitlines()[0] == "Värdet arets_resultat = cellen resultatrakning / arets_resultat / utfall"
    )
    assert "Summa av delarna: 1 376 000,00 kr" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["tabell_x", "r", "k"],
            "ogiltigt värde för TABELL: någon tabell med namnet 'tabell_x' finns inte (finns: ",
        ),
        (
            ["resultatrakning", "x", "utfall"],
            "ogiltigt värde för RAD: någon rad med namnet 'x' finns inte (finns: ",
        ),
        (
            ["resultatrakning", "arets_resultat", "y"],
            "någon kolumn med namnet 'y' finns inte (finns: utfall, utfall_fg)",
        ),
        (["--varde", "nej"], "ogiltigt värde för --varde: något värde med namnet 'nej' finns inte (finns: "),
        (["resultatrakning", "arets_resultat"], "ange TABELL RAD KOLUMN"),
        (
            ["resultatrakning", "verksamhetens_kostnader", "utfall", "--konto", "1930"],
            "kontot '1930' ingår inte",
        ),
        (["resultatrakning", "arets_resultat", "utfall", "--sida", "0"], "ogiltigt värde för --sida"),
    ],
)
def test_usage_errors_exit_2_in_swedish(lystkom, args, message):
    r = bokslut("harled", str(lystkom), *args)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("bokslut harled: ")
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_a_cash_flow_sale_prints_each_flow_with_its_accounts(tmp_path):
    example = EXAMPLE.parent / "exempelkommun-2024"
    root = tmp_path / "kommun"
    shutil.copytree(example, root, ignore=shutil.ignore_patterns("build", ".bokslut"))
    r = bokslut("harled", str(root), "kassaflodesanalys", "kf_fors_materiella", "utfall")
    assert r.returncode == 0, r.stderr
    lines = [x.strip() for x in r.stdout.splitlines()]
    assert "visat 4 800 tkr  exakt 4 800 000,00 kr" in lines[1]
    assert lines[2] == "summa av 3 slags flöden:"
    # The terms print no shown value of their own: they are not cells of the report.
    heads = [x for x in lines if x.startswith(("+ ", "− "))]
    assert heads == [
        "+ Rörelse med omvänt tecken [kf_fors_materiella, utfall]  exakt 47 100 000,00 kr",
        "+ Kredit med omvänt tecken [kf_fors_materiella, utfall]  exakt 12 000 000,00 kr",
        "+ Årets avskrivningar, avdragna [kf_fors_materiella, utfall]  exakt -54 300 000,00 kr",
    ]
    assert next(x for x in lines if x.startswith("1120 ")).endswith("rörelse -12 000 000,00  → 12 000 000,00")
    assert lines[-1] == "Summa av delarna: 4 800 000,00 kr"
    assert not any(x.startswith("OBS") for x in lines)
