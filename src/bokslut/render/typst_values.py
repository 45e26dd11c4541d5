"""Python values written as Typst source literals."""

from __future__ import annotations


def typst_string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


def typst_bytes(data: bytes) -> str:
    """A Typst bytes value (no file is read while compiling, so an image goes in the source)."""
    return f"bytes(({', '.join(map(str, data))},))"


def typst_text_or_bytes(data: bytes) -> str:
    """A text file (an SVG) as a Typst bytes value: from its text when it is UTF-8 (a third
    of the length), else byte by byte."""
    try:
        return f"bytes({typst_string(data.decode('utf-8'))})"
    except UnicodeDecodeError:
        return typst_bytes(data)
