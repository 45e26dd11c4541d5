"""A short coverage-guided fuzzing run of chapter composing (fuzz/fuzz_compose.py) with atheris."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_atheris_finds_no_exception_in_composing_chapters(tmp_path):
    corpus = tmp_path / "corpus"  # libFuzzer writes what it finds into the first folder
    corpus.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "fuzz" / "fuzz_compose.py"),
            "-runs=400",
            "-max_len=2048",
            "-seed=1",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
            str(ROOT / "examples" / "lystkom-2023" / "text"),
            str(ROOT / "examples" / "sydnarke-2020" / "text"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 400 runs" in result.stderr
