"""Direction words against the signs the tables show.

"Övriga kostnader minskade med 990 000 kr" claims a decrease; the table row the sentence
names (its label's words are in the sentence) shows two figures whose difference is the
amount (budget and utfall, or two years): if every such pair moved the other way, the word
is wrong. A cost grows when its amount grows, whether the table prints costs as negative
numbers or not. "Ett överskott på 269 000 kr" claims a sign for a level: a result row
showing −269 (in a table where revenue is positive) says underskott.

The words and their signs are bokslut's own (bokslut.direction.TYPED).
"""

from __future__ import annotations

import re
from decimal import Decimal

from bokslut.diagnostics import Level
from bokslut.direction import TYPED, Sign
from bokslut.granska.model import Column, Discrepancy, Document, Role, Row, RowKind, Table
from bokslut.granska.numbers import FACTORS, TextFigure, figures, sentences, shown
from bokslut.granska.text_figures import table_units

_CONNECTORS = frozenset(
    [
        "med",
        "på",
        "om",
        "av",
        "ett",
        "en",
        "totalt",
        "sammanlagt",
        "hela",
        "ytterligare",
        "blev",
        "var",
        "än",
        "budget",
    ]
)
_LEVEL_WORDS = frozenset(["överskott", "överskottet", "underskott", "underskottet"])
_WORD = re.compile(r"[\wåäöÅÄÖé-]+")
_COST = re.compile(r"kostnad|avskrivning|utgift", re.IGNORECASE)
_LABEL_WORD = re.compile(r"[a-zåäöé]{3,}")


def _stem(w: str) -> str:
    return w.lower()[:5]


def claims(sentence: str) -> list[tuple[str, Sign, TextFigure]]:
    """(word, claimed sign, figure) for each direction word next to an amount."""
    out: list[tuple[str, Sign, TextFigure]] = []
    figs = [f for f in figures(sentence) if f.unit in FACTORS or f.unit == "%"]
    for m in _WORD.finditer(sentence):
        word = m.group(0).lower()
        sign = TYPED.get(word)
        if sign is None:
            continue
        fig = next((f for f in figs if f.start >= m.end()), None)
        if fig is not None:
            between = _WORD.findall(sentence[m.end() : fig.start])
            if len(between) <= 3 and all(w.lower() in _CONNECTORS for w in between):
                out.append((word, sign, fig))
                continue
        prev = next((f for f in reversed(figs) if f.end <= m.start()), None)
        if prev is not None and not _WORD.findall(sentence[prev.end : m.start()]):
            out.append((word, sign, prev))
    return out


def _mentioned(row: Row, sentence: str) -> bool:
    """The sentence names the row: its first word ("Licenser & serviceavtal" → "licenskostnaderna")."""
    words = _LABEL_WORD.findall(row.label.lower())
    stems = {_stem(w) for w in _WORD.findall(sentence.lower())}
    return bool(words) and _stem(words[0]) in stems


def _pairs(table: Table) -> list[tuple[int, int]]:
    """(from, to) column pairs a change is read between: budget → utfall/prognos, last year → this year."""
    out: list[tuple[int, int]] = []
    cols = table.columns
    for a, ca in enumerate(cols):
        for b, cb in enumerate(cols):
            if a == b:
                continue
            if (
                ca.role is Role.BUDGET
                and cb.role in (Role.OUTCOME, Role.FORECAST, Role.VALUE)
                and (ca.year == cb.year or cb.year is None)
            ) or (
                ca.role is cb.role
                and ca.role is not Role.DEVIATION
                and ca.year
                and cb.year
                and cb.year == ca.year + 1
            ):
                out.append((a, b))
    return out


def revenue_sign(table: Table) -> int:
    vals = [
        c.value
        for r in table.rows
        if r.label.lower().startswith("intäkter")
        for c in r.cells
        if c and c.value
    ]
    return -1 if vals and sum(1 for v in vals if v < 0) > len(vals) / 2 else 1


def check_directions(doc: Document) -> list[Discrepancy]:
    units = table_units(doc)
    out: list[Discrepancy] = []
    for block in doc.blocks:
        for sentence in sentences(block.text):
            for word, sign, fig in claims(sentence):
                for i, t in enumerate(doc.tables):
                    unit = units.get(i)
                    if unit is None or fig.kronor is None or t.percent:
                        continue
                    amount = fig.kronor / FACTORS[unit]
                    d = (
                        _level(t, sentence, word, sign, amount, fig)
                        if word in _LEVEL_WORDS
                        else _change(t, sentence, word, sign, amount, fig)
                    )
                    if d is not None:
                        out.append(
                            Discrepancy(d[0], d[1], d[2], block.place, t.name(), d[3], d[4], sentence, d[5])
                        )
    return out


_Found = tuple[Level, str, str, str, str, tuple[str, ...]]


def _change(
    t: Table, sentence: str, word: str, sign: Sign, amount: Decimal, fig: TextFigure
) -> _Found | None:
    agree = disagree = None
    for r in t.rows:
        if r.kind is RowKind.HEADING or not _mentioned(r, sentence):
            continue
        for a, b in _pairs(t):
            ca, cb = r.cells[a], r.cells[b]
            if ca is None or cb is None or ca.value is None or cb.value is None:
                continue
            cost = bool(_COST.search(r.label)) and ca.value <= 0 and cb.value <= 0
            delta = abs(cb.value) - abs(ca.value) if cost else cb.value - ca.value
            if delta == 0 or abs(abs(delta) - amount) > ca.step:
                continue
            moved = Sign.POSITIVE if delta > 0 else Sign.NEGATIVE
            if moved is sign:
                agree = (r, a, b)
            else:
                disagree = (r, a, b, delta, cost)
    if agree is not None or disagree is None:
        return None
    r, a, b, delta, cost = disagree
    col_a, col_b = t.columns[a], t.columns[b]
    va, vb = r.cells[a], r.cells[b]
    assert va is not None and vb is not None
    way = "ökning" if delta > 0 else "minskning"
    return (
        Level.ERROR,
        "granska.riktning",
        f'Texten säger "{word}" om {fig.text}, men {r.label} är {va.text} ({_h(col_a)}) '
        f"och {vb.text} ({_h(col_b)}) "
        f"i {t.name()}: en {way} med {shown(abs(delta), va.step)}"
        + (" (kostnaden räknad som belopp)" if cost else ""),
        r.label,
        col_b.heading,
        (f"{word} {fig.text}", f"{_h(col_a)} {va.text}", f"{_h(col_b)} {vb.text}"),
    )


def _level(t: Table, sentence: str, word: str, sign: Sign, amount: Decimal, fig: TextFigure) -> _Found | None:
    flip = revenue_sign(t)
    agree = disagree = None
    for r in t.rows:
        if r.kind is not RowKind.SUM and not _mentioned(r, sentence):
            continue
        if not (_mentioned(r, sentence) or r.label.lower().startswith(("årets resultat", "summa", "totalt"))):
            continue
        for j, c in enumerate(r.cells):
            col = t.columns[j]
            if (
                c is None
                or c.value is None
                or c.value == 0
                or col.role is Role.DEVIATION
                or col.role is Role.BUDGET
            ):
                continue
            if abs(c.value) != amount:
                continue
            shown_sign = Sign.POSITIVE if c.value * flip > 0 else Sign.NEGATIVE
            if shown_sign is sign:
                agree = (r, j)
            else:
                disagree = (r, j)
    if agree is not None or disagree is None:
        return None
    r, j = disagree
    c = r.cells[j]
    assert c is not None
    other = "underskott" if sign is Sign.POSITIVE else "överskott"
    return (
        Level.ERROR,
        "granska.riktning",
        f'Texten säger "{word}" om {fig.text}, men {r.label} är {c.text} ({_h(t.columns[j])}) i {t.name()}, '
        f"vilket är ett {other}",
        r.label,
        t.columns[j].heading,
        (f"{word} {fig.text}", c.text),
    )


def _h(c: Column) -> str:
    return c.heading or c.role.value
