"""Shared fixtures: where the real SIE files are, and small SIE texts as files."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Tests don't time things (benchmarks do): a property test on a busy two-core CI machine
# must not fail because one example took longer than Hypothesis' default 200 ms.
settings.register_profile("bokslut", deadline=None)
settings.load_profile("bokslut")

FIXTURES = Path(__file__).parent / "fixtures"
SIE_FIXTURES = FIXTURES / "sie"
# The research set beside the repository; the GPL-3 files (12–14) are only read from there.
SHARED_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "sie-samples"


# The session's own user cache folder (see pytest_configure).
CACHE_HOME = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    # The CLI turns a bug into a short Swedish message; under test it must show its traceback,
    # so a test notices it (also in `bokslut` subprocesses, which inherit the environment).
    os.environ.setdefault("BOKSLUT_DEBUG", "1")
    # bokslut makes its cache-signing key in the user's cache folder on first use
    # (bokslut.cache_signing): under test that is a folder of the session's, never the real
    # home, in this process and in every `bokslut` subprocess (they inherit the environment).
    folder = tempfile.mkdtemp(prefix="bokslut-test-cache-")
    config.stash[CACHE_HOME] = folder
    os.environ["XDG_CACHE_HOME"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(CACHE_HOME, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def sie_sample(name_prefix: str) -> Path:
    for folder in (SIE_FIXTURES, SHARED_SAMPLES):
        if folder.is_dir():
            for p in sorted(folder.iterdir()):
                if p.name.startswith(name_prefix):
                    return p
    pytest.skip(f"SIE-exemplet {name_prefix} finns inte här (../shared/sie-samples saknas)")
    raise AssertionError  # unreachable


@pytest.fixture
def sie_file(tmp_path: Path):
    """Write SIE text (CP437 unless told otherwise) to a file and return its path."""

    def make(text: str, name: str = "test.se", encoding: str = "cp437") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return make


@pytest.fixture
def render_workers_started(monkeypatch) -> list:
    """The render workers a build starts (bokslut.pipeline.render_worker.start), in order."""
    from bokslut.pipeline import render_worker

    started: list = []
    real_start = render_worker.start

    def start(formats):
        started.append(real_start(formats))
        return started[-1]

    monkeypatch.setattr(render_worker, "start", start)
    return started
