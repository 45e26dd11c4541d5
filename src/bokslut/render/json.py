"""JSON output: every table in the public format, every named value, and the document."""

from __future__ import annotations

from typing import Any

from bokslut.document import (
    DRAFT_MARK,
    Block,
    ChartPlacement,
    Document,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Styled,
    TablePlacement,
    Text,
)
from bokslut.jsontext import dumps
from bokslut.table import Rounded


def table_to_json(rounded: Rounded) -> dict[str, Any]:
    """One table in the public format (also used by ``bokslut tables --json``)."""
    t = rounded.table
    return {
        "id": t.id,
        "title": t.title,
        "unit": t.unit.value if t.unit is not None else None,
        "columns": [{"id": c.id, "label": c.label} for c in t.columns],
        "rows": [
            {
                "id": r.id,
                "label": r.label,
                "kind": r.kind.value,
                "note": r.note,
                "values": {c.id: r.values[c.id] for c in t.columns if c.id in r.values},
                "display": {c.id: v for c in t.columns if (v := rounded.get(r.id, c.id)) is not None},
            }
            for r in t.rows
        ],
    }


def _inline(runs: tuple[Inline, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in runs:
        if isinstance(r, Text):
            out.append({"text": r.text})
        elif isinstance(r, Styled):
            out.append({"style": r.style, "children": _inline(r.children)})
        elif isinstance(r, Link):
            out.append({"link": r.href, "children": _inline(r.children)})
        elif isinstance(r, Figure):
            out.append(
                {
                    "figure": r.text,
                    "ref": r.ref,
                    "exact": r.exact,
                    "shown": r.shown if r.shown is not None else None,
                    "unit": r.unit,
                }
            )
        elif isinstance(r, NoteRef):
            out.append({"note": r.note_id, "number": r.number})
        elif isinstance(r, LineBreak):
            out.append({"break": True})
        elif isinstance(r, Image):
            out.append({"image": r.src, "alt": r.alt, "media_type": r.media_type})
    return out


def _block(b: Block) -> dict[str, Any]:
    if isinstance(b, Heading):
        return {"type": "heading", "level": b.level, "anchor": b.anchor, "content": _inline(b.runs)}
    if isinstance(b, Paragraph):
        return {"type": "paragraph", "content": _inline(b.runs)}
    if isinstance(b, ListBlock):
        return {
            "type": "list",
            "ordered": b.ordered,
            "items": [[_block(x) for x in item] for item in b.items],
        }
    if isinstance(b, Quote):
        return {"type": "quote", "blocks": [_block(x) for x in b.blocks]}
    if isinstance(b, TablePlacement):
        return {
            "type": "table",
            "table": b.table_id,
            "anchor": b.anchor,
            "title": b.title,
            "note_number": b.note_number,
            "notes": dict(b.note_numbers),
        }
    assert isinstance(b, ChartPlacement)
    c = b.chart
    return {
        "type": "chart",
        "id": c.id,
        "kind": c.kind.value,
        "title": c.title,
        "alt": c.alt,
        "unit": c.unit_label,
        "categories": list(c.categories),
        "series": [{"name": s.name, "values": [v for v in s.values]} for s in c.series],
    }


def document_to_json(doc: Document) -> dict[str, Any]:
    tp = doc.title_page
    # Only a draft has the field, so a clean build's file is as before.
    draft: dict[str, Any] = {"draft": True, "draft_mark": DRAFT_MARK} if doc.draft else {}
    return {
        **draft,
        "title": tp.title,
        "organisation": tp.organisation,
        "subtitle": tp.subtitle,
        "closing_date": tp.closing_date.isoformat(),
        "tables": [table_to_json(doc.tables[tid]) for tid in sorted(doc.tables)],
        "values": {k: v for k, v in sorted(doc.values.items())},
        "notes": [{"id": n.note_id, "number": n.number, "title": n.title} for n in doc.notes],
        "chapters": [
            {"source": ch.source, "title": ch.title, "blocks": [_block(b) for b in ch.blocks]}
            for ch in doc.chapters
        ],
    }


def render_json(doc: Document) -> bytes:
    return (dumps(document_to_json(doc)) + "\n").encode("utf-8")
