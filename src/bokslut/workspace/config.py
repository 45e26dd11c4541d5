"""bokslut.toml: read, validated, with Swedish errors that name the file and line.

Each section is its own model so that a later part of bokslut adds a section
without touching the others. Unknown keys are errors: a misspelt key that is
silently ignored would change a published report without anyone noticing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bokslut.diagnostics import BokslutError, Finding, error
from bokslut.fieldformat import FieldFormatError, check_fields
from bokslut.workspace.layout import CONFIG_NAME  # noqa: F401 - re-exported for callers


class OrgTyp(StrEnum):
    KOMMUN = "kommun"
    REGION = "region"
    KOMMUNALFORBUND = "kommunalforbund"
    GEMENSAM_NAMND = "gemensam-namnd"


class RapportTyp(StrEnum):
    ARSREDOVISNING = "arsredovisning"
    DELARSRAPPORT = "delarsrapport"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Organisation(Section):
    namn: str = Field(min_length=1)
    typ: OrgTyp
    # Organisationsnummer ("212000-2411"); the ledger's #ORGNR must be the same (bokslut check).
    orgnr: str | None = Field(default=None, pattern=r"^(16)?\d{6}-?\d{4}$")


class Rapport(Section):
    typ: RapportTyp = RapportTyp.ARSREDOVISNING
    ar: int = Field(ge=1900, le=2200)
    # First and last day of the fiscal year; a calendar year unless stated.
    rakenskapsar_start: dt.date | None = None
    rakenskapsar_slut: dt.date | None = None
    # Closing date of the period reported (an interim report cuts the year here).
    bokslutsdatum: dt.date | None = None
    enhet: str = Field(default="tkr", pattern="^(kr|tkr|mkr)$")

    @model_validator(mode="after")
    def _dates_inside_year(self) -> Rapport:
        start, slut = self.period()
        if self.bokslutsdatum is not None and not (start <= self.bokslutsdatum <= slut):
            raise ValueError(
                f"bokslutsdatum {self.bokslutsdatum} ligger utanför räkenskapsåret {start}–{slut}"
            )
        return self

    def period(self) -> tuple[dt.date, dt.date]:
        start = self.rakenskapsar_start or dt.date(self.ar, 1, 1)
        slut = self.rakenskapsar_slut or dt.date(self.ar, 12, 31)
        return start, slut

    def closing_date(self) -> dt.date:
        return self.bokslutsdatum or self.period()[1]


class Titelsida(Section):
    """[titelsida]: what the cover carries besides the organisation and the period."""

    # A line under the organisation's name, e.g. "för Lekebergs kommun".
    undertitel: str = ""
    # The adoption, e.g. "Beslutad av direktionen 2024-03-01 § 2".
    beslut: str = ""
    # The organisation's logo: a PNG, JPEG or SVG file inside the workspace.
    logotyp: str | None = Field(default=None, min_length=1)


class PersonalKolumner(Section):
    """Column names of the HR system's exports: our name -> the name in the file."""

    anstallda: dict[str, str] = Field(default_factory=dict)
    franvaro: dict[str, str] = Field(default_factory=dict)


class Personal(Section):
    """[personal]: how HR exports are read (docs/personal.md)."""

    kolumner: PersonalKolumner = Field(default_factory=PersonalKolumner)
    # The HR system's own codes -> tillsvidare | visstid | vikariat | provanstallning | ...
    anstallningsformer: dict[str, str] = Field(default_factory=dict)
    # Values of `orsak` that count as sick leave (case-insensitive).
    sjukorsaker: list[str] = Field(default_factory=lambda: ["sjuk"])
    # Hours of a full-time week when the file has no veckoarbetstid.
    veckoarbetstid: float = Field(default=40, gt=0, le=60)
    # LKBR 11:6: groups of at most this many people are not shown (the law says ten).
    sekretessgrans: int = Field(default=10, ge=10)
    antal_ar: int = Field(default=4, ge=1, le=10)
    # Who is counted in "antal anställda per anställningsform och kön": everyone employed
    # during the year, or those employed on the closing day.
    anstallda_rakning: str = Field(default="under_aret", pattern="^(under_aret|bokslutsdagen)$")


class KpiKolumner(Section):
    arenden: dict[str, str] = Field(default_factory=dict)
    samtal: dict[str, str] = Field(default_factory=dict)
    nyckeltal: dict[str, str] = Field(default_factory=dict)


class KpiMatvarden(Section):
    """One "Mätvärden" table: chosen rows over the latest years (docs/kpi.md)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titel: str = Field(min_length=1)
    verksamhet: str | None = None  # arenden.verksamhet to count (None: all)
    ko: str | None = None  # samtal.ko to count (None: all)
    antal_ar: int = Field(default=2, ge=1, le=10)
    rader: list[str] = Field(min_length=1)
    etiketter: dict[str, str] = Field(default_factory=dict)


class Kpi(Section):
    """[kpi]: service levels and tables of the operational key figures (docs/kpi.md)."""

    kolumner: KpiKolumner = Field(default_factory=KpiKolumner)
    # Priority (as written in arenden.prioritet) -> minutes allowed to first response.
    servicenivaer_min: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    # "08:00-17:00": service-level time counts only on working days inside these hours.
    kontorstid: str | None = None
    svarstider_s: list[Annotated[int, Field(ge=1, le=86_400)]] = Field(default_factory=lambda: [20, 30, 60])
    # Share answered within N s of all incoming calls, or of the answered ones.
    servicegrad_av: str = Field(default="inkommande", pattern="^(inkommande|besvarade)$")
    antal_ar: int = Field(default=3, ge=1, le=10)
    matvarden: list[KpiMatvarden] = Field(default_factory=list)
    # nyckeltal.csv `tabell` value -> title of that table.
    nyckeltal_tabeller: dict[str, str] = Field(default_factory=dict)

    @field_validator("kontorstid")
    @classmethod
    def _office_hours_are_a_time_of_day(cls, value: str | None) -> str | None:
        if value is not None:
            office_minutes(value)  # raises ValueError with the Swedish reason
        return value


_OFFICE_HOURS = re.compile(r"^([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$")


def office_minutes(text: str) -> tuple[int, int]:
    """ "08:00-17:00" -> (480, 1020): opening and closing minute of the working day.

    Hours 00–24 and minutes 00–59 in ASCII digits, opening before closing; anything
    else is a ValueError whose message is meant for the user.
    """
    match = _OFFICE_HOURS.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' ska skrivas TT:MM-TT:MM, t.ex. 08:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or start > 24 * 60 or end > 24 * 60:
        raise ValueError(f"'{text}' är ingen tid på dygnet (00:00–24:00)")
    if start >= end:
        raise ValueError(f"'{text}': kontoret måste öppna före det stänger")
    return start, end


# --- Financial statements (docs/statements.md, docs/kontoplan.md) -----------------


# SIE dimension numbers are stored as 32-bit integers.
MAX_DIMENSION = 2**31 - 1


class Dimensioner(Section):
    """[dimensioner]: which SIE dimension holds verksamhet, ansvar, projekt and motpart."""

    verksamhet: int | None = Field(default=None, ge=1, le=MAX_DIMENSION)
    # The ansvar of data/organisation (docs/statements.md); the verksamhet dimension when unset.
    ansvar: int | None = Field(default=None, ge=1, le=MAX_DIMENSION)
    projekt: int | None = Field(default=None, ge=1, le=MAX_DIMENSION)
    motpart: int | None = Field(default=None, ge=1, le=MAX_DIMENSION)


class Baskontoplan(StrEnum):
    """The standard chart the default mapping follows (chart/kommunbas.toml, chart/regionbas.toml)."""

    KOMMUN_BAS = "kommun-bas"
    REGION_BAS = "region-bas"


class Kontoplan(Section):
    """[kontoplan]: overrides of the Kommun-Bas default mapping (account prefix -> line)."""

    # None: Region-Bas for a region, Kommun-Bas for everyone else (see default_baskontoplan).
    baskontoplan: Baskontoplan | None = None
    rad: dict[str, str] = Field(default_factory=dict)
    noter: dict[str, str] = Field(default_factory=dict)
    kostnadsslag: dict[str, str] = Field(default_factory=dict)
    likvida_medel: list[str] = Field(default_factory=lambda: ["19"])
    realisationsvinster: list[str] = Field(default_factory=lambda: ["38"])
    realisationsforluster: list[str] = Field(default_factory=lambda: ["78"])
    orealiserade_vinster: list[str] = Field(default_factory=list)
    orealiserade_forluster: list[str] = Field(default_factory=list)
    resultatreserv: list[str] = Field(default_factory=list)
    resultatutjamningsreserv: list[str] = Field(default_factory=list)
    # Accounts of fixed assets that hold accumulated depreciation / impairment.
    # None: the convention that a 4-digit account in 10–12 ending in 9 (8) is one.
    ackumulerade_avskrivningar: list[str] | None = None
    ackumulerade_nedskrivningar: list[str] | None = None

    @model_validator(mode="after")
    def _prefixes_are_account_numbers(self) -> Kontoplan:
        for name in ("rad", "noter", "kostnadsslag"):
            for key in getattr(self, name):
                if not key.isascii() or not key.isdigit():
                    raise ValueError(f"kontoplan.{name}: '{key}' är inget kontonummer (bara siffror)")
        return self


def default_baskontoplan(typ: OrgTyp) -> Baskontoplan:
    """Regions keep their accounts in Region-Bas (formerly L-Bas); everyone else in Kommun-Bas."""
    return Baskontoplan.REGION_BAS if typ is OrgTyp.REGION else Baskontoplan.KOMMUN_BAS


class Internt(Section):
    """[internt]: internal items, eliminated from RR/BR but kept in the driftredovisning."""

    konton: list[str] = Field(default_factory=list)
    motparter: list[str] = Field(default_factory=list)


class Kostnadsslag(Section):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    rubrik: str = Field(min_length=1)


class Driftredovisning(Section):
    """[driftredovisning]: kostnadsslag shown per verksamhet, and the avvikelse rule."""

    kostnadsslag: list[Kostnadsslag] = Field(
        default_factory=lambda: [
            Kostnadsslag(id="intakter", rubrik="Intäkter"),
            Kostnadsslag(id="personalkostnader", rubrik="Personalkostnader"),
            Kostnadsslag(id="ovriga_kostnader", rubrik="Övriga kostnader"),
            Kostnadsslag(id="avskrivningar", rubrik="Avskrivningar"),
        ]
    )
    avvikelse: str = Field(default="utfall-budget", pattern="^(utfall-budget|budget-utfall)$")
    # Row label of a verksamhet's sum: "{kod} {namn}" (as the seed), "{namn}" or "{kod}".
    summarubrik: str = "{kod} {namn}"
    # With data/organisation: the lowest level shown per nämnd (the levels above are its sums).
    niva: str = Field(default="namnd", pattern="^(namnd|forvaltning|enhet|ansvar)$")

    @field_validator("summarubrik")
    @classmethod
    def _only_known_fields(cls, value: str) -> str:
        try:
            check_fields(value, SUMMARUBRIK_FIELDS)
        except FieldFormatError as exc:
            raise ValueError(str(exc)) from None
        return value


SUMMARUBRIK_FIELDS = ("kod", "namn")


class Kapitel(Section):
    """[kapitel]: limits on the chapter files of text/ (docs/kapitel.md)."""

    max_storlek_kb: int = Field(default=1024, ge=1, le=100_000)


class Budget(Section):
    """[budget]: where budget and forecast come from and in which sign they are written."""

    # "pbudget": #PBUDGET in the SIE files; otherwise files in data/budget (CSV/XLSX).
    kalla: str = Field(default="auto", pattern="^(auto|pbudget|fil)$")
    # Sign of amounts in budget/prognos files: "rapport" (revenue positive, costs
    # negative) or "bokforing" (debit positive: revenue negative, costs positive).
    tecken: str = Field(default="rapport", pattern="^(rapport|bokforing)$")


class Delarsrapport(Section):
    """[delarsrapport]: the interim report's result table."""

    # "bokforing": revenue negative and costs positive, as many nämnder show it.
    tecken: str = Field(default="rapport", pattern="^(rapport|bokforing)$")
    avvikelse: str = Field(default="budget-prognos", pattern="^(budget-prognos|prognos-budget)$")


class Noter(Section):
    """[noter]: disclosures the ledger cannot carry."""

    # {"2023" = {maskiner_inventarier = 4.8}}: bedömd genomsnittlig nyttjandeperiod (år).
    nyttjandeperiod: dict[str, dict[str, Decimal]] = Field(default_factory=dict)
    # The budget column of the RR notes (when a budget exists).
    budgetkolumn: bool = True


class Balanskrav(Section):
    """[balanskrav]: judgements the ledger cannot make, per year ("2023" = kronor)."""

    realisationsvinster_undantag: dict[str, Decimal] = Field(default_factory=dict)
    realisationsforluster_undantag: dict[str, Decimal] = Field(default_factory=dict)
    aterforing_orealiserade: dict[str, Decimal] = Field(default_factory=dict)
    reservering_resultatreserv: dict[str, Decimal] = Field(default_factory=dict)
    # Until 2023 (the reserve before the resultatreserv, SFS 2023:643).
    reservering_resultatutjamningsreserv: dict[str, Decimal] = Field(default_factory=dict)
    anvandning_resultatreserv: dict[str, Decimal] = Field(default_factory=dict)
    anvandning_resultatutjamningsreserv: dict[str, Decimal] = Field(default_factory=dict)


class ForetagTyp(StrEnum):
    AKTIEBOLAG = "aktiebolag"
    KOMMUNALFORBUND = "kommunalforbund"
    STIFTELSE = "stiftelse"
    HANDELSBOLAG = "handelsbolag"
    EKONOMISK_FORENING = "ekonomisk_forening"


class KoncernForetag(Section):
    """One [[koncern.foretag]]: a koncernföretag and its own SIE file (docs/koncern.md)."""

    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    namn: str = Field(min_length=1)
    typ: ForetagTyp
    # Percent of the company the kommun owns (of the capital contributed, for a stiftelse).
    agarandel: Decimal = Field(gt=0, le=100)
    sie: str = Field(min_length=1)  # relative to the workspace
    # Last year's file, for the comparison column; without it the -1 year balances of ``sie``.
    sie_fg: str | None = Field(default=None, min_length=1)
    motpart: str = Field(min_length=1)  # its object in the kommun's motpart dimension
    vasentlig: bool = True
    skal: str | None = None  # why a non-material company is left out

    @model_validator(mode="after")
    def _reason_when_left_out(self) -> KoncernForetag:
        if not self.vasentlig and not (self.skal or "").strip():
            raise ValueError(f"koncernföretaget '{self.id}' är inte väsentligt men skal saknas")
        return self


class Koncern(Section):
    """[koncern]: the kommunal koncern (LKBR 12 kap.); empty means no sammanställda räkenskaper."""

    foretag: list[KoncernForetag] = Field(default_factory=list)
    # A mapping file overriding the default BAS -> kommun layout (chart/koncern_bas.toml).
    mappning: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> Koncern:
        for attr, what in (("id", "id"), ("motpart", "motpart")):
            seen: set[str] = set()
            for f in self.foretag:
                value = getattr(f, attr)
                if value in seen:
                    raise ValueError(f"koncern.foretag: {what} '{value}' anges för två företag")
                seen.add(value)
        return self


MEGABYTE = 1024 * 1024
# 1907 MB = 1 999 634 432 bytes: bokslut.sie.limits.MAX_FILE_BYTES (2 GB) in whole megabytes.
SIE_DEFAULT_MB = 1907


class Granser(Section):
    """[granser]: the largest input files bokslut reads (megabytes), so that a damaged or
    hostile file is refused with a message instead of exhausting memory or time."""

    # CSV/XLSX exports: personal, kpi, budget and prognos (millions of rows are normal).
    tabell_mb: int = Field(default=1024, ge=1, le=1024 * 1024)
    # mal.yaml and beslut.yaml.
    yaml_mb: int = Field(default=10, ge=1, le=1024)
    # SIE files given to `bokslut import` and those in data/ledger. The default is the largest
    # whole number of megabytes within 2 GB (the limit of `bokslut inspect`, which has no
    # workspace); a region's larger files need it raised (the scanner reads them in pieces).
    sie_mb: int = Field(default=SIE_DEFAULT_MB, ge=1, le=1024 * 1024)

    @property
    def tabell_bytes(self) -> int:
        return self.tabell_mb * MEGABYTE

    @property
    def yaml_bytes(self) -> int:
        return self.yaml_mb * MEGABYTE

    @property
    def sie_bytes(self) -> int:
        return self.sie_mb * MEGABYTE


class Config(Section):
    organisation: Organisation
    rapport: Rapport
    titelsida: Titelsida = Field(default_factory=Titelsida)
    # Sections owned by later parts of bokslut (statements, follow-up, personnel,
    # key figures, chapters) are added here as they are built.
    personal: Personal = Field(default_factory=Personal)
    kpi: Kpi = Field(default_factory=Kpi)
    dimensioner: Dimensioner = Field(default_factory=Dimensioner)
    verksamheter: dict[str, str] = Field(default_factory=dict)
    projekt: dict[str, str] = Field(default_factory=dict)
    kontoplan: Kontoplan = Field(default_factory=Kontoplan)
    internt: Internt = Field(default_factory=Internt)
    driftredovisning: Driftredovisning = Field(default_factory=Driftredovisning)
    budget: Budget = Field(default_factory=Budget)
    delarsrapport: Delarsrapport = Field(default_factory=Delarsrapport)
    noter: Noter = Field(default_factory=Noter)
    balanskrav: Balanskrav = Field(default_factory=Balanskrav)
    koncern: Koncern = Field(default_factory=Koncern)
    kapitel: Kapitel = Field(default_factory=Kapitel)
    granser: Granser = Field(default_factory=Granser)


_ERROR_TEMPLATES = {
    "missing": "saknas men måste anges",
    "extra_forbidden": "är ingen känd inställning",
    "int_parsing": "ska vara ett heltal",
    "int_type": "ska vara ett heltal",
    "string_type": "ska vara en text inom citattecken",
    "bool_type": "ska vara true eller false",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "enum": "har ett okänt värde",
    "literal_error": "har ett okänt värde",
    "greater_than_equal": "är för litet",
    "less_than_equal": "är för stort",
    "string_too_short": "får inte vara tom",
    "string_pattern_mismatch": "har ett otillåtet värde",
    "dict_type": "ska vara en tabell",
    "list_type": "ska vara en lista",
    "model_type": "ska vara en tabell",
    "decimal_parsing": "ska vara ett tal",
    "float_parsing": "ska vara ett tal",
    "float_type": "ska vara ett tal",
    "int_from_float": "ska vara ett heltal",
    "decimal_type": "ska vara ett tal",
    "finite_number": "ska vara ett ändligt tal",
    "greater_than": "är för litet",
    "less_than": "är för stort",
    "too_short": "har för få element",
    "too_long": "har för många element",
    "string_too_long": "är för lång",
    "bool_parsing": "ska vara true eller false",
    "date_from_datetime_inexact": "ska vara ett datum (ÅÅÅÅ-MM-DD) utan klockslag",
    "datetime_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "union_tag_invalid": "har ett okänt värde",
    "decimal_max_digits": "har för många siffror",
    "decimal_max_places": "har för många decimaler",
}


def swedish_message(err: Mapping[str, Any]) -> str:
    """A Swedish sentence for one pydantic error (used for every validated input file)."""
    kind = str(err.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        # Our own validators raise ValueError with a Swedish sentence.
        return str(err.get("ctx", {}).get("error", err.get("msg", "")))
    text = _ERROR_TEMPLATES.get(kind, "har ett ogiltigt värde")
    ctx = err.get("ctx") or {}
    if kind == "enum" and "expected" in ctx:
        text += f" (tillåtna: {ctx['expected']})"
    for bound, word in (("ge", "minst"), ("gt", "större än"), ("le", "högst"), ("lt", "mindre än")):
        if bound in ctx and kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
            text += f" ({word} {ctx[bound]})"
    if "input" in err and kind not in {"missing", "extra_forbidden"} and not isinstance(err["input"], dict):
        shown = repr(err["input"])
        text += f", fick {shown if len(shown) <= 60 else shown[:59] + '…'}"
    return text


def locate_key(text: str, loc: tuple[str | int, ...]) -> int | None:
    """Best line for a dotted key path in a TOML text (1-based), for error messages."""
    lines = text.splitlines()
    table: tuple[str, ...] = ()
    keys = tuple(str(p) for p in loc)
    best: int | None = None
    arrays: dict[tuple[str, ...], int] = {}  # [[a.b]] seen so far: its elements are a.b.0, a.b.1, …
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        header = re.match(r"^\[+\s*([^\]]+?)\s*\]+", line)
        if header:
            table = tuple(k.strip().strip('"') for k in header.group(1).split("."))
            if line.startswith("[["):
                arrays[table] = arrays.get(table, -1) + 1
                table = (*table, str(arrays[table]))
            if table == keys[: len(table)] and best is None and len(table) == len(keys):
                best = no
            continue
        key = re.match(r'^("?)([^"=]+?)\1\s*=', line)
        if key and (*table, key.group(2).strip()) == keys[: len(table) + 1]:
            return no
    if best is None and keys[:1]:
        for no, raw in enumerate(lines, start=1):
            if re.match(rf"^\[+\s*{re.escape(keys[0])}\b", raw.strip()):
                return no
    return best


# tomllib explains in English; the common cases in Swedish (others keep tomllib's words).
_TOML_REASONS = (
    (r"^Invalid value$", "ogiltigt värde (text ska stå inom citattecken, datum skrivs ÅÅÅÅ-MM-DD)"),
    (r"^Expected '=' after a key", "'=' saknas efter nyckeln"),
    (r"^Expected ']' at the end of a table declaration$", "']' saknas i slutet av tabellrubriken"),
    (r"^Unclosed array$", "en lista '[' stängs aldrig med ']'"),
    (r"^Unclosed inline table$", "en tabell '{' stängs aldrig med '}'"),
    (r"^Unterminated string$", "en text saknar avslutande citattecken"),
    (r"^Invalid statement$", "raden är varken en inställning (nyckel = värde) eller en tabellrubrik"),
    (r"^Cannot (declare|overwrite)", "samma nyckel eller tabell anges två gånger"),
    (r"^Invalid initial character for a key part$", "ogiltigt tecken i början av en nyckel"),
    (r"^Illegal character", "otillåtet tecken"),
    (r"^Invalid date or datetime$", "ogiltigt datum eller klockslag (ÅÅÅÅ-MM-DD, och dagen måste finnas)"),
    (r"^Expected newline or end of document", "raden fortsätter efter värdet (en inställning per rad)"),
    (r"^Expected ']]' at the end of an array declaration$", "']]' saknas i slutet av tabellrubriken"),
    (r"^Expected ", "ett tecken saknas här"),
    (r"^Escaped character is not a Unicode scalar value$", "escape-sekvensen är inget giltigt tecken"),
    (r"^Invalid hex value$", "ogiltigt hexadecimalt värde i en escape-sekvens"),
    (r"^Unescaped '\\' in a string$", "ett '\\' i en text måste skrivas '\\\\'"),
    (r"^Duplicate inline table key", "samma nyckel anges två gånger"),
    (r"^Cannot (mutate|redefine)", "en tabell definieras om efter att den skrivits färdigt"),
    (r"^Found invalid character", "otillåtet tecken"),
)


def _toml_reason(english: str) -> str:
    for pattern, swedish in _TOML_REASONS:
        if re.search(pattern, english):
            return swedish
    return "ogiltig syntax"  # never tomllib's English inside a Swedish message


# bokslut.toml holds settings, not data; its limit is fixed (the limits of the others live in it).
CONFIG_MAX_BYTES = MEGABYTE
# Integers beyond a 64-bit store column or a Decimal's exact range are not settings anyone means.
MAX_INTEGER = 2**63 - 1


def _unreasonable_numbers(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Key paths of values no setting can hold: inf/nan, integers beyond 64 bits."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            out.append((path, f"ska vara ett ändligt tal, fick {value!r}"))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
            out.append((path, f"är för stort (högst ±{MAX_INTEGER})"))
    return sorted(out, key=lambda item: tuple(str(p) for p in item[0]))


def input_limits(path: Path) -> Granser:
    """The [granser] of the settings file at ``path``; the defaults when there is none
    (a folder of SIE files without a bokslut.toml is read with the defaults)."""
    if not path.exists() and not path.is_symlink():
        return Granser()
    return load_config(path).granser


def load_config(path: Path) -> Config:
    """Read and validate bokslut.toml; every problem is reported, with its line."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > CONFIG_MAX_BYTES:
            finding = error(
                f"filen är {-(-size // 1024)} kB; en bokslut.toml får vara högst "
                f"{CONFIG_MAX_BYTES // 1024} kB – är det rätt fil?",
                file=name,
            )
            raise BokslutError(finding.format(), [finding])
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise BokslutError(f"{name}: filen finns inte – är detta en bokslut-arbetsyta?") from None
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        byte = exc.object[exc.start]
        finding = error(f"filen är inte UTF-8 (ogiltig byte 0x{byte:02x})", file=name, line=line)
        raise BokslutError(finding.format(), [finding]) from None
    except OSError as exc:
        raise BokslutError(f"{name}: filen kunde inte läsas ({exc.strerror or 'okänt fel'})") from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        finding = error("ogiltig TOML: för djupt nästlade värden", file=name)
        raise BokslutError(finding.format(), [finding]) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the message: "… (at line 3, column 7)".
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        reason = _toml_reason(re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc)))
        finding = error(f"ogiltig TOML: {reason}", file=name, line=int(where.group(1)) if where else None)
        raise BokslutError(finding.format(), [finding]) from None
    odd = _unreasonable_numbers(data)
    if odd:
        odd_findings = [
            error(f"{'.'.join(str(p) for p in loc)} {reason}", file=name, line=locate_key(text, loc))
            for loc, reason in odd
        ]
        raise BokslutError("\n".join(f.format() for f in odd_findings), odd_findings)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        findings: list[Finding] = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            key = ".".join(str(p) for p in loc) or "(filen)"
            findings.append(error(f"{key} {swedish_message(err)}", file=name, line=locate_key(text, loc)))
        raise BokslutError("\n".join(f.format() for f in findings), findings) from None
