"""The command line: thin shells over the library. Data on stdout, talk on stderr.

Exit codes: 0 success, 1 errors in the data, 2 usage errors. No traceback ever
reaches the user for bad data; a bug still shows one (that is a bug report).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from bokslut.cli.build_cmds import build_cmd
from bokslut.cli.common import print_error
from bokslut.cli.followup_cmds import mal_group
from bokslut.cli.ledger_cmds import import_cmd, inspect_cmd, saldon_cmd
from bokslut.cli.statements_cmds import check_cmd, tables_cmd
from bokslut.cli.workspace_cmds import new_cmd
from bokslut.diagnostics import BokslutError


def _usage_message(exc: click.UsageError) -> str:
    if isinstance(exc, click.MissingParameter):
        name = exc.param.human_readable_name if exc.param else "argument"
        return f"saknar {name}"
    if isinstance(exc, click.NoSuchOption):
        return f"okänd flagga: {exc.option_name}"
    if isinstance(exc, click.BadParameter):
        name = exc.param.human_readable_name if exc.param else "värde"
        return f"ogiltigt värde för {name}: {exc.message}"
    msg = exc.message
    if msg.startswith("No such command"):
        return "okänt kommando: " + msg.split("'")[1] if "'" in msg else "okänt kommando"
    if msg.startswith("Got unexpected extra argument"):
        return "för många argument: " + msg.split("(", 1)[-1].rstrip(")")
    return msg


class Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.UsageError as exc:
            ctx = exc.ctx
            cmd = ctx.command_path if ctx else "bokslut"
            click.echo(f"{cmd}: {_usage_message(exc)}", err=True)
            click.echo(f"Se '{cmd} --help'.", err=True)
            sys.exit(2)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Avbrutet.", err=True)
            sys.exit(130)
        except BokslutError as exc:
            print_error(exc)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Avbrutet.", err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bokslut", message="bokslut %(version)s")
def app() -> None:
    """bokslut – årsredovisning och delårsrapport ur egna data."""


app.add_command(new_cmd)
app.add_command(import_cmd)
app.add_command(inspect_cmd)
app.add_command(saldon_cmd)
app.add_command(build_cmd)
app.add_command(mal_group)
app.add_command(tables_cmd)
app.add_command(check_cmd)


def main() -> None:
    app.main(prog_name="bokslut")
