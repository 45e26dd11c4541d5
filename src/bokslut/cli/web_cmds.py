"""`bokslut serve` and `bokslut anvandare`: the web application and its users."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

from bokslut.cli.common import workspace_root
from bokslut.diagnostics import BokslutError
from bokslut.web.auth import hash_password, password_problem
from bokslut.web.db import ROLE_LABEL, WEB_DIR, GlobalRole, SectionRole, WebDb, open_db
from bokslut.workspace.layout import Layout

SECRET_ENV = "BOKSLUT_WEBB_HEMLIGHET"
_ROLES = {
    "administratör": GlobalRole.ADMIN,
    "administrator": GlobalRole.ADMIN,
    "läsare": GlobalRole.READER,
    "lasare": GlobalRole.READER,
    "medarbetare": GlobalRole.MEMBER,
}

_database = click.option(
    "--databas",
    "database",
    metavar="URL",
    default=None,
    help="postgresql://användare@värd/databas; utan den SQLite i .bokslut-webb/ i arbetsytan.",
)


def _open(workspace: str, database: str | None) -> tuple[Layout, WebDb]:
    layout = Layout(workspace_root(workspace))
    return layout, open_db(layout, database)


def _secret(layout: Layout) -> str:
    """The key that signs session cookies: from the environment, else kept in .bokslut-webb/."""
    given = os.environ.get(SECRET_ENV)
    if given:
        return given
    path = layout.root / WEB_DIR / "hemlighet"
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


@click.group("anvandare")
def anvandare_group() -> None:
    """Webbapplikationens användare: lägg till, lista, byt lösenord, ta bort."""


@anvandare_group.command("lagg-till")
@click.argument("workspace", metavar="ARBETSYTA", type=click.Path(file_okay=False))
@click.argument("name", metavar="ANVÄNDARNAMN")
@click.option("--namn", "display", default=None, help="Namnet som visas (utan det användarnamnet).")
@click.option(
    "--roll",
    type=click.Choice(sorted(_ROLES)),
    default="medarbetare",
    show_default=True,
    help="administratör, läsare eller medarbetare (skriver och godkänner bara sina avsnitt).",
)
@click.option("--skribent", multiple=True, metavar="AVSNITT", help="Avsnitt (text/AVSNITT.md) att skriva.")
@click.option("--godkannare", multiple=True, metavar="AVSNITT", help="Avsnitt att godkänna.")
@click.option("--losenord-stdin", "from_stdin", is_flag=True, help="Läs lösenordet från standard in.")
@_database
def add_cmd(
    workspace: str,
    name: str,
    display: str | None,
    roll: str,
    skribent: tuple[str, ...],
    godkannare: tuple[str, ...],
    from_stdin: bool,
    database: str | None,
) -> None:
    """Lägg till en användare (den första bör vara administratör)."""
    if not name.strip() or len(name) > 100 or any(c.isspace() for c in name):
        raise click.BadParameter(
            "användarnamnet får inte vara tomt eller innehålla blanksteg", param_hint="NAMN"
        )
    password = _read_password(from_stdin)
    layout, db = _open(workspace, database)
    try:
        from bokslut.web.sections import find_section

        for sid in (*skribent, *godkannare):
            if find_section(layout, sid, 1024 * 1024 * 100) is None:
                raise BokslutError(f"avsnittet '{sid}' finns inte (en fil text/{sid}.md)")
        uid = db.add_user(name, display or name, hash_password(password), _ROLES[roll])
        db.set_section_roles(
            uid,
            [(s, SectionRole.WRITER) for s in skribent] + [(s, SectionRole.APPROVER) for s in godkannare],
        )
    finally:
        db.close()
    click.echo(f"Lade till {name} ({ROLE_LABEL[_ROLES[roll]]})", err=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Lösenord", hide_input=True, confirmation_prompt="Upprepa lösenordet")
    problem = password_problem(password)
    if problem is not None:
        raise BokslutError(problem)
    return password


@anvandare_group.command("losenord")
@click.argument("workspace", metavar="ARBETSYTA", type=click.Path(file_okay=False))
@click.argument("name", metavar="ANVÄNDARNAMN")
@click.option("--losenord-stdin", "from_stdin", is_flag=True, help="Läs lösenordet från standard in.")
@_database
def password_cmd(workspace: str, name: str, from_stdin: bool, database: str | None) -> None:
    """Byt en användares lösenord; hens inloggningar avslutas."""
    password = _read_password(from_stdin)
    _, db = _open(workspace, database)
    try:
        user = db.user_by_name(name)
        if user is None:
            raise BokslutError(f"användaren '{name}' finns inte")
        db.set_password(user.id, hash_password(password))
    finally:
        db.close()
    click.echo(f"Bytte lösenord för {name}", err=True)


@anvandare_group.command("lista")
@click.argument("workspace", metavar="ARBETSYTA", type=click.Path(file_okay=False))
@_database
def list_cmd(workspace: str, database: str | None) -> None:
    """Lista användarna med roller och avsnitt."""
    _, db = _open(workspace, database)
    try:
        for u in db.list_users():
            sections = ", ".join(f"{s} ({ROLE_LABEL[r]})" for s, r in sorted(u.roles))
            click.echo(f"{u.name}\t{u.display}\t{ROLE_LABEL[u.global_role]}\t{sections}".rstrip())
    finally:
        db.close()


@anvandare_group.command("ta-bort")
@click.argument("workspace", metavar="ARBETSYTA", type=click.Path(file_okay=False))
@click.argument("name", metavar="ANVÄNDARNAMN")
@_database
def remove_cmd(workspace: str, name: str, database: str | None) -> None:
    """Ta bort en användare; det hen skrivit finns kvar i historiken."""
    _, db = _open(workspace, database)
    try:
        if not db.remove_user(name):
            raise BokslutError(f"användaren '{name}' finns inte")
    finally:
        db.close()
    click.echo(f"Tog bort {name}", err=True)


@click.command("serve")
@click.argument("workspace", metavar="ARBETSYTA", type=click.Path(file_okay=False))
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Porten.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Adressen att lyssna på (bakom en HTTPS-proxy; 0.0.0.0 för alla).",
)
@click.option(
    "--tillat-http",
    "allow_http",
    is_flag=True,
    help="Skicka sessionskakan även över okrypterad HTTP (bara för test i ett lokalt nät).",
)
@click.option(
    "--processer",
    "processes",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Serverprocesser som delar på anropen (t.ex. 2 på en dator med två kärnor).",
)
@_database
def serve_cmd(
    workspace: str, port: int, host: str, allow_http: bool, processes: int, database: str | None
) -> None:
    """Starta webbapplikationen för arbetsytan."""
    import uvicorn

    from bokslut.web.http_protocol import NoDelayH11Protocol

    layout, db = _open(workspace, database)
    try:
        if not db.list_users():
            click.echo(
                f"Det finns inga användare ännu: lägg till en med 'bokslut anvandare lagg-till {workspace} "
                "NAMN --roll administratör'",
                err=True,
            )
    finally:
        db.close()
    # Every server process builds its own app from these (uvicorn starts the processes by
    # importing app_from_environment); the save lock, the database and the sessions are shared.
    os.environ[_ENV_WORKSPACE] = str(layout.root)
    os.environ[_ENV_DATABASE] = database or ""
    os.environ[_ENV_HTTP] = "1" if allow_http else ""
    _secret(layout)  # made once, before the processes read it
    click.echo(f"bokslut webb: http://{host}:{port}/ (avsluta med Ctrl+C)", err=True)
    uvicorn.run(
        "bokslut.cli.web_cmds:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=processes,
        http=NoDelayH11Protocol,
        log_level="warning",
        proxy_headers=True,
    )


_ENV_WORKSPACE = "BOKSLUT_WEBB_ARBETSYTA"
_ENV_DATABASE = "BOKSLUT_WEBB_DATABAS"
_ENV_HTTP = "BOKSLUT_WEBB_TILLAT_HTTP"


def app_from_environment() -> Any:
    """The app of one server process, as ``bokslut serve`` described it in the environment."""
    from bokslut.web.preview_worker import start_worker

    # The first worker that composes the report's pages imports the composer and reads the
    # report's data while this process imports the web application: the first page finds it ready.
    first = start_worker(Layout(Path(os.environ[_ENV_WORKSPACE])).root)
    from bokslut.web.app import WebConfig, create_app

    layout, db = _open(os.environ[_ENV_WORKSPACE], os.environ.get(_ENV_DATABASE) or None)
    secure = not os.environ.get(_ENV_HTTP)
    return create_app(WebConfig(layout, db, _secret(layout), secure_cookies=secure), started=(first,))
