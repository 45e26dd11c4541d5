"""data/balanskrav.yaml: the balanskrav's history and fullmäktige's decisions.

What the ledger cannot know: balanskravsresultat of years before the ledger's,
reservations to and uses of the reserve (resultatutjämningsreserv until 2023,
resultatreserv from 2024, KL 11 kap. 14 §) with the decision behind each, the
pension ansvarsförbindelse that decides the reservation limit, the åtgärdsplan for
a deficit (KL 11 kap. 12 §) and decisions not to restore one for synnerliga skäl
(KL 11 kap. 13 §). Read with the goal files' safe YAML loader; every problem is a
Swedish finding with the file and line (docs/statements.md, *Balanskrav över åren*).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bokslut.diagnostics import Finding
from bokslut.followup.source import Located, load_yaml, validate

FILE = "data/balanskrav.yaml"
# The resultatutjämningsreserv gave way to the resultatreserv from FY 2024 (SFS 2023:643).
FIRST_RESULTATRESERV_YEAR = 2024

Kronor = Decimal


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rorelse(_Model):
    """A reservation to or a use of the reserve, decided by fullmäktige."""

    belopp: Kronor = Field(ge=0, decimal_places=2, max_digits=18)
    beslut: str = Field(min_length=1)
    andamal: str = ""  # what the money was used for and why (LKBR 11 kap. 10 §)


class Ar(_Model):
    balanskravsresultat: Kronor | None = Field(default=None, decimal_places=2, max_digits=18)
    aterstallt: Kronor | None = Field(default=None, ge=0, decimal_places=2, max_digits=18)
    reservering: Rorelse | None = None
    anvandning: Rorelse | None = None
    anvandning_resultatutjamningsreserv: Rorelse | None = None
    ansvarsforbindelse: Kronor | None = Field(default=None, ge=0, decimal_places=2, max_digits=18)
    atgardsplan: str = ""


class Reserv(_Model):
    ar: int = Field(ge=1900, le=2200)
    resultatutjamningsreserv: Kronor = Field(default=Decimal(0), ge=0, decimal_places=2, max_digits=18)
    resultatreserv: Kronor = Field(default=Decimal(0), ge=0, decimal_places=2, max_digits=18)


class SynnerligaSkal(_Model):
    underskott_ar: int = Field(ge=1900, le=2200)
    belopp: Kronor = Field(gt=0, decimal_places=2, max_digits=18)
    beslut: str = Field(min_length=1)
    skal: str = Field(min_length=1)


class BalanskravFil(_Model):
    reserv: Reserv | None = None
    ar: dict[int, Ar] = Field(default_factory=dict)
    synnerliga_skal: list[SynnerligaSkal] = Field(default_factory=list)


@dataclass(frozen=True)
class Movement:
    amount: Decimal  # kronor, positive
    decision: str
    purpose: str
    line: int | None


@dataclass(frozen=True)
class HistoryYear:
    year: int
    line: int | None
    result: Decimal | None = None  # balanskravsresultat, for a year the ledger does not have
    result_line: int | None = None
    restored: Decimal | None = None
    restored_line: int | None = None
    reservation: Movement | None = None
    use: Movement | None = None
    use_rur: Movement | None = None  # from 2024: the old resultatutjämningsreserv
    ansvarsforbindelse: Decimal | None = None
    plan: str = ""


@dataclass(frozen=True)
class Exemption:
    """Fullmäktige's decision not to restore (part of) a deficit for synnerliga skäl."""

    origin: int
    amount: Decimal
    decision: str
    reason: str
    line: int | None


@dataclass(frozen=True)
class History:
    file: str = FILE
    years: Mapping[int, HistoryYear] = field(default_factory=dict)
    exemptions: tuple[Exemption, ...] = ()
    reserve_year: int | None = None  # the opening balances below are at the start of this year
    opening_rur: Decimal = Decimal(0)
    opening_rer: Decimal = Decimal(0)
    present: bool = False

    def year(self, y: int) -> HistoryYear | None:
        return self.years.get(y)


def find_history(data_dir: Path) -> Path | None:
    for name in ("balanskrav.yaml", "balanskrav.yml"):
        if (data_dir / name).is_file() or (data_dir / name).is_symlink():
            return data_dir / name
    return None


def load_history(root: Path, max_bytes: int) -> tuple[History, list[Finding]]:
    """The workspace's data/balanskrav.yaml, or an empty history when there is none."""
    path = find_history(root / "data")
    if path is None:
        return History(), []
    display = path.relative_to(root).as_posix()
    located, findings = load_yaml(path, display, max_bytes, root=root)
    if located is None:
        return History(file=display), findings
    model, f = validate(BalanskravFil, located)
    findings += [_year_key(x) for x in f]
    if model is None:
        return History(file=display, present=True), findings
    return _history(model, located, findings), findings


def _year_key(f: Finding) -> Finding:
    """ "ar.2022.x" as the user wrote it, not the validator's "ar[2022].x"."""
    return replace(
        f,
        message=_YEAR_INDEX.sub(r"ar.\1", f.message),
        where=_YEAR_INDEX.sub(r"ar.\1", f.where) if f.where else f.where,
    )


_YEAR_INDEX = re.compile(r"^ar\[(\d+)\]")


def _line(located: Located, *path: str | int) -> int | None:
    return located.place(path).line


def _movement(r: Rorelse | None, located: Located, *path: str | int) -> Movement | None:
    if r is None:
        return None
    return Movement(r.belopp, r.beslut.strip(), r.andamal.strip(), _line(located, *path))


def _history(model: BalanskravFil, located: Located, findings: list[Finding]) -> History:
    years: dict[int, HistoryYear] = {}
    for y, a in sorted(model.ar.items()):
        use_rur = a.anvandning_resultatutjamningsreserv
        if use_rur is not None and y < FIRST_RESULTATRESERV_YEAR:
            findings.append(
                located.finding(
                    f"ar.{y}.anvandning_resultatutjamningsreserv gäller bara från "
                    f"{FIRST_RESULTATRESERV_YEAR}, när resultatreserven har ersatt "
                    "resultatutjämningsreserven; före dess skrivs användningen som anvandning",
                    ("ar", y, "anvandning_resultatutjamningsreserv"),
                    code="balanskrav-indata",
                )
            )
            use_rur = None
        years[y] = HistoryYear(
            year=y,
            line=_line(located, "ar", y),
            result=a.balanskravsresultat,
            result_line=_line(located, "ar", y, "balanskravsresultat"),
            restored=a.aterstallt,
            restored_line=_line(located, "ar", y, "aterstallt"),
            reservation=_movement(a.reservering, located, "ar", y, "reservering"),
            use=_movement(a.anvandning, located, "ar", y, "anvandning"),
            use_rur=_movement(use_rur, located, "ar", y, "anvandning_resultatutjamningsreserv"),
            ansvarsforbindelse=a.ansvarsforbindelse,
            plan=a.atgardsplan.strip(),
        )
    exemptions = tuple(
        Exemption(
            s.underskott_ar, s.belopp, s.beslut.strip(), s.skal.strip(), _line(located, "synnerliga_skal", i)
        )
        for i, s in enumerate(model.synnerliga_skal)
    )
    r = model.reserv
    return History(
        file=located.file,
        years=years,
        exemptions=exemptions,
        reserve_year=r.ar if r is not None else None,
        opening_rur=r.resultatutjamningsreserv if r is not None else Decimal(0),
        opening_rer=r.resultatreserv if r is not None else Decimal(0),
        present=True,
    )
