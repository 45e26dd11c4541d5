"""The organisation as data: ansvar → enhet → förvaltning → nämnd (data/organisation.csv|xlsx).

One row per ansvar (an object of the ansvar dimension) with the names of its
enhet, förvaltning and nämnd. Ansvar that share a name at a level, under the
same parent, are one row of the driftredovisning at that level. Alongside it,
amounts keyed by ansvar or nämnd: the budget and the prognos per ansvar
(data/budget-ansvar, data/prognos-ansvar) and the ram (kommunbidrag) per nämnd
(data/ram). Every bad cell is a Finding with the file and the line.

The per-ansvar prognos reader lives here, not in plan.py, so the statements'
own prognos (per account, for the interim RR) can evolve on its own; both give
report-sign öre per key and year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bokslut.diagnostics import Finding, error, warning
from bokslut.money import kronor
from bokslut.statements.plan import MAX_ORE, parse_amount
from bokslut.tabular import DEFAULT_MAX_BYTES, ColumnSpec, find_input, read_table, shown, text

# Lowest first; each level's unit has one parent on the next.
LEVELS = ("ansvar", "enhet", "forvaltning", "namnd")
LEVEL_NAMES = {"ansvar": "ansvar", "enhet": "enhet", "forvaltning": "förvaltning", "namnd": "nämnd"}
ORG_COLUMNS = (
    ColumnSpec("ansvar"),
    ColumnSpec("namn", required=False),
    ColumnSpec("enhet"),
    ColumnSpec("forvaltning"),
    ColumnSpec("namnd"),
)


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """One row of the hierarchy at one level; ``id`` is the table's row id."""

    level: str
    id: str
    name: str
    parent: str | None  # id of the unit one level up (None for a nämnd)
    line: int  # first line of the organisation file that names it


@dataclass(frozen=True)
class Organisation:
    file: str
    units: Mapping[str, OrgUnit]  # id -> unit, in the file's order
    ansvar: Mapping[str, str]  # ansvar code -> id of its ansvar unit
    # (parent, level) -> its units in the file's order, made once: a region's file places tens
    # of thousands of ansvar, and the table asks for each unit's children.
    _children: dict[tuple[str | None, str], list[OrgUnit]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        children: dict[tuple[str | None, str], list[OrgUnit]] = {}
        for u in self.units.values():
            children.setdefault((u.parent, u.level), []).append(u)
        object.__setattr__(self, "_children", children)

    def children(self, parent: str | None, level: str) -> list[OrgUnit]:
        return list(self._children.get((parent, level), ()))

    def ancestor(self, unit_id: str, level: str) -> str:
        """The id of the unit at ``level`` that ``unit_id`` belongs to (itself at its own level)."""
        unit = self.units[unit_id]
        while unit.level != level:
            assert unit.parent is not None
            unit = self.units[unit.parent]
        return unit.id


def kr_text(ore: int) -> str:
    """Öre as a message shows kronor: "−50 000,00"."""
    v = kronor(ore)
    return f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")


def slug(name: str) -> str:
    """An ASCII id part for a name: "Barn- och utbildningsnämnden" -> "barn_och_utbildningsnamnden"."""
    t = name.casefold().translate(str.maketrans("åäöéü", "aaoeu"))
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_") or "x"


def read_organisation(
    path: Path, rel: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Organisation | None, list[Finding]]:
    raw, findings = read_table(path, rel, ORG_COLUMNS, max_bytes=max_bytes)
    # A column that is no level we know is a level the report would silently lack.
    findings = [
        error(
            f"okänd nivå '{f.where.removeprefix('kolumn ') if f.where else ''}' i organisationen "
            f"(kända kolumner: {', '.join(s.name for s in ORG_COLUMNS)}); "
            "nivåerna är ansvar → enhet → forvaltning → namnd",
            file=f.file,
            line=f.line,
            where=f.where,
            code="organisation-okand-niva",
        )
        if f.code == "okand-kolumn"
        else f
        for f in findings
    ]
    if raw is None or any(f.level == "error" and f.code != "organisation-okand-niva" for f in findings):
        return None, findings
    names = ("ansvar", "namn", "enhet", "forvaltning", "namnd")
    # Python lists walked together: a region's file places 90 000 ansvar.
    cols = [list(map(str, text(raw, name).tolist())) for name in names]
    numbering = raw.lines
    lines = numbering.tolist() if numbering is not None else range(raw.first_row, raw.first_row + raw.rows)
    units: dict[str, OrgUnit] = {}
    by_path: dict[tuple[str, ...], str] = {}
    ansvar: dict[str, str] = {}
    placed: dict[str, tuple[tuple[str, str, str], int]] = {}  # code -> (path, line)
    for line, code, namn, enhet, forvaltning, namnd in zip(lines, *cols, strict=True):
        if not (code and enhet and forvaltning and namnd):
            if not (code or namn or enhet or forvaltning or namnd):
                continue
            given = dict(zip(names, (code, namn, enhet, forvaltning, namnd), strict=True))
            missing = [LEVEL_NAMES[k] for k in LEVELS if not given[k]]
            findings.append(
                error(
                    f"raden saknar {' och '.join(missing)}; ansvaret hamnar under 'Ej fördelat'",
                    file=rel,
                    line=line,
                    code="organisation-saknas",
                )
            )
            continue
        path3 = (namnd, forvaltning, enhet)
        if code in placed:
            first_path, first_line = placed[code]
            if first_path == path3:
                findings.append(
                    warning(
                        f"ansvar {shown(code)} står två gånger (rad {first_line} och rad {line})",
                        file=rel,
                        line=line,
                        code="organisation-dubblett",
                    )
                )
            else:
                findings.append(
                    error(
                        f"ansvar {shown(code)} står under två platser i organisationen: "
                        f"{_describe(first_path)} (rad {first_line}) och {_describe(path3)} "
                        f"(rad {line}); bara rad {first_line} används",
                        file=rel,
                        line=line,
                        code="organisation-tva-namnder",
                    )
                )
            continue
        placed[code] = (path3, line)
        parent = by_path.get(path3)  # the enhet, when an earlier row placed it
        if parent is None:
            for level, key in (
                ("namnd", path3[:1]),
                ("forvaltning", path3[:2]),
                ("enhet", path3[:3]),
            ):
                uid = by_path.get(key)
                if uid is None:
                    base = f"{level}.{'.'.join(slug(k) for k in key)}"
                    uid, n = base, 1
                    while uid in units:
                        n += 1
                        uid = f"{base}_{n}"
                    units[uid] = OrgUnit(level, uid, key[-1], parent, line)
                    by_path[key] = uid
                parent = uid
        aid = f"ansvar.{code}"
        label = f"{code} {namn}" if namn else code
        units[aid] = OrgUnit("ansvar", aid, label, parent, line)
        ansvar[code] = aid
    if not ansvar:
        findings.append(error("organisationsfilen har inga ansvar", file=rel, code="organisation-tom"))
        return None, findings
    return Organisation(rel, units, ansvar), findings


def _describe(path3: tuple[str, str, str]) -> str:
    namnd, forvaltning, enhet = path3
    return f"nämnd '{shown(namnd)}', förvaltning '{shown(forvaltning)}', enhet '{shown(enhet)}'"


@dataclass(frozen=True, slots=True)
class KeyedAmount:
    """One amount of a per-ansvar budget/prognos or a per-nämnd ram: öre, report sign."""

    key: str
    year: int
    ore: int
    file: str
    line: int


@dataclass
class OrgInputs:
    """Everything the organisation-based tables read besides the ledger."""

    organisation: Organisation | None = None
    budget: list[KeyedAmount] = field(default_factory=list)
    prognos: list[KeyedAmount] = field(default_factory=list)
    ram: list[KeyedAmount] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def read_keyed_amounts(
    path: Path,
    rel: str,
    key: str,
    default_year: int,
    ledger_sign: bool,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[list[KeyedAmount], list[Finding]]:
    """Rows of ``key`` (ansvar or namnd), optional ``ar`` and ``belopp`` (kr) or ``belopp_tkr``."""
    specs = (
        ColumnSpec(key),
        ColumnSpec("ar", required=False),
        ColumnSpec("belopp", required=False),
        ColumnSpec("belopp_tkr", required=False),
    )
    raw, findings = read_table(path, rel, specs, max_bytes=max_bytes)
    if raw is None:
        return [], findings
    amount_col = "belopp" if raw.has("belopp") else "belopp_tkr" if raw.has("belopp_tkr") else None
    if amount_col is None:
        findings.append(
            error("kolumnen 'belopp' (eller 'belopp_tkr') saknas", file=rel, line=1, code="kolumn-saknas")
        )
        return [], findings
    keys, years, amounts = text(raw, key), text(raw, "ar"), text(raw, amount_col)
    out: list[KeyedAmount] = []
    for i in range(raw.rows):
        line = raw.line(i)
        k, y, a = str(keys[i]), str(years[i]), str(amounts[i])
        if not k and not a:
            continue
        if not k:
            findings.append(error(f"{key} saknas", file=rel, line=line, where=f"kolumn {key}"))
            continue
        value = parse_amount(a)
        if value is None:
            findings.append(
                error(
                    f"'{shown(a)}' är inget belopp (förväntade ett tal)",
                    file=rel,
                    line=line,
                    where=f"kolumn {amount_col}",
                )
            )
            continue
        if amount_col == "belopp_tkr":
            value *= 1000
        ore = value * 100
        if ore != ore.to_integral_value() or abs(ore) > MAX_ORE:
            findings.append(
                error(
                    f"beloppet {shown(a)} har fler än två decimaler eller är för stort",
                    file=rel,
                    line=line,
                    where=f"kolumn {amount_col}",
                )
            )
            continue
        year = default_year
        if y:
            if not re.fullmatch(r"[0-9]{4}(\.0)?", y):
                findings.append(
                    error(
                        f"'{shown(y)}' är inget årtal (förväntade ÅÅÅÅ)",
                        file=rel,
                        line=line,
                        where="kolumn ar",
                    )
                )
                continue
            year = int(y[:4])
        out.append(KeyedAmount(k, year, -int(ore) if ledger_sign else int(ore), rel, line))
    return out, findings


def load_org_inputs(
    root: Path,
    default_year: int,
    ledger_sign: bool,
    *,
    stems: Mapping[str, Path],
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> OrgInputs:
    """The organisation file and the amounts keyed by it, if the workspace has them.

    ``stems`` names the files: organisation, budget, prognos, ram (paths without suffix).
    """
    out = OrgInputs()

    def find(name: str) -> tuple[Path, str] | None:
        stem = stems[name]
        path = find_input(stem.parent, stem.name)
        return (path, path.relative_to(root).as_posix()) if path is not None else None

    org = find("organisation")
    if org is None:
        return out
    out.organisation, f = read_organisation(org[0], org[1], max_bytes=max_bytes)
    out.findings += f
    for name, key, target in (
        ("budget", "ansvar", out.budget),
        ("prognos", "ansvar", out.prognos),
        ("ram", "namnd", out.ram),
    ):
        found = find(name)
        if found is None:
            continue
        rows, f = read_keyed_amounts(found[0], found[1], key, default_year, ledger_sign, max_bytes=max_bytes)
        target += rows
        out.findings += f
    return out
