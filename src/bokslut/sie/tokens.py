"""Splitting one SIE line into fields (spec §5).

Fields are separated by runs of spaces or tabs. A field may be quoted; inside
quotes ``\\"`` is a quote and every other backslash is literal (the only escape
the specification defines). ``{ … }`` on a line is an object list, one field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACE = " \t"
# Characters a terminal may act on: C0/C1 controls, DEL and the bidirectional overrides
# (which can make a message read differently from what it says).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x1f]")


class TokenError(ValueError):
    """A line that cannot be split into fields; the message is Swedish."""


@dataclass(frozen=True, slots=True)
class Field:
    text: str  # content, quotes removed and escapes resolved
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class ObjectList:
    items: tuple[Field, ...]


Token = Field | ObjectList


def _quoted(line: str, i: int) -> tuple[str, int]:
    """Read a quoted field starting at the quote at ``line[i]``; return (content, next index)."""
    out: list[str] = []
    start = i
    i += 1
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n and line[i + 1] == '"':
            out.append('"')
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        if ord(ch) < 32 and ch != "\t":
            raise TokenError("styrtecken inuti ett fält")
        out.append(ch)
        i += 1
    if line.endswith('\\"') and out and out[-1] == '"' and len(line) - 1 > start:
        # "C:\" at the end of a line: the only reading that closes the field is a
        # literal backslash followed by the closing quote.
        out[-1] = "\\"
        return "".join(out), n
    raise TokenError("citattecken som inte avslutas")


def _bare(line: str, i: int, stop: str) -> tuple[str, int]:
    start = i
    n = len(line)
    while i < n and line[i] not in stop:
        i += 1
    return line[start:i], i


# The shape nearly every line has: fields apart, quoted ones without a backslash, bare
# ones without a quote or brace, no control characters. Such a line splits the same way
# by these patterns as character by character, only twenty times faster — a region's
# file has hundreds of thousands of #OBJEKT and #KONTO lines.
_Q = '"[^"\\\\\x00-\x08\x0a-\x1f]*"'
# Possessive (++): a bare field is the whole run of its characters. Backtracking into it
# (trying "ab" as "a" "b" inside a list) would take exponential time on a hostile line.
_B = '[^ \t"{}\x00-\x1f]++'
_TOKEN = f"{_Q}|\\{{(?:[ \\t]*(?:{_Q}|{_B}))*[ \\t]*\\}}|{_B}"
_SIMPLE_LINE = re.compile(f"[ \\t]*(?:(?:{_TOKEN})(?:[ \\t]+|$))*")
_SIMPLE_TOKEN = re.compile(_TOKEN)
_LIST_ITEM = re.compile(f"{_Q}|{_B}")


def _simple(line: str) -> list[Token] | None:
    if _SIMPLE_LINE.fullmatch(line) is None:
        return None
    tokens: list[Token] = []
    for m in _SIMPLE_TOKEN.finditer(line):
        text = m.group()
        first = text[0]
        if first == '"':
            tokens.append(Field(text[1:-1], True))
        elif first == "{":
            tokens.append(
                ObjectList(
                    tuple(
                        Field(item[1:-1], True) if item[0] == '"' else Field(item)
                        for item in _LIST_ITEM.findall(text, 1, len(text) - 1)
                    )
                )
            )
        else:
            tokens.append(Field(text))
    return tokens


def tokenize(line: str) -> list[Token]:
    """All fields of ``line`` (which has no line break)."""
    simple = _simple(line)
    return simple if simple is not None else by_character(line)


def by_character(line: str) -> list[Token]:
    """:func:`tokenize` for any line: every quirk judged character by character."""
    tokens: list[Token] = []
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch in _SPACE:
            i += 1
        elif ch == '"':
            text, i = _quoted(line, i)
            tokens.append(Field(text, True))
        elif ch == "{":
            items: list[Field] = []
            i += 1
            while True:
                while i < n and line[i] in _SPACE:
                    i += 1
                if i >= n:
                    raise TokenError("objektlistan öppnas med '{' men stängs aldrig med '}'")
                if line[i] == "}":
                    i += 1
                    break
                if line[i] == '"':
                    text, i = _quoted(line, i)
                    items.append(Field(text, True))
                else:
                    text, i = _bare(line, i, _SPACE + '}"')
                    _no_controls(text)
                    items.append(Field(text))
            tokens.append(ObjectList(tuple(items)))
        else:
            text, i = _bare(line, i, _SPACE)
            _no_controls(text)
            tokens.append(Field(text))
    return tokens


def _no_controls(text: str) -> None:
    if _CONTROL.search(text):
        raise TokenError("styrtecken på raden")


def printable(text: str) -> str:
    """``text`` with every character a terminal could act on written as an escape (\\x1b)."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


def content(token: Token) -> str:
    """The token's bytes for #KSUMMA: contents only, no quotes, no braces."""
    if isinstance(token, ObjectList):
        return "".join(f.text for f in token.items)
    return token.text
