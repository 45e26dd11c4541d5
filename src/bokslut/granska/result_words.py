"""What the text calls the year's result against the sign the statements show.

"Årets resultat blev ett underskott" beside a resultaträkning that shows +21 400 tells the
reader the opposite of the figures. A sentence speaks of the result when it names it ("årets
resultat", "periodens resultat", "balanskravsresultatet") or gives its amount; it calls it
överskott or underskott, positivt or negativt. It is checked against årets resultat in the
resultaträkning, or against the balanskravsresultat when it names the balanskrav, for the
year it names ("2022", "förra året") or else the report's year.

Sentences about a budget, a forecast, a target or a deviation speak of another figure, and
a negated one ("inget underskott") makes no claim; both are left alone. A direction word
standing right next to an amount is directions.py's (it knows every table's rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bokslut.diagnostics import Level
from bokslut.direction import TYPED, Sign
from bokslut.granska.directions import claims, revenue_sign
from bokslut.granska.model import Cell, Column, Discrepancy, Document, Row, Table, TextBlock
from bokslut.granska.numbers import FACTORS, TextFigure, figures, sentences
from bokslut.granska.quantities import entity, is_income_statement, normal_label

_LEVEL = frozenset(["överskott", "överskottet", "underskott", "underskottet"])
_VALUED = frozenset(["positivt", "positiv", "positiva", "negativt", "negativ", "negativa"])
_WORD = re.compile(r"[\wåäöÅÄÖé-]+")
_NAMES_RESULT = re.compile(
    r"(årets|periodens|kommunens|förbundets|regionens|koncernens)\s+(samlade\s+|totala\s+)?resultat"
    r"|balanskravsresultat|resultatet\s+(för|efter)\s+(året|perioden|balanskravsjusteringar)"
    r"|\bresultatet\b",
    re.IGNORECASE,
)
_OTHER_FIGURE = re.compile(
    r"budget|prognos|avvik|mål|\bska\b|\bbör\b|jämfört|väntas|beräknas|nämnd|förvaltning"
    r"|\binte\b|\bej\b|\binget\b|\bingen\b|\baldrig\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(20\d\d)\b")
_LAST_YEAR = re.compile(r"förra året|föregående år|året innan", re.IGNORECASE)
_BALANSKRAV = re.compile(r"balanskrav", re.IGNORECASE)
_KONCERN = re.compile(r"koncern|sammanställd", re.IGNORECASE)
_RESULT_ROWS = ("årets resultat", "periodens resultat")
_BALANSKRAV_ROWS = re.compile(r"^(årets )?balanskravsresultat|resultat efter balanskravsjusteringar")


@dataclass(frozen=True, slots=True)
class Result:
    """One year's result as a statement shows it."""

    table: Table
    row: Row
    column: Column
    cell: Cell
    flip: int  # −1 where the table shows costs as positive numbers

    @property
    def sign(self) -> Sign | None:
        v = (self.cell.value or Decimal(0)) * self.flip
        return None if v == 0 else Sign.POSITIVE if v > 0 else Sign.NEGATIVE


def _by_year(t: Table, row: Row) -> dict[int, Result]:
    out: dict[int, Result] = {}
    for j, c in enumerate(t.columns):
        cell = row.cells[j]
        if c.year is None or c.role.value not in ("värde", "utfall") or cell is None or cell.value is None:
            continue
        out.setdefault(c.year, Result(t, row, c, cell, revenue_sign(t)))
    return out


def _results(doc: Document, who: str) -> tuple[dict[int, Result], dict[int, Result]]:
    """(årets resultat, balanskravsresultat) per year, for the kommun or the koncern."""
    result: dict[int, Result] = {}
    balanskrav: dict[int, Result] = {}
    for t in doc.tables:
        if t.percent or entity(t) != who:
            continue
        for r in t.rows:
            label = normal_label(r.label)
            if is_income_statement(t) and label in _RESULT_ROWS and not result:
                result = _by_year(t, r)
            elif who == "kommun" and _BALANSKRAV_ROWS.match(label):
                # The last such row is the result after every adjustment.
                balanskrav = _by_year(t, r) or balanskrav
    return result, balanskrav


def _matches(f: TextFigure, r: Result) -> bool:
    k = f.kronor
    unit = FACTORS.get(r.table.unit or "tkr")
    if k is None or unit is None or r.cell.value is None:
        return False
    exponent = f.number.as_tuple().exponent
    written = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0) * FACTORS[f.unit]
    tolerance = max(unit * r.cell.step, written) / 2
    return abs(k - abs(r.cell.value) * unit) <= tolerance


def _words(sentence: str, paired: set[str]) -> list[tuple[str, Sign]]:
    """The level words of the sentence that no amount stands right next to."""
    words = [w.lower() for w in _WORD.findall(sentence)]
    out: list[tuple[str, Sign]] = []
    for i, w in enumerate(words):
        if w in paired:
            continue
        # "ett positivt resultat", "resultatet blev negativt"
        valued = w in _VALUED and (
            any(x.startswith("resultat") for x in words[i + 1 : i + 2])
            or any(x.startswith(("resultat", "balanskravsresultat")) for x in words[max(0, i - 4) : i])
        )
        if w in _LEVEL or valued:
            out.append((w, TYPED[w]))
    return out


def check_result_words(doc: Document) -> list[Discrepancy]:
    found: list[Discrepancy] = []
    own = _results(doc, "kommun")
    group = _results(doc, "koncern")
    for block in doc.blocks:
        for sentence in sentences(block.text):
            # directions.py checks överskott/underskott next to an amount against every table.
            paired = {w for w, _, _ in claims(sentence) if w in _LEVEL}
            words = _words(sentence, paired)
            if not words:
                continue
            result, balanskrav = group if _KONCERN.search(sentence) else own
            if not result:
                continue
            target = _target(sentence, result, balanskrav)
            if target is None:
                continue
            word, sign = words[0]
            if target.sign is None or target.sign is sign:
                continue
            found.append(_finding(block, sentence, word, target))
    return found


def _target(sentence: str, result: dict[int, Result], balanskrav: dict[int, Result]) -> Result | None:
    """The result the sentence speaks of: the one its amount is, or the one it names."""
    candidates = [*result.values(), *balanskrav.values()]
    money = [f for f in figures(sentence) if f.unit in FACTORS and not f.approximate]
    if money:
        matched = [r for r in candidates if any(_matches(f, r) for f in money)]
        if re.search(r"budgeter", sentence, re.IGNORECASE) or len({r.sign for r in matched}) != 1:
            return None
        return matched[0]
    if not _NAMES_RESULT.search(sentence) or _OTHER_FIGURE.search(sentence):
        return None
    pool = balanskrav if _BALANSKRAV.search(sentence) and balanskrav else result
    latest = max(result)
    years = {int(y) for y in _YEAR.findall(sentence)}
    if _LAST_YEAR.search(sentence):
        years.add(latest - 1)
    named = [pool[y] for y in sorted(years) if y in pool]
    if years and len(named) != 1:
        return None  # several years, or one the statements do not show
    return named[0] if named else pool.get(latest)


def _finding(block: TextBlock, sentence: str, word: str, r: Result) -> Discrepancy:
    what = "ett överskott" if r.sign is Sign.POSITIVE else "ett underskott"
    return Discrepancy(
        Level.ERROR,
        "granska.riktning",
        f'Texten säger "{word}" om resultatet, men {r.row.label} {r.column.heading} är {r.cell.text} i '
        f"{r.table.name()}, vilket är {what}",
        block.place,
        r.table.name(),
        r.row.label,
        r.column.heading,
        sentence,
        (word, r.cell.text),
    )
