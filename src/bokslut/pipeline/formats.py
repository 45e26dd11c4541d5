"""The formats `bokslut build` writes, and reading a `--format` list of them.

Kept apart from :mod:`bokslut.pipeline.build` so that the command line can check
its options and start the render worker before it imports what a build needs.
"""

from __future__ import annotations

from bokslut.diagnostics import BokslutError

# In the order they are listed and written; "webb" is a folder, one page per chapter.
FORMATS = ("html", "pdf", "docx", "xlsx", "json", "webb")


def parse_formats(text: str | None) -> tuple[str, ...]:
    if not text:
        return FORMATS
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise BokslutError(f"okänt format: {', '.join(unknown) or '(inget)'}; möjliga: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(wanted))
