"""`bokslut mal`: the goal template (XLSX) and the follow-up tables of a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from bokslut import followup, kpi, personnel
from bokslut.cli.common import echo_json, print_findings, workspace_root
from bokslut.diagnostics import BokslutError, Finding, has_errors
from bokslut.followup.model import BeslutFil, MalFil
from bokslut.followup.source import load_yaml, validate
from bokslut.followup.xlsx import write_beslut_workbook, write_goal_workbook
from bokslut.pipeline.areas import AREAS, report_parts
from bokslut.rounding import round_table
from bokslut.table import ColumnKind, Table, Value
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

M = TypeVar("M", MalFil, BeslutFil)
SHOWN = (personnel.build_part, kpi.build_part, followup.build_part)


@click.group("mal")
def mal_group() -> None:
    """Mål, indikatorer, politiska uppdrag och uppföljningens tabeller."""


@mal_group.command("mall")
@click.argument("sokvag", metavar="MAPP-ELLER-FIL", type=click.Path(path_type=Path))
@click.option("--beslut", "beslut", is_flag=True, help="Skriv mallen för politiska beslut (beslut.xlsx).")
@click.option(
    "--fran",
    "fran",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Fyll mallen med innehållet i en befintlig mal.yaml/beslut.yaml.",
)
@click.option("--skriv-over", is_flag=True, help="Ersätt en befintlig fil.")
def mall_cmd(sokvag: Path, beslut: bool, fran: Path | None, skriv_over: bool) -> None:
    """Skriv en XLSX-mall för mål och indikatorer (eller beslut) att fylla i Excel."""
    name = "beslut.xlsx" if beslut else "mal.xlsx"
    target = sokvag / name if sokvag.is_dir() else sokvag
    if target.suffix.lower() != ".xlsx":
        raise BokslutError(f"{target}: mallen är en Excel-fil och ska sluta på .xlsx")
    if target.exists() and not skriv_over:
        raise BokslutError(f"{target}: finns redan – ange --skriv-over för att ersätta den")
    if not target.parent.is_dir():
        raise BokslutError(f"{target.parent}: mappen finns inte")
    if beslut:
        content_b = _load_content(fran, BeslutFil) if fran else None
        write_beslut_workbook(target, content_b)
    else:
        content_m = _load_content(fran, MalFil) if fran else None
        write_goal_workbook(target, content_m)
    click.echo(f"Skrev {target}", err=True)


def _load_content(path: Path, model: type[M]) -> M:
    located, findings = load_yaml(path, str(path))
    content = None
    if located is not None:
        content, more = validate(model, located)
        findings += more
    if content is None:
        raise BokslutError(f"{path}: kan inte läsas", findings)
    return content


@mal_group.command("visa")
@click.argument("arbetsyta", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Skriv tabeller och värden som JSON.")
def visa_cmd(arbetsyta: Path, as_json: bool) -> None:
    """Visa personal-, nyckeltals- och måltabellerna för en arbetsyta."""
    root = workspace_root(str(arbetsyta))
    layout = Layout(root)
    config = load_config(layout.config)
    # Goals refer to values from the statements, personnel and key figures: compute the
    # whole chain, show this command's part of it.
    all_parts = report_parts(layout, config)
    known: dict[str, Value | int] = {}
    for part in all_parts:
        known.update(part.values)
    parts = [p for area, p in zip(AREAS, all_parts, strict=True) if area in SHOWN]
    findings: list[Finding] = [f for p in parts for f in p.findings]
    tables = [t for p in parts for t in p.tables]
    if as_json:
        echo_json(
            {
                "tables": [_table_json(t) for t in tables],
                "values": {k: (str(v) if v is not None else None) for k, v in sorted(known.items())},
                "findings": [f.to_json() for f in findings],
            }
        )
    else:
        console = Console()
        for t in tables:
            console.print(_rich_table(t))
            for note in t.footnotes:
                console.print(note, style="dim")
            console.print()
        if "mal_sammanfattning" in known:
            console.print(str(known["mal_sammanfattning"]))
    print_findings(findings)
    if has_errors(findings):
        raise click.exceptions.Exit(1)


def _text(value: object, kind: ColumnKind) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    text = f"{value:,f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u202f%" if kind is ColumnKind.PERCENT else text


def _rich_table(table: Table) -> RichTable:
    rounded = round_table(table)
    out = RichTable(title=escape(f"{table.title} [{table.id}]"), title_justify="left")
    out.add_column(table.label_header or "")
    for c in table.columns:
        out.add_column(c.label, justify="left" if c.kind is ColumnKind.TEXT else "right")
    for r in table.rows:
        cells = [_text(rounded.get(r.id, c.id), r.column_kind or c.kind) for c in table.columns]
        out.add_row("  " * r.level + r.label, *cells, style="bold" if r.kind != "item" else None)
    return out


def _table_json(table: Table) -> dict[str, Any]:
    rounded = round_table(table)
    return {
        "id": table.id,
        "title": table.title,
        "columns": [{"id": c.id, "label": c.label, "kind": str(c.kind)} for c in table.columns],
        "rows": [
            {
                "id": r.id,
                "label": r.label,
                "kind": str(r.kind),
                "level": r.level,
                "values": {k: (str(v) if v is not None else None) for k, v in r.values.items()},
                "shown": {
                    c.id: (str(v) if (v := rounded.get(r.id, c.id)) is not None else None)
                    for c in table.columns
                },
            }
            for r in table.rows
        ],
        "footnotes": list(table.footnotes),
    }
