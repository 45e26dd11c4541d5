"""The web database: users, roles, section statuses, comments, save history, report state.

One layer (SQLAlchemy Core) for SQLite and PostgreSQL. The default SQLite file is
``.bokslut-webb/webb.sqlite`` in the workspace: beside the cache ``.bokslut/``, not in
it, because the cache may be deleted and rebuilt at any time and this may not.

Migrations are numbered functions applied in order inside one transaction each; the
table ``schema_migrations`` records which have run, so an old database is brought up
to date when the server starts and a newer one is refused rather than misread.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bokslut.diagnostics import BokslutError
from bokslut.workspace.layout import Layout

WEB_DIR = ".bokslut-webb"
DB_NAME = "webb.sqlite"


class GlobalRole(StrEnum):
    ADMIN = "administrator"
    READER = "lasare"
    MEMBER = "medarbetare"  # no global rights; works through section roles


class SectionRole(StrEnum):
    WRITER = "skribent"
    APPROVER = "godkannare"


class Status(StrEnum):
    NOT_STARTED = "ej_paborjad"
    IN_PROGRESS = "pagar"
    READY = "klar"
    APPROVED = "godkand"


class ReportState(StrEnum):
    OPEN = "oppen"
    LOCKED = "last"
    FIXED = "faststalld"


ROLE_LABEL = {
    GlobalRole.ADMIN: "administratör",
    GlobalRole.READER: "läsare",
    GlobalRole.MEMBER: "medarbetare",
    SectionRole.WRITER: "skribent",
    SectionRole.APPROVER: "godkännare",
}
STATUS_LABEL = {
    Status.NOT_STARTED: "ej påbörjad",
    Status.IN_PROGRESS: "pågår",
    Status.READY: "klar för granskning",
    Status.APPROVED: "godkänd",
}
STATE_LABEL = {
    ReportState.OPEN: "öppen",
    ReportState.LOCKED: "låst för fastställande",
    ReportState.FIXED: "fastställd",
}

metadata = sa.MetaData()

migrations_table = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.String(40), nullable=False),
)
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("display", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("global_role", sa.String(20), nullable=False),
    sa.Column("created", sa.String(40), nullable=False),
)
section_roles = sa.Table(
    "section_roles",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("section", sa.String(200), primary_key=True),
    sa.Column("role", sa.String(20), primary_key=True),
)
sections = sa.Table(
    "sections",
    metadata,
    sa.Column("section", sa.String(200), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("responsible_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("deadline", sa.String(10), nullable=True),
)
status_events = sa.Table(
    "status_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("section", sa.String(200), nullable=False, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("from_status", sa.String(20), nullable=False),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
)
comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("section", sa.String(200), nullable=False, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
saves = sa.Table(
    "saves",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("section", sa.String(200), nullable=False, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    # "spara" (a save), "aterstall" (a restore) or "utanfor" (found changed outside the web)
    sa.Column("kind", sa.String(20), nullable=False),
)
report_versions = sa.Table(
    "report_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("opened_at", sa.String(40), nullable=False),
    sa.Column("fixed_at", sa.String(40), nullable=True),
    sa.Column("fixed_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("folder", sa.String(500), nullable=True),  # workspace-relative, of the frozen build
    sa.Column("sums", sa.Text, nullable=True),  # the frozen build's SHA256SUMS
)
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires", sa.String(40), nullable=False),
)
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, index=True),
    sa.Column("address", sa.String(100), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
)

_V1 = (
    users,
    section_roles,
    sections,
    status_events,
    comments,
    saves,
    report_versions,
    sessions,
    login_failures,
)


def _migration_1(conn: Connection) -> None:
    for table in _V1:
        table.create(conn)
    conn.execute(report_versions.insert().values(state=ReportState.OPEN, opened_at=now_text()))


# Append only: a released migration never changes, a new one gets the next number.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_migration_1,)


def now_text(at: dt.datetime | None = None) -> str:
    """A UTC time as sortable text (the same in SQLite and PostgreSQL)."""
    return (at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_url(layout: Layout) -> str:
    return f"sqlite:///{(layout.root / WEB_DIR / DB_NAME).resolve()}"


def _engine_url(url: str) -> str:
    # The psycopg 3 driver, whatever the user wrote after postgresql.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    display: str
    global_role: GlobalRole
    roles: frozenset[tuple[str, SectionRole]]  # (section, role)

    @property
    def is_admin(self) -> bool:
        return self.global_role is GlobalRole.ADMIN

    def has(self, section: str, role: SectionRole) -> bool:
        return (section, role) in self.roles


@dataclass(frozen=True, slots=True)
class SectionInfo:
    section: str
    status: Status
    responsible_id: int | None
    deadline: dt.date | None


@dataclass(frozen=True, slots=True)
class Save:
    id: int
    section: str
    user: str | None  # display name; None for a change found made outside the web
    at: str
    text: str
    sha256: str
    kind: str


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    section: str
    user: str | None
    at: str
    text: str


@dataclass(frozen=True, slots=True)
class StatusEvent:
    section: str
    user: str | None
    at: str
    from_status: Status
    to_status: Status
    comment: str


@dataclass(frozen=True, slots=True)
class ReportVersion:
    id: int
    state: ReportState
    opened_at: str
    fixed_at: str | None
    folder: str | None
    sums: str | None


class WebDb:
    """The web database behind one workspace."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = self._connect(url)
        # SQLite has one writer at a time and makes the others poll with growing sleeps (up to
        # 100 ms each), so under many concurrent saves some waited seconds. Writers take turns
        # here instead: the threads of a process on a lock, the server processes on a file lock
        # beside the database, both woken the moment the turn is free.
        self._turn = threading.Lock()
        database = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        self._turn_file = Path(database + ".skrivtur") if database and database != ":memory:" else None

    @staticmethod
    def _connect(url: str) -> Engine:
        full = _engine_url(url)
        if full.startswith("sqlite"):
            path = full.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(full, connect_args={"timeout": 30, "check_same_thread": False})

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                # WAL: readers never wait for the one writer; foreign keys as in PostgreSQL.
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA busy_timeout=30000")
                # In WAL mode NORMAL syncs the log at checkpoints, not at every commit: a commit
                # survives a crash of the server, and a power cut can lose only the newest
                # history rows – never a chapter or data file, which a save fsyncs itself, and
                # whose text the next read then records as changed outside the web.
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

            return engine
        if full.startswith("postgresql"):
            return sa.create_engine(full, pool_size=10, max_overflow=20, pool_pre_ping=True)
        raise BokslutError(f"databasen '{url}' känns inte igen; ange sqlite:///… eller postgresql://…")

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction."""
        if self.engine.dialect.name != "sqlite":
            with self.engine.begin() as conn:
                yield conn
            return
        with self._turn, self._file_turn(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _file_turn(self) -> Iterator[None]:
        if self._turn_file is None:
            yield
            return
        fd = os.open(self._turn_file, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    # -- migrations ---------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(migrations_table.name):
                return 0
            return int(conn.execute(sa.select(sa.func.max(migrations_table.c.version))).scalar() or 0)

    def migrate(self) -> int:
        """Apply the migrations not yet run; returns the schema version now in force."""
        with self.engine.begin() as conn:
            migrations_table.create(conn, checkfirst=True)
        current = self.schema_version()
        if current > len(MIGRATIONS):
            raise BokslutError(
                f"webbdatabasen har version {current}, men den här versionen av bokslut känner bara "
                f"till version {len(MIGRATIONS)} – uppdatera bokslut"
            )
        for number, step in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            with self.engine.begin() as conn:
                step(conn)
                conn.execute(migrations_table.insert().values(version=number, applied_at=now_text()))
        return len(MIGRATIONS)

    # -- users --------------------------------------------------------------------------

    def add_user(self, name: str, display: str, password_hash: str, role: GlobalRole) -> int:
        with self.begin() as conn:
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first() is not None:
                raise BokslutError(f"användaren '{name}' finns redan")
            result = conn.execute(
                users.insert().values(
                    name=name,
                    display=display,
                    password_hash=password_hash,
                    global_role=role,
                    created=now_text(),
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def remove_user(self, name: str) -> bool:
        with self.begin() as conn:
            row = conn.execute(sa.select(users.c.id).where(users.c.name == name)).first()
            if row is None:
                return False
            uid = int(row[0])
            # Explicit, so SQLite without foreign keys on an old connection behaves the same.
            conn.execute(section_roles.delete().where(section_roles.c.user_id == uid))
            conn.execute(sessions.delete().where(sessions.c.user_id == uid))
            conn.execute(
                sections.update().where(sections.c.responsible_id == uid).values(responsible_id=None)
            )
            for table in (status_events, comments, saves):
                conn.execute(table.update().where(table.c.user_id == uid).values(user_id=None))
            conn.execute(
                report_versions.update().where(report_versions.c.fixed_by == uid).values(fixed_by=None)
            )
            conn.execute(users.delete().where(users.c.id == uid))
            return True

    def set_password(self, user_id: int, password_hash: str) -> None:
        """A new password; the user's open sessions end with the old one."""
        with self.begin() as conn:
            conn.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))
            conn.execute(sessions.delete().where(sessions.c.user_id == user_id))

    def password_hash(self, name: str) -> tuple[int, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(users.c.id, users.c.password_hash).where(users.c.name == name)
            ).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def request_context(self, token_hash: str | None) -> tuple[tuple[User, str] | None, ReportVersion]:
        """The session's user and CSRF token (None without a live session) and the report's
        version, read over one connection: every request asks for both."""
        with self.engine.connect() as conn:
            found = None
            if token_hash is not None:
                # Session, user and section roles in one query (a row per role), as every
                # request asks.
                rows = conn.execute(
                    sa.select(
                        sessions.c.csrf,
                        users.c.id,
                        users.c.name,
                        users.c.display,
                        users.c.global_role,
                        section_roles.c.section,
                        section_roles.c.role,
                    )
                    .join(users, users.c.id == sessions.c.user_id)
                    .outerjoin(section_roles, section_roles.c.user_id == users.c.id)
                    .where(sessions.c.token_hash == token_hash, sessions.c.expires > now_text())
                ).all()
                if rows:
                    first = rows[0]
                    user = User(
                        int(first.id),
                        first.name,
                        first.display,
                        GlobalRole(first.global_role),
                        frozenset(
                            (str(r.section), SectionRole(r.role)) for r in rows if r.section is not None
                        ),
                    )
                    found = (user, str(first.csrf))
            version = conn.execute(
                sa.select(report_versions).order_by(report_versions.c.id.desc()).limit(1)
            ).first()
        assert version is not None, "migration 1 makes the first version"
        return found, _version(version)

    def user(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            return self._user(conn, user_id)

    @staticmethod
    def _user(conn: Connection, user_id: int) -> User | None:
        row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
        if row is None:
            return None
        roles = conn.execute(
            sa.select(section_roles.c.section, section_roles.c.role).where(section_roles.c.user_id == user_id)
        ).all()
        return User(
            int(row.id),
            row.name,
            row.display,
            GlobalRole(row.global_role),
            frozenset((str(s), SectionRole(r)) for s, r in roles),
        )

    def user_by_name(self, name: str) -> User | None:
        found = self.password_hash(name)
        return None if found is None else self.user(found[0])

    def list_users(self) -> list[User]:
        with self.engine.connect() as conn:
            ids = [int(r[0]) for r in conn.execute(sa.select(users.c.id).order_by(users.c.name))]
        return [u for u in (self.user(i) for i in ids) if u is not None]

    def set_section_roles(self, user_id: int, roles: Sequence[tuple[str, SectionRole]]) -> None:
        with self.begin() as conn:
            conn.execute(section_roles.delete().where(section_roles.c.user_id == user_id))
            for section, role in sorted(set(roles)):
                conn.execute(section_roles.insert().values(user_id=user_id, section=section, role=role))

    def set_global_role(self, user_id: int, role: GlobalRole) -> None:
        with self.begin() as conn:
            conn.execute(users.update().where(users.c.id == user_id).values(global_role=role))

    # -- sessions and log-in ------------------------------------------------------------

    def add_session(self, token_hash: str, user_id: int, csrf: str, expires: dt.datetime) -> None:
        with self.begin() as conn:
            conn.execute(
                sessions.insert().values(
                    token_hash=token_hash, user_id=user_id, csrf=csrf, expires=now_text(expires)
                )
            )

    def session(self, token_hash: str) -> tuple[int, str] | None:
        """(user id, CSRF token) of a session that has not expired."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(sessions.c.user_id, sessions.c.csrf).where(
                    sessions.c.token_hash == token_hash, sessions.c.expires > now_text()
                )
            ).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def end_session(self, token_hash: str) -> None:
        with self.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))
            conn.execute(sessions.delete().where(sessions.c.expires <= now_text()))

    def record_failure(self, name: str, address: str) -> None:
        with self.begin() as conn:
            conn.execute(login_failures.insert().values(name=name, address=address, at=now_text()))

    def recent_failures(self, name: str, address: str, since: dt.datetime) -> int:
        with self.engine.connect() as conn:
            count = conn.execute(
                sa.select(sa.func.count())
                .select_from(login_failures)
                .where(
                    sa.or_(login_failures.c.name == name, login_failures.c.address == address),
                    login_failures.c.at > now_text(since),
                )
            ).scalar()
        return int(count or 0)

    def clear_failures(self, name: str) -> None:
        with self.begin() as conn:
            conn.execute(login_failures.delete().where(login_failures.c.name == name))

    # -- sections -----------------------------------------------------------------------

    def section_info(self, section: str) -> SectionInfo:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sections).where(sections.c.section == section)).first()
        if row is None:
            return SectionInfo(section, Status.NOT_STARTED, None, None)
        return SectionInfo(
            section,
            Status(row.status),
            row.responsible_id,
            dt.date.fromisoformat(row.deadline) if row.deadline else None,
        )

    def all_sections(self) -> dict[str, SectionInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(sections)).all()
        return {
            r.section: SectionInfo(
                r.section,
                Status(r.status),
                r.responsible_id,
                dt.date.fromisoformat(r.deadline) if r.deadline else None,
            )
            for r in rows
        }

    @staticmethod
    def _ensure_section(conn: Connection, section: str) -> None:
        exists = conn.execute(sa.select(sections.c.section).where(sections.c.section == section)).first()
        if exists is None:
            conn.execute(sections.insert().values(section=section, status=Status.NOT_STARTED))

    def assign(self, section: str, responsible_id: int | None, deadline: dt.date | None) -> None:
        with self.begin() as conn:
            self._ensure_section(conn, section)
            conn.execute(
                sections.update()
                .where(sections.c.section == section)
                .values(responsible_id=responsible_id, deadline=deadline.isoformat() if deadline else None)
            )

    def set_status(self, section: str, user_id: int | None, to: Status, comment: str, expect: Status) -> bool:
        """Move ``section`` from ``expect`` to ``to``; False when it was no longer ``expect``."""
        with self.begin() as conn:
            self._ensure_section(conn, section)
            changed = conn.execute(
                sections.update()
                .where(sections.c.section == section, sections.c.status == expect)
                .values(status=to)
            ).rowcount
            if not changed:
                return False
            conn.execute(
                status_events.insert().values(
                    section=section,
                    user_id=user_id,
                    at=now_text(),
                    from_status=expect,
                    to_status=to,
                    comment=comment,
                )
            )
            return True

    def status_events(self, section: str) -> list[StatusEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(status_events, users.c.display)
                .outerjoin(users, status_events.c.user_id == users.c.id)
                .where(status_events.c.section == section)
                .order_by(status_events.c.id)
            ).all()
        return [
            StatusEvent(r.section, r.display, r.at, Status(r.from_status), Status(r.to_status), r.comment)
            for r in rows
        ]

    # -- comments -----------------------------------------------------------------------

    def add_comment(self, section: str, user_id: int, text: str) -> None:
        with self.begin() as conn:
            conn.execute(comments.insert().values(section=section, user_id=user_id, at=now_text(), text=text))

    def comments(self, section: str) -> list[Comment]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(comments, users.c.display)
                .outerjoin(users, comments.c.user_id == users.c.id)
                .where(comments.c.section == section)
                .order_by(comments.c.id)
            ).all()
        return [Comment(r.id, r.section, r.display, r.at, r.text) for r in rows]

    # -- save history -------------------------------------------------------------------

    def record_save(
        self,
        section: str,
        user_id: int | None,
        text: str,
        kind: str,
        conn: Connection | None = None,
        start: tuple[Status, str] | None = None,
    ) -> int:
        """Record a version of ``section``; with ``start`` (status, comment) also move the
        section to that status if it has another one, in the same transaction."""
        if conn is None:
            with self.begin() as c:
                return self.record_save(section, user_id, text, kind, c, start)
        at = now_text()
        values = dict(section=section, user_id=user_id, at=at, text=text, sha256=sha256_text(text), kind=kind)
        key = conn.execute(saves.insert().values(**values)).inserted_primary_key
        assert key is not None
        if start is not None:
            to, comment = start
            self._ensure_section(conn, section)
            before = conn.execute(sa.select(sections.c.status).where(sections.c.section == section)).scalar()
            moved = (
                before != to
                and conn.execute(
                    sections.update()
                    .where(sections.c.section == section, sections.c.status == before)
                    .values(status=to)
                ).rowcount
            )
            if moved:
                conn.execute(
                    status_events.insert().values(
                        section=section,
                        user_id=user_id,
                        at=at,
                        from_status=before,
                        to_status=to,
                        comment=comment,
                    )
                )
        return int(key[0])

    def _saves(self, where: Any) -> list[Save]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(saves, users.c.display)
                .outerjoin(users, saves.c.user_id == users.c.id)
                .where(where)
                .order_by(saves.c.id.desc())
            ).all()
        return [Save(r.id, r.section, r.display, r.at, r.text, r.sha256, r.kind) for r in rows]

    def history(self, section: str) -> list[Save]:
        """Every recorded version of ``section``, newest first."""
        return self._saves(saves.c.section == section)

    def saved(self, section: str, save_id: int) -> Save | None:
        found = self._saves(sa.and_(saves.c.section == section, saves.c.id == save_id))
        return found[0] if found else None

    def last_save(self, section: str) -> Save | None:
        with self.engine.connect() as conn:
            top = conn.execute(sa.select(sa.func.max(saves.c.id)).where(saves.c.section == section)).scalar()
        return None if top is None else self.saved(section, int(top))

    def last_sha(self, section: str) -> str | None:
        """The hash of the newest recorded version (without reading its text)."""
        with self.engine.connect() as conn:
            top = sa.select(sa.func.max(saves.c.id)).where(saves.c.section == section).scalar_subquery()
            sha = conn.execute(sa.select(saves.c.sha256).where(saves.c.id == top)).scalar()
        return None if sha is None else str(sha)

    def save_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(saves)).scalar() or 0)

    # -- the report ---------------------------------------------------------------------

    def current_version(self) -> ReportVersion:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(report_versions).order_by(report_versions.c.id.desc()).limit(1)
            ).first()
        assert row is not None, "migration 1 makes the first version"
        return _version(row)

    def versions(self) -> list[ReportVersion]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(report_versions).order_by(report_versions.c.id.desc())).all()
        return [_version(r) for r in rows]

    def set_state(self, version_id: int, expect: ReportState, to: ReportState) -> bool:
        with self.begin() as conn:
            return bool(
                conn.execute(
                    report_versions.update()
                    .where(report_versions.c.id == version_id, report_versions.c.state == expect)
                    .values(state=to)
                ).rowcount
            )

    def fix(self, version_id: int, user_id: int, folder: str, sums: str) -> bool:
        with self.begin() as conn:
            return bool(
                conn.execute(
                    report_versions.update()
                    .where(report_versions.c.id == version_id, report_versions.c.state == ReportState.LOCKED)
                    .values(
                        state=ReportState.FIXED,
                        fixed_at=now_text(),
                        fixed_by=user_id,
                        folder=folder,
                        sums=sums,
                    )
                ).rowcount
            )

    def reopen(self, version_id: int) -> bool:
        """A new open version after a fastställd one; the old stays readable as it was."""
        with self.begin() as conn:
            current = conn.execute(sa.select(sa.func.max(report_versions.c.id))).scalar()
            state = conn.execute(
                sa.select(report_versions.c.state).where(report_versions.c.id == version_id)
            ).scalar()
            if current != version_id or state != ReportState.FIXED:
                return False
            conn.execute(report_versions.insert().values(state=ReportState.OPEN, opened_at=now_text()))
            return True


def _version(row: Any) -> ReportVersion:
    return ReportVersion(
        int(row.id), ReportState(row.state), row.opened_at, row.fixed_at, row.folder, row.sums
    )


def open_db(layout: Layout, url: str | None = None) -> WebDb:
    """The workspace's web database, migrated to the current schema."""
    db = WebDb(url or default_url(layout))
    db.migrate()
    return db
