"""`bokslut granska`: find the contradictions in a finished report (bokslut.granska)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bokslut.cli.common import echo_json
from bokslut.granska.report import html_report, text_report, to_json
from bokslut.granska.run import granska


@click.command("granska")
@click.argument("files", nargs=-1, required=True, metavar="FIL...", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON på standard ut.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Skriv en läsbar rapport som citerar varje ställe till RAPPORT.html.",
    metavar="RAPPORT.html",
)
def granska_cmd(files: tuple[Path, ...], as_json: bool, html_path: Path | None) -> None:
    """Granska en färdig rapport (PDF, DOCX, HTML, Markdown eller text) och hitta dess motsägelser.

    Summor mot delar, samma belopp på flera ställen, belopp i texten mot tabellerna (med enhet och
    period), riktningsord mot tecken och angivna andelar. Slutkod 1 vid fel, 2 när en fil inte går
    att läsa alls.
    """
    result = granska(files)
    if html_path is not None:
        try:
            html_path.write_text(html_report(result), encoding="utf-8")
        except OSError as exc:
            click.echo(f"fel: {html_path}: rapporten kunde inte skrivas ({exc.strerror or exc})", err=True)
            sys.exit(2)
    if as_json:
        echo_json(to_json(result))
    else:
        click.echo(text_report(result), nl=False)
    sys.exit(result.exit_code())
