"""JSON with exact numbers: Decimal values are written as JSON numbers, digit for digit.

The standard library would need floats (inexact) or strings (not numbers) for
money; our public JSON promises "exact kronor as a number", so we write it here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def _number(d: Decimal) -> str:
    if not d.is_finite():
        raise ValueError(f"{d} kan inte skrivas som JSON-tal")
    text = format(d, "f")
    return "0" if text in ("-0", "-0.0", "-0.00") else text


def _encode(value: Any, indent: int | None, level: int) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise TypeError("flyttal hör inte hemma i bokslut-JSON; använd Decimal")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date):
        return json.dumps(value.isoformat())
    pad = "" if indent is None else "\n" + " " * (indent * (level + 1))
    end = "" if indent is None else "\n" + " " * (indent * level)
    sep = ", " if indent is None else ","
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_encode(v, indent, level + 1)}"
            for k, v in value.items()
        ]
        return "{" + sep.join(items) + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[" + sep.join(f"{pad}{_encode(v, indent, level + 1)}" for v in value) + end + "]"
    raise TypeError(f"kan inte skriva {type(value).__name__} som JSON")


def dumps(value: Any, indent: int | None = 2) -> str:
    return _encode(value, indent, 0)
