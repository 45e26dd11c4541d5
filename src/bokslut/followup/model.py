"""The goal file (data/mal.yaml or mal.xlsx) as validated models.

Structure: målområden → mål → (undermål …) → indikatorer. An indicator's
målvärde, utfall and prognos are a number, a text ("Ja"), an interval
[låg, hög], or a reference "=namn" to a value computed elsewhere in the report;
each either directly (for the report year) or per year ({2023: 90, 2022: 85}).
docs/mal.md describes the format for users.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

Cell = int | float | str | bool | list[int | float | str]
PerYear = Cell | dict[int, Cell | None] | None


class Status(StrEnum):
    UPPFYLLT = "uppfyllt"
    DELVIS = "delvis"
    EJ = "ej"
    KAN_INTE = "kan_inte_bedomas"


# Word shown in the table cell, symbol for renderers (never colour alone), and the
# plural used in the summary sentence.
STATUS_WORD = {
    Status.UPPFYLLT: "Uppfyllt",
    Status.DELVIS: "Delvis uppfyllt",
    Status.EJ: "Ej uppfyllt",
    Status.KAN_INTE: "Kan inte bedömas",
}
STATUS_SYMBOL = {Status.UPPFYLLT: "●", Status.DELVIS: "◐", Status.EJ: "○", Status.KAN_INTE: "–"}
STATUS_SPELLINGS = {
    "uppfyllt": Status.UPPFYLLT,
    "delvis": Status.DELVIS,
    "delvis uppfyllt": Status.DELVIS,
    "delvis_uppfyllt": Status.DELVIS,
    "ej": Status.EJ,
    "ej uppfyllt": Status.EJ,
    "ej_uppfyllt": Status.EJ,
    "inte uppfyllt": Status.EJ,
    "kan inte bedömas": Status.KAN_INTE,
    "kan_inte_bedomas": Status.KAN_INTE,
    "kan inte bedomas": Status.KAN_INTE,
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bedomning(Model):
    """A person's assessment, which replaces the computed one and is shown with its reason."""

    varde: str
    motivering: str = Field(min_length=1)


class Indikator(Model):
    id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    namn: str = Field(min_length=1)
    enhet: str = ""
    riktning: str = Field(default="hogre", pattern="^(hogre|lagre|intervall|lika)$")
    strikt: bool = False  # "ska öka": the target itself is not enough
    malvarde: PerYear = None
    delvis: PerYear = None  # from here (to the target) the indicator is delvis uppfyllt
    utfall: PerYear = None
    prognos: PerYear = None
    decimaler: int | None = Field(default=None, ge=0, le=4)
    kommentar: str = ""
    bedomning: Bedomning | None = None


class Mal(Model):
    id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    namn: str = Field(min_length=1)
    kommentar: str = ""
    bedomning: Bedomning | None = None
    indikatorer: list[Indikator] = Field(default_factory=list)
    mal: list[Mal] = Field(default_factory=list)


class Malomrade(Model):
    id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    namn: str = Field(min_length=1)
    beskrivning: str = ""
    mal: list[Mal] = Field(default_factory=list)


class MalFil(Model):
    ar: int | None = Field(default=None, ge=1900, le=2200)
    # Names of the goal levels, outermost first: ["Kommunfullmäktiges mål", "Nämndmål"].
    nivaer: list[str] = Field(default_factory=list)
    malomraden: list[Malomrade] = Field(default_factory=list)


class Beslut(Model):
    diarienummer: str = ""
    text: str = Field(min_length=1)
    datum: dt.date | str = ""
    status: str
    kommentar: str = ""


class BeslutFil(Model):
    beslut: list[Beslut] = Field(default_factory=list)


BESLUT_STATUS = {
    "ej påbörjad": "Ej påbörjad",
    "ej paborjad": "Ej påbörjad",
    "ej_paborjad": "Ej påbörjad",
    "pågår": "Pågår",
    "pagar": "Pågår",
    "avslutad": "Avslutad",
    "avbruten": "Avbruten",
}
