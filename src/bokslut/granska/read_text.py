"""Markdown and plain text: paragraphs by line number, tables as tab- or pipe-separated lines."""

from __future__ import annotations

import re

from bokslut.granska.grid import RawRow, RawTable, understand
from bokslut.granska.inline import is_bold, plain
from bokslut.granska.model import Document, Place, Table, TextBlock

_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str] | None:
    if "\t" in line:
        return line.rstrip("\n").split("\t")
    stripped = line.strip()
    if stripped.count("|") >= 2 and stripped.startswith("|"):
        return [c for c in stripped.strip("|").split("|")]
    return None


def read_text(text: str, file: str) -> Document:
    lines = text.splitlines()
    blocks: list[TextBlock] = []
    tables: list[Table] = []
    paragraph: list[str] = []
    start = 0
    recent: list[str] = []  # the last text lines, for a table's title and unit

    def flush() -> None:
        if paragraph:
            joined = plain(" ".join(paragraph))
            if joined:
                blocks.append(TextBlock(joined, Place(file, line=start + 1), heading=joined.startswith("#")))
            paragraph.clear()

    i = 0
    while i < len(lines):
        cells = _cells(lines[i])
        if cells is None:
            line = lines[i].strip()
            if not line:
                flush()
            else:
                if not paragraph:
                    start = i
                if line.startswith("#"):
                    flush()
                    start = i
                    blocks.append(TextBlock(line.lstrip("#").strip(), Place(file, line=i + 1), heading=True))
                    recent.append(line.lstrip("#").strip())
                else:
                    paragraph.append(line)
                    recent.append(line)
            i += 1
            continue
        flush()
        first = i
        raw_rows: list[RawRow] = []
        while i < len(lines):
            if not lines[i].strip():
                # A blank line inside a table (the seeds have them) does not end it.
                k = i
                while k < len(lines) and not lines[k].strip():
                    k += 1
                if k < len(lines) and k - i <= 2 and _cells(lines[k]) is not None:
                    i = k
                    continue
                break
            cells = _cells(lines[i])
            if cells is None:
                break
            if not _PIPE_RULE.match(lines[i]):
                bold = bool(cells) and all(is_bold(c) for c in cells if c.strip())
                raw_rows.append(RawRow([plain(c) for c in cells], Place(file, line=i + 1), bold))
            # Long text in a cell (goal tables) is read as text too.
            for c in cells:
                t = plain(c)
                if len(t) > 60 and re.search(r"[a-zåäö]{4,} [a-zåäö]{2,} ", t):
                    blocks.append(TextBlock(t, Place(file, line=i + 1)))
            i += 1
        title = next((t for t in reversed(recent[-2:]) if len(t) <= 120), "")
        raw = RawTable(raw_rows, Place(file, line=first + 1), title, recent[-3:])
        table = understand(raw)
        if table is not None:
            tables.append(table)
        recent = []
    flush()
    return Document(file, "text", tuple(blocks), tuple(tables), lines=len(lines))
