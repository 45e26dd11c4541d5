"""Coverage-guided fuzzing of bokslut.toml loading with atheris.

The contract: any bytes give a Config or a BokslutError with Swedish findings; nothing else
may escape.

    mkdir -p /tmp/config-corpus
    .venv/bin/python fuzz/fuzz_config.py -runs=100000 -max_len=4096 /tmp/config-corpus fuzz/seeds/toml
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["bokslut.workspace.config"]):
    from bokslut.diagnostics import BokslutError
    from bokslut.workspace.config import load_config

PATH = Path(tempfile.mkdtemp(prefix="fuzz-config-")) / "bokslut.toml"


def test_one(data: bytes) -> None:
    PATH.write_bytes(data)
    try:
        load_config(PATH)
    except BokslutError as exc:
        assert exc.findings or exc.message, "a refusal says why"


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
