"""`bokslut anvandare` and `bokslut serve` as an administrator runs them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lystkom-2023"


def bokslut(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bokslut", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        env={**os.environ, **env},
    )


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(EXAMPLE / "bokslut.toml", root / "bokslut.toml")
    shutil.copytree(EXAMPLE / "text", root / "text")
    return root


def test_add_list_and_remove_users(ws):
    r = bokslut(
        "anvandare",
        "lagg-till",
        str(ws),
        "ada",
        "--namn",
        "Ada Admin",
        "--roll",
        "administratör",
        "--losenord-stdin",
        stdin="ett-langt-losenord\n",
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "Lade till ada (administratör)"
    r = bokslut(
        "anvandare",
        "lagg-till",
        str(ws),
        "sam",
        "--skribent",
        "03-finansiella-rapporter",
        "--godkannare",
        "04-noter",
        "--losenord-stdin",
        stdin="ett-annat-losenord\n",
    )
    assert r.returncode == 0, r.stderr
    listed = bokslut("anvandare", "lista", str(ws))
    assert listed.stdout.splitlines() == [
        "ada\tAda Admin\tadministratör",
        "sam\tsam\tmedarbetare\t03-finansiella-rapporter (skribent), 04-noter (godkännare)",
    ]
    assert (ws / ".bokslut-webb" / "webb.sqlite").is_file()
    assert bokslut("anvandare", "ta-bort", str(ws), "sam").returncode == 0
    gone = bokslut("anvandare", "ta-bort", str(ws), "sam")
    assert gone.returncode == 1 and gone.stderr.strip() == "fel: användaren 'sam' finns inte"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--losenord-stdin"], "kort\n", "fel: lösenordet måste ha minst 10 tecken"),
        (
            ["--skribent", "../bokslut", "--losenord-stdin"],
            "ett-langt-losenord\n",
            "fel: avsnittet '../bokslut' finns inte (en fil text/../bokslut.md)",
        ),
    ],
)
def test_bad_users_are_refused_in_swedish(ws, args, stdin, message):
    r = bokslut("anvandare", "lagg-till", str(ws), "bo", *args, stdin=stdin)
    assert r.returncode == 1 and r.stderr.strip() == message
    assert bokslut("anvandare", "lista", str(ws)).stdout == ""


def test_a_postgresql_url_that_cannot_be_reached_is_an_error_not_a_traceback(ws):
    r = bokslut("anvandare", "lista", str(ws), "--databas", "mysql://x@y/z")
    assert r.returncode == 1
    assert "databasen 'mysql://x@y/z' känns inte igen" in r.stderr and "Traceback" not in r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_with_the_swedish_log_in_page(ws):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bokslut", "serve", str(ws), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/logga-in", timeout=5) as resp:
                    body = resp.read().decode("utf-8")
                    csp = resp.headers["content-security-policy"]
                break
            except OSError:
                time.sleep(0.2)
        assert "<h1>Logga in</h1>" in body and 'lang="sv"' in body
        assert "default-src 'self'" in csp
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Det finns inga användare ännu: lägg till en med 'bokslut anvandare lagg-till" in err
    # The key that signs the cookies is kept, readable by its owner only.
    assert (ws / ".bokslut-webb" / "hemlighet").stat().st_mode & 0o077 == 0


def test_serve_runs_every_process_with_nagle_off(ws, monkeypatch):
    import uvicorn
    from click.testing import CliRunner

    from bokslut.cli import app
    from bokslut.cli.web_cmds import _ENV_DATABASE, _ENV_HTTP, _ENV_WORKSPACE
    from bokslut.web.http_protocol import NoDelayH11Protocol

    for name in (_ENV_WORKSPACE, _ENV_DATABASE, _ENV_HTTP):
        monkeypatch.setenv(name, "")  # serve sets them for its processes; restored afterwards
    ran: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: ran.update(kwargs, app=app))
    r = CliRunner().invoke(app, ["serve", str(ws), "--processer", "2"])
    assert r.exit_code == 0, r.output
    # With two processes uvicorn binds the socket itself, and only this protocol turns Nagle off.
    assert ran["workers"] == 2 and ran["http"] is NoDelayH11Protocol


def test_a_new_password_replaces_the_old_one(ws):
    bokslut("anvandare", "lagg-till", str(ws), "ada", "--losenord-stdin", stdin="det-forsta-losenordet\n")
    r = bokslut("anvandare", "losenord", str(ws), "ada", "--losenord-stdin", stdin="det-andra-losenordet\n")
    assert r.returncode == 0 and r.stderr.strip() == "Bytte lösenord för ada"
    from bokslut.web.auth import verify_password
    from bokslut.web.db import open_db
    from bokslut.workspace.layout import Layout

    db = open_db(Layout(ws))
    _, stored = db.password_hash("ada")
    db.close()
    assert verify_password(stored, "det-andra-losenordet") and not verify_password(
        stored, "det-forsta-losenordet"
    )
    missing = bokslut(
        "anvandare", "losenord", str(ws), "bo", "--losenord-stdin", stdin="ett-langt-losenord\n"
    )
    assert missing.returncode == 1 and missing.stderr.strip() == "fel: användaren 'bo' finns inte"
