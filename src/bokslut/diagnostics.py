"""Findings about user data, collected as values (never raised one by one).

Every reader and check returns a list of :class:`Finding`; a command prints them
all and decides its exit code from the worst level. The only exception that
crosses a layer boundary for bad user data is :class:`BokslutError`, which
carries the findings that made the operation impossible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


LEVEL_LABEL_SV = {Level.ERROR: "fel", Level.WARNING: "varning", Level.NOTICE: "notis"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or observation, in Swedish, pointing at where it is.

    ``where`` is the finest location the source has: a line for text files,
    a cell ("B7") or a row/column for spreadsheets and CSV, a table/row/column
    id for computed reports.
    """

    level: Level
    message: str
    file: str | None = None
    line: int | None = None
    where: str | None = None
    code: str = ""

    def location(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(str(self.line))
        loc = ":".join(parts)
        if self.where:
            loc = f"{loc} ({self.where})" if loc else self.where
        return loc

    def format(self) -> str:
        loc = self.location()
        label = LEVEL_LABEL_SV[self.level]
        return f"{loc}: {label}: {self.message}" if loc else f"{label}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "level": str(self.level),
            "line": self.line,
            "message": self.message,
        }
        if self.file is not None:
            data["file"] = self.file
        if self.where is not None:
            data["where"] = self.where
        if self.code:
            data["code"] = self.code
        return data


def error(message: str, **kw: Any) -> Finding:
    return Finding(Level.ERROR, message, **kw)


def warning(message: str, **kw: Any) -> Finding:
    return Finding(Level.WARNING, message, **kw)


def notice(message: str, **kw: Any) -> Finding:
    return Finding(Level.NOTICE, message, **kw)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.level is Level.ERROR for f in findings)


@dataclass
class BokslutError(Exception):
    """Bad user data or a bad request that stops an operation.

    The message is Swedish and meant for the user; ``findings`` lists every
    problem found before giving up (not only the first).
    """

    message: str
    findings: Sequence[Finding] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
