"""Fastställande builds in a process of its own: the same bytes as `bokslut build`, and a
hostile chapter costs that process, never the server or the other users."""

from __future__ import annotations

import html
import re
import threading
import time

from click.testing import CliRunner
from tests.web.conftest import OTHER, RR, csrf_of, make_site

from bokslut.cli import app
from bokslut.pipeline.build import FORMATS
from bokslut.web.db import ReportState
from bokslut.web.freeze import FreezeLimits

# Each turn builds a list: seconds of work in all.
LOOP = "{% for i in range(90000) %}{{ range(5000) | list | length }}{% endfor %}\n"
# Keeps 16 MB more on every turn: without a memory limit it would take the whole machine.
HOG = (
    "{% set ns = namespace(l=[]) %}{% set r = range(50000) | list %}"
    "{% for i in range(50000) %}{% set ns.l = ns.l + [r * 40] %}{% endfor %}\n"
)
# 15 million characters: within the sandbox's limits for a chapter, but a large build.
HUGE = '{% set s = "x" * 1000000 %}{% for i in range(15) %}{{ s }}{% endfor %}\n'


def shown(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def post(client, path: str, **data):
    token = csrf_of(client.get("/").text)
    return client.post(path, data={"csrf": token, **data}, follow_redirects=False)


def add_to_chapter(site, text: str) -> None:
    """Saved in the folder, as an editor or git pull would."""
    path = site.root / "text" / f"{RR}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def nothing_frozen(site) -> None:
    versions = site.root / ".bokslut-webb" / "versioner"
    assert not versions.exists() or not any(versions.iterdir())
    scratch = site.root / ".bokslut-webb" / "bygger"
    assert not scratch.exists() or not any(scratch.iterdir())
    assert site.db.current_version().state is ReportState.LOCKED
    assert site.db.current_version().sums is None


def test_the_frozen_build_is_byte_identical_to_bokslut_build_of_the_folder(workspace, tmp_path):
    site = make_site(workspace, f"sqlite:///{tmp_path / 'w.sqlite'}", freeze_formats=FORMATS)
    try:
        ada = site.client("ada")
        post(ada, "/rapport/lage", handling="las")
        assert post(ada, "/rapport/lage", handling="faststall").status_code == 303
        fixed = site.db.current_version()
        assert fixed.state is ReportState.FIXED
        built = CliRunner().invoke(app, ["build", str(site.root), "-q"])
        assert built.exit_code == 0, built.output
        cli_sums = (site.root / "build" / "SHA256SUMS").read_text(encoding="utf-8")
        assert fixed.sums == cli_sums
        assert (site.root / fixed.folder / "SHA256SUMS").read_text(encoding="utf-8") == cli_sums
        assert "arsredovisning-2023.pdf" in cli_sums and "webb/index.html" in cli_sums
        page = shown(ada.get("/rapport/lage").text)
        assert all(line.split("  ")[0] in page for line in cli_sums.splitlines())
    finally:
        site.close()


def test_a_looping_chapter_stops_fastställande_at_its_time_limit_while_the_others_are_answered(
    workspace, tmp_path
):
    site = make_site(workspace, f"sqlite:///{tmp_path / 'w.sqlite'}", freeze_limits=FreezeLimits(seconds=6))
    try:
        ada, gun, rut, ola = (site.client(n) for n in ("ada", "gun", "rut", "ola"))
        for c in (gun, rut, ola):  # pages that need no composing, as on a server that has run a while
            c.get("/")
        add_to_chapter(site, LOOP)
        post(ada, "/rapport/lage", handling="las")
        answers: dict[str, object] = {}

        def fastställ() -> None:
            start = time.monotonic()
            answers["answer"] = post(ada, "/rapport/lage", handling="faststall")
            answers["seconds"] = time.monotonic() - start

        thread = threading.Thread(target=fastställ)
        thread.start()
        time.sleep(1.5)  # the build process is running now
        start = time.monotonic()
        comment = post(gun, f"/avsnitt/{RR}/kommentar", kommentar="Läst under fastställandet.")
        page = rut.get("/")
        refused = post(ola, f"/avsnitt/{OTHER}/redigera", text="x", bas="x", gor="spara")
        others = time.monotonic() - start
        assert "answer" not in answers, "the others were answered while the build still ran"
        assert comment.status_code == 303 and page.status_code == 200
        assert refused.status_code == 423  # låst: answered at once, not after the build
        assert others < 3
        thread.join(timeout=120)

        answer = answers["answer"]
        assert answer.status_code == 422
        text = shown(answer.text)
        # Which limit comes first depends on the machine's speed: the 6 s on a busy one, the
        # chapter sandbox's count of loop turns on a quiet one. Either stops the build.
        assert (
            "Rapporten kunde inte fastställas: bygget tog längre tid än gränsen (6 s) och avbröts" in text
            or "kapitlet gör för mycket arbete: slingor och anrop går mer än 100\xa0000 varv" in text
        )
        assert "Rapporten är fortfarande låst för fastställande och ingen version har fastställts." in text
        assert answers["seconds"] < 15
        nothing_frozen(site)
        assert "Läst under fastställandet." in shown(gun.get(f"/avsnitt/{RR}").text)
    finally:
        site.close()


def test_a_chapter_that_allocates_without_end_stops_at_the_memory_limit(workspace, tmp_path):
    site = make_site(
        workspace, f"sqlite:///{tmp_path / 'w.sqlite'}", freeze_limits=FreezeLimits(memory_mb=3072)
    )
    try:
        ada = site.client("ada")
        line = len((site.root / "text" / f"{RR}.md").read_text(encoding="utf-8").splitlines()) + 2
        add_to_chapter(site, HOG)
        post(ada, "/rapport/lage", handling="las")
        answer = post(ada, "/rapport/lage", handling="faststall")
        assert answer.status_code == 422
        text = shown(answer.text)
        assert "Rapporten kunde inte fastställas: rapporten har fel, se nedan." in text
        assert f"text/{RR}.md:{line}: fel: uttrycket kräver för mycket minne" in text
        nothing_frozen(site)
        # The server is unharmed: the next page answers.
        assert site.client("rut").get(f"/avsnitt/{OTHER}").status_code == 200
    finally:
        site.close()


def test_a_build_larger_than_the_output_limit_is_stopped_and_leaves_nothing(workspace, tmp_path):
    site = make_site(
        workspace, f"sqlite:///{tmp_path / 'w.sqlite'}", freeze_limits=FreezeLimits(output_mb=10)
    )
    try:
        ada = site.client("ada")
        original = (site.root / "text" / f"{RR}.md").read_text(encoding="utf-8")
        add_to_chapter(site, HUGE)
        post(ada, "/rapport/lage", handling="las")
        answer = post(ada, "/rapport/lage", handling="faststall")
        assert answer.status_code == 422
        assert "bygget blev större än gränsen (10 MB) och avbröts" in shown(answer.text)
        nothing_frozen(site)
        # Corrected, the same version is fastställd.
        (site.root / "text" / f"{RR}.md").write_text(original, encoding="utf-8")
        add_to_chapter(site, "Årets resultat: {{ v.arets_resultat | tkr }}.\n")
        assert post(ada, "/rapport/lage", handling="faststall").status_code == 303
        fixed = site.db.current_version()
        assert fixed.state is ReportState.FIXED
        frozen = ada.get(f"/rapport/version/{fixed.id}/arsredovisning-2023.html")
        assert "Årets resultat: 1\u00a0376\u00a0tkr." in shown(frozen.text)
    finally:
        site.close()
