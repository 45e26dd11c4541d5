"""`bokslut build`: the finished report in every format."""

from __future__ import annotations

from pathlib import Path

import click

from bokslut.cli.common import print_findings, workspace_root
from bokslut.cli.params import check_formats
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import FORMATS, build_report, parse_formats
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout


@click.command("build")
@click.argument("directory", metavar="MAPP", default=".")
@click.option(
    "--format",
    "formats",
    default=",".join(FORMATS),
    show_default=True,
    callback=check_formats,
    help="Vilka format som skrivs, kommaseparerade.",
)
@click.option(
    "--ut",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Skriv till denna mapp i stället för MAPP/build.",
)
@click.option("--quiet", "-q", is_flag=True, help="Inga förloppsrader.")
@click.option(
    "--utkast",
    is_flag=True,
    help="Bygg trots fel i kontrollen; varje sida och blad märks UTKAST – EJ KONTROLLERAD.",
)
def build_cmd(directory: str, formats: str, out_dir: Path | None, quiet: bool, utkast: bool) -> None:
    """Kontrollera och bygg rapporten (HTML, PDF, Word, Excel, JSON och webbplats) till build/.

    Fel i kontrollen (som i bokslut check) stoppar byggningen och lämnar förra
    byggets filer orörda; varningar skrivs ut och byggningen fortsätter.
    """
    layout = Layout(workspace_root(directory))
    config = load_config(layout.config)
    result = build_report(
        layout, config, [report_parts], parse_formats(formats), out_dir, quiet=quiet, draft=utkast
    )
    print_findings(result.findings)
    for path in result.files:
        # The web site is one output: its start page stands for the folder.
        if path.parent == result.out_dir or path.name == "index.html":
            click.echo(str(path))
    if result.draft:
        click.echo(
            f"Rapporten är byggd som utkast i {result.out_dir}: den har fel och är märkt "
            "UTKAST – EJ KONTROLLERAD",
            err=True,
        )
    elif not quiet:
        click.echo(f"Rapporten är byggd i {result.out_dir}", err=True)
