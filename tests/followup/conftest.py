from __future__ import annotations

from pathlib import Path

import pytest

from bokslut.workspace.config import Config, Organisation, Rapport, RapportTyp
from bokslut.workspace.layout import Layout


def config(year: int = 2023, interim: bool = False) -> Config:
    typ = RapportTyp.DELARSRAPPORT if interim else RapportTyp.ARSREDOVISNING
    return Config(organisation=Organisation(namn="Test", typ="kommun"), rapport=Rapport(ar=year, typ=typ))


@pytest.fixture
def workspace(tmp_path: Path):
    """write(name, text) -> Layout: put a file in data/."""

    def write(name: str, text: str) -> Layout:
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / name).write_text(text, "utf-8")
        return Layout(tmp_path)

    return write
