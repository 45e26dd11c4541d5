"""Short coverage-guided fuzzing runs of the readers of exported tables, goal files and settings.

Each harness in fuzz/ states its reader's contract (findings, never an exception); a run of
a few hundred mutated inputs from the seeds must end without a crash.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "harness, seeds",
    [("fuzz_tabular.py", "tabular"), ("fuzz_followup.py", "yaml"), ("fuzz_config.py", "toml")],
)
def test_atheris_finds_no_exception_in_the_input_readers(tmp_path, harness, seeds):
    corpus = tmp_path / "corpus"  # libFuzzer writes what it finds into the first folder
    corpus.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "fuzz" / harness),
            "-runs=300",
            "-max_len=4096",
            "-seed=1",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
            str(ROOT / "fuzz" / "seeds" / seeds),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 300 runs" in result.stderr
