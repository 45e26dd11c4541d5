"""Row headers in the PDF's tag tree: each body row's label cell becomes a TH with Row scope.

Typst tags the cells of ``table.header`` as column headers but offers row headers only
behind a feature flag the pinned binding cannot switch on, so the label cells of a
table's body rows would reach a screen reader as plain data cells. This pass rewrites
them in the structure tree, the way the HTML marks them (``<th scope="row">``).
"""

from __future__ import annotations

import io

import pikepdf


def _kids(node: pikepdf.Dictionary) -> list[pikepdf.Object]:
    kids = node.get("/K")
    if isinstance(kids, pikepdf.Array):
        return list(kids)
    if isinstance(kids, pikepdf.Dictionary):
        return [kids]
    return []


def _first_cell(row: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    """The row's first cell, looked at alone (each kid looked at costs pikepdf calls)."""
    kids = row.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            return kid
    return None


def _rows(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """The body rows of a table (rows of THead are left alone)."""
    out: list[pikepdf.Dictionary] = []
    for kid in _kids(node):
        if not isinstance(kid, pikepdf.Dictionary) or "/S" not in kid:
            continue
        tag = str(kid.S)
        if tag == "/TR":
            out.append(kid)
        elif tag in ("/TBody", "/TFoot"):
            out.extend(_rows(kid))
    return out


def _make_row_header(cell: pikepdf.Dictionary) -> None:
    """TD → TH with Scope Row, keeping the cell's other attributes (borders, headers)."""
    cell.S = pikepdf.Name.TH
    attrs = cell.get("/A")
    owners = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs] if attrs is not None else []
    for owner in owners:
        if isinstance(owner, pikepdf.Dictionary) and owner.get("/O") == pikepdf.Name.Table:
            owner.Scope = pikepdf.Name.Row
            return
    scope = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name.Row)
    cell.A = pikepdf.Array([*owners, scope]) if owners else scope


def mark_row_headers(pdf_bytes: bytes) -> bytes:
    """The PDF with the first cell of every body row tagged TH, Scope Row."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        tables: list[pikepdf.Dictionary] = []

        def walk(node: pikepdf.Object) -> None:
            if not isinstance(node, pikepdf.Dictionary):
                return
            if str(node.get("/S", "")) == "/Table":
                # Our cells hold text only (render/pdf.py), never a table: the walk stops here,
                # which spares it the cells, most of the tree (each visit costs pikepdf calls).
                tables.append(node)
                return
            for kid in _kids(node):
                walk(kid)

        walk(pdf.Root.StructTreeRoot)
        for table in tables:
            for row in _rows(table):
                first = _first_cell(row)
                if first is not None and str(first.S) == "/TD":
                    _make_row_header(first)
        out = io.BytesIO()
        # Same input, same bytes: the file identifier comes from the content, not the clock.
        pdf.save(out, deterministic_id=True)
        return out.getvalue()
