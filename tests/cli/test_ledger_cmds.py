"""The ledger commands as a user runs them: exit codes, Swedish messages, JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import sie_sample

HEAD = (
    '#FLAGGA 0\n#SIETYP 4\n#PROGRAM "T" 1\n#RAR 0 20230101 20231231\n'
    '#KONTO 1930 "Bank"\n#KONTO 3010 "Avgift"\n'
)
GOOD = HEAD + '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {1 "81141"} 5\n#TRANS 3010 {1 "81141"} -5\n}\n'


def bokslut(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bokslut", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def ws(tmp_path):
    r = bokslut(
        "new",
        str(tmp_path / "ws"),
        "--org",
        "Lystkom",
        "--orgtyp",
        "kommunalforbund",
        "--ar",
        "2023",
    )
    assert r.returncode == 0, r.stderr
    return tmp_path / "ws"


def test_new_import_saldon(ws, sie_file):
    r = bokslut("import", str(ws), str(sie_file(GOOD)))
    assert r.returncode == 0, r.stderr
    assert "data/ledger/2023.se: importerad" in r.stdout
    r = bokslut("saldon", str(ws))
    assert r.returncode == 0 and "Saldolista 2023" in r.stdout and "1930" in r.stdout
    data = json.loads(
        bokslut("saldon", str(ws), "--json", "--objekt", "1:81141", "--konto", "3000-3999").stdout
    )
    assert data["rows"] == [
        {"account": "3010", "name": "Avgift", "opening": 0, "movement": -5, "closing": -5}
    ]
    csv_out = bokslut("saldon", str(ws), "--csv").stdout.splitlines()
    assert csv_out[0] == "konto;namn;ingående balans;årets rörelse;utgående balans"
    assert "1930;Bank;0,00;5,00;5,00" in csv_out


@pytest.mark.parametrize(
    "text, message",
    [
        (HEAD + '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} 5\n', "avkortad"),
        (HEAD + "#TRANS 1930 {} 5\n", "utanför en verifikation"),
        (HEAD + '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {1 "2" 5\n}\n', "stängs aldrig"),
        (HEAD + '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} tio\n}\n', "inget belopp"),
        (
            HEAD + '#VER A 1 20230105 "x"\n{\n#TRANS 1930 {} 5\n#TRANS 3010 {} -4\n}\n',
            "balanserar inte",
        ),
        ('#FLAGGA 0\n#KSUMMA\n#KONTO 1915 "Kassa"\n#KSUMMA 1\n', "kontrollsumman stämmer inte"),
        ("", "filen är tom"),
    ],
)
def test_bad_files_exit_1_with_file_line_and_write_nothing(ws, sie_file, text, message):
    path = sie_file(text)
    r = bokslut("import", str(ws), str(path))
    assert r.returncode == 1
    assert message in r.stderr and str(path) + ":" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert list((ws / "data/ledger").iterdir()) == []


def test_binary_and_sie5_files(ws, tmp_path):
    binary = tmp_path / "bild.se"
    binary.write_bytes(bytes(range(256)) * 4)
    r = bokslut("import", str(ws), str(binary))
    assert r.returncode == 1 and "binära data" in r.stderr
    r = bokslut("import", str(ws), str(sie_sample("17_")))
    assert r.returncode == 1 and "SIE 5" in r.stderr and "inte stöds ännu" in r.stderr


def test_inspect_text_and_json():
    path = sie_sample("01_")
    r = bokslut("inspect", str(path))
    assert r.returncode == 0
    assert "BL Administration 2011.2.102" in r.stdout and "Verifikationer: 84" in r.stdout
    data = json.loads(bokslut("inspect", str(path), "--json").stdout)
    assert data["counts"]["#VER"] == 84 and data["counts"]["#TRANS"] == 405
    assert data["sietyp"] == "4E" and data["encoding"] == "cp437"
    assert all(set(f) >= {"level", "line", "message"} for f in data["findings"])
    assert {c["result"] for c in data["checks"]} <= {"ok", "warning", "error"}


def test_inspect_bad_file_exits_1(sie_file):
    r = bokslut("inspect", str(sie_file(HEAD + "#TRANS 1930 {} 5\n")), "--json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["findings"][0]["level"] == "error" and data["findings"][0]["line"] == 7


def test_inspect_dev_zero_is_refused_at_once():
    # /dev/zero never ends: a reader that tried would run until the kernel stopped it.
    r = subprocess.run(
        [sys.executable, "-m", "bokslut", "inspect", "/dev/zero"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 1
    assert "/dev/zero: fel: är ingen vanlig fil" in r.stderr
    assert "Traceback" not in r.stderr


def test_inspect_refuses_a_file_beyond_the_size_limit(tmp_path):
    huge = tmp_path / "huge.se"
    with huge.open("wb") as f:
        f.truncate(2**31)  # sparse: the size is there, the bytes are not
    r = bokslut("inspect", str(huge), "--json")
    assert r.returncode == 1
    (finding,) = json.loads(r.stdout)["findings"]
    assert finding["message"] == "filen är 2,1 GB, större än de 2,0 GB som läses"


def test_the_workspace_sie_limit_refuses_a_larger_file_and_says_which_setting_to_raise(ws, sie_file):
    vouchers = "".join(
        f'#VER A {n} 20230105 "x"\n{{\n#TRANS 1930 {{}} 5\n#TRANS 3010 {{}} -5\n}}\n' for n in range(1, 20001)
    )
    big = sie_file(HEAD + vouchers)
    assert 1024 * 1024 < big.stat().st_size < 1.5 * 1024 * 1024
    config = ws / "bokslut.toml"
    settings = config.read_text(encoding="utf-8")
    config.write_text(settings + "\n[granser]\nsie_mb = 1\n", encoding="utf-8")
    r = bokslut("import", str(ws), str(big))
    assert r.returncode == 1
    assert (
        f"{big}: fel: filen är 1,2 MB, större än gränsen 1 MB "
        "(höj den med [granser] sie_mb i bokslut.toml om filen är rätt)"
    ) in r.stderr
    assert "inget importerades" in r.stderr
    assert list((ws / "data" / "ledger").iterdir()) == []
    # Raised, the same file is imported.
    config.write_text(settings + "\n[granser]\nsie_mb = 2\n", encoding="utf-8")
    r = bokslut("import", str(ws), str(big))
    assert r.returncode == 0, r.stderr
    assert "data/ledger/2023.se: importerad" in r.stdout
    assert "1930;Bank;0,00;100000,00;100000,00" in bokslut("saldon", str(ws), "--csv").stdout
    # The file in data/ledger is held to the same limit when the cache is built again.
    config.write_text(settings + "\n[granser]\nsie_mb = 1\n", encoding="utf-8")
    shutil.rmtree(ws / ".bokslut")
    r = bokslut("saldon", str(ws))
    assert r.returncode == 1
    assert "data/ledger/2023.se: filen i data/ledger går inte att läsa in" in r.stderr
    assert "större än gränsen 1 MB (höj den med [granser] sie_mb i bokslut.toml" in r.stderr
    assert "Traceback" not in r.stderr


def test_inspect_shows_no_control_character_from_the_file(sie_file):
    r = bokslut(
        "inspect", str(sie_file(HEAD + '#KONTO\x1b]0;x\x07 1 "y"\n#FNAMN "A\u009b2J"\n', encoding="utf-8"))
    )
    assert "\x1b" not in r.stdout + r.stderr and "\x9b" not in r.stdout + r.stderr
    assert "#KONTO\\x1b]0;X\\x07: styrtecken på raden" in r.stderr
    assert "Organisation:   A\\x9b2J" in r.stdout


def test_usage_errors_exit_2_in_swedish(ws):
    r = bokslut("saldon")
    assert r.returncode == 2 and "saknar" in r.stderr
    r = bokslut("saldon", str(ws), "--nej")
    assert r.returncode == 2 and "okänd flagga" in r.stderr
    r = bokslut("new", "x", "--org", "A", "--orgtyp", "bolag", "--ar", "2023")
    assert r.returncode == 2 and "ogiltigt värde" in r.stderr


def test_wrong_workspace_and_year_are_clear(ws, tmp_path):
    r = bokslut("saldon", str(tmp_path))
    assert r.returncode == 1 and "ingen bokslut.toml" in r.stderr
    r = bokslut("saldon", str(ws), "--ar", "1999")
    assert r.returncode == 1 and "ingen huvudbok" in r.stderr


def test_bad_config_names_file_and_line(ws):
    cfg = ws / "bokslut.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace("ar = 2023", 'ar = "tjugotjugotre"\nfarg = 1'),
        encoding="utf-8",
    )
    r = bokslut("saldon", str(ws))
    assert r.returncode == 1
    assert "bokslut.toml:9" in r.stderr and "rapport.ar ska vara ett heltal" in r.stderr
    assert "bokslut.toml:10" in r.stderr and "rapport.farg är ingen känd inställning" in r.stderr
