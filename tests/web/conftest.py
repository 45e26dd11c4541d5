"""Fixtures of the web tests: both databases, the Lystkom example as a workspace, users of every role."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from tests.web.postgres import fresh_database, postgres_cluster

from bokslut.web.app import WebConfig, create_app
from bokslut.web.auth import hash_password
from bokslut.web.db import GlobalRole, SectionRole, WebDb
from bokslut.web.engine import ReportCache
from bokslut.web.preview_worker import Worker
from bokslut.workspace.layout import Layout

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lystkom-2023"
RR = "03-finansiella-rapporter"  # the section the writer and the approver have
OTHER = "01-forvaltningsberattelse"

# name → (global role, [(section, role)])
USERS: dict[str, tuple[GlobalRole, list[tuple[str, SectionRole]]]] = {
    "ada": (GlobalRole.ADMIN, []),
    "rut": (GlobalRole.READER, []),  # a revisor
    "sam": (GlobalRole.MEMBER, [(RR, SectionRole.WRITER)]),
    "gun": (GlobalRole.MEMBER, [(RR, SectionRole.APPROVER)]),
    "ola": (GlobalRole.MEMBER, [(OTHER, SectionRole.WRITER)]),
}


def password(name: str) -> str:
    return f"losenord-for-{name}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'webb.sqlite'}"
    return fresh_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="session")
def lystkom_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("webbmall") / "lystkom"
    shutil.copytree(
        EXAMPLE, root, ignore=shutil.ignore_patterns("build", ".bokslut", ".bokslut-webb", "__pycache__")
    )
    ReportCache(Layout(root)).get()  # imports the ledger once; each test copies the cache
    return root


@pytest.fixture
def workspace(lystkom_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "lystkom"
    shutil.copytree(lystkom_template, root)
    return root


@dataclass
class Site:
    root: Path
    db: WebDb
    client_factory: object

    def close(self) -> None:
        """Ends the site's worker processes and closes its database."""
        self.client_factory.state.web.close()  # type: ignore[attr-defined]
        self.db.close()

    def client(self, name: str | None = None) -> TestClient:
        c = TestClient(self.client_factory, base_url="https://testserver")  # type: ignore[arg-type]
        if name is not None:
            login(c, name)
        return c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "the page has a form with a CSRF token"
    return m.group(1)


def login(client: TestClient, name: str, pw: str | None = None):
    page = client.get("/logga-in")
    return client.post(
        "/logga-in",
        data={"csrf": csrf_of(page.text), "anvandare": name, "losenord": pw or password(name), "nasta": "/"},
        follow_redirects=False,
    )


def make_site(
    root: Path,
    url: str,
    freeze_formats: tuple[str, ...] = ("html", "json"),
    started: tuple[Worker, ...] = (),
    **options: Any,
) -> Site:
    db = WebDb(url)
    db.migrate()
    for name, (role, roles) in USERS.items():
        uid = db.add_user(name, name.capitalize(), hash_password(password(name)), role)
        db.set_section_roles(uid, roles)
    app = create_app(
        WebConfig(Layout(root), db, "test-hemlighet", freeze_formats=freeze_formats, **options), started
    )
    return Site(root, db, app)


@pytest.fixture
def site(workspace: Path, tmp_path: Path) -> Iterator[Site]:
    s = make_site(workspace, f"sqlite:///{tmp_path / 'webb.sqlite'}")
    yield s
    s.close()
