"""`bokslut tables` and `bokslut check`: the statements as data, and the proof before publishing."""

from __future__ import annotations

import csv
import io
import sys
from decimal import Decimal
from typing import Any

import click

from bokslut.cli.common import echo_json, print_findings, workspace_root
from bokslut.cli.params import exclusive
from bokslut.diagnostics import Level, has_errors
from bokslut.jsontext import dumps
from bokslut.pipeline.check import run_checks
from bokslut.render.json import table_to_json
from bokslut.render.numbers import format_number
from bokslut.rounding import round_report
from bokslut.statements import compute_for, note_numbers
from bokslut.table import ColumnKind, Rounded, RowKind, Table, column_decimals
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout


def _shown(rounded: Rounded, table: Table, row_id: str, col_id: str) -> str:
    v = rounded.get(row_id, col_id)
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    row = table.row(row_id)
    col = table.column(col_id)
    text = format_number(v, column_decimals(table, col, row)).replace("\u00a0", " ").replace("\u2212", "-")
    kind = row.column_kind or col.kind
    return text + " %" if kind is ColumnKind.PERCENT else text


def text_table(rounded: Rounded, notes: dict[str, int]) -> str:
    t = rounded.table
    title = t.title
    if t.id in notes:
        title = f"Not {notes[t.id]}. {title}"
    unit = f" ({t.unit.value})" if t.unit is not None else ""
    has_notes = any(r.note for r in t.rows)
    header = [t.label_header or "", *(["Not"] if has_notes else []), *(c.label for c in t.columns)]
    body: list[list[str]] = []
    for r in t.rows:
        label = "  " * r.level + (
            r.label.upper() if r.kind is RowKind.TOTAL and r.label.isupper() else r.label
        )
        note = str(notes.get(r.note, "")) if r.note else ""
        body.append(
            [
                label,
                *([note] if has_notes else []),
                *(_shown(rounded, t, r.id, c.id) for c in t.columns),
            ]
        )
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    first = 1 + (1 if has_notes else 0)
    out = [f"{title}{unit}"]

    def fmt(cells: list[str]) -> str:
        parts = [
            cells[i].ljust(widths[i]) if i < first else cells[i].rjust(widths[i]) for i in range(len(cells))
        ]
        return "  ".join(parts).rstrip()

    out.append(fmt(header))
    out.append("  ".join("-" * w for w in widths))
    for r, cells in zip(t.rows, body, strict=True):
        line = fmt(cells)
        if r.kind in (RowKind.SUBTOTAL, RowKind.TOTAL):
            out.append(line)
        else:
            out.append(line)
    if t.sign_convention:
        out.append(f"Tecken: {t.sign_convention}")
    for f in t.footnotes:
        out.append(f)
    return "\n".join(out)


def csv_table(rounded: Rounded) -> str:
    t = rounded.table
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["tabell", "rad", "etikett", "typ", "not", *(c.id for c in t.columns)])
    for r in t.rows:
        vals = []
        for c in t.columns:
            v = rounded.get(r.id, c.id)
            vals.append(
                "" if v is None else (format(v, "f").replace(".", ",") if isinstance(v, Decimal) else v)
            )
        w.writerow([t.id, r.id, r.label, r.kind.value, r.note or "", *vals])
    return buf.getvalue()


@click.command("tables")
@click.argument("workspace", metavar="ARBETSYTA", type=click.Path(file_okay=False))
@click.option("--tabell", "table_id", metavar="ID", help="Visa bara denna tabell (t.ex. resultatrakning).")
@click.option("--json", "as_json", is_flag=True, help="Alla tabeller som JSON (dokumenterat format).")
@click.option("--csv", "as_csv", is_flag=True, help="Tabellerna som CSV (semikolon, visade värden).")
def tables_cmd(workspace: str, table_id: str | None, as_json: bool, as_csv: bool) -> None:
    """Beräkna och visa de finansiella rapporterna (RR, BR, kassaflöde, noter, drift …)."""
    ctx = click.get_current_context()
    exclusive(ctx, {"--json": as_json, "--csv": as_csv})
    layout = Layout(workspace_root(workspace))
    config = load_config(layout.config)
    s = compute_for(layout, config)
    tables = list(s.tables)
    notes = note_numbers(tables)
    if table_id is not None:
        tables = [t for t in tables if t.id == table_id]
        if not tables:
            known = ", ".join(t.id for t in s.tables) or "(inga)"
            raise click.BadParameter(
                f"ingen tabell med id '{table_id}' (finns: {known})", ctx, param_hint="--tabell"
            )
    errors = [f for f in s.findings if f.level is Level.ERROR]
    print_findings(s.findings)
    # Rounded together, as in the report: a table shows the numbers the report shows.
    report = round_report({t.id: t for t in s.tables})
    rounded = [report.rounded[t.id] for t in tables]
    if as_json:
        data: dict[str, Any] = {
            "tables": [{**table_to_json(r), "note": notes.get(r.table.id)} for r in rounded]
        }
        if table_id is None:
            data["values"] = dict(s.values)
        click.echo(dumps(data))
    elif as_csv:
        click.echo("".join(csv_table(r) for r in rounded), nl=False)
    else:
        click.echo("\n\n".join(text_table(r, notes) for r in rounded))
    if errors:
        sys.exit(1)


@click.command("check")
@click.argument("workspace", metavar="ARBETSYTA", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Resultatet som JSON.")
def check_cmd(workspace: str, as_json: bool) -> None:
    """Kontrollera rapporten som den publiceras (samma sammanställning som build); kod 1 vid fel."""
    layout = Layout(workspace_root(workspace))
    config = load_config(layout.config)
    findings = run_checks(layout, config)
    if as_json:
        echo_json(
            {
                "ok": not has_errors(findings),
                "findings": [f.to_json() for f in findings],
            }
        )
    else:
        print_findings(findings)
        n_err = sum(1 for f in findings if f.level is Level.ERROR)
        n_warn = sum(1 for f in findings if f.level is Level.WARNING)
        summary = f"{n_err} fel, {n_warn} varningar" if findings else "inga anmärkningar"
        click.echo(f"bokslut check: {summary}", err=True)
    if has_errors(findings):
        sys.exit(1)
