"""The simplified förvärvsanalys (LKBR 12 kap. 4 §): each company's equity at the date of
acquisition, from ``data/koncern/forvarvsanalys.csv|.xlsx`` (docs/koncern.md).

The consolidation eliminates the kommun's shares against equity whatever this file says;
the table shows how the shares' value divides into the acquired part of the company's
equity and the övervärde (or undervärde), which the simplification takes straight to the
koncern's eget kapital.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bokslut.diagnostics import Finding, error
from bokslut.money import kronor
from bokslut.statements.file_amounts import amount_columns, amount_specs, cell_ore
from bokslut.table import Column, Row, Table, Unit
from bokslut.tabular import DEFAULT_MAX_BYTES, ColumnSpec, read_table, shown, text
from bokslut.workspace.config import KoncernForetag


@dataclass(frozen=True)
class Acquisition:
    company: str
    equity: int  # öre, the company's whole equity at the acquisition date
    line: int


def read_acquisitions(
    path: Path, rel: str, companies: Sequence[KoncernForetag], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[dict[str, Acquisition], list[Finding]]:
    specs = (ColumnSpec("foretag"), *amount_specs(("eget_kapital",)))
    raw, findings = read_table(path, rel, specs, max_bytes=max_bytes)
    if raw is None:
        return {}, findings
    cols, missing = amount_columns(raw, ("eget_kapital",), rel)
    findings += missing
    if missing:
        return {}, findings
    known = {f.id for f in companies}
    ids, amounts = text(raw, "foretag"), text(raw, cols["eget_kapital"].name)
    out: dict[str, Acquisition] = {}
    for i in range(raw.rows):
        line = raw.line(i)
        company, cell = str(ids[i]), str(amounts[i])
        if not company and not cell:
            continue
        if company not in known:
            findings.append(
                error(
                    f"'{shown(company)}' är inget koncernföretag i bokslut.toml "
                    f"(kända: {', '.join(sorted(known))})",
                    file=rel,
                    line=line,
                    where="kolumn foretag",
                    code="koncern-forvarv",
                )
            )
            continue
        if company in out:
            findings.append(
                error(
                    f"{company} har redan en rad (rad {out[company].line}); raden används inte",
                    file=rel,
                    line=line,
                    code="koncern-forvarv",
                )
            )
            continue
        ore = cell_ore(cell, cols["eget_kapital"], rel, line, findings)
        if ore is not None:
            out[company] = Acquisition(company, ore, line)
    return out, findings


def forvarvsanalys(
    companies: Sequence[KoncernForetag],
    acquisitions: Mapping[str, Acquisition],
    shares: Mapping[str, int],
    unit: Unit,
) -> Table | None:
    rows: list[Row] = []
    for f in companies:
        a = acquisitions.get(f.id)
        if a is None or f.id not in shares:
            continue
        acquired = f.agarandel / 100 * kronor(a.equity)
        rows.append(
            Row(
                f.id,
                f.namn,
                values={
                    "andelar": kronor(shares[f.id]),
                    "eget_kapital": acquired,
                    "skillnad": kronor(shares[f.id]) - acquired,
                },
            )
        )
    if not rows:
        return None
    return Table(
        id="koncern_forvarvsanalys",
        title="Förvärvsanalys",
        columns=(
            Column("andelar", "Kommunens andelar"),
            Column("eget_kapital", "Ägarandel av eget kapital vid förvärvet"),
            Column("skillnad", "Övervärde (+) / undervärde (−)", derived=("andelar", "-", "eget_kapital")),
        ),
        rows=tuple(rows),
        unit=unit,
        caption="Kommunens andelar i koncernföretagen mot ägarandelen av deras eget kapital vid förvärvet.",
        footnotes=(
            "Förenklad förvärvsanalys: andelarna elimineras mot eget kapital och ett över- eller "
            "undervärde förs direkt mot koncernens eget kapital; ingen goodwill redovisas.",
        ),
    )
