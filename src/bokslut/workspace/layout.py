"""Where things live in a workspace. One place, so no module invents a path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The one name of the settings file (bokslut.workspace.config reads it).
CONFIG_NAME = "bokslut.toml"


@dataclass(frozen=True, slots=True)
class Layout:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def ledger_dir(self) -> Path:
        return self.data / "ledger"

    @property
    def budget_dir(self) -> Path:
        return self.data / "budget"

    @property
    def prognos_dir(self) -> Path:
        return self.data / "prognos"

    @property
    def organisation_stem(self) -> Path:
        """data/organisation.csv|.xlsx (the ansvar → nämnd hierarchy), as a stem for find_input."""
        return self.data / "organisation"

    @property
    def ansvarsbudget_stem(self) -> Path:
        return self.data / "budget-ansvar"

    @property
    def ansvarsprognos_stem(self) -> Path:
        return self.data / "prognos-ansvar"

    @property
    def ram_stem(self) -> Path:
        return self.data / "ram"

    @property
    def investeringsprojekt_stem(self) -> Path:
        return self.data / "investeringsprojekt"

    @property
    def pension_stem(self) -> Path:
        """data/pension.csv|.xlsx: the pension administrator's pensionsskuldsberäkning."""
        return self.data / "pension"

    @property
    def borgen_stem(self) -> Path:
        return self.data / "borgen"

    @property
    def kommuninvest_stem(self) -> Path:
        return self.data / "kommuninvest"

    @property
    def lan_stem(self) -> Path:
        return self.data / "lan"

    @property
    def leasing_stem(self) -> Path:
        return self.data / "leasing"

    @property
    def personal_dir(self) -> Path:
        return self.data / "personal"

    @property
    def kpi_dir(self) -> Path:
        return self.data / "kpi"

    @property
    def text_dir(self) -> Path:
        return self.root / "text"

    @property
    def cache(self) -> Path:
        return self.root / ".bokslut"

    @property
    def kpi_cache(self) -> Path:
        """The parsed key-figure files (bokslut.kpi.cache)."""
        return self.cache / "kpi"

    @property
    def template_cache(self) -> Path:
        """The compiled chapters (bokslut.compose.template_cache)."""
        return self.cache / "mallar"

    @property
    def store_path(self) -> Path:
        return self.cache / "ledger.duckdb"

    @property
    def build(self) -> Path:
        return self.root / "build"
