"""A delårsrapport's optional inputs: a placed table that reads "uppgift saknas" says which
file would fill it (a warning; the report builds without budget, prognos or last year)."""

from __future__ import annotations

from bokslut.diagnostics import Finding
from bokslut.document import Document
from bokslut.statements.interim import missing_inputs

# The tables whose columns come from optional inputs.
TABLES = ("resultatrakning", "ekonomiskt_resultat")


def interim_inputs(doc: Document) -> list[Finding]:
    placed = {p.table_id for p in doc.placements()}
    out: list[Finding] = []
    for tid in TABLES:
        rounded = doc.tables.get(tid)
        if rounded is not None and tid in placed:
            out += missing_inputs(rounded.table)
    return out
