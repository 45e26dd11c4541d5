"""The web database on SQLite and on PostgreSQL: the same behaviour through one layer."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from bokslut.diagnostics import BokslutError
from bokslut.web.db import (
    MIGRATIONS,
    GlobalRole,
    ReportState,
    SectionRole,
    Status,
    WebDb,
    default_url,
    open_db,
    sha256_text,
)
from bokslut.workspace.layout import Layout


@pytest.fixture
def db(db_url: str):
    web = WebDb(db_url)
    web.migrate()
    yield web
    web.close()


def test_migrations_run_once_and_record_their_version(db_url):
    web = WebDb(db_url)
    assert web.schema_version() == 0
    assert web.migrate() == len(MIGRATIONS)
    assert web.migrate() == len(MIGRATIONS)  # nothing left to do
    assert web.schema_version() == len(MIGRATIONS)
    assert web.current_version().state is ReportState.OPEN
    assert len(web.versions()) == 1  # the first version is made once, not per start
    web.close()


def test_a_newer_database_is_refused_not_misread(db_url):
    web = WebDb(db_url)
    web.migrate()
    with web.begin() as conn:
        conn.execute(sa.text("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'x')"))
    with pytest.raises(BokslutError, match="version 99"):
        web.migrate()
    web.close()


def test_users_with_section_roles(db):
    uid = db.add_user("anna", "Anna Andersson", "hash", GlobalRole.MEMBER)
    db.set_section_roles(uid, [("01-inledning", SectionRole.WRITER), ("02-mal", SectionRole.APPROVER)])
    anna = db.user_by_name("anna")
    assert anna is not None and anna.display == "Anna Andersson"
    assert anna.has("01-inledning", SectionRole.WRITER) and not anna.has("01-inledning", SectionRole.APPROVER)
    assert anna.has("02-mal", SectionRole.APPROVER) and not anna.is_admin
    with pytest.raises(BokslutError, match="finns redan"):
        db.add_user("anna", "Anna igen", "hash", GlobalRole.ADMIN)
    assert [u.name for u in db.list_users()] == ["anna"]
    assert db.remove_user("anna") and not db.remove_user("anna")
    assert db.user_by_name("anna") is None


def test_status_moves_only_from_the_expected_status(db):
    uid = db.add_user("bo", "Bo", "h", GlobalRole.ADMIN)
    assert db.section_info("01-x").status is Status.NOT_STARTED
    assert db.set_status("01-x", uid, Status.IN_PROGRESS, "", expect=Status.NOT_STARTED)
    # A second approver acting on the same old page does not move it twice.
    assert not db.set_status("01-x", uid, Status.IN_PROGRESS, "", expect=Status.NOT_STARTED)
    assert db.set_status("01-x", uid, Status.READY, "", expect=Status.IN_PROGRESS)
    assert db.set_status("01-x", uid, Status.IN_PROGRESS, "Siffran för 2022 saknas", expect=Status.READY)
    events = db.status_events("01-x")
    assert [(e.from_status, e.to_status) for e in events] == [
        (Status.NOT_STARTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.READY),
        (Status.READY, Status.IN_PROGRESS),
    ]
    assert events[-1].comment == "Siffran för 2022 saknas" and events[-1].user == "Bo"


def test_history_keeps_every_full_text_with_who_and_its_hash(db):
    uid = db.add_user("cia", "Cia", "h", GlobalRole.MEMBER)
    first = db.record_save("01-x", uid, "Första\n", "spara")
    db.record_save("01-x", None, "Ändrad i mappen\n", "utanfor")
    history = db.history("01-x")
    assert [(s.user, s.text, s.kind) for s in history] == [
        (None, "Ändrad i mappen\n", "utanfor"),
        ("Cia", "Första\n", "spara"),
    ]
    assert history[1].sha256 == sha256_text("Första\n")
    assert db.saved("01-x", first) == history[1]
    assert db.saved("02-annat", first) is None  # an id never reaches another section's history
    # Removing the writer keeps what they wrote.
    db.remove_user("cia")
    assert db.history("01-x")[1].text == "Första\n" and db.history("01-x")[1].user is None


def test_assignment_and_comments(db):
    uid = db.add_user("dan", "Dan", "h", GlobalRole.MEMBER)
    db.assign("01-x", uid, dt.date(2027, 2, 15))
    info = db.section_info("01-x")
    assert info.responsible_id == uid and info.deadline == dt.date(2027, 2, 15)
    db.add_comment("01-x", uid, "Klart i morgon")
    assert [(c.user, c.text) for c in db.comments("01-x")] == [("Dan", "Klart i morgon")]
    assert db.comments("02-y") == []


def test_report_open_locked_fixed_and_a_new_version(db):
    uid = db.add_user("eva", "Eva", "h", GlobalRole.ADMIN)
    v1 = db.current_version()
    assert not db.fix(v1.id, uid, "x", "sums")  # only a locked report is fastställd
    assert db.set_state(v1.id, ReportState.OPEN, ReportState.LOCKED)
    assert db.fix(v1.id, uid, ".bokslut-webb/versioner/1", "abc  rapport.html\n")
    assert not db.reopen(v1.id + 1)
    assert db.reopen(v1.id)
    v2 = db.current_version()
    assert v2.id == v1.id + 1 and v2.state is ReportState.OPEN
    old = db.versions()[1]
    assert old.state is ReportState.FIXED and old.sums == "abc  rapport.html\n"


def test_sessions_expire_and_end(db):
    uid = db.add_user("fia", "Fia", "h", GlobalRole.READER)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    db.add_session("t1", uid, "csrf1", future)
    db.add_session("t2", uid, "csrf2", dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert db.session("t1") == (uid, "csrf1")
    assert db.session("t2") is None
    db.end_session("t1")
    assert db.session("t1") is None


def test_the_default_database_survives_deleting_the_cache(tmp_path):
    layout = Layout(tmp_path)
    web = open_db(layout)
    web.add_user("gun", "Gun", "h", GlobalRole.ADMIN)
    web.close()
    assert default_url(layout).endswith("/.bokslut-webb/webb.sqlite")
    assert not Path(default_url(layout).removeprefix("sqlite:///")).is_relative_to(layout.cache.resolve())
    shutil.rmtree(layout.cache, ignore_errors=True)
    again = open_db(layout)
    assert again.user_by_name("gun") is not None
    again.close()
