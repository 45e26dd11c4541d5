"""Goal follow-up (målstyrning) and political assignments.

``build_part`` reads data/mal.yaml (or mal.xlsx) and data/beslut.yaml (or
beslut.xlsx), resolves indicator references against the values computed so far
(``known``: statements, personnel, key figures), assesses every goal by the rule
in :mod:`bokslut.followup.assess` and returns the goal tables, the
"Politiskt fattade beslut" table, the counts and the summary sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bokslut.diagnostics import Finding, error
from bokslut.followup.assess import Context, GoalResult, assess_goal, summary_sentence
from bokslut.followup.model import BESLUT_STATUS, STATUS_WORD, BeslutFil, Mal, MalFil, Status
from bokslut.followup.source import DEFAULT_MAX_BYTES, Located, PathKey, load_yaml, validate
from bokslut.followup.tables import beslut_table, flat_table, hierarchy_table
from bokslut.parts import ReportPart
from bokslut.table import Table, Value
from bokslut.tabular import open_size_finding
from bokslut.workspace.config import Config, RapportTyp
from bokslut.workspace.layout import Layout
from bokslut.workspace.safe_files import open_data_file

__all__ = ["FollowupPart", "assess_file", "build_part", "find_file", "load_beslut", "load_goals"]

COUNT_NAMES = {
    Status.UPPFYLLT: "mal_antal_uppfyllda",
    Status.DELVIS: "mal_antal_delvis_uppfyllda",
    Status.EJ: "mal_antal_ej_uppfyllda",
    Status.KAN_INTE: "mal_antal_kan_inte_bedomas",
}
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True, slots=True)
class FollowupPart(ReportPart):
    """The goal follow-up's part of the report, carrying data/mal.yaml as read and
    validated, so the goal checks over the composed report need not read it again."""

    goals: MalFil | None = None
    located: Located | None = None


def find_file(layout: Layout, stem: str) -> tuple[Path | None, list[Finding]]:
    found = [layout.data / f"{stem}{s}" for s in (".yaml", ".yml", ".xlsx")]
    found = [p for p in found if p.is_file() or p.is_symlink()]  # a broken link is named when read
    if len(found) > 1:
        names = " och ".join(f"data/{p.name}" for p in found)
        return None, [
            error(
                f"både {names} finns – behåll en av dem så att det är klart vilken som gäller",
                file=f"data/{found[0].name}",
            )
        ]
    return (found[0] if found else None), []


def _load(layout: Layout, stem: str, max_bytes: int) -> tuple[Located | None, list[Finding]]:
    path, findings = find_file(layout, stem)
    if path is None:
        return None, findings
    display = f"data/{path.name}"
    if path.suffix == ".xlsx":
        # Opened once, inside the workspace: the workbook reads what was checked.
        opened = open_data_file(layout.root, path, display)
        if isinstance(opened, Finding):
            return None, [opened]
        with opened:
            too_big = open_size_finding(opened, path, display, max_bytes, "yaml_mb")
            if too_big is not None:
                return None, [too_big]
            # Imported here: openpyxl costs a third of a second, and most workspaces use YAML.
            from bokslut.followup.xlsx import read_beslut_workbook, read_goal_workbook

            read = read_goal_workbook if stem == "mal" else read_beslut_workbook
            return read(opened, display)
    return load_yaml(path, display, max_bytes, root=layout.root)


def load_goals(
    layout: Layout, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[MalFil | None, Located | None, list[Finding]]:
    located, findings = _load(layout, "mal", max_bytes)
    if located is None:
        return None, None, findings
    goals, f = validate(MalFil, located)
    if goals is not None:
        f += duplicate_ids(goals, located)
    return goals, located, findings + f


def _goals_with_paths(goals: list[Mal], path: PathKey) -> Iterator[tuple[Mal, PathKey]]:
    for i, goal in enumerate(goals):
        here = (*path, "mal", i)
        yield goal, here
        yield from _goals_with_paths(goal.mal, here)


def duplicate_ids(goals: MalFil, located: Located) -> list[Finding]:
    """An id names one målområde, mål or indikator: its value (mal_<id>_bedomning), its row
    and its outcomes in mal.xlsx would otherwise belong to whichever came last."""
    found: dict[str, list[tuple[str, PathKey]]] = {"målområdet": [], "målet": [], "indikatorn": []}
    for a_i, area in enumerate(goals.malomraden):
        area_path: PathKey = ("malomraden", a_i)
        if area.id:
            found["målområdet"].append((area.id, area_path))
        for goal, goal_path in _goals_with_paths(area.mal, area_path):
            if goal.id:
                found["målet"].append((goal.id, goal_path))
            for i_i, ind in enumerate(goal.indikatorer):
                if ind.id:
                    found["indikatorn"].append((ind.id, (*goal_path, "indikatorer", i_i)))
    findings: list[Finding] = []
    for what, items in found.items():
        first: dict[str, PathKey] = {}
        for ident, path in items:
            if ident not in first:
                first[ident] = path
                continue
            earlier = located.place((*first[ident], "id"))
            at = f"rad {earlier.line}" if earlier.line is not None else (earlier.where or "ovan")
            findings.append(
                located.finding(
                    f"{what} har id '{ident}', som redan används ({at}); ett id får bara förekomma en gång",
                    (*path, "id"),
                    "dubblett",
                )
            )
    return findings


def load_beslut(
    layout: Layout, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[BeslutFil | None, Located | None, list[Finding]]:
    located, findings = _load(layout, "beslut", max_bytes)
    if located is None:
        return None, None, findings
    data = located.data
    if isinstance(data, list):  # a bare list of decisions is accepted too
        located = Located(
            located.file, {"beslut": data}, {("beslut", *k): v for k, v in located.places.items()}
        )
    items, f = validate(BeslutFil, located)
    return items, located, findings + f


def assess_file(
    goals: MalFil, located: Located, config: Config, known: Mapping[str, Value | int]
) -> tuple[list[list[GoalResult]], int, list[Finding]]:
    year = goals.ar or config.rapport.ar
    findings: list[Finding] = []
    ctx = Context(located, known, year, config.rapport.typ is RapportTyp.DELARSRAPPORT, findings)
    results = [
        [assess_goal(g, ("malomraden", a_i, "mal", g_i), 0, ctx) for g_i, g in enumerate(area.mal)]
        for a_i, area in enumerate(goals.malomraden)
    ]
    return results, year, findings


def build_part(layout: Layout, config: Config, known: Mapping[str, Value | int]) -> ReportPart:
    tables: list[Table] = []
    values: dict[str, Value | int] = {}
    goals, located, findings = load_goals(layout, config.granser.yaml_bytes)
    if goals is not None and located is not None:
        results, year, f = assess_file(goals, located, config, known)
        findings += f
        counts = dict.fromkeys(Status, 0)
        for index, (area, area_goals) in enumerate(zip(goals.malomraden, results, strict=True), start=1):
            hierarchical = any(g.children for g in area_goals)
            if hierarchical:
                tables.append(hierarchy_table(index, area, area_goals, goals.nivaer, year, located.file))
            else:
                tables.append(flat_table(index, area, area_goals, year, located.file))
            for goal in area_goals:
                for leaf in goal.leaves():
                    counts[leaf.status] += 1
                    if leaf.spec.id:
                        values[f"mal_{leaf.spec.id}_bedomning"] = STATUS_WORD[leaf.status]
        values["mal_antal"] = sum(counts.values())
        for status, name in COUNT_NAMES.items():
            values[name] = counts[status]
        values["mal_sammanfattning"] = summary_sentence(counts)
    beslut, b_located, f = load_beslut(layout, config.granser.yaml_bytes)
    findings += f
    if beslut is not None and b_located is not None:
        statuses: list[str] = []
        for i, b in enumerate(beslut.beslut):
            shown = BESLUT_STATUS.get(b.status.strip().casefold())
            if shown is None:
                findings.append(
                    b_located.finding(
                        f"okänd status '{b.status}' (tillåtna: ej påbörjad, pågår, avslutad, avbruten)",
                        ("beslut", i, "status"),
                        "okand-status",
                    )
                )
            if isinstance(b.datum, str) and b.datum and not _is_date(b.datum.strip()):
                findings.append(
                    b_located.finding(
                        f"datum '{b.datum}' är inget datum som finns (skrivs ÅÅÅÅ-MM-DD)",
                        ("beslut", i, "datum"),
                        "datum",
                    )
                )
            statuses.append(shown or b.status)
        tables.append(beslut_table(beslut.beslut, statuses, b_located.file))
        values["beslut_antal"] = len(beslut.beslut)
        for word in ("Ej påbörjad", "Pågår", "Avslutad", "Avbruten"):
            key = word.lower().replace(" ", "_").replace("å", "a").replace("ö", "o")
            values[f"beslut_antal_{key}"] = sum(1 for s in statuses if s == word)
    return FollowupPart(
        tables=tuple(tables), values=values, findings=tuple(findings), goals=goals, located=located
    )


def _is_date(text: str) -> bool:
    """ÅÅÅÅ-MM-DD and a day that exists (2019-02-30 does not)."""
    if not DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
