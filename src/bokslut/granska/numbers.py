"""Numbers as Swedish reports print them, and amounts with their unit in running text.

Thousands are grouped with a space, a no-break space or a narrow no-break space;
the decimal separator is a comma; the minus is "−" (U+2212) or "-"; a lone "–" or
"-" means nothing. A footnote mark ("1441*") does not change the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bokslut.render.numbers import format_number

_SPACES = "\u00a0\u202f\u2009\u2007 "
_NUMBER = re.compile(
    r"^(?P<sign>[−\-–+]?)\s?(?P<whole>\d{1,3}(?:[" + _SPACES + r"]\d{3})+|\d+)(?:,(?P<frac>\d+))?$"
)
_UNIT_SUFFIX = re.compile(r"\s*(tkr|mkr|mnkr|kr|st|%)$", re.IGNORECASE)
NOTHING = frozenset(["–", "-", "—", "−", ""])

# Amount units in kronor.
FACTORS: dict[str, Decimal] = {
    "kr": Decimal(1),
    "kronor": Decimal(1),
    "tkr": Decimal(1000),
    "tusen kronor": Decimal(1000),
    "mkr": Decimal(1_000_000),
    "mnkr": Decimal(1_000_000),
    "miljoner kronor": Decimal(1_000_000),
    "miljoner": Decimal(1_000_000),
    "miljarder kronor": Decimal(1_000_000_000),
}


@dataclass(frozen=True, slots=True)
class Parsed:
    value: Decimal
    step: Decimal  # the rounding step the text shows: 1, 0.1, …
    percent: bool
    unit: str | None


def parse_number(text: str) -> Parsed | None:
    """The number a table cell shows, or None for text and for "–" (nothing)."""
    t = text.strip().rstrip("*").strip()
    if t in NOTHING:
        return None
    unit: str | None = None
    m = _UNIT_SUFFIX.search(t)
    if m and m.start() > 0:
        unit = m.group(1).lower()
        t = t[: m.start()].strip()
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    n = _NUMBER.match(t)
    if n is None:
        return None
    whole = re.sub("[" + _SPACES + "]", "", n.group("whole"))
    frac = n.group("frac") or ""
    value = Decimal(f"{whole}.{frac}" if frac else whole)
    if n.group("sign") in ("−", "-", "–") or negative:
        value = -value
    return Parsed(value, Decimal(1).scaleb(-len(frac)), unit == "%", None if unit == "%" else unit)


def decimals(step: Decimal) -> int:
    return max(0, -step.as_tuple().exponent) if isinstance(step.as_tuple().exponent, int) else 0  # type: ignore[operator]


def shown(value: Decimal, step: Decimal = Decimal(1)) -> str:
    """A value as the report would print it: "1 376", "−1 456", "27,0" (plain spaces)."""
    return format_number(value, decimals(step)).replace("\u00a0", " ")


# Amounts in running text: "1 367 000 kr", "420 tkr", "2 miljoner kronor", "3,1 %".
_TEXT_NUMBER = (
    r"(?<![\d,])[−\-]?\d{1,3}(?:["
    + _SPACES
    + r"]\d{3})+(?:,\d+)?(?![\d])|(?<![\d,])[−\-]?\d+(?:,\d+)?(?![\d])"
)
_TEXT_UNIT = (
    r"(miljarder kronor|miljoner kronor|tusen kronor|miljoner|kronor|tkr|mkr|mnkr|kr|"
    r"procentenheter|procent|%)"
)
FIGURE = re.compile(
    r"(?P<num>" + _TEXT_NUMBER + r")\s?(?P<unit>" + _TEXT_UNIT + r")(?![\wåäö])", re.IGNORECASE
)
APPROXIMATE = frozenset(
    [
        "ca",
        "ca.",
        "cirka",
        "drygt",
        "knappt",
        "närmare",
        "nästan",
        "omkring",
        "runt",
        "över",
        "under",
        "minst",
        "högst",
        "uppemot",
        "cirka",
        "ungefär",
        "mellan",
    ]
)


@dataclass(frozen=True, slots=True)
class TextFigure:
    """An amount or a share written in a sentence."""

    text: str  # as written
    number: Decimal  # the number as written, without unit
    unit: str  # normalised: kr, tkr, mkr, %
    start: int
    end: int
    approximate: bool

    @property
    def kronor(self) -> Decimal | None:
        factor = FACTORS.get(self.unit)
        return None if factor is None else abs(self.number) * factor


def figures(sentence: str) -> list[TextFigure]:
    out: list[TextFigure] = []
    for m in FIGURE.finditer(sentence):
        p = parse_number(m.group("num"))
        if p is None:
            continue
        unit = m.group("unit").lower()
        unit = {
            "kronor": "kr",
            "procent": "%",
            "procentenheter": "%",
            "tusen kronor": "tkr",
            "miljoner kronor": "mkr",
            "miljoner": "mkr",
            "mnkr": "mkr",
        }.get(unit, unit)
        before = sentence[max(0, m.start() - 12) : m.start()].lower().split()
        approx = bool(before) and before[-1].strip(",") in APPROXIMATE
        out.append(TextFigure(m.group(0), p.value, unit, m.start(), m.end(), approx))
    return out


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]
