"""Checks of option values, so a wrong value is a usage error (exit 2) before any work starts.

Each callback returns the value unchanged when it is good: the command bodies parse
it as before, and only well-formed text reaches them. Numbers are ASCII digits only
(Python's ``int`` also reads "٢٠٢٣" and ``isdigit`` accepts "²").
"""

from __future__ import annotations

import re

import click

# A dimension number is stored as a 32-bit integer.
_MAX_DIMENSION = 2**31 - 1

_ACCOUNT_PART = re.compile(r"([0-9]{1,18})(?:\s*-\s*([0-9]{1,18}))?")
_OBJECT = re.compile(r"([0-9]{1,10}):(.+)", re.S)

ACCOUNTS_EXPECTED = "ett konto (3010), ett intervall (3000-3999) eller flera med komma (3010,3040-3099)"
OBJECT_EXPECTED = "dimension:objekt, t.ex. 1:81141"


def check_accounts(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--konto``: accounts, ranges, or a comma-separated list of both."""
    if value is None:
        return None
    for part in value.split(","):
        m = _ACCOUNT_PART.fullmatch(part.strip())
        if not m:
            raise click.BadParameter(f"'{value}' ska vara {ACCOUNTS_EXPECTED}", ctx, param)
        low, high = m.group(1), m.group(2)
        if high is not None and len(low) == len(high) and int(low) > int(high):
            raise click.BadParameter(
                f"intervallet '{part.strip()}' börjar efter där det slutar; skriv {high}-{low}", ctx, param
            )
    return value


def check_object(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--objekt``: one object as dimension:object."""
    if value is None:
        return None
    m = _OBJECT.fullmatch(value.strip())
    if not m or not m.group(2).strip():
        raise click.BadParameter(f"'{value}' ska skrivas {OBJECT_EXPECTED}", ctx, param)
    if not 1 <= int(m.group(1)) <= _MAX_DIMENSION:
        raise click.BadParameter(
            f"dimensionen {m.group(1)} i '{value}' finns inte (dimensioner är 1 eller större)", ctx, param
        )
    return value


def check_formats(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--format``: a comma-separated list of the formats build can write."""
    from bokslut.diagnostics import BokslutError
    from bokslut.pipeline.formats import parse_formats

    try:
        parse_formats(value)
    except BokslutError as exc:
        raise click.BadParameter(exc.message, ctx, param) from None
    return value


class Year(click.ParamType[int]):
    """A fiscal year: four ASCII digits within the years a report can be about."""

    name = "år"

    def __init__(self, low: int = 1900, high: int = 2200) -> None:
        self.low, self.high = low, high

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "ÅR"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            year = value
        elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,6}", value.strip()):
            year = int(value)
        else:
            self.fail(f"'{value}' ska vara ett årtal, t.ex. 2024", param, ctx)
        if not self.low <= year <= self.high:
            self.fail(f"{year} ska vara ett årtal från {self.low} till och med {self.high}", param, ctx)
        return year


def exclusive(ctx: click.Context, flags: dict[str, bool]) -> None:
    """A usage error when more than one of ``flags`` (flag name → given) is given."""
    given = [name for name, on in flags.items() if on]
    if len(given) > 1:
        raise click.UsageError(f"välj bara en av {' och '.join(given)}", ctx)
