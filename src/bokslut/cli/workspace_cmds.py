"""Commands that create and describe a workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from bokslut.cli.params import Year
from bokslut.workspace.config import Baskontoplan, OrgTyp, RapportTyp
from bokslut.workspace.new import create_workspace


@click.command("new")
@click.argument("directory", metavar="MAPP", type=click.Path(file_okay=False, path_type=Path))
@click.option("--org", required=True, help="Organisationens namn.")
@click.option(
    "--orgtyp",
    required=True,
    type=click.Choice([t.value for t in OrgTyp]),
    help="kommun, region, kommunalforbund eller gemensam-namnd.",
)
@click.option("--ar", "ar", required=True, type=Year(), help="Räkenskapsåret.")
@click.option(
    "--typ",
    type=click.Choice([t.value for t in RapportTyp]),
    default=RapportTyp.ARSREDOVISNING.value,
    show_default=True,
    help="Rapportens typ.",
)
@click.option(
    "--bokslutsdatum",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Periodens sista dag (delårsrapport), ÅÅÅÅ-MM-DD; utan den 31 augusti.",
)
@click.option(
    "--orgnr", default=None, help="Organisationsnummer (t.ex. 212000-2411); kontrolleras mot huvudboken."
)
@click.option(
    "--kontoplan",
    "baskontoplan",
    type=click.Choice([b.value for b in Baskontoplan]),
    default=None,
    help="Baskontoplanen huvudboken följer; utan den region-bas för en region, annars kommun-bas.",
)
def new_cmd(
    directory: Path,
    org: str,
    orgtyp: str,
    ar: int,
    typ: str,
    bokslutsdatum: dt.datetime | None,
    orgnr: str | None,
    baskontoplan: str | None,
) -> None:
    """Skapa en ny arbetsyta (bokslut.toml och data/)."""
    layout = create_workspace(
        directory,
        org,
        OrgTyp(orgtyp),
        ar,
        RapportTyp(typ),
        bokslutsdatum.date() if bokslutsdatum else None,
        orgnr,
        Baskontoplan(baskontoplan) if baskontoplan else None,
    )
    click.echo(f"Skapade arbetsytan {layout.root}", err=True)
