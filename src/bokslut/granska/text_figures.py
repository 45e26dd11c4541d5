"""Amounts in the text against the tables: the value, the unit (420 kr where the tables say
420 tkr) and the period (1 564 tkr against 1 579 tkr for the same cut-off date); stated
ratios ("3,1 % av omsättningen") recomputed from their parts.

An amount in the text that some table shows (rounded to the table's unit) is confirmed.
One that no table shows is only reported when a table shows almost the same amount
(within 1 % or the same digits in another order) in a row or column the sentence speaks
about: that is the typo or the stale figure a reader is misled by. An amount that no
table shows at all is a fact of the text alone and is left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bokslut.diagnostics import Level
from bokslut.granska.model import (
    Cell,
    Column,
    Discrepancy,
    Document,
    Role,
    Row,
    RowKind,
    Table,
    TextBlock,
    amount,
)
from bokslut.granska.numbers import FACTORS, TextFigure, figures, sentences, shown
from bokslut.granska.quantities import is_income_statement, normal_label

RESULT_WORDS = ("överskott", "underskott", "resultat")
_WORD = re.compile(r"[a-zåäöé]{4,}")
# Words every row or heading may carry; sharing one says nothing about what a sentence is about.
_GENERIC = frozenset(
    w[:5]
    for w in [
        "belopp",
        "summa",
        "totalt",
        "total",
        "årets",
        "året",
        "efter",
        "enligt",
        "budget",
        "utfall",
        "kronor",
    ]
)


@dataclass(frozen=True, slots=True)
class Shown:
    table: Table
    row: Row
    column: Column
    cell: Cell
    unit: str  # kr, tkr, mkr

    def kronor(self) -> Decimal:
        return abs(self.cell.value or Decimal(0)) * FACTORS[self.unit]

    def number(self) -> Decimal:
        return abs(self.cell.value or Decimal(0))

    def display(self) -> str:
        return self.cell.text if self.cell.unit else f"{self.cell.text} {self.unit}"

    def describe(self) -> str:
        return f"{self.display()} i {self.table.name()} ({self.row.label}, {self.column.heading})"


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _WORD.findall(text.lower())}


def related(sentence: str, s: Shown) -> bool:
    words = _stems(sentence)
    if s.row.kind is RowKind.SUM and any(w in sentence.lower() for w in RESULT_WORDS):
        return True
    return bool(words & (_stems(f"{s.row.label} {s.column.heading}") - _GENERIC))


def table_units(doc: Document) -> dict[int, str]:
    """Each money table's unit; a table that states none takes the unit the text uses for its figures."""
    numbers: dict[Decimal, list[int]] = {}
    for i, t in enumerate(doc.tables):
        for r in t.rows:
            for c in r.cells:
                if c is not None and c.value is not None and not c.percent:
                    numbers.setdefault(abs(c.value), []).append(i)
    votes: dict[int, Counter[str]] = {}
    for b in doc.blocks:
        for f in figures(b.text):
            if f.unit in FACTORS and f.number >= 100:
                for i in set(numbers.get(abs(f.number), [])):
                    votes.setdefault(i, Counter())[f.unit] += 1
    units: dict[int, str] = {}
    for i, t in enumerate(doc.tables):
        if t.percent:
            continue
        if t.unit is not None and t.unit in FACTORS:
            units[i] = t.unit
        elif t.unit is None and i in votes:
            units[i] = votes[i].most_common(1)[0][0]
    return units


def shown_amounts(doc: Document) -> list[Shown]:
    units = table_units(doc)
    out: list[Shown] = []
    for i, t in enumerate(doc.tables):
        for r in t.rows:
            for j, c in enumerate(r.cells):
                if c is None or c.value is None or c.percent:
                    continue
                unit = c.unit if c.unit in FACTORS else units.get(i)
                if unit is not None:
                    out.append(Shown(t, r, t.columns[j], c, unit))
    return out


def _matches(f: TextFigure, s: Shown) -> bool:
    k = f.kronor
    if k is None:
        return False
    step = FACTORS[s.unit] * s.cell.step
    # The text may be more precise than the table: 1 207 384 kr is 1 207 tkr.
    return abs(k - s.kronor()) * 2 <= step and (k >= step or k == s.kronor())


def _near(a: Decimal, b: Decimal) -> bool:
    if a == b or a == 0 or b == 0:
        return False
    close = abs(a - b) <= abs(b) * Decimal("0.01")
    digits = sorted(str(a).replace(".", "")) == sorted(str(b).replace(".", "")) and len(str(a)) > 2
    return close or digits


def check_text_figures(doc: Document) -> list[Discrepancy]:
    amounts = shown_amounts(doc)
    by_kronor: dict[Decimal, list[Shown]] = {}
    for s in amounts:
        by_kronor.setdefault(s.kronor(), []).append(s)
    out: list[Discrepancy] = []
    for block in doc.blocks:
        for sentence in sentences(block.text):
            for f in figures(sentence):
                k = f.kronor
                if k is None or f.approximate or k == 0:
                    continue
                if k in by_kronor or any(_matches(f, s) for s in amounts):
                    continue
                d = _unit_error(block, sentence, f, amounts) or _near_miss(block, sentence, f, amounts)
                if d is not None:
                    out.append(d)
    out += check_ratios(doc)
    return out


def _unit_error(block: TextBlock, sentence: str, f: TextFigure, amounts: list[Shown]) -> Discrepancy | None:
    same = [s for s in amounts if s.number() == abs(f.number) and s.unit != f.unit and related(sentence, s)]
    if not same:
        return None
    s = min(same, key=lambda s: (s.row.kind is not RowKind.SUM, s.cell.unit is not None))
    return Discrepancy(
        Level.ERROR,
        "granska.enhet",
        f"Texten skriver {f.text}, men {s.table.name()} visar {s.display()} för {s.row.label} "
        f"({s.column.heading}); beloppet står med fel enhet",
        block.place,
        s.table.name(),
        s.row.label,
        s.column.heading,
        sentence,
        (f.text, s.describe()),
    )


def _preference(s: Shown, sentence: str, k: Decimal) -> tuple[bool, bool, bool, Decimal]:
    """The row the sentence names ("resultat" → Årets resultat), in the resultaträkning, a sum, closest."""
    named = bool(_stems(sentence) & (_stems(s.row.label) - _GENERIC))
    return (not named, not is_income_statement(s.table), s.row.kind is not RowKind.SUM, abs(k - s.kronor()))


def _near_miss(block: TextBlock, sentence: str, f: TextFigure, amounts: list[Shown]) -> Discrepancy | None:
    k = f.kronor
    assert k is not None
    near = [
        s
        for s in amounts
        if _near(k, s.kronor()) and related(sentence, s) and FACTORS[s.unit] * s.cell.step <= k
    ]
    if not near:
        return None
    s = min(near, key=lambda s: _preference(s, sentence, k))

    period = f" ({s.column.heading})" if s.column.heading else ""
    return Discrepancy(
        Level.ERROR,
        "granska.belopp",
        f"Texten skriver {f.text}, men {s.table.name()} visar {s.display()} för {s.row.label}{period}; "
        f"det ena av beloppen är fel",
        block.place,
        s.table.name(),
        s.row.label,
        s.column.heading,
        sentence,
        (f.text, s.describe()),
    )


_RATIO = re.compile(
    r"(\d+(?:,\d+)?)\s?(?:%|procent)\s+av\s+(omsättningen|intäkterna|verksamhetens intäkter|"
    r"de totala intäkterna|skatteintäkterna)",
    re.IGNORECASE,
)
_REVENUE = re.compile(
    r"intäkter|medlemsavgifter|skatteintäkter|generella statsbidrag|bidrag|avgifter", re.IGNORECASE
)


_BOUND = frozenset(["minst", "högst", "över", "under", "än", "cirka", "ca", "mål", "målet", "bör", "ska"])


def _income_statement(doc: Document) -> Table | None:
    for t in doc.tables:
        labels = [normal_label(r.label) for r in t.rows]
        if (
            "årets resultat" in labels
            and any("intäkter" in x for x in labels)
            and any("kostnader" in x for x in labels)
        ):
            return t
    return None


def check_ratios(doc: Document) -> list[Discrepancy]:
    rr = _income_statement(doc)
    if rr is None:
        return []
    cols = [
        (j, c)
        for j, c in enumerate(rr.columns)
        if c.year is not None and c.role in (Role.VALUE, Role.OUTCOME)
    ]
    if not cols:
        return []
    j, col = max(cols, key=lambda jc: jc[1].year or 0)
    result = next(
        (r.cells[j] for r in rr.rows if normal_label(r.label) == "årets resultat" and r.cells[j]), None
    )
    revenue = [
        v for r in rr.rows if _REVENUE.search(r.label) and (v := amount(r.cells[j])) is not None and v > 0
    ]
    if not revenue:
        return []
    denominators = {revenue[0], sum(revenue, Decimal(0)), *revenue}
    unit = FACTORS.get(rr.unit or "tkr", Decimal(1000))
    out: list[Discrepancy] = []
    for block in doc.blocks:
        for sentence in sentences(block.text):
            for m in _RATIO.finditer(sentence):
                lead = sentence[max(0, m.start() - 30) : m.start()].lower().split()
                if set(lead[-3:]) & _BOUND:
                    continue  # a target ("minst 2 % av omsättningen"), not a claim
                stated = Decimal(m.group(1).replace(",", "."))
                places = -stated.as_tuple().exponent if isinstance(stated.as_tuple().exponent, int) else 0  # type: ignore[operator]
                before = [f for f in figures(sentence[: m.start()]) if f.kronor is not None]
                if before:
                    numerator = (before[-1].kronor or Decimal(0)) / unit
                    what = before[-1].text
                elif (
                    result is not None
                    and result.value is not None
                    and any(w in sentence.lower() for w in RESULT_WORDS)
                ):
                    numerator, what = abs(result.value), f"{result.text} {rr.unit or 'tkr'} (årets resultat)"
                else:
                    continue
                computed = [
                    (numerator * 100 / d).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
                    for d in denominators
                ]
                if stated in computed:
                    continue
                best = min(computed, key=lambda c: abs(c - stated))
                out.append(
                    Discrepancy(
                        Level.ERROR,
                        "granska.andel",
                        f"Texten skriver {m.group(0)}, men {what} av intäkterna i {rr.name()} "
                        f"({col.heading}) är {shown(best, Decimal(1).scaleb(-places))} %",
                        block.place,
                        rr.name(),
                        None,
                        col.heading,
                        sentence,
                        (m.group(0), f"{shown(best, Decimal(1).scaleb(-places))} %"),
                    )
                )
    return out
