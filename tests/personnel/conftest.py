"""A small workspace with HR files written from text, for the personnel tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bokslut.workspace.config import Config, Organisation, Personal, Rapport
from bokslut.workspace.layout import Layout

HEADER_EMP = "anstallningsnummer;kon;fodelsear;anstallningsform;fran;till;sysselsattningsgrad;veckoarbetstid"
HEADER_ABS = "anstallningsnummer;fran;till;omfattning;orsak"


def config(year: int = 2023, **personal: Any) -> Config:
    return Config(
        organisation=Organisation(namn="Test", typ="kommun"),
        rapport=Rapport(ar=year),
        personal=Personal(**personal),
    )


@pytest.fixture
def workspace(tmp_path: Path):
    """write(employees=[...rows], absences=[...rows]) -> Layout (rows without header)."""

    def write(employees: list[str], absences: list[str] | None = None) -> Layout:
        folder = tmp_path / "data" / "personal"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "anstallda.csv").write_text("\n".join([HEADER_EMP, *employees]) + "\n", "utf-8")
        if absences is not None:
            (folder / "franvaro.csv").write_text("\n".join([HEADER_ABS, *absences]) + "\n", "utf-8")
        return Layout(tmp_path)

    return write


def staff(
    n: int, *, kon: str = "K", born: int = 1980, start: str = "2015-01-01", offset: int = 0
) -> list[str]:
    """n full-time permanent employees (ids from offset+1)."""
    return [f"{offset + i + 1};{kon};{born};tillsvidare;{start};;100;40" for i in range(n)]
