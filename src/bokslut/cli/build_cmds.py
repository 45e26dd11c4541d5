"""`bokslut build`: the finished report in every format."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bokslut.cli.common import print_findings, workspace_root
from bokslut.cli.params import check_formats
from bokslut.pipeline import render_worker
from bokslut.pipeline.formats import FORMATS, parse_formats

if TYPE_CHECKING:
    from bokslut.parts import ReportPart
    from bokslut.workspace.config import Config
    from bokslut.workspace.layout import Layout


def report_parts(layout: Layout, config: Config) -> list[ReportPart]:
    """Every part of the report (:func:`bokslut.pipeline.areas.report_parts`), its modules
    imported only once a build runs."""
    from bokslut.pipeline.areas import report_parts as parts

    return parts(layout, config)


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
    wanted = parse_formats(formats)
    # The worker imports the PDF and Word libraries beside this process's own imports, which
    # take most of a second: so they are made only once it runs (the build ends it).
    worker = render_worker.start(wanted)
    # A build's objects (modules, document, tables) live until it ends, and few of them are
    # garbage in cycles: the cyclic collector would only walk them again and again, a twentieth
    # of a second of the largest example's build. The process frees everything at its end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _build(directory, wanted, out_dir, quiet, utkast, worker)
    finally:
        if collecting:
            gc.enable()


def _build(
    directory: str,
    wanted: tuple[str, ...],
    out_dir: Path | None,
    quiet: bool,
    utkast: bool,
    worker: render_worker.RenderWorker | None,
) -> None:
    try:
        from bokslut.pipeline.build import build_report
        from bokslut.workspace.config import load_config
        from bokslut.workspace.layout import Layout

        layout = Layout(workspace_root(directory))
        config = load_config(layout.config)
    except BaseException:
        if worker is not None:
            worker.close()
        raise
    result = build_report(
        layout, config, [report_parts], wanted, out_dir, quiet=quiet, draft=utkast, worker=worker
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
