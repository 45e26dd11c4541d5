"""The driftredovisning's avskrivningar against the total the resultaträkning, kassaflödesanalys
and notes show.

A driftredovisning per verksamhet shows avskrivningar as one line under each verksamhet; their
sum is the kommun's depreciation for the period. Parts that add up to more than the total are a
contradiction. Parts that add up to less are common and not wrong in themselves: some
verksamheter carry their depreciation in övriga kostnader, or it sits with finansiering. The
report must say so, though: a sentence about avskrivningar that gives the missing amount or
names where the rest is ("ingår i finansiering", "fördelas inte"). Without one the reader cannot
reconcile the figures, which is a warning; a difference of a unit per part is rounding.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bokslut.diagnostics import Level
from bokslut.granska.model import Cell, Column, Discrepancy, Document, Role, Row, RowKind, Table
from bokslut.granska.numbers import FACTORS, figures, sentences, shown
from bokslut.granska.quantities import (
    entity,
    is_income_statement,
    normal_label,
    period_end,
    quantities_seen,
    reference,
    value_key,
)

_DEPRECIATION = frozenset(["avskrivningar", "av- och nedskrivningar", "avskrivningar och nedskrivningar"])
# Words that say where the depreciation not shown per verksamhet is.
_ELSEWHERE = re.compile(
    r"ingår inte|ingår i|inte fördelad|fördelas inte|redovisas (centralt|under|inom|i|som)|"
    r"centralt|kapitalkostnad|internhyr|övriga kostnader",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"avskrivning", re.IGNORECASE)


def _outcome_columns(t: Table) -> list[tuple[int, Column]]:
    roles = (Role.OUTCOME,) if any(c.role is Role.OUTCOME for c in t.columns) else (Role.VALUE,)
    return [(j, c) for j, c in enumerate(t.columns) if c.year is not None and c.role in roles]


def _operating_tables(doc: Document) -> list[tuple[Table, list[Row]]]:
    """Tables with an avskrivningar line per unit: driftredovisningar, not the statements."""
    out: list[tuple[Table, list[Row]]] = []
    for t in doc.tables:
        if t.percent or is_income_statement(t) or entity(t) != "kommun":
            continue
        rows = [r for r in t.rows if r.kind is RowKind.ITEM and normal_label(r.label) in _DEPRECIATION]
        units = [r for r in t.rows if r.kind is RowKind.SUM]
        if rows and (len(rows) > 1 or "drift" in t.title.lower()) and units:
            out.append((t, rows))
    return out


def _explained(doc: Document, t: Table, missing: Decimal) -> bool:
    """Some sentence about avskrivningar says where the part not shown per verksamhet is."""
    factor = FACTORS.get(t.unit or "", Decimal(1))
    without = {normal_label(r.label) for r in t.rows if r.kind is RowKind.SUM}
    for block in doc.blocks:
        for sentence in sentences(block.text):
            if not _ABOUT.search(sentence):
                continue
            if _ELSEWHERE.search(sentence) or any(w in sentence.lower() for w in without if len(w) > 4):
                return True
            if any(
                f.kronor is not None and abs(f.kronor - missing * factor) < factor for f in figures(sentence)
            ):
                return True
    return False


def check_operating_depreciation(doc: Document) -> list[Discrepancy]:
    seen = quantities_seen(doc)
    key = value_key("avskrivningar")
    out: list[Discrepancy] = []
    for t, rows in _operating_tables(doc):
        for j, c in _outcome_columns(t):
            cells = [(r, x) for r in rows if (x := r.cells[j]) is not None and x.value is not None]
            places = seen.get(("avskrivningar", c.year or 0, period_end(c), "kommun", t.unit))
            if not cells or not places:
                continue
            total = reference(places, key)
            first = next(s for s in places if key(s) == total)
            parts = sum((abs(x.value or Decimal(0)) for _, x in cells), Decimal(0))
            sign = -1 if (first.cell.value or 0) < 0 else 1
            step = max(x.step for _, x in cells)
            diff = total - parts
            if diff == 0:
                continue
            d = _finding(doc, t, c, cells, parts, diff, step, sign, first.cell, first.table.name())
            if d is not None:
                out.append(d)
    return out


def _finding(
    doc: Document,
    t: Table,
    c: Column,
    cells: list[tuple[Row, Cell]],
    parts: Decimal,
    diff: Decimal,
    step: Decimal,
    sign: int,
    total: Cell,
    where: str,
) -> Discrepancy | None:
    n = len(cells)
    summed = f"{n} rader Avskrivningar" if n > 1 else "raden Avskrivningar"
    head = (
        f"Avskrivningarna i {t.name()} ({c.heading}) blir {shown(parts * sign, step)} ({summed}), "
        f"men {where} visar {total.text}"
    )
    values = (f"{t.name()}: {shown(parts * sign, step)}", f"{where}: {total.text}")
    row = cells[0][0]
    if abs(diff) <= step * n:
        level, code, tail = (
            Level.NOTICE,
            "granska.avrundning",
            f"; skillnaden {shown(abs(diff), step)} är avrundning",
        )
    elif diff < 0:
        level, code, tail = (
            Level.ERROR,
            "granska.avskrivningar",
            f"; verksamheternas avskrivningar är {shown(-diff, step)} större än kommunens totala",
        )
    elif _explained(doc, t, diff):
        return None
    else:
        level, code, tail = (
            Level.WARNING,
            "granska.avskrivningar",
            f"; {shown(diff, step)} redovisas inte per verksamhet och texten säger inte var de finns",
        )
    return Discrepancy(level, code, head + tail, row.place, t.name(), row.label, c.heading, row.label, values)
