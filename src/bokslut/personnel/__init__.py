"""Personnel statistics (LKBR 11 kap. 6 §): årsarbetare, anställningsformer, sjukfrånvaro.

``build_part`` reads data/personal/anstallda.* and franvaro.* (CSV or XLSX,
found without configuration) and returns the tables and named values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bokslut.diagnostics import Finding, notice
from bokslut.parts import ReportPart
from bokslut.personnel.records import Absences, Employments, read_absences, read_employments
from bokslut.personnel.statistics import YearStatistics, compute_years
from bokslut.personnel.tables import (
    AGE_GROUPS,
    GENDER_GROUPS,
    anstallningsform_table,
    exact,
    long_term_table,
    medelantal_table,
    sick_table,
)
from bokslut.table import Table, Value
from bokslut.tabular import find_input
from bokslut.workspace.config import Config
from bokslut.workspace.layout import Layout

__all__ = ["PersonnelPart", "build_part", "load_records", "statistics"]


@dataclass(frozen=True, slots=True)
class PersonnelPart(ReportPart):
    """The personnel part of the report, carrying the absence records as read, so the
    checks over the composed report need not read the HR files again."""

    absences: Absences | None = None
    absence_file: str = ""


def _display(layout: Layout, path: Path) -> str:
    try:
        return path.relative_to(layout.root).as_posix()
    except ValueError:
        return path.name


def load_records(
    layout: Layout, config: Config
) -> tuple[Employments | None, Absences | None, list[Finding], str, str]:
    """Read and validate the HR files (None where a file is missing or unusable)."""
    findings: list[Finding] = []
    emp_path = find_input(layout.personal_dir, "anstallda")
    abs_path = find_input(layout.personal_dir, "franvaro")
    emp_name = _display(layout, emp_path) if emp_path else "data/personal/anstallda.csv"
    abs_name = _display(layout, abs_path) if abs_path else "data/personal/franvaro.csv"
    emp: Employments | None = None
    ab: Absences | None = None
    if emp_path is not None:
        emp, f = read_employments(
            emp_path, emp_name, config.personal, max_bytes=config.granser.tabell_bytes, root=layout.root
        )
        findings += f
    if abs_path is not None:
        if emp_path is None:
            findings.append(
                notice("frånvarofilen används inte eftersom anstallda-filen saknas", file=abs_name)
            )
        elif emp is None:
            # Every absence would otherwise be "an unknown person", hundreds of times over.
            findings.append(
                notice("frånvarofilen används inte eftersom anstallda-filen inte kunde läsas", file=abs_name)
            )
        else:
            ab, f = read_absences(
                abs_path,
                abs_name,
                config.personal,
                emp,
                max_bytes=config.granser.tabell_bytes,
                root=layout.root,
            )
            findings += f
    return emp, ab, findings, emp_name, abs_name


def statistics(emp: Employments, ab: Absences | None, config: Config) -> list[YearStatistics]:
    closing = config.rapport.closing_date()
    years = [config.rapport.ar - k for k in range(config.personal.antal_ar)]
    on_closing_day = config.personal.anstallda_rakning == "bokslutsdagen"
    stats = compute_years(emp, ab, years, closing, on_closing_day)
    # Years before the organisation had anyone employed are not part of the data.
    return [s for s in stats if s.employed > 0]


def build_part(layout: Layout, config: Config, known: Mapping[str, Value | int]) -> ReportPart:
    del known  # personnel figures depend on nothing computed elsewhere
    emp, ab, findings, emp_name, abs_name = load_records(layout, config)
    if emp is None or emp.person.size == 0:
        return ReportPart(findings=tuple(findings))
    stats = statistics(emp, ab, config)
    if not stats:
        findings.append(notice("ingen anställning under rapportens år", file=emp_name))
        return ReportPart(findings=tuple(findings))
    limit = config.personal.sekretessgrans
    tables: list[Table] = [
        medelantal_table(stats, emp_name),
        anstallningsform_table(stats, emp_name, config.personal.anstallda_rakning == "bokslutsdagen"),
    ]
    values: dict[str, Value | int] = {}
    for s in stats:
        kv, ma = exact(s.arsarbetare_kvinnor), exact(s.arsarbetare_man)
        values[f"arsarbetare_kvinnor_{s.year}"] = kv
        values[f"arsarbetare_man_{s.year}"] = ma
        values[f"arsarbetare_totalt_{s.year}"] = kv + ma
        values[f"anstallda_antal_{s.year}"] = s.people
    if ab is not None:
        small = _small_organisation(stats)
        if small is not None:
            findings.append(notice(small, file=abs_name))
        else:
            age, age_values = sick_table(
                "sjukfranvaro_alder",
                "Sjukfrånvaro i procent av ordinarie arbetstid per åldersgrupp",
                AGE_GROUPS,
                "Åldersgrupp",
                stats,
                limit,
                abs_name,
            )
            kon, kon_values = sick_table(
                "sjukfranvaro_kon",
                "Sjukfrånvaro i procent av ordinarie arbetstid per kön",
                GENDER_GROUPS,
                "Kön",
                stats,
                limit,
                abs_name,
            )
            long_t, long_values = long_term_table(stats, limit, abs_name)
            tables += [age, kon, long_t]
            for name, v in {**age_values, **kon_values, **long_values}.items():
                if v is not None:
                    values[name] = v
    current = config.rapport.ar
    for name in list(values):
        if name.endswith(f"_{current}"):
            values.setdefault(name[: -len(f"_{current}")], values[name])
    return PersonnelPart(
        tables=tuple(tables), values=values, findings=tuple(findings), absences=ab, absence_file=abs_name
    )


def _small_organisation(stats: list[YearStatistics]) -> str | None:
    """LKBR 11:6 last sentence: no sick-leave disclosure when the last two years averaged ≤ 10."""
    recent = stats[:2]
    mean = sum(Decimal(str(s.arsarbetare_kvinnor + s.arsarbetare_man)) for s in recent) / len(recent)
    if mean <= 10:
        return (
            "sjukfrånvaron redovisas inte: medelantalet anställda de senaste två åren är "
            f"{str(round(mean, 1)).replace('.', ',')}, högst tio (LKBR 11 kap. 6 §)"
        )
    return None
