"""When the machine fails, not the data: disk full, read-only, no permission, a lock, a bug.

Each failure is a Swedish message that names the path and says what to do, exit code 1,
no traceback, and the workspace as it was.

The tests run as root, and root ignores permission bits: ``chmod -R a-w`` alone does not
make a workspace read-only for it. So read-only file systems and missing permissions are
simulated in-process by making the file operation raise the error the kernel would give
(EROFS, EACCES), and one test makes a real read-only workspace by running bokslut without
the capabilities that let root ignore permission bits (``setpriv``), where that is possible.
Nothing is mounted.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner, Result

import bokslut.cli.build_cmds as build_cmds
import bokslut.cli.ledger_cmds as ledger_cmds
from bokslut.cli import app
from bokslut.cli.failures import environment_message, unexpected_message

SIE_2023 = (
    '#FLAGGA 0\n#SIETYP 4\n#PROGRAM "T" 1\n#RAR 0 20230101 20231231\n'
    '#KONTO 1930 "Bank"\n#KONTO 3010 "Avgift"\n'
    '#VER A 1 20230105 "x"\n{{\n#TRANS 1930 {{}} {amount}\n#TRANS 3010 {{}} -{amount}\n}}\n'
    # A voucher on the closing date: the ledger covers the whole year the report is for.
    '#VER A 2 20231231 "y"\n{{\n#TRANS 1930 {{}} 1\n#TRANS 1930 {{}} -1\n}}\n'
)
SAMPLE_REPORT = Path(__file__).resolve().parents[1] / "render" / "sample_report.py"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), prog_name="bokslut")


def snapshot(root: Path, *, cache: bool = True) -> dict[str, str]:
    """Every file under ``root`` with the hash of its bytes (the cache too, unless told not to)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (cache or ".bokslut" not in p.parts)
    }


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    r = run("new", str(root), "--org", "Lystkom", "--orgtyp", "kommunalforbund", "--ar", "2023")
    assert r.exit_code == 0, r.stderr
    sie = tmp_path / "2023.se"
    sie.write_text(SIE_2023.format(amount=5), encoding="cp437")
    r = run("import", str(root), str(sie))
    assert r.exit_code == 0, r.stderr
    return root


@pytest.fixture
def sample_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """`build` over the renderers' sample report instead of the new workspace's (unfinished) chapters."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bokslut_sample_report_env", SAMPLE_REPORT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(build_cmds, "report_parts", lambda layout, config: module.parts())


def assert_failed_cleanly(r: Result, *parts: str) -> None:
    assert r.exit_code == 1, (r.stdout, r.stderr, r.exception)
    # A build on a loaded machine may print indented progress lines before it fails.
    shown = [line for line in r.stderr.splitlines() if not line.startswith("  ")]
    assert shown and shown[0].startswith("fel: "), r.stderr
    for part in parts:
        assert part in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "Errno" not in r.stderr


# --- disk full ---------------------------------------------------------------------------------


def test_disk_full_during_build_keeps_the_previous_report(
    ws: Path, sample_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("build", str(ws), "--format", "json,html").exit_code == 0
    before = snapshot(ws, cache=False)
    real_write = Path.write_bytes

    def full_disk(self: Path, data: Any) -> int:
        real_write(self, bytes(data)[: len(data) // 2])  # the kernel wrote part, then ran out
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    r = run("build", str(ws), "--format", "json,html")
    assert_failed_cleanly(r, f"disken är full: en fil i {ws} eller utdata kunde inte skrivas", "Frigör")
    assert snapshot(ws, cache=False) == before
    assert sorted(p.name for p in ws.iterdir() if p.name.startswith(".build")) == []


def test_disk_full_names_the_file_when_the_system_does(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    full = ws / ".bokslut" / "ledger.duckdb.wal"

    def no_space(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(full))

    monkeypatch.setattr(ledger_cmds, "open_store", no_space)
    r = run("saldon", str(ws))
    assert_failed_cleanly(r, f"disken är full: {full} kunde inte skrivas.")
    assert os.strerror(errno.ENOSPC) not in r.stderr


# --- a failed rename at the end of a build -------------------------------------------------------


def test_failed_rename_at_the_end_of_a_build_keeps_the_previous_report(
    ws: Path, sample_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("build", str(ws), "--format", "json").exit_code == 0
    before = snapshot(ws, cache=False)
    real_replace = Path.replace

    def failing_replace(self: Path, target: Any) -> Path:
        if self.name.startswith(".build-ny"):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self), None, str(target))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    r = run("build", str(ws), "--format", "json")
    assert_failed_cleanly(r, f"{ws}/.build-ny-{os.getpid()} → {ws}/build: läs- eller skrivfel på disken")
    assert snapshot(ws, cache=False) == before
    assert [p.name for p in ws.iterdir() if p.name.startswith(".build")] == []


# --- a read-only workspace (simulated) --------------------------------------------------------------


@pytest.fixture
def read_only_cache(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB refuses to open anything in the workspace for writing, as on a read-only file system."""
    real_connect = duckdb.connect

    def connect(database: str = ":memory:", read_only: bool = False, **kw: Any) -> Any:
        if not read_only and Path(database).resolve().is_relative_to(ws.resolve()):
            raise duckdb.IOException(f'IO Error: Cannot open file "{database}": Read-only file system')
        return real_connect(database, read_only=read_only, **kw)

    monkeypatch.setattr(duckdb, "connect", connect)


def test_reading_commands_use_a_current_cache_read_only(ws: Path, read_only_cache: None) -> None:
    before = snapshot(ws)
    r = run("saldon", str(ws), "--csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["1930;Bank;0,00;5,00;5,00", "3010;Avgift;0,00;-5,00;-5,00"]
    assert r.stderr == ""
    for command in ("tables {} --tabell resultatrakning", "check {}", "mal visa {}"):
        r = run(*command.format(ws).split())
        assert r.exit_code == 0, (command, r.stderr)
        assert "skrivskydd" not in r.stderr and "Traceback" not in r.stderr
    # Composing keeps compiled chapters and parsed key figures; the ledger's cache is untouched.
    kept = (".bokslut/mallar/", ".bokslut/kpi/")
    assert {k: v for k, v in snapshot(ws).items() if not k.startswith(kept)} == before


def test_a_stale_cache_is_rebuilt_in_a_temporary_folder(
    ws: Path, read_only_cache: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A newer file in data/ledger than the cache knows (as after copying the workspace).
    ledger = ws / "data" / "ledger" / "2023.se"
    ledger.write_text(SIE_2023.format(amount=7), encoding="cp437")
    before = snapshot(ws)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    r = run("saldon", str(ws), "--csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["1930;Bank;0,00;7,00;7,00", "3010;Avgift;0,00;-7,00;-7,00"]
    assert "cachen kan inte skrivas" in r.stderr and "tillfällig cache" in r.stderr
    assert snapshot(ws) == before
    assert list(temp.iterdir()) == []  # the temporary cache went with the command


def test_permission_denied_names_the_path_and_what_to_do(
    ws: Path, sample_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(ws, cache=False)
    real_mkdir = Path.mkdir

    def denied(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.name.startswith(".build"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", denied)
    r = run("build", str(ws), "--format", "json")
    assert_failed_cleanly(r, f"{ws}/.build-ny-{os.getpid()}: behörighet saknas.", "Kontrollera att du får")
    assert snapshot(ws, cache=False) == before


# --- every kind of environment failure, and the lock ------------------------------------------------

ERRNOS = [
    (errno.ENOSPC, "disken är full: {p} kunde inte skrivas"),
    (errno.EDQUOT, "diskkvoten är slut: {p} kunde inte skrivas"),
    (errno.EROFS, "{p}: filsystemet är skrivskyddat. Kopiera arbetsytan"),
    (errno.EACCES, "{p}: behörighet saknas."),
    (errno.EPERM, "{p}: behörighet saknas."),
    (errno.ENOENT, "{p}: filen eller mappen finns inte."),
    (errno.ELOOP, "{p}: symboliska länkar i en slinga"),
    (errno.EISDIR, "{p}: är en mapp, här behövs en fil."),
    (errno.ENOTDIR, "{p}: en del av sökvägen är en fil, inte en mapp."),
    (errno.EIO, "{p}: läs- eller skrivfel på disken (EIO)."),
    (errno.EMFILE, "för många öppna filer ({p})"),
    (errno.ENAMETOOLONG, "{p}: sökvägen eller filnamnet är för långt."),
]


@pytest.mark.parametrize(("code", "says"), ERRNOS, ids=[errno.errorcode[c] for c, _ in ERRNOS])
def test_each_environment_failure_in_swedish(
    ws: Path, monkeypatch: pytest.MonkeyPatch, code: int, says: str
) -> None:
    path = ws / "data" / "ledger" / "2023.se"

    def fails(*args: Any, **kwargs: Any) -> None:
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(ledger_cmds, "open_store", fails)
    r = run("saldon", str(ws))
    assert_failed_cleanly(r, says.format(p=path))
    assert os.strerror(code) not in r.stderr


def test_a_held_lock_says_wait_and_try_again(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = ws / ".bokslut" / "ledger.duckdb"

    def locked(*args: Any, **kwargs: Any) -> None:
        raise duckdb.IOException(
            f'IO Error: Could not set lock on file "{db}": Conflicting lock is held in '
            "/usr/bin/python3.11 (PID 4242). See also https://duckdb.org/docs/stable/connect/concurrency"
        )

    monkeypatch.setattr(ledger_cmds, "open_store", locked)
    r = run("saldon", str(ws))
    assert_failed_cleanly(r, f"{db}: huvudboken används just nu av ett annat bokslut-kommando")
    assert "Conflicting" not in r.stderr and "duckdb.org" not in r.stderr


def test_duckdb_file_errors_are_translated() -> None:
    full = duckdb.IOException('IO Error: Could not write file "/a/b.wal": No space left on device')
    assert environment_message(full) == (
        "disken är full: /a/b.wal kunde inte skrivas. Frigör utrymme på disken (eller skriv till en "
        "annan disk) och kör kommandot igen."
    )
    assert environment_message(duckdb.IOException("IO Error: something new")) is None
    assert environment_message(MemoryError()) == (
        "minnet räckte inte. Stäng andra program och kör kommandot igen."
    )


# --- a bug ---------------------------------------------------------------------------------------


def test_a_bug_is_a_short_swedish_message_without_traceback(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOKSLUT_DEBUG", raising=False)
    monkeypatch.setattr(ledger_cmds, "trial_balance", lambda *a, **k: 1 // 0)
    r = run("saldon", str(ws))
    assert_failed_cleanly(
        r, "ett oväntat fel i bokslut stoppade kommandot (ZeroDivisionError)", "Rapportera det till"
    )
    assert "BOKSLUT_DEBUG=1" in r.stderr


def test_under_bokslut_debug_a_bug_keeps_its_traceback(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOKSLUT_DEBUG", "1")
    monkeypatch.setattr(ledger_cmds, "trial_balance", lambda *a, **k: 1 // 0)
    r = run("saldon", str(ws))
    assert isinstance(r.exception, ZeroDivisionError)


def test_an_unexpected_os_error_is_a_bug_not_an_environment_failure() -> None:
    bad_fd = OSError(errno.EBADF, os.strerror(errno.EBADF))
    assert environment_message(bad_fd) is None
    assert "(OSError)" in unexpected_message(bad_fd)
    assert "(duckdb.InternalException)" in unexpected_message(duckdb.InternalException("x"))


# --- a real read-only workspace ------------------------------------------------------------------

# Without these capabilities root is held to permission bits like any user.
DROP = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
]


def _can_drop_capabilities() -> bool:
    if shutil.which("setpriv") is None:
        return os.geteuid() != 0  # a normal user needs no help to meet permission bits
    return subprocess.run([*DROP, "true"], capture_output=True).returncode == 0


def bokslut_read_only(*args: str) -> subprocess.CompletedProcess[str]:
    prefix = DROP if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "bokslut", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.skipif(not _can_drop_capabilities(), reason="setpriv kan inte ta bort root-rättigheterna här")
def test_a_real_read_only_workspace(ws: Path, tmp_path: Path) -> None:
    expected = run("saldon", str(ws), "--csv").stdout
    sie = tmp_path / "2023-ny.se"
    sie.write_text(SIE_2023.format(amount=9), encoding="cp437")
    for p in [ws, *ws.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    before = snapshot(ws)
    try:
        r = bokslut_read_only("saldon", str(ws), "--csv")
        assert r.returncode == 0, r.stderr
        assert r.stdout == expected and r.stderr == ""
        for command in (
            ["tables", str(ws), "--tabell", "resultatrakning"],
            ["check", str(ws)],
            ["mal", "visa", str(ws)],
        ):
            r = bokslut_read_only(*command)
            assert r.returncode == 0, r.stderr
        r = bokslut_read_only("build", str(ws), "--format", "json")
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert "behörighet saknas" in r.stderr and str(ws) in r.stderr
        r = bokslut_read_only("import", str(ws), str(sie))
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert f"{ws}/.bokslut/lock: importen kunde inte skrivas: behörighet saknas" in r.stderr
        assert snapshot(ws) == before
    finally:
        for p in [ws, *ws.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)


def test_a_symlink_loop_is_named(ws: Path, tmp_path: Path) -> None:
    (tmp_path / "a.se").symlink_to(tmp_path / "b.se")
    (tmp_path / "b.se").symlink_to(tmp_path / "a.se")
    before = snapshot(ws)
    for args in (["inspect", str(tmp_path / "a.se")], ["import", str(ws), str(tmp_path / "a.se")]):
        r = run(*args)
        # The SIE reader names the file in its own finding ("FIL: fel: …").
        assert r.exit_code == 1 and "Traceback" not in r.stderr
        assert r.stderr.startswith(f"{tmp_path / 'a.se'}: fel: ")
        assert "symboliska länkar i en slinga" in r.stderr
    assert snapshot(ws) == before


def test_a_closed_pipe_ends_quietly(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `bokslut saldon ws --json | head -1`: the reader went away; nothing to tell anyone.
    def closed(data: object) -> None:
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    monkeypatch.setattr(ledger_cmds, "echo_json", closed)
    r = run("saldon", str(ws), "--json")
    assert r.exit_code == 1 and r.stderr == "" and isinstance(r.exception, SystemExit)
