from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bokslut.workspace.config import Config, Kpi, Organisation, Rapport
from bokslut.workspace.layout import Layout


def config(year: int = 2023, **kpi: Any) -> Config:
    return Config(
        organisation=Organisation(namn="Test", typ="kommun"),
        rapport=Rapport(ar=year),
        kpi=Kpi(**kpi),
    )


@pytest.fixture
def workspace(tmp_path: Path):
    """write(name, text) -> Layout: put a file in data/kpi/."""

    def write(name: str, text: str) -> Layout:
        folder = tmp_path / "data" / "kpi"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
        return Layout(tmp_path)

    return write
