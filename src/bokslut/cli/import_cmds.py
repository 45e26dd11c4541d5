"""`bokslut import`: apart from the ledger's other commands, so that its start loads nothing
the import does not need first (DuckDB is loaded while the file is already being read)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from bokslut.cli.common import count_text, echo_json, print_findings, workspace_root
from bokslut.diagnostics import Level
from bokslut.workspace.layout import Layout


@contextmanager
def progress_reporter(quiet: bool) -> Iterator[Callable[[str], None]]:
    """Progress on stderr (a live status line on a terminal, nothing otherwise)."""
    if quiet:
        yield lambda _msg: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _msg: None
        return
    with console.status("") as status:
        yield lambda msg: status.update(msg)


@click.command("import")
@click.argument("workspace", metavar="ARBETSYTA")
@click.argument("files", metavar="FIL…", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Resultatet som JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Ingen förloppsvisning.")
def import_cmd(workspace: str, files: tuple[Path, ...], as_json: bool, quiet: bool) -> None:
    """Kontrollera SIE-filer och lägg in dem i arbetsytans huvudbok."""
    from bokslut.ledger.importer import import_files

    layout = Layout(workspace_root(workspace))
    with progress_reporter(quiet) as progress:
        result = import_files(layout, list(files), progress)
    print_findings(f for f in result.findings if f.level is not Level.NOTICE or not as_json)
    if as_json:
        echo_json(
            {
                "files": [
                    {
                        "source": f.source,
                        "target": f.target,
                        "status": f.status,
                        "fiscal_year": f.fiscal_year,
                        "replaced": f.replaced,
                        "vouchers": f.vouchers,
                        "transactions": f.transactions,
                    }
                    for f in result.files
                ],
                "findings": [f.to_json() for f in result.findings],
            }
        )
        return
    for f in result.files:
        what = {
            "ny": "importerad",
            "ersatt": f"importerad, ersätter {f.replaced}",
            "oförändrad": "oförändrad (redan importerad)",
        }[f.status]
        click.echo(
            f"{f.source} → {f.target}: {what}; räkenskapsår {f.fiscal_year}, "
            f"{count_text(f.vouchers)} verifikationer, {count_text(f.transactions)} transaktionsrader"
        )
