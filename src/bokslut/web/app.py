"""The Starlette application: routes, sessions, CSRF, and the pages' Swedish answers.

Every route is one function ``(Ctx) -> Response`` run in a worker thread; the wrapper
in :meth:`Web.endpoint` finds the user from the session, checks the CSRF token of
every POST, and turns every failure into a Swedish page with a 4xx status – a
traceback never reaches the browser. Permissions are asked of
:func:`bokslut.web.auth.allowed` inside each route, on the server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import gc
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bokslut.diagnostics import BokslutError, Finding
from bokslut.drilldown import Breakdown, Drill, UnknownName
from bokslut.ledger.drilldown import PAGE_SIZE
from bokslut.ledger.store import Store, open_store
from bokslut.money import format_ore
from bokslut.pipeline.build import FORMATS
from bokslut.pipeline.drill import drill_on
from bokslut.render.html import CSS, font_face_css
from bokslut.render.numbers import format_number
from bokslut.web import auth, goals
from bokslut.web.auth import Action, allowed
from bokslut.web.db import (
    ROLE_LABEL,
    STATE_LABEL,
    STATUS_LABEL,
    GlobalRole,
    ReportState,
    SectionRole,
    Status,
    User,
    WebDb,
    sha256_text,
)
from bokslut.web.drill_index import IndexBuilder
from bokslut.web.engine import (
    Choice,
    ReportCache,
    Snapshot,
    chapter_files_state,
    data_state,
    figure_choices,
)
from bokslut.web.freeze import FreezeBusy, FreezeLimits, freeze
from bokslut.web.preview_pool import DEFAULT_TIMEOUT, PreviewBusy, PreviewPool
from bokslut.web.preview_worker import Job, Shown, Worker
from bokslut.web.report_html import drill_href
from bokslut.web.sections import (
    Conflict,
    Section,
    current_with_history,
    find_section,
    list_sections,
    normalise,
    save_section,
)
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

log = logging.getLogger("bokslut.webb")

MAX_BODY = 4 * 1024 * 1024  # a form; a chapter's own limit is checked after
_KEPT_BREAKDOWNS = 4096  # a large report's every figure, a few kB each
SESSION_COOKIE = "bokslut_session"


class HttpProblem(Exception):
    """An answer other than the page: ``status`` with a Swedish ``message``."""

    def __init__(self, status: int, message: str, findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.findings = findings


@dataclass(frozen=True)
class WebConfig:
    layout: Layout
    db: WebDb
    secret: str
    secure_cookies: bool = True
    freeze_formats: tuple[str, ...] = FORMATS
    session_hours: int = 8
    # Preview runs in separate processes, killed after preview_seconds (bokslut.web.preview_pool).
    preview_workers: int = 2
    preview_seconds: float = DEFAULT_TIMEOUT
    # Fastställande builds in a process of its own under these (bokslut.web.freeze).
    freeze_limits: FreezeLimits = field(default_factory=FreezeLimits)


@dataclass
class Ctx:
    request: Request
    form: FormData | None
    user: User | None
    csrf: str
    state: ReportState
    flash: list[str] = field(default_factory=list)

    @property
    def me(self) -> User:
        assert self.user is not None
        return self.user

    def field(self, name: str, max_len: int = 10_000) -> str:
        """A form field; a missing or oversized one is a 400 with a Swedish message."""
        value = self.form.get(name) if self.form is not None else None
        if not isinstance(value, str):
            raise HttpProblem(400, f"formuläret saknar fältet '{name}'")
        if len(value) > max_len:
            raise HttpProblem(413, f"fältet '{name}' är för långt (högst {max_len} tecken)")
        return value


# STATUS transitions: (action, from, to, who)
_TRANSITIONS: dict[str, tuple[tuple[Status, ...], Status, Action]] = {
    "klarmarkera": ((Status.IN_PROGRESS, Status.NOT_STARTED), Status.READY, Action.MARK_READY),
    "ta-tillbaka": ((Status.READY,), Status.IN_PROGRESS, Action.MARK_READY),
    "godkann": ((Status.READY,), Status.APPROVED, Action.APPROVE),
    "skicka-tillbaka": ((Status.READY, Status.APPROVED), Status.IN_PROGRESS, Action.APPROVE),
}
_TRANSITION_LABEL = {
    "klarmarkera": "Klarmarkera (klar för granskning)",
    "ta-tillbaka": "Ta tillbaka till pågår",
    "godkann": "Godkänn",
    "skicka-tillbaka": "Skicka tillbaka med kommentar",
}


def _ore(amount: int) -> str:
    return format_ore(amount)


def _dec(v: object) -> str:
    if not isinstance(v, Decimal):
        return "" if v is None else str(v)
    return format_number(v, max(0, -int(v.as_tuple().exponent)))


def _kr(v: object) -> str:
    return f"{_dec(v)} kr" if isinstance(v, Decimal) else ""


def _time(text: str | None) -> str:
    if not text:
        return ""
    at = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


def diff_html(old: str, new: str, old_name: str, new_name: str) -> Markup:
    """A readable line diff (difflib), as HTML with the changes marked for eyes and screen readers."""
    lines: list[str] = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2
    ):
        esc = Markup.escape(line)
        if line.startswith(("+++", "---")):
            lines.append(f'<span class="diff-fil">{esc}</span>')
        elif line.startswith("+"):
            lines.append(f'<ins><span class="dold">tillagt: </span>{esc}</ins>')
        elif line.startswith("-"):
            lines.append(f'<del><span class="dold">borttaget: </span>{esc}</del>')
        elif line.startswith("@@"):
            lines.append(f'<span class="diff-stalle">{esc}</span>')
        else:
            lines.append(str(esc))
    if not lines:
        return Markup("<p>Inga skillnader.</p>")
    return Markup('<pre class="diff">' + "\n".join(lines) + "</pre>")


class Web:
    def __init__(self, cfg: WebConfig, started: Sequence[Worker] = ()) -> None:
        self.cfg = cfg
        self.layout = cfg.layout
        self.db = cfg.db
        self.cache = ReportCache(cfg.layout)
        self.previews = PreviewPool(cfg.layout, cfg.preview_workers, cfg.preview_seconds, started=started)
        self._choices: dict[tuple[object, str | None], list[Choice]] = {}
        self._choices_lock = threading.Lock()
        self._picker_html: dict[tuple[object, str], Markup] = {}
        self._store: Store | None = None
        self._store_key: object = None
        self._store_lock = threading.Lock()
        # Breakdowns of the open store's generation by cell: a figure's accounts and their
        # amounts are the same on every page of it (the account pages ask again and again).
        self._breakdowns: dict[tuple[str, str, str], tuple[Breakdown, Markup]] = {}
        self.index = IndexBuilder(cfg.layout)
        self._shown_cache: dict[tuple[object, ...], tuple[Markup | None, tuple[Finding, ...]]] = {}
        self._composing: dict[tuple[object, ...], threading.Event] = {}
        self._closed = False
        self.env = Environment(
            loader=PackageLoader("bokslut.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            # The templates are installed files: not looked at on disk again for every page.
            auto_reload=False,
        )
        self.env.globals.update(
            STATUS_LABEL=STATUS_LABEL,
            STATE_LABEL=STATE_LABEL,
            ROLE_LABEL=ROLE_LABEL,
            Status=Status,
            ReportState=ReportState,
            Action=Action,
            allowed=allowed,
            ore=_ore,
            dec=_dec,
            kr=_kr,
            time=_time,
            quote=quote,
        )

    # -- plumbing -----------------------------------------------------------------------

    def picker(self, snapshot: Snapshot) -> Markup:
        """The picker's list of values and tables as HTML, rendered once per state of the data."""
        key = (snapshot.fingerprint, "<html>")
        with self._choices_lock:
            found = self._picker_html.get(key)
        if found is None:
            html = self.env.get_template("_valjare.html").render(choices=self.choices(snapshot, None))
            found = Markup(html)
            with self._choices_lock:
                self._picker_html.clear()
                self._picker_html[key] = found
        return found

    def choices(self, snapshot: Snapshot, table: str | None) -> list[Choice]:
        """The figure picker's entries, composed once per state of the data."""
        key = (snapshot.fingerprint, table)
        with self._choices_lock:
            found = self._choices.get(key)
        if found is None:
            found = figure_choices(snapshot, self.layout, table)
            with self._choices_lock:
                if any(k[0] != snapshot.fingerprint for k in self._choices):
                    self._choices.clear()  # the data changed: what was shown is stale
                self._choices[key] = found
        return found

    @contextlib.contextmanager
    def _drill(self, snapshot: Snapshot) -> Iterator[Drill]:
        """A drill-down over the ledger's store, kept open between pages.

        Opening the store (and pinning its generation) cost more than a page's own queries;
        it is opened again when the data files change. One page at a time uses it: a DuckDB
        connection is not shared between threads.
        """
        assert snapshot.data is not None
        with self._store_lock:
            if self._store is None or self._store_key != snapshot.fingerprint:
                if self._store is not None:
                    self._store.close()
                    self._store = None
                self._store = open_store(self.layout)
                self._breakdowns = {}
                # The report's data, computed for this state of the data, lives as long as it: out
                # of the collector's sight, a full collection no longer walks it (up to 100 ms a page
                # now and then on 5 M rows at load ≈ 8).
                gc.freeze()
                # The index is written in the background (new data: again); until then the
                # pages read the store's views.
                self._store.drill_build = False
                self.index.start()
                self._store_key = snapshot.fingerprint
            yield drill_on(self._store, snapshot.data, snapshot.statements)

    def close(self) -> None:
        self._closed = True  # a warm-up still running opens nothing more
        self.previews.close()
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    @property
    def max_bytes(self) -> int:
        return self.cache.get().config.kapitel.max_storlek_kb * 1024

    def render(self, ctx: Ctx, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(
            user=ctx.user, csrf=ctx.csrf, state=ctx.state, flash=ctx.flash, **values
        )
        return HTMLResponse(html, status_code=status)

    def endpoint(
        self, handler: Callable[[Ctx], Response], login: bool = True
    ) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            start = time.perf_counter()
            response = await parse_and_handle(request)
            # How long the server took, form parsing and queueing for a worker included:
            # the load benchmark tells it apart from the time a busy client adds.
            response.headers["server-timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
            return response

        async def parse_and_handle(request: Request) -> Response:
            form: FormData | None = None
            if request.method == "POST":
                length = request.headers.get("content-length", "0")
                if not length.isdigit() or int(length) > MAX_BODY:
                    return self._problem(request, HttpProblem(413, "formuläret är för stort"))
                try:
                    form = await request.form(max_files=0, max_fields=200, max_part_size=MAX_BODY)
                except Exception:  # python-multipart's and Starlette's parse errors alike
                    return self._problem(request, HttpProblem(400, "formuläret kunde inte läsas"))
            return await run_in_threadpool(self._handle, handler, request, form, login)

        return run

    def _session(self, request: Request) -> tuple[User | None, str, ReportState]:
        token = request.session.get("t")
        token_hash = hashlib.sha256(token.encode()).hexdigest() if isinstance(token, str) else None
        found, version = self.db.request_context(token_hash)
        if found is None:
            return None, "", version.state
        return found[0], found[1], version.state

    def _handle(
        self, handler: Callable[[Ctx], Response], request: Request, form: FormData | None, login: bool
    ) -> Response:
        try:
            user, csrf, state = self._session(request)
            if user is None:
                # Before log-in the CSRF token lives in the signed cookie itself.
                pre = request.session.get("pre")
                if not isinstance(pre, str):
                    pre = secrets.token_urlsafe(32)
                    request.session["pre"] = pre
                csrf = pre
            ctx = Ctx(request, form, user, csrf, state)
            if login and user is None:
                if request.method == "GET":
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse("/logga-in?" + urlencode({"nasta": target}), status_code=303)
                raise HttpProblem(401, "du är inte inloggad (eller sessionen har gått ut) – logga in igen")
            if request.method == "POST":
                sent = form.get("csrf") if form is not None else None
                if (
                    not isinstance(sent, str)
                    or not csrf
                    or not hmac.compare_digest(sent.encode(), csrf.encode())
                ):
                    raise HttpProblem(
                        403, "formuläret kunde inte kontrolleras (CSRF) – ladda om sidan och försök igen"
                    )
            return handler(ctx)
        except HttpProblem as exc:
            return self._problem(request, exc)
        except BokslutError as exc:
            return self._problem(request, HttpProblem(422, exc.message, tuple(exc.findings)))
        except Exception:
            log.exception("oväntat fel i %s %s", request.method, request.url.path)
            return self._problem(
                request, HttpProblem(500, "ett oväntat fel uppstod; inget som redan sparats har ändrats")
            )

    def _problem(self, request: Request, exc: HttpProblem) -> Response:
        html = self.env.get_template("fel.html").render(
            user=None,
            csrf="",
            state=None,
            flash=[],
            status=exc.status,
            message=exc.message,
            findings=exc.findings,
        )
        return HTMLResponse(html, status_code=exc.status)

    def section(self, sid: str) -> Section:
        found = find_section(self.layout, sid, self.max_bytes)
        if found is None:
            raise HttpProblem(404, "avsnittet finns inte")
        return found

    def require(self, ctx: Ctx, action: Action, section: str | None = None) -> None:
        if not allowed(ctx.me, action, section, ctx.state):
            if ctx.state is not ReportState.OPEN and action in (
                Action.EDIT,
                Action.MARK_READY,
                Action.APPROVE,
            ):
                raise HttpProblem(423, f"rapporten är {STATE_LABEL[ctx.state]} – inga ändringar görs nu")
            raise HttpProblem(403, "du har inte behörighet till det här")

    def overview_rows(self) -> list[dict[str, Any]]:
        infos = self.db.all_sections()
        users = {u.id: u for u in self.db.list_users()}
        today = dt.date.today()
        rows = []
        for s in list_sections(self.layout, self.max_bytes):
            info = infos.get(s.id) or self.db.section_info(s.id)
            responsible = users.get(info.responsible_id) if info.responsible_id is not None else None
            done = info.status in (Status.READY, Status.APPROVED)
            rows.append(
                {
                    "section": s,
                    "info": info,
                    "responsible": responsible,
                    "late": info.deadline is not None and info.deadline < today and not done,
                    "writers": [u for u in users.values() if u.has(s.id, SectionRole.WRITER)],
                    "approvers": [u for u in users.values() if u.has(s.id, SectionRole.APPROVER)],
                }
            )
        return rows

    # -- log-in -------------------------------------------------------------------------

    def login_page(self, ctx: Ctx) -> Response:
        nasta = ctx.request.query_params.get("nasta", "/")
        return self.render(ctx, "logga_in.html", nasta=_safe_next(nasta), fel=None)

    def login(self, ctx: Ctx) -> Response:
        name = ctx.field("anvandare", 100).strip()
        password = ctx.field("losenord", 1000)
        nasta = _safe_next(ctx.field("nasta", 2000) if ctx.form and "nasta" in ctx.form else "/")
        address = ctx.request.client.host if ctx.request.client else "okänd"
        since = dt.datetime.now(dt.UTC) - auth.FAILURE_WINDOW
        if self.db.recent_failures(name, address, since) >= auth.MAX_FAILURES:
            minutes = int(auth.FAILURE_WINDOW.total_seconds() // 60)
            raise HttpProblem(
                429, f"för många misslyckade inloggningar – vänta {minutes} minuter och försök igen"
            )
        found = self.db.password_hash(name)
        ok = auth.verify_password(found[1] if found else auth.DUMMY_HASH, password) and found is not None
        if not ok or found is None:
            self.db.record_failure(name, address)
            return self.render(
                ctx, "logga_in.html", status=400, nasta=nasta, fel="Fel användarnamn eller lösenord."
            )
        self.db.clear_failures(name)
        token = secrets.token_urlsafe(32)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=self.cfg.session_hours)
        self.db.add_session(
            hashlib.sha256(token.encode()).hexdigest(), found[0], secrets.token_urlsafe(32), expires
        )
        ctx.request.session.clear()
        ctx.request.session["t"] = token
        return RedirectResponse(nasta, status_code=303)

    def logout(self, ctx: Ctx) -> Response:
        token = ctx.request.session.get("t")
        if isinstance(token, str):
            self.db.end_session(hashlib.sha256(token.encode()).hexdigest())
        ctx.request.session.clear()
        return RedirectResponse("/logga-in", status_code=303)

    # -- the table of contents and a section ----------------------------------------------

    def contents(self, ctx: Ctx) -> Response:
        return self.render(ctx, "innehall.html", rows=self.overview_rows())

    def section_page(self, ctx: Ctx) -> Response:
        s = self.section(ctx.request.path_params["sid"])
        text = current_with_history(self.layout, self.db, s, self.max_bytes)
        shown_html, shown_findings = self._shown(Job(s.file, text, "avsnittet"))
        if "sparat" in ctx.request.query_params:
            ctx.flash.append("Sparat.")
        elif "aterstallt" in ctx.request.query_params:
            ctx.flash.append("Den äldre versionen är återställd; texten den ersatte finns kvar i historiken.")
        info = self.db.section_info(s.id)
        actions = [
            (name, _TRANSITION_LABEL[name])
            for name, (sources, _to, action) in _TRANSITIONS.items()
            if info.status in sources and allowed(ctx.me, action, s.id, ctx.state)
        ]
        return self.render(
            ctx,
            "avsnitt.html",
            s=s,
            info=info,
            rows=self.overview_rows(),
            preview_html=shown_html,
            findings=shown_findings,
            actions=actions,
            events=self.db.status_events(s.id),
            comments=self.db.comments(s.id)
            if allowed(ctx.me, Action.SEE_COMMENTS, s.id, ctx.state)
            else None,
        )

    def _shown(self, job: Job) -> tuple[Markup | None, tuple[Finding, ...]]:
        """A saved chapter (or the whole report) as HTML, composed in a worker process.

        Kept per state of the data and of the chapter files: a page looked at again
        before anything changed is not composed again, and a page asked for while the
        same one is being composed (by the warm-up or another reader) waits for that
        instead of composing it twice. A chapter that ran over its limits gives its
        Swedish message here like any other error.
        """
        key = (data_state(self.layout), chapter_files_state(self.layout), job)
        while True:
            with self._choices_lock:
                found = self._shown_cache.get(key)
                if found is not None:
                    return found
                running = self._composing.get(key)
                if running is None:
                    running = self._composing[key] = threading.Event()
                    break
            running.wait()  # then kept (or not kept: a passing failure, asked again here)
        try:
            try:
                composed = self.previews.run(job)
            except PreviewBusy:
                composed = self.previews.busy(job)
            found = (_markup(composed), composed.findings)
            if composed.kept:
                # Under the state the worker composed from: newer than ``key`` if the data changed
                # meanwhile, and then asked for by the next page (``key`` composes again).
                kept = (composed.state or key[0], *key[1:])
                with self._choices_lock:
                    while len(self._shown_cache) >= 64:
                        self._shown_cache.pop(next(iter(self._shown_cache)))
                    self._shown_cache[kept] = found
        finally:
            with self._choices_lock:
                del self._composing[key]
            running.set()
        return found

    def warm_up(self) -> None:
        """What the first pages need, made before anybody asks (the server runs it in the
        background as it starts): the report's page composed and kept, the server's own copy
        of the report's data and the open store for the drill-down pages, every worker started.

        A page asked for meanwhile waits for the part it needs or makes it itself, as it would
        without the warm-up; what is kept is keyed on the data and the chapter files, so a
        change after the warm-up is shown as always.
        """
        try:
            self.previews.start(1)
            self._shown(Job(None, "", "rapporten"))
            snapshot = self.cache.get()
            if snapshot.data is not None and not self._closed:
                with self._drill(snapshot):
                    pass
            self.previews.start()
        except Exception:  # a background thread has no caller to tell: the pages make it on demand
            log.exception("webbens uppvärmning misslyckades")

    def editor(self, ctx: Ctx) -> Response:
        s = self.section(ctx.request.path_params["sid"])
        self.require(ctx, Action.EDIT, s.id)
        text = current_with_history(self.layout, self.db, s, self.max_bytes)
        return self._editor(ctx, s, text, sha256_text(text))

    def _editor(
        self, ctx: Ctx, s: Section, text: str, base: str, status: int = 200, **extra: Any
    ) -> Response:
        snapshot = self.cache.get()
        table = ctx.request.query_params.get("tabell") or (ctx.form.get("tabell") if ctx.form else None)
        table = (
            table
            if isinstance(table, str) and snapshot.data is not None and table in snapshot.data.tables
            else None
        )
        return self.render(
            ctx,
            "redigera.html",
            status=status,
            s=s,
            text=text,
            base=base,
            picker=self.picker(snapshot),
            cells=self.choices(snapshot, table) if table else [],
            table=table,
            tables=sorted(snapshot.data.tables.items()) if snapshot.data is not None else [],
            **extra,
        )

    def edit_post(self, ctx: Ctx) -> Response:
        s = self.section(ctx.request.path_params["sid"])
        self.require(ctx, Action.EDIT, s.id)
        text = normalise(ctx.field("text", self.max_bytes + 1))
        if len(text.encode("utf-8")) > self.max_bytes:
            raise HttpProblem(413, f"texten är större än gränsen {self.max_bytes // 1024} kB för ett kapitel")
        base = ctx.field("bas", 64)
        if ctx.form is not None and ctx.form.get("gor") == "forhandsgranska":
            try:
                shown = self.previews.preview(s.file, text)
            except PreviewBusy:
                raise HttpProblem(
                    503, "alla förhandsgranskningar är upptagna just nu – försök igen om en stund"
                ) from None
            return self._editor(ctx, s, text, base, preview_html=_markup(shown), findings=shown.findings)
        try:
            save_section(self.layout, self.db, s, ctx.me.id, text, base, self.max_bytes)
        except Conflict as exc:
            return self._conflict(ctx, s, text, exc)
        return RedirectResponse(f"/avsnitt/{quote(s.id)}?sparat=1", status_code=303)

    def _conflict(self, ctx: Ctx, s: Section, mine: str, exc: Conflict) -> Response:
        return self._editor(
            ctx,
            s,
            mine,
            exc.sha256,
            status=409,
            conflict=exc.current,
            conflict_diff=diff_html(exc.current, mine, "sparad version", "din version"),
        )

    # -- goal follow-up ---------------------------------------------------------------
    # These pages read the settings themselves rather than through the report cache: a save
    # changes data/mal.yaml (or data/mal.xlsx), and the form must not wait for the report to
    # be recomputed.

    @property
    def yaml_bytes(self) -> int:
        return load_config(self.layout.config).granser.yaml_bytes

    @property
    def text_bytes(self) -> int:
        return load_config(self.layout.config).kapitel.max_storlek_kb * 1024

    def goals_index(self, ctx: Ctx) -> Response:
        section = goals.goal_section(self.layout)
        loaded = None if section is None else goals.load(self.layout, section, self.yaml_bytes)
        areas = []
        if loaded is not None:
            for index, name in enumerate(goals.area_names(loaded.data), start=1):
                holders = goals.holders(self.layout, self.text_bytes, goals.area_tables(index))
                areas.append((index, name, sorted(holders), goals.may_edit(ctx.me, ctx.state, holders)))
        decisions = goals.decision_section(self.layout)
        return self.render(
            ctx,
            "mal.html",
            areas=areas,
            has_decisions=decisions is not None,
            file=section.file if section is not None else "data/mal.yaml",
        )

    def _goals(self) -> Section:
        section = goals.goal_section(self.layout)
        if section is None:
            raise HttpProblem(404, "arbetsytan har ingen data/mal.yaml eller data/mal.xlsx")
        return section

    def _decisions(self) -> Section:
        section = goals.decision_section(self.layout)
        if section is None:
            raise HttpProblem(404, "arbetsytan har ingen data/beslut.yaml eller data/beslut.xlsx")
        return section

    def _area(self, ctx: Ctx) -> tuple[Section, goals.Loaded, int, set[str]]:
        section = self._goals()
        # A change made in the folder enters the history before the form shows the file.
        goals.current_with_history(self.layout, self.db, section, self.yaml_bytes)
        loaded = goals.load(self.layout, section, self.yaml_bytes)
        index = int(ctx.request.path_params["n"])
        if not 1 <= index <= goals.area_count(loaded.data):
            raise HttpProblem(404, "målområdet finns inte")
        return section, loaded, index, goals.holders(self.layout, self.text_bytes, goals.area_tables(index))

    def goal_area(self, ctx: Ctx) -> Response:
        section, loaded, index, holders = self._area(ctx)
        if "sparat" in ctx.request.query_params:
            ctx.flash.append(f"Målen är sparade i {section.file}.")
        return self._goal_form(ctx, section, loaded, index, holders)

    def _goal_form(
        self,
        ctx: Ctx,
        section: Section,
        loaded: goals.Loaded,
        index: int,
        holders: set[str],
        status: int = 200,
        **extra: Any,
    ) -> Response:
        return self.render(
            ctx,
            "mal_omrade.html",
            status=status,
            area=goals.area_form(loaded, index),
            base=loaded.sha256,
            file=section.file,
            may_edit=goals.may_edit(ctx.me, ctx.state, holders),
            holders=sorted(holders),
            assessments=goals.ASSESSMENTS,
            history=self.db.history(section.id)[:20],
            **extra,
        )

    def _require_goals(self, ctx: Ctx, holders: set[str]) -> None:
        if not goals.may_edit(ctx.me, ctx.state, holders):
            if ctx.state is not ReportState.OPEN:
                raise HttpProblem(423, f"rapporten är {STATE_LABEL[ctx.state]} – inga ändringar görs nu")
            raise HttpProblem(403, "du har inte behörighet till det här")

    def _form_values(self, ctx: Ctx) -> dict[str, str]:
        assert ctx.form is not None
        out: dict[str, str] = {}
        for key, value in ctx.form.multi_items():
            if isinstance(value, str):
                if len(value) > goals.MAX_TEXT * 2:
                    raise HttpProblem(413, f"fältet '{key}' är för långt")
                out[key] = value
        return out

    def goal_area_post(self, ctx: Ctx) -> Response:
        section, loaded, index, holders = self._area(ctx)
        self._require_goals(ctx, holders)
        values = self._form_values(ctx)
        base = ctx.field("bas", 64)
        try:
            goals.save(
                self.layout,
                self.db,
                section,
                ctx.me.id,
                base,
                self.yaml_bytes,
                lambda data: goals.apply_area(data, index, values),
            )
        except goals.FormInvalid as exc:
            return self._goal_form(ctx, section, loaded, index, holders, 422, errors=exc.errors, sent=values)
        except Conflict as exc:
            fresh = goals.load(self.layout, section, self.yaml_bytes)
            return self._goal_form(
                ctx,
                section,
                fresh,
                index,
                holders,
                409,
                conflict=True,
                sent=values,
                conflict_diff=diff_html(
                    goals.opened_text(self.db, section, base, loaded.text),
                    exc.current,
                    "när du öppnade",
                    "sparad nu",
                ),
            )
        return RedirectResponse(f"/mal/{index}?sparat=1", status_code=303)

    def decisions(self, ctx: Ctx) -> Response:
        section = self._decisions()
        goals.current_with_history(self.layout, self.db, section, self.yaml_bytes)
        loaded = goals.load(self.layout, section, self.yaml_bytes)
        if "sparat" in ctx.request.query_params:
            ctx.flash.append(f"Uppdragen är sparade i {section.file}.")
        return self._decision_form(ctx, section, loaded)

    def _decision_form(
        self, ctx: Ctx, section: Section, loaded: goals.Loaded, status: int = 200, **extra: Any
    ) -> Response:
        holders = goals.holders(self.layout, self.text_bytes, goals.DECISION_TABLES)
        return self.render(
            ctx,
            "beslut.html",
            status=status,
            rows=goals.decision_forms(loaded),
            base=loaded.sha256,
            file=section.file,
            may_edit=goals.may_edit(ctx.me, ctx.state, holders),
            holders=sorted(holders),
            states=goals.DECISION_STATES,
            history=self.db.history(section.id)[:20],
            **extra,
        )

    def decisions_post(self, ctx: Ctx) -> Response:
        section = self._decisions()
        goals.current_with_history(self.layout, self.db, section, self.yaml_bytes)
        loaded = goals.load(self.layout, section, self.yaml_bytes)
        self._require_goals(ctx, goals.holders(self.layout, self.text_bytes, goals.DECISION_TABLES))
        values = self._form_values(ctx)
        base = ctx.field("bas", 64)
        try:
            goals.save(
                self.layout,
                self.db,
                section,
                ctx.me.id,
                base,
                self.yaml_bytes,
                lambda data: goals.apply_decisions(data, values),
            )
        except goals.FormInvalid as exc:
            return self._decision_form(ctx, section, loaded, 422, errors=exc.errors, sent=values)
        except Conflict as exc:
            fresh = goals.load(self.layout, section, self.yaml_bytes)
            return self._decision_form(
                ctx,
                section,
                fresh,
                409,
                conflict=True,
                sent=values,
                conflict_diff=diff_html(
                    goals.opened_text(self.db, section, base, loaded.text),
                    exc.current,
                    "när du öppnade",
                    "sparad nu",
                ),
            )
        return RedirectResponse("/beslut?sparat=1", status_code=303)

    # -- history --------------------------------------------------------------------------

    def history(self, ctx: Ctx) -> Response:
        s = self.section(ctx.request.path_params["sid"])
        current = current_with_history(self.layout, self.db, s, self.max_bytes)
        saves = self.db.history(s.id)
        diffs = []
        for newer, older in zip(saves, [*saves[1:], None], strict=True):
            diffs.append(diff_html(older.text if older else "", newer.text, "före", "efter"))
        return self.render(
            ctx, "historik.html", s=s, saves=list(zip(saves, diffs, strict=True)), current=current
        )

    def version(self, ctx: Ctx) -> Response:
        s = self.section(ctx.request.path_params["sid"])
        save = self.db.saved(s.id, int(ctx.request.path_params["save_id"]))
        if save is None:
            raise HttpProblem(404, "versionen finns inte i avsnittets historik")
        current = current_with_history(self.layout, self.db, s, self.max_bytes)
        return self.render(
            ctx,
            "version.html",
            s=s,
            save=save,
            base=sha256_text(current),
            diff=diff_html(current, save.text, "nuvarande", "den här versionen"),
        )

    def restore(self, ctx: Ctx) -> Response:
        s = self.section(ctx.request.path_params["sid"])
        self.require(ctx, Action.EDIT, s.id)
        save = self.db.saved(s.id, int(ctx.request.path_params["save_id"]))
        if save is None:
            raise HttpProblem(404, "versionen finns inte i avsnittets historik")
        try:
            save_section(
                self.layout,
                self.db,
                s,
                ctx.me.id,
                save.text,
                ctx.field("bas", 64),
                self.max_bytes,
                "aterstall",
            )
        except Conflict as exc:
            return self._conflict(ctx, s, save.text, exc)
        return RedirectResponse(f"/avsnitt/{quote(s.id)}?aterstallt=1", status_code=303)

    # -- workflow -------------------------------------------------------------------------

    def status(self, ctx: Ctx) -> Response:
        s = self.section(ctx.request.path_params["sid"])
        name = ctx.field("handling", 40)
        if name not in _TRANSITIONS:
            raise HttpProblem(400, "okänd handling")
        sources, to, action = _TRANSITIONS[name]
        self.require(ctx, action, s.id)
        comment = (
            ctx.field("kommentar", 5000).strip() if ctx.form is not None and "kommentar" in ctx.form else ""
        )
        if name == "skicka-tillbaka" and not comment:
            raise HttpProblem(400, "skriv en kommentar som säger vad som behöver ändras")
        info = self.db.section_info(s.id)
        if info.status not in sources or not self.db.set_status(
            s.id, ctx.me.id, to, comment, expect=info.status
        ):
            raise HttpProblem(
                409,
                f"avsnittet är {STATUS_LABEL[info.status]} – ladda om sidan, någon annan kan ha ändrat det",
            )
        if comment:
            self.db.add_comment(s.id, ctx.me.id, comment)
        return RedirectResponse(f"/avsnitt/{quote(s.id)}", status_code=303)

    def comment(self, ctx: Ctx) -> Response:
        s = self.section(ctx.request.path_params["sid"])
        self.require(ctx, Action.COMMENT, s.id)
        text = ctx.field("kommentar", 5000).strip()
        if not text:
            raise HttpProblem(400, "kommentaren är tom")
        self.db.add_comment(s.id, ctx.me.id, text)
        return RedirectResponse(f"/avsnitt/{quote(s.id)}#kommentarer", status_code=303)

    # -- administration -------------------------------------------------------------------

    def overview(self, ctx: Ctx) -> Response:
        self.require(ctx, Action.ADMINISTER)
        rows = self.overview_rows()
        visa = ctx.request.query_params.get("visa", "alla")
        if visa == "ej-klara":
            rows = [r for r in rows if r["info"].status not in (Status.READY, Status.APPROVED)]
        elif visa == "sena":
            rows = [r for r in rows if r["late"]]
        people: dict[str, dict[str, int]] = {}
        for r in self.overview_rows():
            who = r["responsible"].display if r["responsible"] else "(ingen ansvarig)"
            counts = people.setdefault(who, {s.value: 0 for s in Status} | {"sena": 0, "alla": 0})
            counts[r["info"].status.value] += 1
            counts["alla"] += 1
            counts["sena"] += int(r["late"])
        return self.render(
            ctx,
            "oversikt.html",
            rows=rows,
            visa=visa,
            people=sorted(people.items()),
            users=self.db.list_users(),
        )

    def assign(self, ctx: Ctx) -> Response:
        self.require(ctx, Action.ADMINISTER)
        s = self.section(ctx.request.path_params["sid"])
        who = ctx.field("ansvarig", 20)
        deadline_text = ctx.field("deadline", 20).strip()
        responsible: int | None = None
        if who:
            if not who.isdigit() or self.db.user(int(who)) is None:
                raise HttpProblem(400, "den ansvariga användaren finns inte")
            responsible = int(who)
        try:
            deadline = dt.date.fromisoformat(deadline_text) if deadline_text else None
        except ValueError:
            raise HttpProblem(400, f"'{deadline_text}' är inget datum (skriv ÅÅÅÅ-MM-DD)") from None
        self.db.assign(s.id, responsible, deadline)
        return RedirectResponse("/oversikt", status_code=303)

    def users_page(self, ctx: Ctx) -> Response:
        self.require(ctx, Action.ADMINISTER)
        return self.render(
            ctx,
            "anvandare.html",
            users=self.db.list_users(),
            sections=list_sections(self.layout, self.max_bytes),
            GlobalRole=GlobalRole,
            SectionRole=SectionRole,
        )

    def user_roles(self, ctx: Ctx) -> Response:
        self.require(ctx, Action.ADMINISTER)
        raw = ctx.request.path_params["uid"]
        target = self.db.user(int(raw))
        if target is None:
            raise HttpProblem(404, "användaren finns inte")
        try:
            role = GlobalRole(ctx.field("roll", 20))
        except ValueError:
            raise HttpProblem(400, "okänd roll") from None
        if target.id == ctx.me.id and role is not GlobalRole.ADMIN:
            raise HttpProblem(400, "du kan inte ta bort din egen administratörsroll")
        known = {s.id for s in list_sections(self.layout, self.max_bytes)}
        roles: list[tuple[str, SectionRole]] = []
        assert ctx.form is not None
        for key in ctx.form:
            kind, _, sid = key.partition(":")
            if kind in ("skribent", "godkannare"):
                if sid not in known:
                    raise HttpProblem(400, "ett av avsnitten finns inte")
                roles.append((sid, SectionRole(kind)))
        self.db.set_global_role(target.id, role)
        self.db.set_section_roles(target.id, roles)
        return RedirectResponse("/anvandare", status_code=303)

    # -- the report, drill-down and its state ----------------------------------------------

    def report(self, ctx: Ctx) -> Response:
        body, findings = self._shown(Job(None, "", "rapporten"))
        return self.render(ctx, "rapport.html", body=body, findings=findings)

    def drill(self, ctx: Ctx) -> Response:
        p = ctx.request.path_params
        snapshot = self.cache.get()
        if snapshot.data is None:
            raise HttpProblem(422, "rapportens siffror kan inte räknas fram", snapshot.findings)
        account = ctx.request.query_params.get("konto")
        page_text = ctx.request.query_params.get("sida", "1")
        if not page_text.isdigit() or not 1 <= int(page_text) <= 1_000_000:
            raise HttpProblem(400, "sidan ska vara ett heltal från 1")
        page = int(page_text)
        with self._drill(snapshot) as d:
            try:
                ref = d.cell(p["table"], p["row"], p["column"])
            except UnknownName as exc:
                raise HttpProblem(404, f"{exc.what} '{exc.name}' finns inte i rapporten") from None
            base = drill_href(ref.table, ref.row, ref.column)
            key = (ref.table, ref.row, ref.column)
            found = self._breakdowns.get(key)
            if found is None:
                breakdown = d.explain(ref)
                levels = Markup(
                    self.env.get_template("_harled_nivaer.html").render(walk=_walk(breakdown), base=base)
                )
                if len(self._breakdowns) >= _KEPT_BREAKDOWNS:
                    self._breakdowns.pop(next(iter(self._breakdowns)))
                self._breakdowns[key] = found = (breakdown, levels)
            breakdown, levels = found
            pages = []
            if account is not None:
                leaves = [leaf for _, leaf in breakdown.leaves() if leaf.kind == "huvudbok"]
                chosen = [leaf for leaf in leaves if any(a.account == account for a in leaf.accounts)]
                if not chosen:
                    raise HttpProblem(404, f"kontot '{account}' ingår inte i siffran")
                for leaf in chosen:
                    if leaf.movements:
                        vp = d.vouchers(leaf, account, offset=(page - 1) * PAGE_SIZE)
                        count = vp.voucher_count  # counted in the page's own scan
                        acc = next(a for a in leaf.accounts if a.account == account)
                        pages.append(
                            {
                                "leaf": leaf,
                                "page": vp,
                                "count": count,
                                "account": acc,
                                "pages": max(1, -(-count // vp.limit)),
                            }
                        )
            title = d.tables[ref.table].title
        return self.render(
            ctx,
            "harled.html",
            b=breakdown,
            title=title,
            base=base,
            account=account,
            pages=pages,
            page_no=page,
            levels=levels,
        )

    def report_state(self, ctx: Ctx) -> Response:
        return self.render(ctx, "lage.html", versions=self.db.versions(), current=self.db.current_version())

    def report_action(self, ctx: Ctx) -> Response:
        self.require(ctx, Action.ADMINISTER)
        name = ctx.field("handling", 40)
        current = self.db.current_version()
        moved = False
        if name == "las":
            moved = self.db.set_state(current.id, ReportState.OPEN, ReportState.LOCKED)
        elif name == "las-upp":
            moved = self.db.set_state(current.id, ReportState.LOCKED, ReportState.OPEN)
        elif name == "faststall":
            if current.state is ReportState.LOCKED:
                # Built in a process of its own under the freeze limits (bokslut.web.freeze);
                # recorded as fastställd only if the report is still låst when it is done. The
                # ledger's store is brought up to date here first, so the build process only reads
                # it and its file-size limit falls on the report's files.
                self.cache.get()
                try:
                    moved = freeze(
                        self.layout,
                        current.id,
                        self.cfg.freeze_formats,
                        self.cfg.freeze_limits,
                        lambda folder, sums: self.db.fix(current.id, ctx.me.id, folder, sums),
                    )
                except FreezeBusy as exc:
                    raise HttpProblem(409, exc.message) from None
        elif name == "ny-version":
            moved = self.db.reopen(current.id)
        else:
            raise HttpProblem(400, "okänd handling")
        if not moved:
            raise HttpProblem(409, f"rapporten är {STATE_LABEL[current.state]} – det går inte nu")
        return RedirectResponse("/rapport/lage", status_code=303)

    def frozen_file(self, ctx: Ctx) -> Response:
        vid = int(ctx.request.path_params["vid"])
        name = ctx.request.path_params["name"]
        version = next((v for v in self.db.versions() if v.id == vid), None)
        if version is None or version.sums is None or version.folder is None:
            raise HttpProblem(404, "versionen är inte fastställd")
        # Only a file the frozen build's SHA256SUMS names is served: the URL never becomes a path.
        listed = {
            line.split("  ", 1)[1]: line.split("  ", 1)[0]
            for line in version.sums.splitlines()
            if "  " in line
        }
        if name not in listed:
            raise HttpProblem(404, "filen finns inte i den fastställda rapporten")
        data = (self.layout.root / version.folder / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != listed[name]:
            raise HttpProblem(409, "filen har ändrats sedan rapporten fastställdes")
        media = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "json": "application/json"}
        kind = media.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        headers = (
            {}
            if kind.startswith("text/html")
            else {"Content-Disposition": f'attachment; filename="{Path(name).name}"'}
        )
        return Response(data, media_type=kind, headers=headers)


def _markup(shown: Shown) -> Markup | None:
    # HtmlWriter escaped every text of the chapters in the worker (bokslut.web.report_html).
    return None if shown.html is None else Markup(shown.html)


def _walk(b: Breakdown, depth: int = 0, sign: int = 1) -> list[tuple[int, int, Breakdown]]:
    """The breakdown's levels in reading order, with depth and sign, for a flat page."""
    out = [(depth, sign, b)]
    for part in b.parts:
        out += _walk(part.breakdown, depth + 1, part.sign)
    return out


def _safe_next(target: str) -> str:
    """Only a path on this site is followed after log-in (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def report_css() -> str:
    return font_face_css() + CSS


def create_app(cfg: WebConfig, started: Sequence[Worker] = ()) -> Starlette:
    """The application; ``started``: composing workers already started for the workspace."""
    web = Web(cfg, started)
    e = web.endpoint
    static = resources.files("bokslut.web") / "static"

    async def rapport_css(request: Request) -> Response:
        return Response(report_css(), media_type="text/css; charset=utf-8")

    routes = [
        Route("/", e(web.contents)),
        Route("/logga-in", e(web.login_page, login=False), methods=["GET"]),
        Route("/logga-in", e(web.login, login=False), methods=["POST"]),
        Route("/logga-ut", e(web.logout, login=False), methods=["POST"]),
        Route("/avsnitt/{sid}", e(web.section_page)),
        Route("/avsnitt/{sid}/redigera", e(web.editor), methods=["GET"]),
        Route("/avsnitt/{sid}/redigera", e(web.edit_post), methods=["POST"]),
        Route("/avsnitt/{sid}/historik", e(web.history)),
        Route("/avsnitt/{sid}/historik/{save_id:int}", e(web.version)),
        Route("/avsnitt/{sid}/historik/{save_id:int}/aterstall", e(web.restore), methods=["POST"]),
        Route("/avsnitt/{sid}/status", e(web.status), methods=["POST"]),
        Route("/avsnitt/{sid}/kommentar", e(web.comment), methods=["POST"]),
        Route("/avsnitt/{sid}/tilldela", e(web.assign), methods=["POST"]),
        Route("/oversikt", e(web.overview)),
        Route("/mal", e(web.goals_index)),
        Route("/mal/{n:int}", e(web.goal_area), methods=["GET"]),
        Route("/mal/{n:int}", e(web.goal_area_post), methods=["POST"]),
        Route("/beslut", e(web.decisions), methods=["GET"]),
        Route("/beslut", e(web.decisions_post), methods=["POST"]),
        Route("/anvandare", e(web.users_page)),
        Route("/anvandare/{uid:int}/roller", e(web.user_roles), methods=["POST"]),
        Route("/rapport", e(web.report)),
        Route("/rapport/lage", e(web.report_state), methods=["GET"]),
        Route("/rapport/lage", e(web.report_action), methods=["POST"]),
        Route("/rapport/version/{vid:int}/{name:path}", e(web.frozen_file)),
        Route("/harled/{table}/{row}/{column}", e(web.drill)),
        Route("/rapport.css", rapport_css),
        Mount("/statiskt", app=StaticFiles(directory=str(static)), name="statiskt"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return web._problem(request, HttpProblem(404, "sidan finns inte"))

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return web._problem(request, HttpProblem(405, "sidan tar inte emot den sortens anrop"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        web.index.start()
        threading.Thread(target=web.warm_up, name="uppvärmning", daemon=True).start()
        yield
        web.close()

    app = Starlette(
        lifespan=lifespan,
        routes=routes,
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=cfg.secret,
                session_cookie=SESSION_COOKIE,
                max_age=cfg.session_hours * 3600,
                same_site="strict",
                https_only=cfg.secure_cookies,
            ),
            Middleware(SecurityHeaders),
        ],
        exception_handlers={404: not_found, 405: not_allowed},
    )
    app.state.web = web
    return app


class SecurityHeaders:
    """Headers on every answer: nothing loads from elsewhere, no framing, no sniffing."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", self.CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
