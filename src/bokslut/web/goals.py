"""Goal follow-up in the web: the indicators' utfall, prognos and bedömning, the assignments' status.

The forms write ``data/mal.yaml`` and ``data/beslut.yaml`` – or ``data/mal.xlsx`` and
``data/beslut.xlsx`` when the workspace keeps them as workbooks – the files ``bokslut build``
reads. A workbook is changed cell by cell (:mod:`bokslut.web.goal_workbook`); what follows
here is the YAML files'.
A file is first read and validated by the CLI's own code (:mod:`bokslut.followup.source`:
the limited YAML loader and the pydantic models), and only then opened for editing with
ruamel.yaml's round-trip loader, so that comments, order and quoting in the file survive a
save. The edited text is validated again by the same code before it replaces the file.

Saving is the sections' compare-and-swap (:mod:`bokslut.web.sections`): under the save lock
the file is read, an outside change is recorded in the history, the hash the form started
from is compared, and the file is replaced atomically; every version is in the web
database under the file's name (``data/mal.yaml``), which no section id can be.

Who may edit: an administrator, or a writer (skribent) of a section whose text shows the goal
area's table (``mal_malomrade_N`` / ``mal_hierarki_N``); for the assignments, a writer of a
section that shows ``politiska_beslut``. The goal area is thereby owned by whoever writes
about it in the report.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bokslut.diagnostics import BokslutError, Finding
from bokslut.followup import find_file
from bokslut.followup.model import BESLUT_STATUS, STATUS_SPELLINGS, STATUS_WORD, BeslutFil, MalFil, Status
from bokslut.followup.source import parse_yaml, validate
from bokslut.web import goal_workbook
from bokslut.web.db import ReportState, SectionRole, User, WebDb, sha256_text
from bokslut.web.sections import (
    Conflict,
    Section,
    list_sections,
    note_outside_change,
    read_section,
    save_lock,
)
from bokslut.web.sections import current_with_history as _text_with_history
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout
from bokslut.workspace.safe_files import Refused, read_plain_file, write_plain_file

GOALS = Section("data/mal.yaml", "data/mal.yaml", "Mål och indikatorer")
DECISIONS = Section("data/beslut.yaml", "data/beslut.yaml", "Politiska uppdrag")
GOALS_XLSX = Section("data/mal.xlsx", "data/mal.xlsx", "Mål och indikatorer")
DECISIONS_XLSX = Section("data/beslut.xlsx", "data/beslut.xlsx", "Politiska uppdrag")

# The choices of the bedömning field: "" keeps the assessment computed from the figures.
ASSESSMENTS: tuple[tuple[str, str], ...] = (
    ("", "Beräknas av bokslut (ingen egen bedömning)"),
    *((s.value, STATUS_WORD[s]) for s in Status),
)
DECISION_STATES: tuple[str, ...] = ("ej påbörjad", "pågår", "avslutad", "avbruten")
MAX_TEXT = 2000
MAX_VALUE = 200

# 1 234,5 (spaces or no-break spaces between thousands, decimal comma), 1234,5 or 1234.5.
_GROUPED = re.compile(r"^-?[0-9]{1,3}(?: [0-9]{3})+(?:,[0-9]+)?$")
_PLAIN = re.compile(r"^-?[0-9]+(?:[,.][0-9]+)?$")


class FormInvalid(Exception):
    """The form has values that cannot be saved; ``errors`` maps a field name to a Swedish reason."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("ogiltigt formulär")
        self.errors = dict(errors)


@dataclass(frozen=True, slots=True)
class Field:
    """One value of the form: its input name, what it holds now, and whether the form may change it."""

    name: str
    value: str
    editable: bool
    why_not: str = ""  # shown instead of an input: "räknas fram (=nki_2023)"


@dataclass(frozen=True, slots=True)
class IndicatorForm:
    key: int
    goal: str
    name: str
    unit: str
    utfall: Field
    prognos: Field
    bedomning: str
    motivering: str


@dataclass(frozen=True, slots=True)
class AreaForm:
    index: int  # 1-based, as in the table id mal_malomrade_N
    name: str
    indicators: list[IndicatorForm]
    year: int | None


@dataclass(frozen=True, slots=True)
class DecisionForm:
    key: int
    text: str
    diarienummer: str
    status: str
    kommentar: str


@dataclass(frozen=True, slots=True)
class Loaded:
    """A goal or decision file: its text (a workbook's as :func:`goal_workbook.workbook_text`),
    the SHA-256 of its bytes (the save's guard), and the data the forms read and change."""

    text: str
    sha256: str
    data: Any = field(repr=False)
    workbook: goal_workbook.Read | None = field(default=None, repr=False)


def is_workbook(section: Section) -> bool:
    return section.file.endswith(".xlsx")


def _is_goals(section: Section) -> bool:
    return section in (GOALS, GOALS_XLSX)


def _pick(layout: Layout, stem: str, yaml_section: Section, xlsx_section: Section) -> Section | None:
    path, findings = find_file(layout, stem)
    if findings:
        raise BokslutError(findings[0].message, findings)
    if path is None:
        return None
    if path.suffix == ".xlsx":
        return xlsx_section
    if f"data/{path.name}" == yaml_section.file:
        return yaml_section
    raise BokslutError(
        f"uppgifterna står i data/{path.name}; formulären i webben skriver {yaml_section.file} eller "
        f"{xlsx_section.file} – byt namn på filen"
    )


def goal_section(layout: Layout) -> Section | None:
    """The file the workspace keeps its goals in (mal.yaml or mal.xlsx), None if it has none."""
    return _pick(layout, "mal", GOALS, GOALS_XLSX)


def decision_section(layout: Layout) -> Section | None:
    return _pick(layout, "beslut", DECISIONS, DECISIONS_XLSX)


# -- reading ------------------------------------------------------------------------------


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a person's long line
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _check(text: str, file: str, model: type[MalFil] | type[BeslutFil]) -> list[Finding]:
    """The CLI's own reading of the text: the limited YAML loader, then the file's model."""
    located, findings = parse_yaml(text, file)
    if located is None or findings:
        return findings
    _, problems = validate(model, located)
    return problems


def load(layout: Layout, section: Section, max_bytes: int) -> Loaded:
    """The file's text and its round-trip data; a file the CLI would refuse is refused here too."""
    if is_workbook(section):
        return _load_workbook(layout, section, max_bytes)
    other = layout.root / section.file.replace(".yaml", ".xlsx")
    if other.exists():
        raise BokslutError(
            f"både {section.file} och {section.file.replace('.yaml', '.xlsx')} finns – behåll en av "
            "dem så att det är klart vilken som gäller"
        )
    if not (layout.root / section.file).is_file():
        raise BokslutError(f"arbetsytan har ingen {section.file}")
    text = read_section(layout, section, max_bytes)
    model = MalFil if section is GOALS else BeslutFil
    findings = _check(text, section.file, model)
    if findings:
        raise BokslutError(f"{section.file} har fel som måste rättas i filen först", findings)
    data = _yaml().load(text) or CommentedMap()
    return Loaded(text, sha256_text(text), data)


def _workbook_sheets(section: Section) -> tuple[str, ...]:
    return goal_workbook.GOAL_SHEETS if _is_goals(section) else goal_workbook.DECISION_SHEETS


def _read_bytes(layout: Layout, section: Section, max_bytes: int) -> bytes:
    if not (layout.root / section.file).is_file():
        raise BokslutError(f"arbetsytan har ingen {section.file}")
    raw = read_plain_file(layout.root, layout.root / section.file, max_bytes, section.file)
    if isinstance(raw, Finding):
        raise BokslutError(raw.message, [raw])
    return raw


def _load_workbook(layout: Layout, section: Section, max_bytes: int) -> Loaded:
    other = layout.root / section.file.replace(".xlsx", ".yaml")
    if other.exists():
        raise BokslutError(
            f"både data/{other.name} och {section.file} finns – behåll en av dem så att det är klart "
            "vilken som gäller"
        )
    read = goal_workbook.read(_read_bytes(layout, section, max_bytes), section.file, _is_goals(section))
    data = copy.deepcopy(read.located.data)
    if _is_goals(section) and data.get("ar") is None:
        # As build: without an ar in Inställningar, the outcomes are the report year's.
        data["ar"] = load_config(layout.config).rapport.ar
    text = goal_workbook.workbook_text(read.raw, _workbook_sheets(section))
    return Loaded(text, read.sha256, data, read)


def current_with_history(layout: Layout, db: WebDb, section: Section, max_bytes: int) -> None:
    """Record a change made in the folder (an editor, Excel, git pull) before a form shows the file."""
    if not is_workbook(section):
        _text_with_history(layout, db, section, max_bytes)
        return
    with save_lock(layout, section.id):
        raw = _read_bytes(layout, section, max_bytes)
        note_outside_change(db, section, goal_workbook.workbook_text(raw, _workbook_sheets(section)))


def opened_text(db: WebDb, section: Section, base_sha: str, fallback: str) -> str:
    """The file as it was when a form with ``base_sha`` was opened (from the history)."""
    for saved in db.history(section.id):
        sha = goal_workbook.text_sha(saved.text) if is_workbook(section) else saved.sha256
        if sha == base_sha:
            return saved.text
    return fallback


def _indicators(goal: Any, goal_name: str) -> Iterator[tuple[str, Any]]:
    for ind in goal.get("indikatorer") or []:
        yield goal_name, ind
    for sub in goal.get("mal") or []:
        yield from _indicators(sub, str(sub.get("namn", "")))


def _area_indicators(data: Any, index: int) -> Iterator[tuple[str, Any]]:
    area = data["malomraden"][index - 1]
    for goal in area.get("mal") or []:
        yield from _indicators(goal, str(goal.get("namn", "")))


def area_count(data: Any) -> int:
    return len(data.get("malomraden") or [])


def area_names(data: Any) -> list[str]:
    return [str(a.get("namn", "")) for a in data.get("malomraden") or []]


def shown_value(v: object) -> str:
    """A stored value as a Swedish writer types it: decimal comma, no thousands separator."""
    if isinstance(v, bool):
        return "Ja" if v else "Nej"
    if isinstance(v, float):
        return repr(v).replace(".", ",").removesuffix(",0")
    return "" if v is None else str(v)


def _field(ind: Any, key: str, name: str, year: int | None) -> Field:
    v = ind.get(key)
    if isinstance(v, Mapping):
        if year is None:
            return Field(name, "", False, "anges per år i filen")
        v = v.get(year)
    if isinstance(v, str) and v.startswith("="):
        return Field(name, v, False, f"räknas fram ({v})")
    if isinstance(v, list):
        return Field(name, "–".join(shown_value(x) for x in v), False, "ett intervall; ändras i filen")
    return Field(name, shown_value(v), True)


def area_form(loaded: Loaded, index: int) -> AreaForm:
    data = loaded.data
    year = data.get("ar")
    area = data["malomraden"][index - 1]
    rows: list[IndicatorForm] = []
    for key, (goal, ind) in enumerate(_area_indicators(data, index)):
        b = ind.get("bedomning") or {}
        status = STATUS_SPELLINGS.get(str(b.get("varde", "")).strip().casefold())
        rows.append(
            IndicatorForm(
                key,
                goal,
                str(ind.get("namn", "")),
                str(ind.get("enhet", "")),
                _field(ind, "utfall", f"utfall-{key}", year),
                _field(ind, "prognos", f"prognos-{key}", year),
                status.value if status else "",
                str(b.get("motivering", "")),
            )
        )
    return AreaForm(index, str(area.get("namn", "")), rows, year)


def decision_forms(loaded: Loaded) -> list[DecisionForm]:
    out = []
    for key, d in enumerate(loaded.data.get("beslut") or []):
        label = BESLUT_STATUS.get(str(d.get("status", "")).strip().casefold(), "")
        out.append(
            DecisionForm(
                key,
                str(d.get("text", "")),
                str(d.get("diarienummer", "")),
                label.casefold(),
                str(d.get("kommentar", "")),
            )
        )
    return out


# -- the form's values --------------------------------------------------------------------


def parse_value(raw: str) -> int | float | str | None:
    """A value typed in the form: empty (none), a number in Swedish or plain form, or a word ("Ja").

    Raises ValueError with the Swedish reason for anything else with digits in it, so that
    "1.234,5" is never stored as a text that looks like a number.
    """
    s = raw.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")
    if not s:
        return None
    if len(s) > MAX_VALUE:
        raise ValueError(f"värdet är för långt (högst {MAX_VALUE} tecken)")
    if s.startswith("="):
        raise ValueError("en hänvisning (=namn) till ett framräknat värde skrivs i filen, inte här")
    if _GROUPED.match(s) or _PLAIN.match(s):
        compact = s.replace(" ", "").replace(",", ".")
        return float(compact) if "." in compact else int(compact)
    if any(c.isdigit() for c in s):
        raise ValueError(
            f"'{s}' är inget tal – skriv t.ex. 1 234,5 (mellanslag mellan tusental, decimalkomma)"
        )
    return s


def _set(ind: Any, key: str, value: object, year: int | None) -> None:
    current = ind.get(key)
    if isinstance(current, MutableMapping) and year is not None:
        if value is None:
            current.pop(year, None)
        else:
            current[year] = value
    elif value is None:
        ind.pop(key, None)
    else:
        ind[key] = value


def _text(form: Mapping[str, str], name: str, errors: dict[str, str]) -> str:
    value = form.get(name, "").replace("\r\n", "\n").strip()
    if len(value) > MAX_TEXT:
        errors[name] = f"texten är för lång (högst {MAX_TEXT} tecken)"
    return value


def apply_area(data: Any, index: int, form: Mapping[str, str]) -> None:
    """Write the form's values into the round-trip data; raises FormInvalid, changing nothing then."""
    year = data.get("ar")
    errors: dict[str, str] = {}
    changes: list[Callable[[], None]] = []
    for key, (_, ind) in enumerate(_area_indicators(data, index)):
        for column in ("utfall", "prognos"):
            name = f"{column}-{key}"
            if name not in form or not _field(ind, column, name, year).editable:
                continue  # a computed value is not the form's to change
            try:
                value = parse_value(form[name])
            except ValueError as exc:
                errors[name] = str(exc)
                continue
            changes.append(partial(_set, ind, column, value, year))
        varde = form.get(f"bedomning-{key}", "").strip()
        motivering = _text(form, f"motivering-{key}", errors)
        if varde and varde not in {s.value for s in Status}:
            errors[f"bedomning-{key}"] = "välj en av bedömningarna i listan"
        elif varde and not motivering:
            errors[f"motivering-{key}"] = "en egen bedömning behöver en motivering"
        elif motivering and not varde:
            errors[f"bedomning-{key}"] = "motiveringen hör till en bedömning – välj en eller töm motiveringen"
        elif varde:
            changes.append(partial(_set_assessment, ind, varde, motivering))
        elif f"bedomning-{key}" in form:
            changes.append(partial(_drop, ind, "bedomning"))
    if errors:
        raise FormInvalid(errors)
    for change in changes:
        change()


def _drop(ind: Any, key: str) -> None:
    ind.pop(key, None)


def _set_assessment(ind: Any, varde: str, motivering: str) -> None:
    b = ind.get("bedomning")
    if not isinstance(b, Mapping):
        b = CommentedMap()
        ind["bedomning"] = b
    b["varde"] = varde
    b["motivering"] = motivering


def apply_decisions(data: Any, form: Mapping[str, str]) -> None:
    errors: dict[str, str] = {}
    changes: list[Callable[[], None]] = []
    for key, d in enumerate(data.get("beslut") or []):
        name = f"status-{key}"
        if name not in form:
            continue
        status = form[name].strip()
        if status not in DECISION_STATES:
            errors[name] = "välj en av statusarna i listan"
            continue
        kommentar = _text(form, f"kommentar-{key}", errors)
        changes.append(partial(_set_decision, d, status, kommentar))
    if errors:
        raise FormInvalid(errors)
    for change in changes:
        change()


def _set_decision(d: Any, status: str, kommentar: str) -> None:
    d["status"] = status
    if kommentar:
        d["kommentar"] = kommentar
    else:
        d.pop("kommentar", None)


# -- saving -------------------------------------------------------------------------------


def save(
    layout: Layout,
    db: WebDb,
    section: Section,
    user_id: int,
    base_sha: str,
    max_bytes: int,
    change: Callable[[Any], None],
) -> str:
    """Apply ``change`` to the file if it still has ``base_sha``; the new text's hash.

    Raises :class:`Conflict` when the file changed (in the web or in the folder),
    :class:`FormInvalid` for the form's own errors, BokslutError when the result would not
    be a valid file; in every one of those cases nothing is written.
    """
    workbook = is_workbook(section)
    with save_lock(layout, section.id):
        loaded = _load_workbook(layout, section, max_bytes) if workbook else load(layout, section, max_bytes)
        note_outside_change(db, section, loaded.text)
        if loaded.sha256 != base_sha:
            raise Conflict(loaded.text)
        changed = (_changed_workbook if workbook else _changed_yaml)(section, loaded, max_bytes, change)
        if changed is None:
            return loaded.sha256
        raw, history_text = changed
        try:
            write_plain_file(layout.root, section.file, raw)
        except Refused as exc:
            raise BokslutError(f"{section.file}: {exc.message}") from None
        db.record_save(section.id, user_id, history_text, "spara")
    return hashlib.sha256(raw).hexdigest()


def _too_large(section: Section) -> BokslutError:
    return BokslutError(f"{section.file} blir större än gränsen och sparas inte")


def _changed_yaml(
    section: Section, loaded: Loaded, max_bytes: int, change: Callable[[Any], None]
) -> tuple[bytes, str] | None:
    """The YAML file's new bytes and history text, checked as build reads it; None if unchanged."""
    change(loaded.data)
    out = io.StringIO()
    _yaml().dump(loaded.data, out)
    text = out.getvalue()
    raw = text.encode("utf-8")
    if len(raw) > max_bytes:
        raise _too_large(section)
    findings = _check(text, section.file, MalFil if section is GOALS else BeslutFil)
    if findings:
        raise BokslutError(f"ändringen skulle ge en ogiltig {section.file} och sparas inte", findings)
    return None if text == loaded.text else (raw, text)


def _edits(section: Section, loaded: Loaded, after: Any) -> list[goal_workbook.Edit]:
    assert loaded.workbook is not None
    if not _is_goals(section):
        return goal_workbook.decision_edits(loaded.workbook.located, loaded.data, after)
    edits, problems = goal_workbook.goal_edits(loaded.workbook.located, loaded.data, after)
    if problems:
        raise FormInvalid(problems)
    return edits


def _changed_workbook(
    section: Section, loaded: Loaded, max_bytes: int, change: Callable[[Any], None]
) -> tuple[bytes, str] | None:
    """The workbook's new bytes (only the changed cells written) and history text; None if unchanged."""
    after = copy.deepcopy(loaded.data)
    change(after)
    edits = _edits(section, loaded, after)
    if not edits:
        return None
    assert loaded.workbook is not None
    raw = goal_workbook.written(loaded.workbook.raw, edits)
    if len(raw) > max_bytes:
        raise _too_large(section)
    # Read back as build reads it: valid, and holding exactly the values of the form.
    try:
        back = goal_workbook.read(raw, section.file, _is_goals(section))
    except BokslutError as exc:
        raise BokslutError(
            f"ändringen skulle ge en ogiltig {section.file} och sparas inte", exc.findings
        ) from None
    again = copy.deepcopy(back.located.data)
    if _is_goals(section) and again.get("ar") is None:
        again["ar"] = after.get("ar")
    reread = Loaded(loaded.text, back.sha256, again, back)
    if _edits(section, reread, after):
        raise BokslutError(f"{section.file} kunde inte skrivas så att den läses med formulärets värden")
    return raw, goal_workbook.workbook_text(raw, _workbook_sheets(section))


# -- who may edit -------------------------------------------------------------------------


def holders(layout: Layout, max_bytes: int, table_ids: tuple[str, ...]) -> set[str]:
    """The sections whose text shows one of ``table_ids`` (as a whole word: _1 is not _10)."""
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in table_ids) + r")\b")
    out: set[str] = set()
    for s in list_sections(layout, max_bytes):
        try:
            text = read_section(layout, s, max_bytes)
        except BokslutError:
            continue
        if pattern.search(text):
            out.add(s.id)
    return out


def area_tables(index: int) -> tuple[str, ...]:
    return (f"mal_malomrade_{index}", f"mal_hierarki_{index}")


DECISION_TABLES = ("politiska_beslut",)


def may_edit(user: User, state: ReportState, sections: set[str]) -> bool:
    if state is not ReportState.OPEN:
        return False
    return user.is_admin or any(user.has(s, SectionRole.WRITER) for s in sections)
