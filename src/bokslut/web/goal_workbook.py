"""The goal forms' changes written into data/mal.xlsx or data/beslut.xlsx, cell by cell.

A workbook is read by the reader ``bokslut build`` uses (:mod:`bokslut.followup.xlsx`),
which tells for every value the cell it came from (``Located.places``: "Utfall!C13").
The forms change the reader's data exactly as they change mal.yaml; what differs
between the data before and after becomes a list of cells to write, and only those
cells are written into the user's own workbook with openpyxl – the other sheets, the
formatting, the column widths, the comments and the data validations stay as they were.
An outcome for a year that has no row on the Utfall sheet gets a new row.

The history and the conflict view need text: a workbook is shown as one line per
non-empty row of its sheets (``workbook_text``), which is what a diff compares.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bokslut.diagnostics import BokslutError, Level
from bokslut.followup import duplicate_ids
from bokslut.followup.model import BESLUT_STATUS, STATUS_SPELLINGS, BeslutFil, MalFil
from bokslut.followup.source import Located, PathKey, validate
from bokslut.followup.xlsx import BESLUT_SHEET, SHEETS, read_beslut_workbook, read_goal_workbook
from bokslut.tabular import workbook_problem

GOAL_SHEETS: tuple[str, ...] = ("Inställningar", *SHEETS)
DECISION_SHEETS: tuple[str, ...] = (BESLUT_SHEET,)
_CELL = re.compile(r"^(.+)!([A-Z]+)?([0-9]+)$")


@dataclass(frozen=True, slots=True)
class Read:
    """A workbook as ``bokslut build`` reads it, with its bytes."""

    raw: bytes
    sha256: str
    located: Located = field(repr=False)


@dataclass(frozen=True, slots=True)
class Edit:
    """One cell to write: on ``sheet`` in ``row`` (None: a new row), column ``column``.

    ``match`` names the record a new row belongs to (the Utfall sheet's indikator and ar),
    so two values of one new record share a row.
    """

    sheet: str
    row: int | None
    column: str
    value: object
    match: tuple[tuple[str, object], ...] = ()


def read(raw: bytes, display: str, goals: bool) -> Read:
    """The workbook read and validated as ``build`` does; BokslutError when build would refuse it."""
    reader = read_goal_workbook if goals else read_beslut_workbook
    located, findings = reader(io.BytesIO(raw), display)
    if located is not None:
        if goals:
            content, problems = validate(MalFil, located)
            if content is not None:
                problems += duplicate_ids(content, located)
        else:
            _, problems = validate(BeslutFil, located)
        findings = [*findings, *problems]
    errors = [f for f in findings if f.level is Level.ERROR]
    if located is None or errors:
        raise BokslutError(f"{display} har fel som måste rättas i filen först", errors or findings)
    return Read(raw, hashlib.sha256(raw).hexdigest(), located)


def _plain(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\r\n", "\n").replace("\n", " ⏎ ")


_SHA_LINE = "Arbetsbokens SHA-256: "


def workbook_text(raw: bytes, sheets: Sequence[str]) -> str:
    """The workbook's ``sheets`` as text: "[Blad]", then "row: column: value · …" per row.

    The first line holds the SHA-256 of the file, so that every version of the file is one
    version in the history (a change of formatting alone too), found again by its hash.
    """
    from openpyxl import load_workbook

    lines: list[str] = [_SHA_LINE + hashlib.sha256(raw).hexdigest(), ""]
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        lines.append(f"(arbetsboken kan inte visas: {workbook_problem(exc)})")
        return "\n".join(lines) + "\n"
    try:
        for name in sheets:
            if name not in wb.sheetnames:
                continue
            rows = wb[name].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            lines.append(f"[{name}]")
            for n, row in enumerate(rows, start=2):
                cells = [
                    f"{h or '?'}: {_plain(v)}"
                    for h, v in zip(header, row, strict=False)
                    if v not in (None, "")
                ]
                if cells:
                    lines.append(f"{n}: " + " · ".join(cells))
            lines.append("")
    finally:
        wb.close()
    return "\n".join(lines)


def text_sha(text: str) -> str | None:
    """The file's SHA-256 that :func:`workbook_text` wrote into ``text``."""
    first = text.partition("\n")[0]
    return first.removeprefix(_SHA_LINE) if first.startswith(_SHA_LINE) else None


# -- what changed ---------------------------------------------------------------------------


def indicator_paths(data: Mapping[str, Any]) -> Iterator[tuple[int, int, PathKey, Any]]:
    """(area number from 1, the indicator's key in its area's form, path, indicator), in the
    order of the forms (:func:`bokslut.web.goals.area_form`)."""
    for a_i, area in enumerate(data.get("malomraden") or []):
        key = 0
        for g_i, goal in enumerate(area.get("mal") or []):
            for path, ind in _goal_indicators(goal, ("malomraden", a_i, "mal", g_i)):
                yield a_i + 1, key, path, ind
                key += 1


def _goal_indicators(goal: Any, path: PathKey) -> Iterator[tuple[PathKey, Any]]:
    for k, ind in enumerate(goal.get("indikatorer") or []):
        yield (*path, "indikatorer", k), ind
    for s, sub in enumerate(goal.get("mal") or []):
        yield from _goal_indicators(sub, (*path, "mal", s))


def _row(located: Located, path: PathKey) -> int | None:
    place = located.places.get(path)
    m = _CELL.match(place.where or "") if place is not None else None
    return int(m.group(3)) if m else None


def _per_year(value: object, year: int) -> dict[int, object]:
    if isinstance(value, Mapping):
        return {int(y): v for y, v in value.items() if v is not None}
    return {} if value is None else {year: value}


def _assessment(ind: Any) -> tuple[object, str]:
    b = ind.get("bedomning")
    if not isinstance(b, Mapping):
        return None, ""
    varde = str(b.get("varde", "")).strip()
    return STATUS_SPELLINGS.get(varde.casefold(), varde), str(b.get("motivering", "")).strip()


def goal_edits(
    located: Located, before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[list[Edit], dict[str, str]]:
    """The cells to write for the forms' change from ``before`` to ``after``, and the form
    fields that cannot be written (their Swedish reason)."""
    year = int(after.get("ar") or 0)
    edits: list[Edit] = []
    problems: dict[str, str] = {}
    old_indicators = {path: ind for _, _, path, ind in indicator_paths(before)}
    for _, key, path, ind in indicator_paths(after):
        old = old_indicators.get(path, {})
        for column in ("utfall", "prognos"):
            was, now = _per_year(old.get(column), year), _per_year(ind.get(column), year)
            for y in sorted(set(was) | set(now)):
                if was.get(y) == now.get(y):
                    continue
                row = _row(located, (*path, column, y)) or _row(
                    located, (*path, "prognos" if column == "utfall" else "utfall", y)
                )
                ident = ind.get("id")
                if row is None and not ident:
                    problems[f"{column}-{key}"] = (
                        "indikatorn har inget id på bladet Indikatorer, så dess utfall kan inte "
                        "skrivas på bladet Utfall – ge den ett id i arbetsboken först"
                    )
                    continue
                match = (("indikator", str(ident)), ("ar", y))
                edits.append(Edit("Utfall", row, column, now.get(y), match))
        if _assessment(old) != _assessment(ind):
            row = _row(located, path)
            if row is None:  # every indicator read from a workbook has its row
                raise BokslutError("indikatorns rad på bladet Indikatorer hittades inte")
            varde, motivering = _assessment(ind)
            edits.append(Edit("Indikatorer", row, "bedomning", _status_text(varde)))
            edits.append(Edit("Indikatorer", row, "motivering", motivering or None))
    return edits, problems


def _status_text(varde: object) -> str | None:
    if varde is None or varde == "":
        return None
    return str(getattr(varde, "value", varde))


def decision_edits(located: Located, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Edit]:
    edits: list[Edit] = []
    old = list(before.get("beslut") or [])
    for i, d in enumerate(after.get("beslut") or []):
        was = old[i] if i < len(old) else {}
        row = _row(located, ("beslut", i))
        if row is None:
            raise BokslutError("uppdragets rad på bladet Beslut hittades inte")
        status = str(d.get("status", "")).strip()
        if BESLUT_STATUS.get(status.casefold()) != BESLUT_STATUS.get(
            str(was.get("status", "")).strip().casefold()
        ):
            edits.append(Edit(BESLUT_SHEET, row, "status", status or None))
        kommentar = str(d.get("kommentar", "") or "").strip()
        if kommentar != str(was.get("kommentar", "") or "").strip():
            edits.append(Edit(BESLUT_SHEET, row, "kommentar", kommentar or None))
    return edits


# -- writing --------------------------------------------------------------------------------


def _columns(ws: Any) -> dict[str, int]:
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    return {str(h).strip().casefold(): i for i, h in enumerate(header, start=1) if h is not None}


def _last_row(ws: Any) -> int:
    for n in range(ws.max_row, 1, -1):
        if any(c.value not in (None, "") for c in ws[n]):
            return n
    return 1


def written(raw: bytes, edits: Sequence[Edit]) -> bytes:
    """``raw`` with ``edits`` written into it; everything else of the workbook kept."""
    from openpyxl import load_workbook

    # rich_text: a cell with words in bold or colour keeps them (openpyxl flattens it otherwise).
    wb = load_workbook(io.BytesIO(raw), rich_text=True)
    try:
        new_rows: dict[tuple[str, tuple[tuple[str, object], ...]], int] = {}
        for edit in edits:
            ws = wb[edit.sheet]
            columns = _columns(ws)
            row = edit.row
            if row is None:
                row = new_rows.get((edit.sheet, edit.match))
                if row is None:
                    if edit.value is None:
                        continue  # nothing to clear in a row that is not there
                    row = _last_row(ws) + 1
                    new_rows[(edit.sheet, edit.match)] = row
                    for name, value in edit.match:
                        ws.cell(row=row, column=columns[name]).value = value
            cell = ws.cell(row=row, column=columns[edit.column])
            cell.value = edit.value
            if isinstance(edit.value, str):
                cell.data_type = "s"  # a text is a text, whatever it starts with
        out = io.BytesIO()
        wb.save(out)
    finally:
        wb.close()
    return out.getvalue()
