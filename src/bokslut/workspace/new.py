"""`bokslut new`: create a workspace folder with bokslut.toml and data/."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

from bokslut.diagnostics import BokslutError
from bokslut.workspace.config import Baskontoplan, OrgTyp, RapportTyp, default_baskontoplan
from bokslut.workspace.layout import Layout

# What a workspace kept in git leaves out: the rebuildable cache and outputs, and the web
# application's database (users, password hashes, history: kept, but not in the folder's history).
GITIGNORE = "# bokslut\n.bokslut/\nbuild/\n.bokslut-webb/\n"

ORGTYP_TEXT = {
    OrgTyp.KOMMUN: "kommun",
    OrgTyp.REGION: "region",
    OrgTyp.KOMMUNALFORBUND: "kommunalförbund",
    OrgTyp.GEMENSAM_NAMND: "gemensam nämnd",
}


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(
    org: str,
    orgtyp: OrgTyp,
    ar: int,
    typ: RapportTyp = RapportTyp.ARSREDOVISNING,
    bokslutsdatum: dt.date | None = None,
    orgnr: str | None = None,
    baskontoplan: Baskontoplan | None = None,
) -> str:
    lines = [
        "# bokslut – inställningar för rapporten. Ändra fritt; bokslut skriver aldrig om filen.",
        "",
        "[organisation]",
        f"namn = {_toml_str(org)}",
        f'typ = "{orgtyp.value}"  # {ORGTYP_TEXT[orgtyp]}',
    ]
    if orgnr is not None:
        lines.append(f"orgnr = {_toml_str(orgnr)}  # huvudbokens #ORGNR ska vara detta")
    lines += [
        "",
        "[rapport]",
        f'typ = "{typ.value}"',
        f"ar = {ar}",
    ]
    if bokslutsdatum is not None:
        lines.append(f"bokslutsdatum = {bokslutsdatum.isoformat()}")
    elif typ is RapportTyp.DELARSRAPPORT:
        # LKBR 13 kap. 1 §: at least one interim report covers between half and two thirds
        # of the year; January–August is the commonest.
        lines.append(
            f"bokslutsdatum = {dt.date(ar, 8, 31).isoformat()}  # periodens sista dag; "
            "minst halva och högst två tredjedelar av året (13 kap. 1 § LKBR)"
        )
    lines += [
        'enhet = "tkr"  # kr, tkr eller mkr',
        "",
        "# Titelsidan (valfritt): ta bort # framför det som ska med.",
        "# [titelsida]",
        '# undertitel = "för Exempels kommun"',
        '# beslut = "Beslutad av direktionen ÅÅÅÅ-MM-DD § N"',
        '# logotyp = "bilder/logotyp.svg"  # PNG, JPEG eller SVG i arbetsytan',
        "",
    ]
    # A region's chart is written out so that the choice is visible where it can be changed;
    # a kommun's is the default and needs no line unless asked for.
    bas = baskontoplan or default_baskontoplan(orgtyp)
    if baskontoplan is not None or bas is not Baskontoplan.KOMMUN_BAS:
        lines += [
            "[kontoplan]",
            f'baskontoplan = "{bas.value}"  # kommun-bas eller region-bas (docs/kontoplan.md)',
            "",
        ]
    return "\n".join(lines)


def create_workspace(
    root: Path,
    org: str,
    orgtyp: OrgTyp,
    ar: int,
    typ: RapportTyp = RapportTyp.ARSREDOVISNING,
    bokslutsdatum: dt.date | None = None,
    orgnr: str | None = None,
    baskontoplan: Baskontoplan | None = None,
) -> Layout:
    if orgnr is not None and not re.fullmatch(r"(16)?\d{6}-?\d{4}", orgnr):
        raise BokslutError(f"'{orgnr}' är inget organisationsnummer (skriv t.ex. 212000-2411)")
    layout = Layout(root)
    if layout.config.exists():
        raise BokslutError(f"{layout.config}: finns redan – en befintlig arbetsyta skrivs inte över")
    if root.exists() and not root.is_dir():
        raise BokslutError(f"{root}: finns redan och är ingen mapp")
    for folder in (
        layout.ledger_dir,
        layout.budget_dir,
        layout.prognos_dir,
        layout.personal_dir,
        layout.kpi_dir,
    ):
        folder.mkdir(parents=True, exist_ok=True)
    layout.config.write_text(
        config_text(org, orgtyp, ar, typ, bokslutsdatum, orgnr, baskontoplan), encoding="utf-8"
    )
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE, encoding="utf-8")
    copy_chapter_templates(layout, typ)
    return layout


def copy_chapter_templates(layout: Layout, typ: RapportTyp) -> list[Path]:
    """The standard chapters for ``typ`` into text/; a chapter already there is kept as it is."""
    source = resources.files("bokslut.workspace") / "templates" / typ.value
    layout.text_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for item in sorted(source.iterdir(), key=lambda t: t.name):
        if not item.name.endswith(".md"):
            continue
        target = layout.text_dir / item.name
        if target.exists():
            continue
        target.write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
        written.append(target)
    return written
