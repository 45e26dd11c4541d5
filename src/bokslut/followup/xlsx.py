"""mal.xlsx and beslut.xlsx: the same content as the YAML files, for those who work in Excel.

The goal workbook has one sheet per kind of thing, linked by id:
Målområden (id, namn, beskrivning), Mål (id, malomrade, overordnat_mal, namn,
kommentar, bedomning, motivering), Indikatorer (id, mal, namn, enhet, riktning,
strikt, malvarde, delvis, decimaler, kommentar, bedomning, motivering) and
Utfall (indikator, ar, utfall, prognos). Inställningar holds ar and nivaer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bokslut.diagnostics import Finding, error
from bokslut.followup.model import BeslutFil, Indikator, Mal, MalFil
from bokslut.followup.source import Located, PathKey, Place
from bokslut.tabular import open_workbook, workbook_problem

YEAR = re.compile(r"^[0-9]{4}$")

SHEETS: dict[str, tuple[str, ...]] = {
    "Målområden": ("id", "namn", "beskrivning"),
    "Mål": ("id", "malomrade", "overordnat_mal", "namn", "kommentar", "bedomning", "motivering"),
    "Indikatorer": (
        "id",
        "mal",
        "namn",
        "enhet",
        "riktning",
        "strikt",
        "malvarde",
        "delvis",
        "decimaler",
        "kommentar",
        "bedomning",
        "motivering",
    ),
    "Utfall": ("indikator", "ar", "utfall", "prognos"),
}
BESLUT_SHEET = "Beslut"
BESLUT_COLUMNS = ("diarienummer", "text", "datum", "status", "kommentar")

INSTRUCTIONS = (
    "Mål och indikatorer för bokslut",
    "",
    "Fyll i bladen Målområden, Mål, Indikatorer och Utfall. Raderna kopplas ihop med id",
    "(små bokstäver, siffror och _, t.ex. mal_service). Ett mål under ett annat mål anger",
    "det överordnade målets id i kolumnen overordnat_mal.",
    "",
    "riktning: hogre (högre är bättre), lagre, intervall (målvärde skrivs 90-95) eller lika.",
    'strikt: ja när målvärdet självt inte räcker ("ska öka").',
    "malvarde, utfall och prognos: ett tal, en text (Ja/Nej) eller =namn för ett värde som",
    "bokslut räknar fram (t.ex. =samtal_kundtjanst_andel_inom_30s_2023).",
    "bedomning (valfri): uppfyllt, delvis, ej uppfyllt eller kan inte bedömas – ersätter",
    "den beräknade bedömningen och kräver en motivering.",
    "Inställningar: ar (uppföljningsåret) och nivaer (t.ex. Kommunfullmäktiges mål, Nämndmål).",
)


def _header(ws: Worksheet, columns: Sequence[str]) -> None:
    ws.append(list(columns))
    for i, _ in enumerate(columns, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = 18 if i > 1 else 14
    ws.freeze_panes = "A2"


def _fmt(value: Any) -> Any:
    if isinstance(value, list):
        return f"{value[0]}-{value[1]}"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return value


def write_goal_workbook(path: Path, content: MalFil | None = None) -> None:
    """Write the goal template (empty, or filled with ``content``) atomically."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Instruktioner"
    for line in INSTRUCTIONS:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 100
    settings = wb.create_sheet("Inställningar")
    _header(settings, ("nyckel", "varde"))
    settings.append(["ar", content.ar if content and content.ar else None])
    settings.append(["nivaer", ", ".join(content.nivaer) if content else None])
    sheets = {name: wb.create_sheet(name) for name in SHEETS}
    for name, ws_ in sheets.items():
        _header(ws_, SHEETS[name])
    riktning = DataValidation(type="list", formula1='"hogre,lagre,intervall,lika"', allow_blank=True)
    bedomning = DataValidation(
        type="list", formula1='"uppfyllt,delvis,ej uppfyllt,kan inte bedömas"', allow_blank=True
    )
    sheets["Indikatorer"].add_data_validation(riktning)
    sheets["Indikatorer"].add_data_validation(bedomning)
    riktning.add("E2:E1000")
    bedomning.add("K2:K1000")
    goal_bedomning = DataValidation(
        type="list", formula1='"uppfyllt,delvis,ej uppfyllt,kan inte bedömas"', allow_blank=True
    )
    sheets["Mål"].add_data_validation(goal_bedomning)
    goal_bedomning.add("F2:F1000")
    if content is not None:
        _fill(sheets, content)
    _save(wb, path)


def _fill(sheets: dict[str, Worksheet], content: MalFil) -> None:
    counter = {"mal": 0, "ind": 0}

    def add_goal(goal: Mal, area_id: str, parent: str | None) -> None:
        counter["mal"] += 1
        gid = goal.id or f"mal_{counter['mal']}"
        b = goal.bedomning
        sheets["Mål"].append(
            [
                gid,
                area_id,
                parent,
                goal.namn,
                goal.kommentar or None,
                b.varde if b else None,
                b.motivering if b else None,
            ]
        )
        for ind in goal.indikatorer:
            add_indicator(ind, gid)
        for child in goal.mal:
            add_goal(child, area_id, gid)

    def add_indicator(ind: Indikator, gid: str) -> None:
        counter["ind"] += 1
        iid = ind.id or f"ind_{counter['ind']}"
        b = ind.bedomning
        malvarde = ind.malvarde if not isinstance(ind.malvarde, dict) else None
        delvis = ind.delvis if not isinstance(ind.delvis, dict) else None
        sheets["Indikatorer"].append(
            [
                iid,
                gid,
                ind.namn,
                ind.enhet or None,
                ind.riktning,
                "ja" if ind.strikt else None,
                _fmt(malvarde),
                _fmt(delvis),
                ind.decimaler,
                ind.kommentar or None,
                b.varde if b else None,
                b.motivering if b else None,
            ]
        )
        years: dict[int, dict[str, Any]] = {}
        for field in ("utfall", "prognos"):
            value = getattr(ind, field)
            if isinstance(value, dict):
                for year, v in value.items():
                    years.setdefault(year, {})[field] = v
            elif value is not None:
                years.setdefault(content.ar or 0, {})[field] = value
        for year in sorted(years, reverse=True):
            row = years[year]
            sheets["Utfall"].append([iid, year or None, _fmt(row.get("utfall")), _fmt(row.get("prognos"))])

    for a_i, area in enumerate(content.malomraden):
        aid = area.id or f"omrade_{a_i + 1}"
        sheets["Målområden"].append([aid, area.namn, area.beskrivning or None])
        for goal in area.mal:
            add_goal(goal, aid, None)


def write_beslut_workbook(path: Path, content: BeslutFil | None = None) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = BESLUT_SHEET
    _header(ws, BESLUT_COLUMNS)
    ws.column_dimensions["B"].width = 60
    status = DataValidation(type="list", formula1='"ej påbörjad,pågår,avslutad,avbruten"', allow_blank=True)
    ws.add_data_validation(status)
    status.add("D2:D1000")
    if content is not None:
        for b in content.beslut:
            ws.append([b.diarienummer or None, b.text, b.datum or None, b.status, b.kommentar or None])
    _save(wb, path)


def _references_as_text(wb: Workbook) -> None:
    """Keep "=namn" as text in the written file, so Excel shows it instead of #NAMN?."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"


def _save(wb: Workbook, path: Path) -> None:
    _references_as_text(wb)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()


# ---------------------------------------------------------------------------
# Reading


def _cell_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _rows(
    wb: Any, name: str, columns: Sequence[str], file: str, findings: list[Finding]
) -> list[tuple[int, dict[str, tuple[Any, str]]]]:
    """Records of one sheet: (row number, {column: (value, cell)})."""
    if name not in wb.sheetnames:
        findings.append(error(f"bladet '{name}' saknas", file=file, where=name))
        return []
    ws = wb[name]
    it = ws.iter_rows(values_only=True)
    header = [str(h).strip().casefold() if h is not None else "" for h in next(it, ())]
    index: dict[str, int] = {}
    for col in columns:
        if col in header:
            index[col] = header.index(col)
        else:
            findings.append(error(f"kolumnen '{col}' saknas i rubrikraden", file=file, where=f"{name}!1"))
    for h in header:
        if h and h not in columns:
            findings.append(
                error(
                    f"kolumnen '{h}' är okänd (kända: {', '.join(columns)})",
                    file=file,
                    where=f"{name}!1",
                )
            )
    out: list[tuple[int, dict[str, tuple[Any, str]]]] = []
    for row_no, row in enumerate(it, start=2):
        cells: dict[str, tuple[Any, str]] = {}
        for col, i in index.items():
            v = _cell_value(row[i]) if i < len(row) else None
            if v is not None:
                cells[col] = (v, f"{name}!{get_column_letter(i + 1)}{row_no}")
        if cells:
            out.append((row_no, cells))
    return out


def read_goal_workbook(path: Path | BinaryIO, display: str) -> tuple[Located | None, list[Finding]]:
    # Formulas are read as their text: "=nki_it_2023" typed in Excel is a reference to a
    # computed value (Excel itself shows #NAMN? for it, having no such name).
    wb, findings = open_workbook(path, display, data_only=False)
    if wb is None:
        return None, findings
    try:
        return _read_goal_workbook(wb, display)
    except Exception as exc:  # openpyxl parses sheets lazily and raises many kinds for a broken one
        return None, [error(workbook_problem(exc), file=display, code="kalkylblad")]
    finally:
        wb.close()


def _year(value: Any) -> int | None:
    """An Utfall row's year: a whole number 1900–2200 (ASCII digits when written as text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and YEAR.match(value.strip()):
        year = int(value.strip())
    else:
        return None
    return year if 1900 <= year <= 2200 else None


def _read_goal_workbook(wb: Any, display: str) -> tuple[Located, list[Finding]]:
    findings: list[Finding] = []
    places: dict[PathKey, Place] = {}
    data: dict[str, Any] = {"malomraden": []}
    if "Inställningar" in wb.sheetnames:
        for row_no, cells in _rows(wb, "Inställningar", ("nyckel", "varde"), display, findings):
            setting = str(cells.get("nyckel", ("", ""))[0])
            value, where = cells.get("varde", (None, f"Inställningar!B{row_no}"))
            if setting == "ar" and value is not None:
                data["ar"] = value
                places[("ar",)] = Place(where=where)
            elif setting == "nivaer" and value:
                data["nivaer"] = [s.strip() for s in str(value).split(",") if s.strip()]
                places[("nivaer",)] = Place(where=where)
            elif setting not in {"ar", "nivaer"}:
                findings.append(
                    error(
                        f"okänd inställning '{setting}' (kända: ar, nivaer)",
                        file=display,
                        where=f"Inställningar!A{row_no}",
                    )
                )
    areas: dict[str, tuple[dict[str, Any], PathKey]] = {}
    for row_no, cells in _rows(wb, "Målområden", SHEETS["Målområden"], display, findings):
        aid = str(cells.get("id", (f"rad{row_no}", ""))[0])
        apath: PathKey = ("malomraden", len(data["malomraden"]))
        area = {k: v for k, (v, _) in cells.items()}
        area["mal"] = []
        data["malomraden"].append(area)
        areas[aid] = (area, apath)
        _record_places(places, apath, cells, row_no, "Målområden")
    goal_rows = _rows(wb, "Mål", SHEETS["Mål"], display, findings)
    goals: dict[str, tuple[dict[str, Any], PathKey]] = {}
    pending = list(goal_rows)
    # Parents first: repeat until no row can be placed (the rest refer to unknown goals).
    while pending:
        placed = False
        for item in list(pending):
            row_no, cells = item
            parent = cells.get("overordnat_mal")
            area_ref = cells.get("malomrade")
            if parent is not None and str(parent[0]) not in goals:
                continue
            if parent is None and (area_ref is None or str(area_ref[0]) not in areas):
                where = area_ref[1] if area_ref else f"Mål!B{row_no}"
                findings.append(
                    error(
                        f"målområdet '{area_ref[0] if area_ref else ''}' finns inte på bladet Målområden",
                        file=display,
                        where=where,
                    )
                )
                pending.remove(item)
                continue
            goal = _goal_dict(cells)
            if parent is not None:
                owner, owner_path = goals[str(parent[0])]
            else:
                owner, owner_path = areas[str(area_ref[0])] if area_ref else ({}, ())
            gpath_new: PathKey = (*owner_path, "mal", len(owner["mal"]))
            owner["mal"].append(goal)
            gid = str(cells.get("id", (f"rad{row_no}", ""))[0])
            goals[gid] = (goal, gpath_new)
            _record_places(places, gpath_new, cells, row_no, "Mål")
            pending.remove(item)
            placed = True
        if not placed:
            for _, cells in pending:
                parent = cells["overordnat_mal"]
                findings.append(
                    error(
                        f"det överordnade målet '{parent[0]}' finns inte (eller bildar en slinga)",
                        file=display,
                        where=parent[1],
                    )
                )
            break
    indicators: dict[str, tuple[dict[str, Any], PathKey]] = {}
    for row_no, cells in _rows(wb, "Indikatorer", SHEETS["Indikatorer"], display, findings):
        ref = cells.get("mal")
        goal_id = _known_ref(ref, goals, "målet", "Mål", f"Indikatorer!B{row_no}", display, findings)
        if goal_id is None:
            continue
        goal, gpath = goals[goal_id]
        ind = _indicator_dict(cells)
        goal.setdefault("indikatorer", [])
        ipath_new: PathKey = (*gpath, "indikatorer", len(goal["indikatorer"]))
        goal["indikatorer"].append(ind)
        if "id" in cells:
            indicators[str(cells["id"][0])] = (ind, ipath_new)
        _record_places(places, ipath_new, cells, row_no, "Indikatorer")
    for row_no, cells in _rows(wb, "Utfall", SHEETS["Utfall"], display, findings):
        ref = cells.get("indikator")
        ind_id = _known_ref(
            ref, indicators, "indikatorn", "Indikatorer", f"Utfall!A{row_no}", display, findings
        )
        if ind_id is None:
            continue
        ind, ipath = indicators[ind_id]
        year_cell = cells.get("ar")
        year = _year(year_cell[0]) if year_cell else None
        if year is None:
            findings.append(
                error(
                    "år saknas eller är inget årtal",
                    file=display,
                    where=year_cell[1] if year_cell else f"Utfall!B{row_no}",
                )
            )
            continue
        for field in ("utfall", "prognos"):
            if field in cells:
                ind.setdefault(field, {})[year] = cells[field][0]
                places[(*ipath, field, year)] = Place(where=cells[field][1])
    return Located(display, data, places), findings


def _record_places(
    places: dict[PathKey, Place],
    path: PathKey,
    cells: dict[str, tuple[Any, str]],
    row_no: int,
    sheet: str,
) -> None:
    places[path] = Place(where=f"{sheet}!{row_no}")
    for col, (_, where) in cells.items():
        target = {
            "bedomning": ("bedomning", "varde"),
            "motivering": ("bedomning", "motivering"),
        }.get(col, (col,))
        places[(*path, *target)] = Place(where=where)


def _assessment(cells: dict[str, tuple[Any, str]], out: dict[str, Any]) -> None:
    if "bedomning" in cells or "motivering" in cells:
        out["bedomning"] = {
            "varde": str(cells.get("bedomning", ("", ""))[0]),
            "motivering": str(cells.get("motivering", ("", ""))[0]),
        }


def _goal_dict(cells: dict[str, tuple[Any, str]]) -> dict[str, Any]:
    goal: dict[str, Any] = {"mal": []}
    for key in ("id", "namn", "kommentar"):
        if key in cells:
            goal[key] = cells[key][0]
    _assessment(cells, goal)
    return goal


def _indicator_dict(cells: dict[str, tuple[Any, str]]) -> dict[str, Any]:
    ind: dict[str, Any] = {}
    for key in ("id", "namn", "enhet", "riktning", "malvarde", "delvis", "decimaler", "kommentar"):
        if key in cells:
            ind[key] = cells[key][0]
    if "strikt" in cells:
        ind["strikt"] = str(cells["strikt"][0]).casefold() in {"ja", "true", "1", "j", "x"}
    _assessment(cells, ind)
    return ind


def read_beslut_workbook(path: Path | BinaryIO, display: str) -> tuple[Located | None, list[Finding]]:
    wb, findings = open_workbook(path, display)
    if wb is None:
        return None, findings
    places: dict[PathKey, Place] = {}
    items: list[dict[str, Any]] = []
    try:
        for row_no, cells in _rows(wb, BESLUT_SHEET, BESLUT_COLUMNS, display, findings):
            key: PathKey = ("beslut", len(items))
            items.append({k: str(v) for k, (v, _) in cells.items()})
            _record_places(places, key, cells, row_no, BESLUT_SHEET)
    except Exception as exc:  # openpyxl parses sheets lazily and raises many kinds for a broken one
        return None, [error(workbook_problem(exc), file=display, code="kalkylblad")]
    finally:
        wb.close()
    return Located(display, {"beslut": items}, places), findings


def _known_ref(
    ref: tuple[Any, str] | None,
    known: Mapping[str, object],
    what: str,
    sheet: str,
    fallback: str,
    display: str,
    findings: list[Finding],
) -> str | None:
    """The goal or indicator a row names, or None (with a finding) when it is not on its sheet."""
    if ref is not None and str(ref[0]) in known:
        return str(ref[0])
    findings.append(
        error(
            f"{what} '{ref[0] if ref else ''}' finns inte på bladet {sheet}",
            file=display,
            where=ref[1] if ref else fallback,
        )
    )
    return None
