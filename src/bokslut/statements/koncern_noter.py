"""Notes to the sammanställda balansräkning (LKBR 12 kap. with 9 kap.): materiella
anläggningstillgångar, avsättningar för pensioner and långfristiga skulder of the koncern,
each line split into the kommun's part, each company's share and the eliminations.

The split reads the consolidated year's account names (koncern_consolidation): a company's
virtual accounts are ``<c>~<id>~…``, the eliminations ``…~elim~<id>``, ``…~andel~<id>``
and ``<c>~koncern~…``; every other account is the kommun's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bokslut.money import kronor
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.facts import YearData
from bokslut.statements.resultatrakning import year_columns
from bokslut.table import Column, Row, RowKind, Table, Unit

KOMMUN_PART = "kommun"
ELIMINATIONS = "elimineringar"


@dataclass(frozen=True)
class NoteSpec:
    id: str
    title: str
    lines: tuple[str, ...]
    sign: int  # 1 for assets, -1 for equity and liabilities (shown positive)


NOTES = (
    NoteSpec(
        "not_koncern_materiella",
        "Materiella anläggningstillgångar, den kommunala koncernen",
        ("mark_byggnader", "maskiner_inventarier", "ovriga_materiella"),
        1,
    ),
    NoteSpec(
        "not_koncern_pensioner",
        "Avsättningar för pensioner, den kommunala koncernen",
        ("avsattningar_pensioner",),
        -1,
    ),
    NoteSpec(
        "not_koncern_langfristiga_skulder",
        "Långfristiga skulder, den kommunala koncernen",
        ("langfristiga_skulder",),
        -1,
    ),
)


def entity_of(account: str, companies: Mapping[str, str]) -> str:
    """Who an account of the consolidated year belongs to: the kommun, a company id, or
    the eliminations."""
    parts = account.split("~")
    if len(parts) == 1:
        return KOMMUN_PART
    if parts[1] in ("elim", "andel", "koncern"):
        return ELIMINATIONS
    return parts[1] if parts[1] in companies else ELIMINATIONS


def _split(ctx: Context, yd: YearData, companies: Mapping[str, str]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for account in yd.accounts():
        if not is_balance_account(account):
            continue
        line = ctx.chart.rad.get(account)
        if line is None:
            continue
        key = (line, entity_of(account, companies))
        out[key] = out.get(key, 0) + yd.balance_at_cut(account)
    return out


def koncern_notes(
    kctx: Context, br: Table, companies: Sequence[tuple[str, str]], unit: Unit
) -> tuple[tuple[Table, ...], dict[str, str]]:
    """The note tables for the lines the consolidated BR shows, and BR row id -> note id.

    ``companies``: (id, label) of the consolidated companies in the overview's order."""
    names = dict(companies)
    columns = [(cid, off) for cid, off in year_columns(kctx) if kctx.yd(off) is not None]
    split = {cid: _split(kctx, yd, names) for cid, off in columns if (yd := kctx.yd(off)) is not None}
    shown = {r.id for r in br.rows}
    tables: list[Table] = []
    refs: dict[str, str] = {}
    for spec in NOTES:
        lines = [line for line in spec.lines if line in shown]
        if not lines:
            continue
        rows: list[Row] = []
        for line in lines:
            label = next(r.label for r in br.rows if r.id == line)
            if len(lines) > 1:
                rows.append(Row(f"h_{line}", label, RowKind.HEADING))
            parts: list[str] = []
            line_total = {
                cid: sum(spec.sign * v for (ln, _), v in sp.items() if ln == line)
                for cid, sp in split.items()
            }
            for entity, text in ((KOMMUN_PART, "Kommunen"), *companies, (ELIMINATIONS, "Elimineringar")):
                values = {
                    cid: kronor(spec.sign * s[(line, entity)])
                    for cid, s in split.items()
                    if (line, entity) in s
                }
                if not any(values.values()):
                    continue
                rows.append(Row(f"{line}.{entity}", text, values=values, level=1))
                parts.append(f"{line}.{entity}")
            rows.append(
                Row(
                    line,
                    f"Summa {label[0].lower()}{label[1:]}" if len(lines) > 1 else "Summa",
                    RowKind.SUBTOTAL if len(lines) > 1 else RowKind.TOTAL,
                    values={cid: kronor(v) for cid, v in line_total.items()},
                    parts=tuple(parts),
                    quantity=f"koncern_br_{line}",
                )
            )
            refs[line] = spec.id
        if len(lines) > 1:
            total = {
                cid: kronor(sum(spec.sign * v for (ln, _), v in sp.items() if ln in lines))
                for cid, sp in split.items()
            }
            rows.append(Row("summa", "Summa", RowKind.TOTAL, values=total, parts=tuple(lines)))
        tables.append(
            Table(
                id=spec.id,
                title=spec.title,
                columns=tuple(Column(cid, br.column(cid).label) for cid, _ in columns),
                rows=tuple(rows),
                unit=unit,
                caption=(
                    "Balansräkningens belopp per del av den kommunala koncernen: kommunen, varje "
                    "koncernföretags andel efter ägarandel och enhetliga principer (utan dess interna "
                    "poster) och kommunens elimineringar av interna poster."
                ),
            )
        )
    return tuple(tables), refs


def with_note_refs(br: Table, refs: Mapping[str, str]) -> Table:
    """The consolidated BR with its rows referring to the notes (and pinned to their sums)."""
    rows = tuple(
        replace(r, note=refs[r.id], quantity=r.quantity or f"koncern_br_{r.id}") if r.id in refs else r
        for r in br.rows
    )
    return replace(br, rows=rows)
