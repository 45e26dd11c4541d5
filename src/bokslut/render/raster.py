"""Pictures for the formats that need them in another shape than the workspace holds.

Word shows PNG and JPEG everywhere but SVG only in recent versions (and LibreOffice
draws an SVG-only picture as an empty frame), so an SVG logo goes into the DOCX as a
PNG. Typst, which already makes the PDF, draws it: no image library of our own.
"""

from __future__ import annotations

import typst

from bokslut.render.typst_values import typst_text_or_bytes

LOGO_PPI = 300


def svg_as_png(svg: bytes, height_cm: float) -> bytes:
    """The SVG drawn at ``height_cm`` (its width in proportion) as a PNG with a clear background."""
    source = (
        "#set page(width: auto, height: auto, margin: 0pt, fill: none)\n"
        f'#image({typst_text_or_bytes(svg)}, format: "svg", height: {height_cm}cm)'
    )
    return bytes(typst.compile(source.encode("utf-8"), format="png", ppi=LOGO_PPI))
