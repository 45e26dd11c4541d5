"""Failures that are not the user's data: the disk, the file system, the machine, or a bug.

A failure of the environment (disk full, read-only file system, no permission, a
lock held by another command …) becomes a Swedish message that names the path and
says what to do; the command exits 1. Anything else that escapes a command is a bug
in bokslut: the user gets a short Swedish message with the exception's class and
where to report it, not a traceback, unless BOKSLUT_DEBUG=1 is set (the test suite
sets it, so a bug still fails a test with its traceback).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bokslut.environment import environment_message

__all__ = ["CommandFailed", "debug_enabled", "environment_message", "unexpected_message"]

DEBUG_ENV = "BOKSLUT_DEBUG"


@dataclass
class CommandFailed(Exception):
    """An exception that escaped a command, with the path the command was working in."""

    error: Exception
    where: str | None

    def __post_init__(self) -> None:
        super().__init__(str(self.error))


def debug_enabled() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _report_to() -> str:
    from importlib import metadata

    try:
        urls = metadata.metadata("bokslut").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("issues", "bug tracker", "ärenden"):
            return str(url).strip()
    return "bokslut-projektets ärendelista (eller den som förvaltar bokslut hos er)"


def unexpected_message(exc: BaseException) -> str:
    """Short Swedish words for a bug: what happened, what it is called, where to report it."""
    kind = type(exc).__qualname__
    module = type(exc).__module__
    if module not in ("builtins", "__main__"):
        kind = f"{module.lstrip('_')}.{kind}"
    return (
        f"ett oväntat fel i bokslut stoppade kommandot ({kind}). Det är ett fel i programmet, inte i "
        f"dina data. Rapportera det till {_report_to()}, med kommandot du körde och utskriften "
        f"från samma kommando med {DEBUG_ENV}=1."
    )
