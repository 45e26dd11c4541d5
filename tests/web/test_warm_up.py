"""The server's warm-up: the report page made before anybody asks, never shown stale."""

from __future__ import annotations

import threading

from tests.web.conftest import make_site
from tests.web.test_workflow import shown

import bokslut.web.app as app_module
from bokslut.lock import WAIT_ENV, writer_lock
from bokslut.web.preview_worker import start_worker
from bokslut.workspace.layout import Layout

DRILL_LINK = (
    '<a class="harled" href="/harled/resultatrakning/verksamhetens_kostnader/utfall">−31\u00a0822</a>'
)
BUDGET = "data/budget/investeringar-2023.csv"


def counted_runs(web, hold: threading.Event | None = None) -> list[object]:
    """Every job the site's worker pool is asked to compose; the first waits for ``hold``."""
    runs: list[object] = []
    run = web.previews.run

    def counting(job):
        runs.append(job)
        if hold is not None and len(runs) == 1:
            assert hold.wait(300)
        return run(job)

    web.previews.run = counting
    return runs


def test_a_report_page_asked_for_during_the_warm_up_is_the_report_composed_once(site, monkeypatch):
    web = site.client_factory.state.web
    release, asked = threading.Event(), threading.Event()
    runs = counted_runs(web, hold=release)
    state = app_module.chapter_files_state
    calls: list[int] = []

    def watched(layout):
        calls.append(1)
        if len(calls) == 2:  # the warm-up is held in its composition; this is the page's request
            asked.set()
        return state(layout)

    monkeypatch.setattr(app_module, "chapter_files_state", watched)
    warm = threading.Thread(target=web.warm_up)
    warm.start()
    c = site.client("rut")
    pages: list[str] = []
    reader = threading.Thread(target=lambda: pages.append(c.get("/rapport").text))
    reader.start()
    assert asked.wait(300)
    release.set()
    reader.join(300)
    warm.join(300)
    assert not reader.is_alive() and not warm.is_alive()
    assert len(runs) == 1, "the page waited for the warm-up's composition instead of making its own"
    assert DRILL_LINK in pages[0]
    assert "Rapporten kan inte sättas ihop" not in shown(pages[0])
    assert len(web.previews._all) == web.cfg.preview_workers  # every worker started


def test_a_change_after_the_warm_up_is_shown(site):
    web = site.client_factory.state.web
    web.warm_up()
    runs = counted_runs(web)
    c = site.client("rut")
    before = shown(c.get("/rapport").text)
    assert runs == [], "the warm-up composed the report page"
    assert "2\u00a0371\u00a0000\u00a0kr" in before
    budget = site.root / BUDGET
    budget.write_text(
        budget.read_text(encoding="utf-8").replace("2023;1003;6000000", "2023;1003;7000000"), encoding="utf-8"
    )
    after = shown(c.get("/rapport").text)
    assert "3\u00a0371\u00a0000\u00a0kr" in after and "2\u00a0371\u00a0000\u00a0kr" not in after
    chapter = site.root / "text" / "06-ord-och-begrepp.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\nEn mening skriven i mappen.\n", encoding="utf-8"
    )
    assert "En mening skriven i mappen." in shown(c.get("/rapport").text)
    assert len(runs) == 2


def test_a_report_page_while_another_command_holds_the_workspace_says_so_and_is_not_kept(site, monkeypatch):
    monkeypatch.setenv(WAIT_ENV, "0")  # the worker (started after this) does not wait for the lock
    layout = Layout(site.root)
    for generation in layout.cache.glob("ledger-*.duckdb"):
        generation.unlink()  # the store must be written again, under the workspace's lock
    c = site.client("rut")
    with writer_lock(layout, wait=0):
        busy = shown(c.get("/rapport").text)
    assert "Rapporten kan inte sättas ihop:" in busy and "arbetsytan används av ett annat kommando" in busy
    page = c.get("/rapport").text
    assert DRILL_LINK in page and "Rapporten kan inte sättas ihop" not in shown(page)


def test_a_worker_started_before_the_app_composes_its_first_page(workspace, tmp_path):
    first = start_worker(Layout(workspace).root)
    site = make_site(workspace, f"sqlite:///{tmp_path / 'w.sqlite'}", started=(first,))
    try:
        page = site.client("rut").get("/rapport").text
        assert DRILL_LINK in page
        assert site.client_factory.state.web.previews._all == [first]  # no other worker was started
    finally:
        site.close()
