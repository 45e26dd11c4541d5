"""A short coverage-guided fuzzing run of the SIE reader (fuzz/fuzz_sie.py) with atheris."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_atheris_finds_no_exception_in_the_reader(tmp_path):
    corpus = tmp_path / "corpus"  # libFuzzer writes what it finds into the first folder
    corpus.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "fuzz" / "fuzz_sie.py"),
            "-runs=400",
            "-max_len=2048",
            "-seed=1",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
            str(ROOT / "tests" / "fixtures" / "sie"),
        ],
        capture_output=True,
        text=True,
        timeout=1500,  # a loaded CI machine runs the SIE harness several times slower
        cwd=tmp_path,
        env=_this_checkout(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 400 runs" in result.stderr


def _this_checkout() -> dict[str, str]:
    # The harness runs in tmp_path: a relative PYTHONPATH ("src") would no longer point here.
    paths = [str(ROOT / "src"), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
