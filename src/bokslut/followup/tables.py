"""Goal tables (per målområde, flat or hierarchical) and the political assignments table.

Fulfilment is a word in the ``maluppfyllelse`` cell and a symbol in the
``symbol`` cell; the table's footnote gives the key, so no renderer has to rely
on colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from bokslut.followup.assess import Cellvalue, GoalResult, IndicatorResult
from bokslut.followup.model import STATUS_SYMBOL, STATUS_WORD, Beslut, Malomrade, Status
from bokslut.followup.source import dotted
from bokslut.table import Column, ColumnKind, Row, RowKind, Source, Table, Value

SYMBOL_KEY = "Symboler: " + ", ".join(f"{STATUS_SYMBOL[s]} {STATUS_WORD[s].lower()}" for s in Status) + "."
NNBSP = "\u202f"


def format_number(value: Decimal, decimals: int) -> str:
    """Swedish style for text cells: 1 840, 91,6 (narrow no-break space, decimal comma)."""
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "−" if q < 0 else ""
    whole, _, frac = f"{abs(q):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = NNBSP.join(groups)
    return f"{sign}{text},{frac}" if frac else f"{sign}{text}"


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{NNBSP}{unit}" if unit == "%" else f"{text} {unit}"


def _decimals(ind: IndicatorResult, cell: Cellvalue) -> int:
    if ind.spec.decimaler is not None:
        return ind.spec.decimaler
    if cell.written_decimals is not None:
        return cell.written_decimals
    return 1 if ind.spec.enhet == "%" or cell.reference else 0


def describe_target(ind: IndicatorResult) -> str | None:
    t = ind.target.value
    if t is None:
        return None
    unit = ind.spec.enhet
    if isinstance(t, str):
        return t
    if isinstance(t, tuple):
        d = _decimals(ind, ind.target)
        return _with_unit(f"{format_number(t[0], d)}–{format_number(t[1], d)}", unit)
    d = _decimals(ind, ind.target)
    text = _with_unit(format_number(t, d), unit)
    if ind.spec.riktning == "lika":
        return text
    if ind.spec.riktning == "hogre":
        word = "mer än" if ind.spec.strikt else "minst"
    else:
        word = "mindre än" if ind.spec.strikt else "högst"
    return f"{word} {text}"


def _number_cell(ind: IndicatorResult, cell: Cellvalue) -> Value:
    v = cell.value
    if isinstance(v, tuple):
        return f"{v[0]}–{v[1]}"
    return v


def _manual_note(manual: object) -> str:
    motivering = getattr(manual, "motivering", "")
    return f"Bedömningen är gjord manuellt: {motivering}" if motivering else ""


def _join(*texts: str) -> str:
    return " ".join(t for t in texts if t)


def _status_values(status: Status) -> dict[str, Value]:
    return {"symbol": STATUS_SYMBOL[status], "maluppfyllelse": STATUS_WORD[status]}


def _indicator_row(ind: IndicatorResult, row_id: str, level: int, file: str, year: int) -> Row:
    d = _decimals(ind, ind.outcome if ind.outcome.value is not None else ind.target)
    values: dict[str, Value] = {
        **_status_values(ind.status),
        "malvarde": describe_target(ind),
        "resultat": _number_cell(ind, ind.outcome),
        "nuvarde": _number_cell(ind, ind.outcome),
        "prognos": _number_cell(ind, ind.forecast),
        # A percentage carries its "%" in the Resultat cell itself.
        "enhet": "" if ind.spec.enhet == "%" else ind.spec.enhet,
        "kommentar": _join(ind.spec.kommentar, _manual_note(ind.manual)),
    }
    sources: dict[str, Source] = {}
    for col, cell in (
        ("resultat", ind.outcome),
        ("nuvarde", ind.outcome),
        ("prognos", ind.forecast),
    ):
        if cell.reference:
            sources[col] = Source({"value": cell.reference}, f"Beräknat värde {cell.reference}")
        elif cell.value is not None:
            sources[col] = Source({"file": file, "path": dotted(ind.path), "ar": year})
    kind = ColumnKind.PERCENT if ind.spec.enhet == "%" else ColumnKind.NUMBER
    return Row(
        row_id,
        ind.spec.namn,
        values=values,
        level=level,
        sources=sources,
        column_kind=kind,
        decimals=d,
    )


def _goal_row(goal: GoalResult, row_id: str, level: int) -> Row:
    values: dict[str, Value] = {
        **_status_values(goal.status),
        "kommentar": _join(goal.spec.kommentar, _manual_note(goal.manual)),
    }
    return Row(
        row_id,
        goal.spec.namn,
        RowKind.HEADING if level == 0 else RowKind.ITEM,
        values=values,
        level=level,
    )


def flat_table(index: int, area: Malomrade, goals: Sequence[GoalResult], year: int, file: str) -> Table:
    cols = (
        Column("symbol", "Symbol", kind=ColumnKind.TEXT),
        Column("maluppfyllelse", f"Måluppfyllelse {year}", kind=ColumnKind.TEXT),
        Column("malvarde", f"Målvärde {year}", kind=ColumnKind.TEXT),
        Column("resultat", f"Resultat {year}", kind=ColumnKind.NUMBER),
        Column("enhet", "Enhet", kind=ColumnKind.TEXT),
        Column("kommentar", "Kommentar", kind=ColumnKind.TEXT),
    )
    rows: list[Row] = []
    for g_i, goal in enumerate(goals):
        gid = goal.spec.id or f"mal_{g_i + 1}"
        rows.append(_goal_row(goal, gid, 0))
        for i_i, ind in enumerate(goal.indicators):
            rows.append(_indicator_row(ind, f"{gid}_{ind.spec.id or f'indikator_{i_i + 1}'}", 1, file, year))
    return Table(
        id=f"mal_malomrade_{index}",
        title=area.namn,
        columns=cols,
        rows=tuple(rows),
        unit=None,
        label_header="Mål",
        caption=area.beskrivning or area.namn,
        footnotes=(SYMBOL_KEY,),
    )


def hierarchy_table(
    index: int,
    area: Malomrade,
    goals: Sequence[GoalResult],
    levels: Sequence[str],
    year: int,
    file: str,
) -> Table:
    cols = (
        Column("niva", "Nivå", kind=ColumnKind.TEXT),
        Column("nuvarde", "Nuvärde", kind=ColumnKind.NUMBER),
        Column("prognos", "Prognos", kind=ColumnKind.NUMBER),
        Column("malvarde", "Målvärde", kind=ColumnKind.TEXT),
        Column("symbol", "Symbol", kind=ColumnKind.TEXT),
        Column("maluppfyllelse", "Måluppfyllelse", kind=ColumnKind.TEXT),
        Column("kommentar", "Kommentar", kind=ColumnKind.TEXT),
    )
    rows: list[Row] = []

    def level_name(depth: int) -> str:
        return levels[depth] if depth < len(levels) else "Mål"

    def add(goal: GoalResult, row_id: str) -> None:
        row = _goal_row(goal, row_id, goal.depth)
        rows.append(
            Row(
                row.id,
                row.label,
                RowKind.ITEM,
                values={**row.values, "niva": level_name(goal.depth)},
                level=goal.depth,
            )
        )
        for i_i, ind in enumerate(goal.indicators):
            r = _indicator_row(
                ind, f"{row_id}_{ind.spec.id or f'indikator_{i_i + 1}'}", goal.depth + 1, file, year
            )
            rows.append(
                Row(
                    r.id,
                    r.label,
                    r.kind,
                    values={**r.values, "niva": "Indikator"},
                    level=r.level,
                    sources=r.sources,
                    column_kind=r.column_kind,
                    decimals=r.decimals,
                )
            )
        for c_i, child in enumerate(goal.children):
            add(child, f"{row_id}_{child.spec.id or f'mal_{c_i + 1}'}")

    for g_i, goal in enumerate(goals):
        add(goal, goal.spec.id or f"mal_{g_i + 1}")
    return Table(
        id=f"mal_hierarki_{index}",
        title=area.namn,
        columns=cols,
        rows=tuple(rows),
        unit=None,
        label_header=" / ".join([*levels, "Indikator"]) if levels else "Mål och indikatorer",
        caption=area.beskrivning or area.namn,
        footnotes=(SYMBOL_KEY,),
    )


def beslut_table(items: Sequence[Beslut], statuses: Sequence[str], file: str) -> Table:
    cols = (
        Column("diarienummer", "Diarienummer", kind=ColumnKind.TEXT),
        Column("datum", "Datum", kind=ColumnKind.TEXT),
        Column("status", "Status", kind=ColumnKind.TEXT),
        Column("kommentar", "Kommentar", kind=ColumnKind.TEXT),
    )
    rows = tuple(
        Row(
            f"beslut_{i + 1}",
            b.text,
            values={
                "diarienummer": b.diarienummer,
                "datum": str(b.datum),
                "status": status,
                "kommentar": b.kommentar,
            },
            sources={"status": Source({"file": file, "rad": i + 1})},
        )
        for i, (b, status) in enumerate(zip(items, statuses, strict=True))
    )
    return Table(
        id="politiska_beslut",
        title="Politiskt fattade beslut",
        columns=cols,
        rows=rows,
        unit=None,
        label_header="Beslut",
        caption="Uppdrag från politiska beslut och hur långt de har kommit.",
    )
