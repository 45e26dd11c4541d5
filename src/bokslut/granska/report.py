"""What granska tells its reader: a summary and the findings by severity, as text, JSON or HTML.

The JSON format ("bokslut-granska/1") is documented in docs/granska.md.
"""

from __future__ import annotations

import html
from typing import Any

from bokslut.diagnostics import LEVEL_LABEL_SV, Level
from bokslut.granska.model import Discrepancy
from bokslut.granska.run import Result, Reviewed

FORMAT = "bokslut-granska/1"


def _file_line(f: Reviewed) -> str:
    if f.document is None:
        return f"kunde inte läsas: {f.unreadable}"
    d = f.document
    size = (
        f"{d.pages} sidor"
        if d.pages is not None
        else f"{d.lines} rader"
        if d.kind != "DOCX"
        else f"{d.lines} stycken"
    )
    return f"{f.file}: {d.kind}, {size}, {len(d.tables)} tabeller, {len(d.blocks)} textstycken"


def summary(result: Result) -> str:
    e, w, n = (result.count(x) for x in (Level.ERROR, Level.WARNING, Level.NOTICE))
    lines = ["Granskning av " + ("en fil" if len(result.files) == 1 else f"{len(result.files)} filer")]
    lines += [f"  {_file_line(f)}" for f in result.files]
    verdict = (
        "Inga motsägelser hittades."
        if not (e or w or n)
        else f"{e} fel, {w} varningar, {n} notiser (avrundningsskillnader och annat att känna till)."
    )
    unreadable = sum(1 for f in result.files if f.document is None)
    if unreadable == len(result.files):
        verdict = "Ingen fil kunde granskas."
    elif unreadable:
        verdict += " " + ("En fil" if unreadable == 1 else f"{unreadable} filer") + " kunde inte läsas alls."
    lines.append(verdict)
    return "\n".join(lines)


def text_report(result: Result) -> str:
    out = [summary(result), ""]
    for d in result.discrepancies:
        where = d.where()
        out.append(f"{LEVEL_LABEL_SV[d.level]}: {d.place.file}" + (f": {where}" if where else ""))
        out.append(f"  {d.message}")
        if d.quote and d.quote != d.row:
            out.append(f"  »{d.quote}«")
    return "\n".join(out).rstrip() + "\n"


def to_json(result: Result) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "files": [
            {
                "file": f.file,
                "readable": f.document is not None,
                **({"error": f.unreadable} if f.unreadable else {}),
                **(
                    {
                        "kind": f.document.kind,
                        "pages": f.document.pages,
                        "lines": f.document.lines,
                        "tables": len(f.document.tables),
                        "text_blocks": len(f.document.blocks),
                    }
                    if f.document is not None
                    else {}
                ),
            }
            for f in result.files
        ],
        "summary": {
            "errors": result.count(Level.ERROR),
            "warnings": result.count(Level.WARNING),
            "notices": result.count(Level.NOTICE),
            "exit_code": result.exit_code(),
        },
        "findings": [_finding_json(d) for d in result.discrepancies],
    }


def _finding_json(d: Discrepancy) -> dict[str, Any]:
    return {
        "level": str(d.level),
        "code": d.code,
        "message": d.message,
        "file": d.place.file,
        "page": d.place.page,
        "line": d.place.line,
        "table": d.table,
        "row": d.row,
        "column": d.column,
        "quote": d.quote,
        "values": list(d.values),
    }


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}.sammanfattning{background:#f4f4f4;padding:.8rem 1rem;border-radius:.3rem}
.fynd{border-left:.4rem solid #999;padding:.4rem 1rem;margin:1rem 0}
.fel{border-color:#b00020}.varning{border-color:#c77700}.notis{border-color:#1f4e79}
.plats{color:#555;font-size:.9rem}blockquote{margin:.4rem 0;padding:.3rem .8rem;background:#fafafa;
border-left:.2rem solid #ccc;font-style:italic}ul.varden{margin:.3rem 0}
"""


def html_report(result: Result) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv"><head><meta charset="utf-8"><title>Granskning</title>',
        f"<style>{_CSS}</style></head><body>",
        "<h1>Granskning av rapport</h1>",
        '<div class="sammanfattning">' + "<br>".join(e(x) for x in summary(result).split("\n")) + "</div>",
    ]
    for level, heading in ((Level.ERROR, "Fel"), (Level.WARNING, "Varningar"), (Level.NOTICE, "Notiser")):
        found = [d for d in result.discrepancies if d.level is level]
        if not found:
            continue
        parts.append(f"<h2>{heading} ({len(found)})</h2>")
        for d in found:
            label = LEVEL_LABEL_SV[d.level]
            parts.append(f'<section class="fynd {label}">')
            parts.append(f'<p class="plats">{e(d.place.file)} – {e(d.where())}</p>')
            parts.append(f"<p>{e(d.message)}</p>")
            if d.quote:
                parts.append(f"<blockquote>{e(d.quote)}</blockquote>")
            if d.values:
                parts.append('<ul class="varden">' + "".join(f"<li>{e(v)}</li>" for v in d.values) + "</ul>")
            parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
