"""Resolving indicator cells and assessing goals (the rule is stated in docs/mal.md).

Indicator, from the value it is judged on (prognos in a delårsrapport when one
is given, otherwise utfall):

* kan inte bedömas — målvärde or that value is missing;
* riktning hogre: uppfyllt when value ≥ målvärde (> with ``strikt``), delvis
  when value ≥ ``delvis``, otherwise ej uppfyllt; lagre is the mirror image;
  intervall: uppfyllt inside [låg, hög], otherwise ej; lika: equal or not.

Goal, from its indicators and sub-goals ("parts"):

* no parts, or no part that can be assessed → kan inte bedömas;
* every part uppfyllt → uppfyllt;
* every assessable part ej uppfyllt → ej uppfyllt;
* anything else (including uppfyllt parts beside parts that cannot be
  assessed) → delvis uppfyllt.

A person's ``bedomning`` (with ``motivering``) replaces the computed result of
that goal or indicator, and the reason is shown beside it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bokslut.diagnostics import Finding
from bokslut.followup.model import (
    STATUS_SPELLINGS,
    Bedomning,
    Cell,
    Indikator,
    Mal,
    PerYear,
    Status,
)
from bokslut.followup.source import Located, PathKey
from bokslut.table import Value

# ASCII digits only: Python's \d also matches "٣" (Arabic-Indic), which would read as 3.
NUMBER = re.compile(r"^[+-]?[0-9][0-9\u00a0\u202f ]*([.,][0-9]+)?$")
INTERVAL = re.compile(r"^\s*([+-]?[0-9]+(?:[.,][0-9]+)?)\s*[–-]\s*([+-]?[0-9]+(?:[.,][0-9]+)?)\s*$")

Resolved = Decimal | str | tuple[Decimal, Decimal] | None


@dataclass(frozen=True, slots=True)
class Cellvalue:
    value: Resolved
    reference: str | None = None  # the name of a computed value ("=namn")
    written_decimals: int | None = None


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    spec: Indikator
    path: PathKey
    target: Cellvalue
    partial: Cellvalue
    outcome: Cellvalue
    forecast: Cellvalue
    computed: Status
    status: Status
    manual: Bedomning | None


@dataclass(frozen=True, slots=True)
class GoalResult:
    spec: Mal
    path: PathKey
    depth: int
    indicators: tuple[IndicatorResult, ...]
    children: tuple[GoalResult, ...]
    computed: Status
    status: Status
    manual: Bedomning | None

    def leaves(self) -> list[GoalResult]:
        if not self.children:
            return [self]
        return [leaf for c in self.children for leaf in c.leaves()]


@dataclass
class Context:
    located: Located
    known: Mapping[str, Value | int]
    year: int
    interim: bool
    findings: list[Finding]


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", "."))


def _places(d: Decimal) -> int:
    exponent = d.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def resolve(cell: Cell | None, ctx: Context, path: PathKey) -> Cellvalue:
    if cell is None:
        return Cellvalue(None)
    if isinstance(cell, bool):
        return Cellvalue("Ja" if cell else "Nej")
    if isinstance(cell, int | float):
        d = Decimal(str(cell))
        return Cellvalue(d, written_decimals=_places(d))
    if isinstance(cell, list):
        if len(cell) != 2:
            ctx.findings.append(ctx.located.finding("ett intervall skrivs [låg, hög]", path, "intervall"))
            return Cellvalue(None)
        low, high = (resolve(c, ctx, (*path, i)) for i, c in enumerate(cell))
        if not isinstance(low.value, Decimal) or not isinstance(high.value, Decimal):
            ctx.findings.append(ctx.located.finding("intervallets gränser ska vara tal", path, "intervall"))
            return Cellvalue(None)
        places = max(low.written_decimals or 0, high.written_decimals or 0)
        return Cellvalue((low.value, high.value), written_decimals=places)
    text = cell.strip()
    if text.startswith("="):
        name = text[1:].strip()
        if name not in ctx.known:
            close = difflib.get_close_matches(name, list(ctx.known), n=3, cutoff=0.7)
            hint = f" Närmast: {', '.join(close)}." if close else ""
            ctx.findings.append(
                ctx.located.finding(
                    f"värdet '{name}' finns inte bland rapportens beräknade värden.{hint}",
                    path,
                    "okand-referens",
                )
            )
            return Cellvalue(None, reference=name)
        value = ctx.known[name]
        if isinstance(value, bool):
            return Cellvalue("Ja" if value else "Nej", reference=name)
        if isinstance(value, int | float):
            return Cellvalue(Decimal(str(value)), reference=name)
        return Cellvalue(value, reference=name)
    if NUMBER.match(text):
        d = _decimal(text)
        return Cellvalue(d, written_decimals=_places(d))
    if any(c.isdigit() and not c.isascii() for c in text):
        # "٣٠" or "²" would otherwise be shown as a text and never compared as a number.
        ctx.findings.append(
            ctx.located.finding(
                f"'{text}' har andra siffror än 0–9; skriv talet med siffrorna 0–9", path, "siffror"
            )
        )
        return Cellvalue(None)
    m = INTERVAL.match(text)
    if m:
        lo_d, hi_d = _decimal(m.group(1)), _decimal(m.group(2))
        return Cellvalue((lo_d, hi_d), written_decimals=max(_places(lo_d), _places(hi_d)))
    return Cellvalue(text or None)


def for_year(per_year: PerYear, year: int, field: str) -> tuple[Cell | None, PathKey]:
    """The cell for ``year``: from a per-year mapping, or the plain value (the report year's)."""
    if isinstance(per_year, dict):
        return per_year.get(year), (field, year)
    return per_year, (field,)


def parse_manual(b: Bedomning | None, ctx: Context, path: PathKey) -> Status | None:
    if b is None:
        return None
    status = STATUS_SPELLINGS.get(b.varde.strip().casefold())
    if status is None:
        ctx.findings.append(
            ctx.located.finding(
                f"okänd bedömning '{b.varde}' (tillåtna: uppfyllt, delvis, ej uppfyllt, kan inte bedömas)",
                (*path, "bedomning", "varde"),
                "okand-bedomning",
            )
        )
    return status


def assess_indicator(spec: Indikator, path: PathKey, ctx: Context) -> IndicatorResult:
    def cell(per_year: PerYear, field: str) -> Cellvalue:
        raw, sub = for_year(per_year, ctx.year, field)
        return resolve(raw, ctx, (*path, *sub))

    target = cell(spec.malvarde, "malvarde")
    partial = cell(spec.delvis, "delvis")
    outcome = cell(spec.utfall, "utfall")
    forecast = cell(spec.prognos, "prognos")
    judged = forecast if ctx.interim and forecast.value is not None else outcome
    computed = _indicator_status(spec, target, partial, judged, ctx, path)
    manual_status = parse_manual(spec.bedomning, ctx, path)
    return IndicatorResult(
        spec,
        path,
        target,
        partial,
        outcome,
        forecast,
        computed,
        manual_status or computed,
        spec.bedomning if manual_status else None,
    )


def _indicator_status(
    spec: Indikator,
    target: Cellvalue,
    partial: Cellvalue,
    value: Cellvalue,
    ctx: Context,
    path: PathKey,
) -> Status:
    t, v = target.value, value.value
    if t is None or v is None:
        return Status.KAN_INTE
    if spec.riktning == "lika":
        if isinstance(t, str) or isinstance(v, str):
            return Status.UPPFYLLT if str(t).casefold() == str(v).casefold() else Status.EJ
        return Status.UPPFYLLT if t == v else Status.EJ
    if not isinstance(v, Decimal):
        ctx.findings.append(
            ctx.located.finding(
                f"utfallet '{v}' är inget tal och kan inte jämföras med målvärdet",
                (*path, "utfall"),
                "inget-tal",
            )
        )
        return Status.KAN_INTE
    if spec.riktning == "intervall":
        if not isinstance(t, tuple):
            ctx.findings.append(
                ctx.located.finding(
                    "riktning intervall kräver målvärde [låg, hög]",
                    (*path, "malvarde"),
                    "intervall",
                )
            )
            return Status.KAN_INTE
        return Status.UPPFYLLT if t[0] <= v <= t[1] else Status.EJ
    if not isinstance(t, Decimal):
        ctx.findings.append(
            ctx.located.finding(
                f"målvärdet '{t}' ska vara ett tal för riktning {spec.riktning}",
                (*path, "malvarde"),
                "inget-tal",
            )
        )
        return Status.KAN_INTE
    sign = 1 if spec.riktning == "hogre" else -1
    met = sign * v > sign * t if spec.strikt else sign * v >= sign * t
    if met:
        return Status.UPPFYLLT
    p = partial.value
    if isinstance(p, Decimal) and sign * v >= sign * p:
        return Status.DELVIS
    return Status.EJ


def combine(parts: Sequence[Status]) -> Status:
    if not parts:
        return Status.KAN_INTE
    known = [s for s in parts if s is not Status.KAN_INTE]
    if not known:
        return Status.KAN_INTE
    if len(known) == len(parts) and all(s is Status.UPPFYLLT for s in known):
        return Status.UPPFYLLT
    if all(s is Status.EJ for s in known):
        return Status.EJ
    return Status.DELVIS


def assess_goal(spec: Mal, path: PathKey, depth: int, ctx: Context) -> GoalResult:
    indicators = tuple(
        assess_indicator(ind, (*path, "indikatorer", i), ctx) for i, ind in enumerate(spec.indikatorer)
    )
    children = tuple(assess_goal(g, (*path, "mal", i), depth + 1, ctx) for i, g in enumerate(spec.mal))
    computed = combine([i.status for i in indicators] + [c.status for c in children])
    manual_status = parse_manual(spec.bedomning, ctx, path)
    return GoalResult(
        spec,
        path,
        depth,
        indicators,
        children,
        computed,
        manual_status or computed,
        spec.bedomning if manual_status else None,
    )


# ---------------------------------------------------------------------------
# The summary sentence

_WORDS = [
    "noll",
    "ett",
    "två",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "nio",
    "tio",
    "elva",
    "tolv",
]


def number_word(n: int) -> str:
    """Numbers up to twelve in words (Swedish house style), larger ones in digits."""
    return _WORDS[n] if 0 <= n <= 12 else str(n)


def summary_sentence(counts: Mapping[Status, int]) -> str:
    """E.g. "Av totalt 13 mål bedöms tio vara uppfyllda, två delvis uppfyllda och ett har inte
    kunnat bedömas." """
    total = sum(counts.values())
    if total == 0:
        return "Det finns inga mål att bedöma."
    phrases: list[str] = []
    first = True
    for status, one, many in (
        (Status.UPPFYLLT, "uppfyllt", "uppfyllda"),
        (Status.DELVIS, "delvis uppfyllt", "delvis uppfyllda"),
        (Status.EJ, "inte uppfyllt", "inte uppfyllda"),
    ):
        n = counts.get(status, 0)
        if n:
            verb = "vara " if first else ""
            phrases.append(f"{number_word(n)} {verb}{one if n == 1 else many}")
            first = False
    unknown = counts.get(Status.KAN_INTE, 0)
    if unknown:
        phrases.append(f"{number_word(unknown)} har inte kunnat bedömas")
    if len(phrases) == 1 and unknown == total:
        body = "har inget kunnat bedömas" if total > 1 else "har det inte kunnat bedömas"
        return f"Av totalt {number_word(total)} mål {body}."
    joined = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " och " + phrases[-1]
    return f"Av totalt {number_word(total)} mål bedöms {joined}."
