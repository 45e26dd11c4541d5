"""Inline markup inside cells and lines of Markdown and plain-text reports (<b>, **, <li>)."""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"^\s*(<b>|<strong>|\*\*)(.*?)(</b>|</strong>|\*\*)\s*$", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{0,400}>")
_BLOCK_END = re.compile(r"</(li|p|div)>|<br\s*/?>", re.IGNORECASE)


def is_bold(cell: str) -> bool:
    return _BOLD.match(cell) is not None


def plain(cell: str) -> str:
    """The text a reader sees: tags gone, entities decoded, list items ending as sentences."""
    text = _BLOCK_END.sub(". ", cell)
    text = _TAG.sub(" ", text).replace("**", "")
    text = html.unescape(text)
    text = re.sub(r"\.\s*\.", ".", " ".join(text.split()))
    return text.strip().strip(".").strip() if text.strip() in (".", "") else text.strip()
