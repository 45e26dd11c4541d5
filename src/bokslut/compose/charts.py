"""Charts for ``{{ diagram(…) }}``: chart data taken from the report's tables.

A chart shows the numbers as the table shows them (the rounded view), so the
bars, the data table beside the chart and the table in the report agree.

Kinds (the first argument):

* ``stapel``: grouped bars; categories are rows, series are columns;
* ``linje``: a trend; categories are columns (periods, in the order given),
  series are rows;
* ``fordelning``: how many rows carry each text value in one column
  (e.g. måluppfyllelse), as horizontal bars;
* presets: ``resultat_mot_budget`` (driftredovisning, budget against utfall per
  verksamhet) and ``resultatutveckling`` (årets resultat over the years in the
  balanskravsutredning).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from bokslut.document import Chart, ChartKind, Series
from bokslut.render.numbers import UNIT_LABEL, format_number
from bokslut.report_data import ReportData
from bokslut.table import (
    Column,
    ColumnKind,
    Rounded,
    Row,
    RowKind,
    Table,
    Unit,
    column_decimals,
)

ASSESSMENT_ORDER = ("uppfyllt", "delvis uppfyllt", "ej uppfyllt", "kan inte bedömas")
_OPTIONS = {"tabell", "rader", "kolumner", "kolumn", "niva", "rubrik", "alt"}


def build_chart(
    name: str, options: Mapping[str, Any], data: ReportData, anchor: Callable[[str], str]
) -> Chart:
    """Raises ValueError with a Swedish message when the chart cannot be drawn."""
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise ValueError(
            f"diagram() känner inte till {', '.join(unknown)}; möjliga: {', '.join(sorted(_OPTIONS))}"
        )
    opts = dict(options)
    if name == "resultat_mot_budget":
        opts.setdefault("tabell", "driftredovisning")
        table = _table(data, opts["tabell"])
        if "rader" not in opts:
            opts["rader"] = [r.id for r in table.rows if r.kind is RowKind.SUBTOTAL]
        if "kolumner" not in opts:
            opts["kolumner"] = [
                _first_column(table, "budget"),
                _first_column(table, "utfall"),
            ]
        opts.setdefault("rubrik", "Resultat mot budget per verksamhet")
        kind = ChartKind.BAR
    elif name == "resultatutveckling":
        opts.setdefault("tabell", "balanskravsutredning")
        table = _table(data, opts["tabell"])
        if "rader" not in opts:
            row_ids = [r.id for r in table.rows if r.quantity == "arets_resultat"] or [
                r.id for r in table.rows if r.kind is RowKind.TOTAL
            ]
            opts["rader"] = row_ids[:1]
        if "kolumner" not in opts:
            opts["kolumner"] = [
                c.id for c in reversed(table.columns) if c.kind is ColumnKind.MONEY and not c.derived
            ]
        opts.setdefault("rubrik", "Årets resultat över tid")
        kind = ChartKind.LINE
    elif name in {k.value for k in ChartKind} | {"fordelning"}:
        if "tabell" not in opts:
            raise ValueError(f'diagram("{name}") behöver tabell="…"')
        kind = ChartKind.HBAR if name == "fordelning" else ChartKind(name)
    else:
        raise ValueError(
            f"okänt diagram '{name}'; möjliga: stapel, linje, fordelning, "
            "resultat_mot_budget, resultatutveckling"
        )
    if name == "fordelning":
        tables = [_table(data, t) for t in _ids(opts["tabell"], [])]
        return _distribution(tables, data, opts, anchor)
    table = _table(data, opts["tabell"])
    rounded = data.rounded[table.id]
    rows = [
        _row(table, r)
        for r in _ids(opts.get("rader"), [r.id for r in table.rows if r.kind is not RowKind.HEADING])
    ]
    cols = [
        _col(table, c)
        for c in _ids(opts.get("kolumner"), [c.id for c in table.columns if c.kind is not ColumnKind.TEXT])
    ]
    if not rows or not cols:
        raise ValueError(f"diagrammet ur '{table.id}' har inga rader eller kolumner att visa")
    decimals = column_decimals(table, cols[0], rows[0])
    unit_label = (
        _unit(table)
        if (rows[0].column_kind or cols[0].kind) is ColumnKind.MONEY
        else ("%" if cols[0].kind is ColumnKind.PERCENT else "")
    )

    def shown(r: Row, c: Column) -> Decimal | None:
        v = rounded.get(r.id, c.id)
        return v if isinstance(v, Decimal) else None

    if kind is ChartKind.LINE:
        categories = tuple(c.label for c in cols)
        series = tuple(Series(r.label, tuple(shown(r, c) for c in cols)) for r in rows)
    else:
        categories = tuple(r.label for r in rows)
        series = tuple(Series(c.label, tuple(shown(r, c) for r in rows)) for c in cols)
    title = str(opts.get("rubrik") or table.title)
    chart_id = f"{name}-{table.id}"
    data_table = _data_table(chart_id, title, table, categories, series, kind, decimals)
    alt = str(opts.get("alt") or _alt_text(kind, title, categories, series, unit_label, decimals))
    return Chart(
        chart_id,
        kind,
        title,
        categories,
        series,
        unit_label,
        decimals,
        alt,
        data_table,
        anchor(f"diagram-{chart_id}"),
    )


def _distribution(
    tables: list[Table], data: ReportData, opts: Mapping[str, Any], anchor: Callable[[str], str]
) -> Chart:
    """Counts rows per value of one column, over one or more tables.

    By default the item rows are counted; ``niva=n`` counts the rows at that
    indentation level instead, whatever their kind (level 0 of a goal table is
    the goals themselves, their indicators are level 1).
    """
    col_id = opts.get("kolumn")
    if not isinstance(col_id, str):
        raise ValueError('diagram("fordelning") behöver kolumn="…" (kolumnen med bedömningen)')
    level = opts.get("niva")
    if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
        raise ValueError("niva anges som ett heltal, t.ex. niva=0")
    if not tables:
        raise ValueError('diagram("fordelning") behöver tabell="…" eller en lista med tabeller')
    counts: dict[str, int] = {}
    for table in tables:
        _col(table, col_id)
        rounded = data.rounded[table.id]
        for r in table.rows:
            if (r.level != level) if level is not None else (r.kind is not RowKind.ITEM):
                continue
            v = rounded.get(r.id, col_id)
            if isinstance(v, str) and v.strip():
                key = v.strip()
                counts[key] = counts.get(key, 0) + 1
    table = tables[0]
    if not counts:
        names = ", ".join(t.id for t in tables)
        raise ValueError(f"kolumnen '{col_id}' i '{names}' har inga värden att räkna")
    order = [a for a in ASSESSMENT_ORDER if a in {k.lower() for k in counts}]
    keys = sorted(counts, key=lambda k: order.index(k.lower()) if k.lower() in order else 99)
    categories = tuple(keys)
    series = (Series("Antal", tuple(Decimal(counts[k]) for k in keys)),)
    title = str(opts.get("rubrik") or f"{table.title}: fördelning")
    chart_id = f"fordelning-{table.id}"
    data_table = _data_table(chart_id, title, None, categories, series, ChartKind.HBAR, 0)
    alt = str(opts.get("alt") or _alt_text(ChartKind.HBAR, title, categories, series, "st", 0))
    return Chart(
        chart_id,
        ChartKind.HBAR,
        title,
        categories,
        series,
        "st",
        0,
        alt,
        data_table,
        anchor(f"diagram-{chart_id}"),
    )


def _table(data: ReportData, table_id: object) -> Table:
    if not isinstance(table_id, str) or table_id not in data.tables:
        known = ", ".join(sorted(data.tables)) or "(inga)"
        raise ValueError(f"okänd tabell '{table_id}' i diagram(); kända tabeller: {known}")
    return data.tables[table_id]


def _row(table: Table, row_id: str) -> Row:
    try:
        return table.row(row_id)
    except KeyError:
        raise ValueError(f"tabellen '{table.id}' har ingen rad '{row_id}'") from None


def _col(table: Table, col_id: str) -> Column:
    try:
        return table.column(col_id)
    except KeyError:
        raise ValueError(f"tabellen '{table.id}' har ingen kolumn '{col_id}'") from None


def _first_column(table: Table, prefix: str) -> str:
    for c in table.columns:
        if c.id.startswith(prefix) and c.kind is ColumnKind.MONEY and c.derived is None:
            return c.id
    raise ValueError(f"tabellen '{table.id}' har ingen kolumn som börjar med '{prefix}'")


def _ids(value: object, default: list[str]) -> list[str]:
    if value is None:
        return default
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError('rader och kolumner anges som en lista med id:n, t.ex. ["budget", "utfall"]')


def _unit(table: Table) -> str:
    return UNIT_LABEL[table.unit or Unit.KR]


def _data_table(
    chart_id: str,
    title: str,
    source: Table | None,
    categories: tuple[str, ...],
    series: tuple[Series, ...],
    kind: ChartKind,
    decimals: int,
) -> Rounded:
    """The chart's numbers as a small table (shown values; no new rounding)."""
    columns = tuple(
        Column(f"s{i}", s.name, ColumnKind.NUMBER, decimals=decimals) for i, s in enumerate(series)
    )
    rows = tuple(
        Row(f"c{j}", cat, values={f"s{i}": s.values[j] for i, s in enumerate(series)})
        for j, cat in enumerate(categories)
    )
    label = "Period" if kind is ChartKind.LINE else ""
    table = Table(
        f"diagramdata-{chart_id}",
        f"Diagramdata: {title}",
        columns,
        rows,
        unit=source.unit if source is not None else None,
        label_header=label,
    )
    display = {row.id: dict(row.values) for row in rows}
    return Rounded(table, display)


def _alt_text(
    kind: ChartKind,
    title: str,
    categories: tuple[str, ...],
    series: tuple[Series, ...],
    unit_label: str,
    decimals: int,
) -> str:
    what = {
        ChartKind.BAR: "Stapeldiagram",
        ChartKind.LINE: "Linjediagram",
        ChartKind.HBAR: "Liggande stapeldiagram",
    }[kind]
    parts: list[str] = []
    for j, cat in enumerate(categories):
        vals = []
        for s in series:
            v = s.values[j]
            text = format_number(v, decimals) if v is not None else "uppgift saknas"
            vals.append(f"{s.name.lower() if len(series) > 1 else ''} {text}".strip())
        parts.append(f"{cat}: {', '.join(vals)}")
    unit = f" ({unit_label})" if unit_label else ""
    return f"{what}: {title}{unit}. " + "; ".join(parts) + "."
