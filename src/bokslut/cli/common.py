"""Helpers shared by the commands: printing findings, progress, workspace lookup."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from bokslut.diagnostics import BokslutError, Finding
from bokslut.jsontext import dumps
from bokslut.sie.tokens import printable


def print_error(exc: BokslutError) -> None:
    if exc.findings:
        for f in exc.findings:
            click.echo(f.format(), err=True)
        if exc.message and not all(f.format() in exc.message for f in exc.findings):
            click.echo(exc.message, err=True)
    else:
        click.echo(f"fel: {exc.message}", err=True)


def print_findings(findings: Iterable[Finding]) -> None:
    # A message quotes the user's data: a control character in it must not reach the terminal.
    for f in findings:
        click.echo("\n".join(printable(line) for line in f.format().split("\n")), err=True)


def echo_json(data: Any) -> None:
    """JSON on stdout; Decimal values become exact JSON numbers."""
    click.echo(dumps(data))


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def workspace_root(path: str) -> Path:
    root = Path(path)
    if not (root / "bokslut.toml").is_file():
        raise BokslutError(f"{root}: ingen bokslut.toml här – skapa arbetsytan med 'bokslut new {root}'")
    return root


def count_text(n: int) -> str:
    """A count as Swedish shows it: thousands apart by a no-break space."""
    return f"{n:,}".replace(",", "\u00a0")
