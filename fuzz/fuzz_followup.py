"""Coverage-guided fuzzing of the goal and decision files (mal.yaml, beslut.yaml) with atheris.

The contract: any bytes as data/mal.yaml or data/beslut.yaml give a report part with
findings; nothing may raise. The whole follow-up part runs: the limited YAML loader,
validation, id checks and the assessment of every goal.

    mkdir -p /tmp/followup-corpus
    .venv/bin/python fuzz/fuzz_followup.py -runs=100000 -max_len=4096 /tmp/followup-corpus fuzz/seeds/yaml
"""

from __future__ import annotations

import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["bokslut.followup"]):
    from bokslut import followup
    from bokslut.workspace.config import Config, Organisation, Rapport
    from bokslut.workspace.layout import Layout

LAYOUT = Layout(Path(tempfile.mkdtemp(prefix="fuzz-followup-")))
LAYOUT.data.mkdir()
CONFIG = Config(organisation=Organisation(namn="Fuzz", typ="kommun"), rapport=Rapport(ar=2023))
KNOWN = {"nki_kundtjanst_2023": Decimal("7.5"), "samtal_andel_inom_30s_2023": Decimal("91.6")}


def test_one(data: bytes) -> None:
    # The first byte chooses the file, so both kinds grow from the seeds of each.
    name = "beslut.yaml" if data[:1] in (b"b", b"-") else "mal.yaml"
    for old in ("mal.yaml", "beslut.yaml"):
        (LAYOUT.data / old).unlink(missing_ok=True)
    (LAYOUT.data / name).write_bytes(data)
    followup.build_part(LAYOUT, CONFIG, KNOWN)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
