"""Swedish words the report needs in more than one place (month names, dates in prose)."""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip


def date_text(d: dt.date, *, year: bool = True) -> str:
    """'31 december 2023' (or '31 december')."""
    text = f"{d.day} {MONTHS[d.month - 1]}"
    return f"{text} {d.year}" if year else text


def lower_first(text: str) -> str:
    """The text with its first letter in lower case, for a name set inside a phrase ("Summa
    materiella anläggningstillgångar"), except an abbreviation ("VA-anläggningar", "IT-system")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
