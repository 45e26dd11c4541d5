"""Format strings from settings, with only the documented fields.

``str.format`` on a user's text reaches into Python (``"{kod.__class__.__mro__}"``)
and allocates whatever a format spec asks for (``"{kod:>999999999}"``). A
settings text here may name its documented fields and nothing else: no
attributes, indexes, conversions or format specs. The text is substituted
field by field, never handed to ``str.format``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence


class FieldFormatError(ValueError):
    """A settings text that is not a valid template (Swedish message)."""


def _parts(template: str, allowed: Sequence[str]) -> list[tuple[str, str | None]]:
    known = ", ".join("{" + f + "}" for f in allowed)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise FieldFormatError(
            f"är ingen giltig mall: klamrarna {{ }} går inte jämnt upp (skriv {{{{ och }}}} för en "
            f"klammer i texten); tillåtna fält: {known}"
        ) from None
    out: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (name not in allowed or spec or conversion):
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise FieldFormatError(f"innehåller {shown}, som inte är tillåtet; tillåtna fält: {known}")
        out.append((literal, name))
    return out


def check_fields(template: str, allowed: Iterable[str]) -> None:
    """Raise :class:`FieldFormatError` unless ``template`` uses only ``allowed`` plain fields."""
    _parts(template, tuple(allowed))


def format_fields(template: str, **values: str) -> str:
    """``template`` with each ``{field}`` replaced by ``values[field]`` (only those fields)."""
    return "".join(
        literal + (str(values[name]) if name is not None else "")
        for literal, name in _parts(template, tuple(values))
    )
