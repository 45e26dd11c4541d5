"""Sums against their parts, and derived columns (avvikelse) against the columns they come from.

A sum row's parts are not marked in a printed table; the candidates are the rows a
reader would add: the items since the last heading or sum, the previous sum plus
those items (a running total, as in a resultaträkning), the last sums in a row
(SUMMA TILLGÅNGAR), or two earlier sums of the same section (a note's closing
values). A sum that none of them gives is an error; one that a candidate gives to
within half a unit per rounded part is a rounding difference the reader can see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import combinations

from bokslut.diagnostics import Level
from bokslut.granska.model import Column, Discrepancy, Role, Row, RowKind, Table
from bokslut.granska.numbers import shown

HALF = Decimal("0.5")
_EXPLICIT_SUM = re.compile(r"summa|totalt|total\b|s:a", re.IGNORECASE)
# A report that says its figures are rounded one by one explains its rounding differences.
EXPLAINED = ("avrundningsdifferens", "avrundningsdifferenser", "avrundade var för sig", "avrundning kan")


def _value(row: Row, j: int) -> tuple[Decimal, Decimal] | None:
    c = row.cells[j]
    return None if c is None or c.value is None else (c.value, c.step)


def _candidates(rows: tuple[Row, ...], i: int) -> Iterator[tuple[str, list[Row]]]:
    start = 0
    for k in range(i - 1, -1, -1):
        if rows[k].kind in (RowKind.HEADING, RowKind.SUM):
            start = k + 1
            break
    items = [r for r in rows[start:i] if r.kind is RowKind.ITEM]
    if items:
        yield "poster", items
    section = 0
    for k in range(i - 1, -1, -1):
        if rows[k].kind is RowKind.HEADING and k < start - 1:
            section = k + 1
            break
    sums_all = [r for r in rows[:i] if r.kind is RowKind.SUM]
    if start > 0 and rows[start - 1].kind is RowKind.SUM and items:
        yield "löpande", [rows[start - 1], *items]
    for n in range(1, len(sums_all) + 1):
        yield "summor", sums_all[-n:]
    in_section = [r for r in rows[section:i] if r.kind is RowKind.SUM]
    for pair in combinations(in_section, 2):
        yield "par", list(pair)
    # Everything since the table's start (a total without subtotals).
    all_items = [r for r in rows[:i] if r.kind is RowKind.ITEM]
    if all_items and all_items != items:
        yield "alla", all_items


def check_sums(table: Table, explained: bool) -> list[Discrepancy]:
    if table.percent:
        return []
    out: list[Discrepancy] = []
    rows = table.rows
    for i, row in enumerate(rows):
        if row.kind is not RowKind.SUM:
            continue
        for j, col in enumerate(table.columns):
            total = _value(row, j)
            if total is None or (rc := row.cells[j]) is None or rc.percent:
                continue
            best: tuple[Decimal, list[Row], Decimal] | None = None
            own = False  # the row has parts of its own (items since the last heading or sum)
            for name, parts in _candidates(rows, i):
                vals = [_value(p, j) for p in parts]
                if name in ("poster", "löpande") and any(v is not None for v in vals):
                    own = True
                if all(v is None for v in vals) and name == "poster":
                    # The items have no figure in this column (a budget given only on the sum).
                    best = (Decimal(0), parts, Decimal(0))
                    break
                if all(v is None for v in vals) or any((c := p.cells[j]) and c.percent for p in parts):
                    continue
                s = sum((v[0] for v in vals if v is not None), Decimal(0))
                diff = total[0] - s
                if best is None or abs(diff) < abs(best[0]):
                    best = (diff, parts, s)
                if diff == 0:
                    break
            if best is None or best[0] == 0:
                continue
            explicit = _EXPLICIT_SUM.match(row.label.lstrip("-–− "))
            diff, parts, s = best
            n_parts = sum(1 for p in parts if _value(p, j) is not None)
            step = total[1]
            names = ", ".join(p.label or "(rad utan text)" for p in parts if _value(p, j) is not None)
            values = (f"{row.label}: {rc.text}", f"summan av delarna: {shown(s, step)}")
            if abs(diff) <= n_parts * HALF * step:
                if explained:
                    continue
                out.append(
                    Discrepancy(
                        Level.NOTICE,
                        "granska.avrundning",
                        f"{row.label or 'Summaraden'} visar {rc.text} men delarna ({names}) blir "
                        f"{shown(s, step)}; skillnaden {shown(abs(diff), step)} ryms i avrundningen av "
                        f"{n_parts} delar och rapporten förklarar den inte",
                        row.place,
                        table.name(),
                        row.label,
                        col.heading,
                        row.label,
                        values,
                    )
                )
            elif own or explicit:
                out.append(
                    Discrepancy(
                        Level.ERROR,
                        "granska.summa",
                        f"{row.label or 'Summaraden'} visar {rc.text} men delarna ({names}) blir "
                        f"{shown(s, step)}; skillnaden {shown(abs(diff), step)} är större än avrundningen "
                        f"kan förklara",
                        row.place,
                        table.name(),
                        row.label,
                        col.heading,
                        row.label,
                        values,
                    )
                )
    return out


def _pairs(table: Table, d: int) -> list[tuple[int, int]]:
    """Column pairs a deviation column can come from: the columns before it, back to the previous one."""
    left = [j for j in range(d) if table.columns[j].role is not Role.DEVIATION]
    prev_dev = max((j for j in range(d) if table.columns[j].role is Role.DEVIATION), default=-1)
    left = [j for j in left if j > prev_dev]
    return [(a, b) for a in left for b in left if a != b]


def check_deviations(table: Table, explained: bool) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    for d, col in enumerate(table.columns):
        if col.role is not Role.DEVIATION:
            continue
        best: tuple[int, int, int] | None = None  # hits, a, b  (deviation = a − b)
        for a, b in _pairs(table, d):
            hits = 0
            for r in table.rows:
                va, vb, vd = _value(r, a), _value(r, b), _value(r, d)
                if va and vb and vd and va[0] - vb[0] == vd[0]:
                    hits += 1
            if best is None or hits > best[0]:
                best = (hits, a, b)
        if best is None or best[0] < 2:
            continue
        _, a, b = best
        ca, cb = table.columns[a], table.columns[b]
        for r in table.rows:
            va, vb, vd = _value(r, a), _value(r, b), _value(r, d)
            if not (va and vb and vd):
                continue
            expected = va[0] - vb[0]
            diff = vd[0] - expected
            if diff == 0:
                continue
            step = vd[1]
            rule = f"{_name(ca)} − {_name(cb)}"
            text = r.cells[d].text  # type: ignore[union-attr]
            ta, tb = r.cells[a], r.cells[b]
            inputs = f"{_name(ca)} {ta.text if ta else '–'}, {_name(cb)} {tb.text if tb else '–'}"
            values = (f"{col.heading}: {text}", f"{rule}: {shown(expected, step)} ({inputs})")
            if abs(diff) <= 2 * HALF * step:
                if explained:
                    continue
                out.append(
                    Discrepancy(
                        Level.NOTICE,
                        "granska.avrundning",
                        f"{col.heading} visar {text}, men tabellens regel {rule} ger "
                        f"{shown(expected, step)}; "
                        f"skillnaden {shown(abs(diff), step)} ryms i avrundningen av två tal",
                        r.place,
                        table.name(),
                        r.label,
                        col.heading,
                        r.label,
                        values,
                    )
                )
            else:
                out.append(
                    Discrepancy(
                        Level.ERROR,
                        "granska.avvikelse",
                        f"{col.heading} visar {text}, men tabellens övriga rader räknar avvikelsen som "
                        f"{rule}, vilket här ger {shown(expected, step)} ({inputs})",
                        r.place,
                        table.name(),
                        r.label,
                        col.heading,
                        r.label,
                        values,
                    )
                )
    return out


def _name(col: Column) -> str:
    return col.heading or col.role.value
