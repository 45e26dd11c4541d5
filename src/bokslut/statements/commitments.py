"""Pensions, borgen, loans and leasing from the data files beside the ledger, and the
"Ansvarsförbindelser" shown under the balance sheet (LKBR 6 kap. 2 §, "inom linjen").

Everything here exists only when its file does: a workspace without data/pension,
data/borgen, data/kommuninvest, data/lan and data/leasing gets exactly the tables it
had before. A file that cannot be read is findings with the file and line; the other
tables are built as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from bokslut.diagnostics import Finding
from bokslut.statements.borgen import TABLE_ID as BORGEN_ID
from bokslut.statements.borgen import (
    Borgen,
    KommuninvestYear,
    not_borgensataganden,
    read_borgen,
    read_kommuninvest,
)
from bokslut.statements.context import Context
from bokslut.statements.engine import Cell, Line, build_table
from bokslut.statements.lan import not_lan, read_loans
from bokslut.statements.leasing import not_leasing, read_leasing
from bokslut.statements.noter import not_avsattningar
from bokslut.statements.pension import (
    ANSVARSFORBINDELSE,
    AVSATTNING,
    PensionFigures,
    closing_values,
    equity_including_commitment,
    ledger_mismatches,
    pension_note,
    read_pension,
)
from bokslut.table import Column, RowKind, Table, Unit, Value
from bokslut.tabular import find_input
from bokslut.workspace.layout import Layout

TABLE_ID = "ansvarsforbindelser"
PENSION_NOTE = "not_avsattningar_pensioner"
COMMITMENT_NOTE = "not_ansvarsforbindelse_pensioner"


@dataclass
class Commitments:
    """The tables made from the data files, and what the balance sheet's rows refer to."""

    notes: list[Table] = field(default_factory=list)
    statement: Table | None = None  # the ansvarsförbindelser under the balance sheet
    br_notes: dict[str, str] = field(default_factory=dict)  # BR row id -> note id
    pension: PensionFigures | None = None
    findings: list[Finding] = field(default_factory=list)

    def note(self, table_id: str) -> Table | None:
        return next((t for t in self.notes if t.id == table_id), None)


def _find(layout: Layout, stem: Path) -> tuple[Path, str] | None:
    path = find_input(stem.parent, stem.name)
    return (path, path.relative_to(layout.root).as_posix()) if path is not None else None


def commitments(layout: Layout, ctx: Context, unit: Unit) -> Commitments:
    """Read every file that exists and make its notes (annual report only)."""
    out = Commitments()
    limit = ctx.config.granser.tabell_bytes
    year = ctx.year
    found = _find(layout, layout.pension_stem)
    if found is not None:
        figures, f = read_pension(found[0], found[1], year, max_bytes=limit)
        out.findings += f
        if figures is not None:
            out.pension = figures
            out.findings += ledger_mismatches(ctx, figures)
            for part in (AVSATTNING, ANSVARSFORBINDELSE):
                note = pension_note(ctx, figures, part, unit)
                if note is not None:
                    out.notes.append(note)
            if out.note(PENSION_NOTE) is not None:
                out.br_notes["avsattningar_pensioner"] = PENSION_NOTE
    borgen_file, kommuninvest_file = (
        _find(layout, layout.borgen_stem),
        _find(layout, layout.kommuninvest_stem),
    )
    borgen: list[Borgen] = []
    kommuninvest: list[KommuninvestYear] = []
    if borgen_file is not None:
        borgen, f = read_borgen(borgen_file[0], borgen_file[1], year, max_bytes=limit)
        out.findings += f
    if kommuninvest_file is not None:
        kommuninvest, f = read_kommuninvest(kommuninvest_file[0], kommuninvest_file[1], year, max_bytes=limit)
        out.findings += f
    if borgen or kommuninvest:
        note = not_borgensataganden(ctx, borgen, kommuninvest, unit)
        if note is not None:
            out.notes.append(note)
    loans_file = _find(layout, layout.lan_stem)
    if loans_file is not None:
        loans, f = read_loans(loans_file[0], loans_file[1], year, max_bytes=limit)
        out.findings += f
        note, f = not_lan(ctx, loans, loans_file[1], unit)
        out.findings += f
        if note is not None:
            out.notes.append(note)
    leasing_file = _find(layout, layout.leasing_stem)
    if leasing_file is not None:
        rows, f = read_leasing(leasing_file[0], leasing_file[1], year, max_bytes=limit)
        out.findings += f
        note = not_leasing(ctx, rows, leasing_file[1], unit)
        if note is not None:
            out.notes.append(note)
    out.statement = ansvarsforbindelser(
        ctx, out.note(COMMITMENT_NOTE), out.note(BORGEN_ID), unit, _closing_sources(ctx, out.pension)
    )
    return out


def _closing_sources(ctx: Context, figures: PensionFigures | None) -> dict[str, dict[str, object]]:
    """Per column, the pension file's line of the closing balance (for drill-down)."""
    out: dict[str, dict[str, object]] = {}
    for cid, off in (("utfall", 0), ("utfall_fg", 1)):
        py = figures.years.get(ctx.year - off) if figures is not None else None
        if figures is not None and py is not None:
            out[cid] = {"file": figures.file, "line": py.closing_line}
    return out


def ansvarsforbindelser(
    ctx: Context,
    pension: Table | None,
    borgen: Table | None,
    unit: Unit,
    pension_sources: Mapping[str, Mapping[str, object]] | None = None,
) -> Table | None:
    """Panter och ansvarsförbindelser: the pension obligations earned before 1998 and the
    other ansvarsförbindelser (borgen), each referring to its note, with the note's total."""
    if pension is None and (borgen is None or borgen.number("summa", "utfall") is None):
        return None
    cells: dict[str, dict[str, Cell]] = {}
    columns: dict[str, Column] = {}
    for row, note, total in (("pensioner", pension, "utgaende"), ("borgen", borgen, "summa")):
        if note is None:
            continue
        for col in note.columns:
            v = note.number(total, col.id)
            if v is None:
                continue
            columns.setdefault(col.id, col)
            source = note.row(total).sources.get(col.id)
            flt = dict(source.filter) if source else {}
            if row == "pensioner" and pension_sources and col.id in pension_sources:
                flt = dict(pension_sources[col.id])
            cells.setdefault(row, {})[col.id] = Cell(v, flt)
    lines = [
        Line(
            "pensioner",
            "Pensionsförpliktelser som inte har upptagits bland skulderna eller avsättningarna",
            note=COMMITMENT_NOTE,
            show="data",
        ),
        Line("borgen", "Övriga ansvarsförbindelser (borgensåtaganden)", note=BORGEN_ID, show="data"),
        Line("summa", "Summa ansvarsförbindelser", RowKind.TOTAL, parts=("pensioner", "borgen")),
    ]
    ordered = [columns[c] for c in ("utfall", "utfall_fg") if c in columns]
    return build_table(
        id=TABLE_ID,
        title="Ansvarsförbindelser",
        columns=ordered,
        lines=lines,
        cells=cells,
        unit=unit,
        caption="Ansvarsförbindelser som inte tas upp i balansräkningen (6 kap. 2 § LKBR), "
        "inklusive särskild löneskatt.",
    )


def with_note_refs(table: Table, refs: Mapping[str, str]) -> Table:
    """``table`` with the rows of ``refs`` referring to other notes."""
    if not refs:
        return table
    return replace(table, rows=tuple(replace(r, note=refs.get(r.id, r.note)) for r in table.rows))


def commitment_values(
    figures: PensionFigures | None, year: int, tables: Sequence[Table]
) -> dict[str, Value | int]:
    """Named values: the closing pension balances (``_fg`` for last year), eget kapital
    including the ansvarsförbindelse, borgen, Kommuninvest shares, loans and leasing."""
    by_id = {t.id: t for t in tables}
    out: dict[str, Value | int] = {}
    br = by_id.get("balansrakning")
    for suffix, col, y in (("", "utfall", year), ("_fg", "utfall_fg", year - 1)):
        if figures is not None:
            values = closing_values(figures, y)
            for name, v in values.items():
                out[name + suffix] = v
            equity = br.number("summa_eget_kapital", col) if br is not None else None
            commitment = values.get("ansvarsforbindelse_pensioner_ub")
            if equity is not None and commitment is not None:
                out["eget_kapital_inklusive_ansvarsforbindelse" + suffix] = equity_including_commitment(
                    equity, commitment
                )
        for name, table_id, row in (
            ("borgensataganden", BORGEN_ID, "summa"),
            ("kommuninvest_andel_forpliktelser", BORGEN_ID, "ki_andel_forpliktelser"),
            ("kommuninvest_andel_tillgangar", BORGEN_ID, "ki_andel_tillgangar"),
            ("genomsnittlig_ranta", "not_langfristiga_skulder", "snittranta"),
            ("leasingavgifter", "not_leasing", "summa"),
            ("ansvarsforbindelser", TABLE_ID, "summa"),
        ):
            t = by_id.get(table_id)
            number: Decimal | None = t.number(row, col) if t is not None else None
            if number is not None:
                out[name + suffix] = number
    return out


def merged_notes(ctx: Context, unit: Unit, notes: list[Table], extra: Commitments) -> list[Table]:
    """The ledger's notes with the data files' notes: the loan note takes the place of the
    per-account note of långfristiga skulder, and with the pension note the ledger's
    provisions note keeps only the andra avsättningar."""
    ours = {t.id: t for t in extra.notes}
    out: list[Table] = []
    for n in notes:
        if n.id == "not_avsattningar" and PENSION_NOTE in ours:
            rest = not_avsattningar(ctx, unit, ("andra_avsattningar",), "Andra avsättningar")
            if rest is not None:
                out.append(rest)
            continue
        out.append(ours.pop(n.id, n))
    return out + list(ours.values())


def retargeted(tables: list[Table], notes: Sequence[Table]) -> list[Table]:
    """Rows that referred to the ledger's provisions note (the cash-flow statement's
    avsättningar) refer to the pension note when that is the only provisions note left."""
    ids = {n.id for n in notes}
    if "not_avsattningar" in ids or PENSION_NOTE not in ids:
        return tables
    return [
        with_note_refs(t, {r.id: PENSION_NOTE for r in t.rows if r.note == "not_avsattningar"})
        for t in tables
    ]
