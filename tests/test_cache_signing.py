"""The tests' cache-signing key lives in the session's folder, never in the real home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bokslut import cache_signing

ROOT = Path(__file__).resolve().parents[1]


def test_the_key_is_made_outside_the_real_home() -> None:
    real = Path.home() / ".cache" / "bokslut" / "nyckel"
    assert cache_signing.key_path() != real
    assert cache_signing.key_path().parent.parent == Path(os.environ["XDG_CACHE_HOME"])
    assert cache_signing.signing_key() is not None
    assert cache_signing.key_path().is_file()


def test_a_bokslut_subprocess_uses_the_same_folder() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    shown = subprocess.run(
        [sys.executable, "-c", "from bokslut.cache_signing import key_path; print(key_path())"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()
    assert Path(shown) == cache_signing.key_path()
