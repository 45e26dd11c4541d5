"""The command line: thin shells over the library. Data on stdout, talk on stderr.

Exit codes: 0 success, 1 errors in the data or the environment (disk, permissions,
a lock), 2 usage errors. No traceback reaches the user: a bug is a short Swedish
message with the exception's class (cli/failures.py), and its traceback is shown
under BOKSLUT_DEBUG=1.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import re
import sys
import threading
from typing import Any, NoReturn

import click

from bokslut.cli.common import print_error
from bokslut.cli.failures import CommandFailed, debug_enabled, environment_message, unexpected_message
from bokslut.diagnostics import BokslutError

# NumPy's OpenBLAS starts a thread per core at import that spins for a while waiting for
# matrix work no command gives it: on two cores that is processor time taken from the
# import's scanner. Set before any command imports NumPy; a user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Command name → "module:object". Modules are imported only when their command runs, so
# `bokslut saldon` does not pay for loading the PDF and Word renderers.
COMMANDS = {
    "new": "bokslut.cli.workspace_cmds:new_cmd",
    "inspect": "bokslut.cli.ledger_cmds:inspect_cmd",
    "import": "bokslut.cli.import_cmds:import_cmd",
    "saldon": "bokslut.cli.ledger_cmds:saldon_cmd",
    "tables": "bokslut.cli.statements_cmds:tables_cmd",
    "harled": "bokslut.cli.drill_cmds:harled_cmd",
    "check": "bokslut.cli.statements_cmds:check_cmd",
    "mal": "bokslut.cli.followup_cmds:mal_group",
    "build": "bokslut.cli.build_cmds:build_cmd",
    "granska": "bokslut.cli.granska_cmds:granska_cmd",
    "serve": "bokslut.cli.web_cmds:serve_cmd",
    "anvandare": "bokslut.cli.web_cmds:anvandare_group",
}


# click writes its own help texts in English; a user of bokslut reads Swedish.
_CLICK_SV = {
    "Options": "Flaggor",
    "Commands": "Kommandon",
    "Arguments": "Argument",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
}


_METAVARS_SV = {
    "INTEGER": "HELTAL",
    "PATH": "SÖKVÄG",
    "DIRECTORY": "MAPP",
    "FILE": "FIL",
    "FLOAT": "TAL",
    "BOOLEAN": "JA/NEJ",
}
_METAVAR = re.compile(r"\b(" + "|".join(_METAVARS_SV) + r")\b")


class SvFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Användning: " if prefix is None else prefix)

    def section(self, name: str) -> Any:
        return super().section(_CLICK_SV.get(name, name))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [
            (
                _METAVAR.sub(lambda m: _METAVARS_SV[m.group(0)], term),
                _CLICK_SV.get(text, text).replace("[default:", "[standard:").replace("[required]", "[krävs]"),
            )
            for term, text in rows
        ]
        super().write_dl(rows, col_max, col_spacing)


class SvContext(click.Context):
    formatter_class = SvFormatter

    def invoke(self, callback: Any, /, *args: Any, **kwargs: Any) -> Any:
        # Anything unexpected leaves with the path the command works in, for the message.
        try:
            return super().invoke(callback, *args, **kwargs)
        except (BokslutError, click.ClickException, click.exceptions.Exit, click.Abort, CommandFailed):
            raise
        except BrokenPipeError:
            raise  # the reader of stdout went away (`| head`): click ends quietly
        except Exception as exc:
            raise CommandFailed(exc, self._where()) from exc

    def __exit__(self, exc_type: Any, exc_value: Any, tb: Any) -> bool | None:
        # click's parser raises some usage errors without a context; the innermost context
        # they pass through is the command whose usage was wrong.
        if isinstance(exc_value, click.UsageError) and exc_value.ctx is None:
            exc_value.ctx = self
        return super().__exit__(exc_type, exc_value, tb)

    def _where(self) -> str | None:
        for param in self.command.params:
            value = self.params.get(param.name or "")
            if isinstance(value, tuple):
                value = value[0] if value else None
            if isinstance(param, click.Argument) and value is not None:
                return str(value)
        return None


class Group(click.Group):
    context_class = SvContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENT]...")
        super().__init__(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, name = target.partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        for cmd in (command, *(command.commands.values() if isinstance(command, click.Group) else ())):
            cmd.context_class = SvContext
            cmd.options_metavar = "[FLAGGOR]"
        if isinstance(command, click.Group):
            command.subcommand_metavar = "KOMMANDO [ARGUMENT]..."
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.UsageError as exc:
            # Only when something went wrong: not loaded on the way of every command.
            from bokslut.cli.usage import is_help_request, usage_message

            if is_help_request(exc):
                click.echo(exc.format_message(), err=True)
                sys.exit(2)
            ctx = exc.ctx
            cmd = ctx.command_path if ctx else "bokslut"
            click.echo(f"{cmd}: {usage_message(exc)}", err=True)
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
        except CommandFailed as exc:
            _fail(exc.error, exc.where)
        except click.ClickException as exc:
            from bokslut.cli.usage import translate

            click.echo(f"fel: {translate(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:
            _fail(exc, None)
        sys.exit(rv if isinstance(rv, int) else 0)


def _fail(exc: Exception, where: str | None) -> NoReturn:
    """Exit 1 with a Swedish message; a bug re-raises under BOKSLUT_DEBUG=1 (the tests set it)."""
    message = environment_message(exc, where)
    if message is None:
        if debug_enabled():
            raise exc
        message = unexpected_message(exc)
    click.echo(f"fel: {message}", err=True)
    sys.exit(1)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bokslut", message="bokslut %(version)s")
def app() -> None:
    """bokslut – årsredovisning och delårsrapport ur egna data."""


def main() -> None:
    # One command per process, whose objects mostly live until it ends: the cyclic garbage
    # collector runs a few times instead of hundreds (a tenth of a second of a build).
    gc.set_threshold(50_000, 50, 100)
    try:
        app.main(prog_name="bokslut")
    except SystemExit as exc:
        _leave(exc.code)


def _leave(code: str | int | None) -> NoReturn:
    """End the process with ``code`` as ``sys.exit`` would, without tearing down the interpreter.

    Freeing every object and module of a build (Arrow, DuckDB, the report) one by one takes
    a tenth of a second or more after the last file is written, and the operating system
    frees the memory at once anyway. What an orderly exit does that matters is done here:
    the exit handlers run (temporary folders, logging) and stdout and stderr are flushed.
    While a thread of the command's own is still at work (a web request writing a file), and
    if flushing fails, Python's own exit takes over: it waits for the thread, and reports.
    """
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(status)
    os._exit(status)
