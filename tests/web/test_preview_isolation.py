"""A runaway chapter in preview costs one worker process for a bounded time, never the other writers."""

from __future__ import annotations

import html
import re
import threading
import time

from tests.web.conftest import OTHER, RR, csrf_of, make_site

# Each turn builds a list: far below the sandbox's step limit, but seconds of work in all.
LOOP = "{% for i in range(90000) %}{{ range(5000) | list | length }}{% endfor %}\n"


def shown(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def editor(client, sid: str) -> tuple[str, str, str]:
    page = client.get(f"/avsnitt/{sid}/redigera")
    assert page.status_code == 200
    base = re.search(r'name="bas" value="([0-9a-f]{64})"', page.text).group(1)
    text = html.unescape(re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', page.text, re.S).group(1))
    return csrf_of(page.text), base, text


def send(client, sid: str, text: str, action: str):
    token, base, _ = editor(client, sid)
    return client.post(
        f"/avsnitt/{sid}/redigera",
        data={"csrf": token, "bas": base, "text": text, "gor": action},
        follow_redirects=False,
    )


def test_a_looping_preview_is_killed_at_the_limit_while_another_writer_saves_and_previews(
    workspace, tmp_path
):
    site = make_site(workspace, f"sqlite:///{tmp_path / 'w.sqlite'}", preview_seconds=1.5)
    pool = site.client_factory.state.web.previews
    try:
        sam, ola = site.client("sam"), site.client("ola")
        # Both workers started and holding the report's data, as on a server that has run a while.
        warm: list[object] = []
        starters = [
            threading.Thread(
                target=lambda c=c, sid=sid: warm.append(
                    send(c, sid, "Årets resultat: {{ v.arets_resultat | tkr }}.\n", "forhandsgranska")
                )
            )
            for c, sid in ((sam, RR), (ola, OTHER))
        ]
        for t in starters:
            t.start()
        for t in starters:
            t.join()
        assert all("Årets resultat: 1\u00a0376\u00a0tkr." in shown(r.text) for r in warm)
        assert len(pool._all) == 2

        runaway: dict[str, object] = {}

        def loop() -> None:
            runaway["answer"] = send(sam, RR, LOOP, "forhandsgranska")

        thread = threading.Thread(target=loop)
        thread.start()
        time.sleep(0.5)  # the loop is running in its worker now
        start = time.monotonic()
        _, _, text = editor(ola, OTHER)
        saved = send(ola, OTHER, text + "\nEn mening medan någon annans slinga går.\n", "spara")
        save_seconds = time.monotonic() - start
        assert saved.status_code == 303
        assert save_seconds < 1.5, "a save does not wait for another writer's preview"
        preview = send(ola, OTHER, "Nettokostnaden: {{ v.arets_resultat | tkr }}.\n", "forhandsgranska")
        assert "Nettokostnaden: 1\u00a0376\u00a0tkr." in shown(preview.text)
        thread.join(timeout=60)

        answer = runaway["answer"]
        assert answer.status_code == 200  # the editor, with the message where the preview would be
        # The pool's limit stopped it, not the sandbox's own count of loop turns.
        assert "förhandsgranskningen tog längre tid än gränsen (1.5 s)" in shown(answer.text)
        assert pool.killed == 1
        assert "{% for i in range(90000)" not in (site.root / "text" / f"{RR}.md").read_text(encoding="utf-8")
        # The killed worker is replaced: the next preview works.
        again = send(sam, RR, "Igen: {{ v.arets_resultat | tkr }}.\n", "forhandsgranska")
        assert "Igen: 1\u00a0376\u00a0tkr." in shown(again.text)
    finally:
        pool.close()
        site.db.close()


def test_a_saved_chapter_that_loops_shows_a_message_on_its_pages_while_the_others_work_on(
    workspace, tmp_path
):
    site = make_site(workspace, f"sqlite:///{tmp_path / 'w.sqlite'}", preview_seconds=1.5)
    pool = site.client_factory.state.web.previews
    try:
        sam, ola, rut = site.client("sam"), site.client("ola"), site.client("rut")
        # A worker and the editor's figure picker warm, as on a server that has run a while.
        assert "Förvaltningsberättelse" in shown(ola.get(f"/avsnitt/{OTHER}").text)
        editor(ola, OTHER)
        # Saved in the folder, as an editor or git pull would; the web records it on the next read.
        (site.root / "text" / f"{RR}.md").write_text("# Finansiella rapporter\n\n" + LOOP, encoding="utf-8")

        answers: dict[str, object] = {}

        def section_page() -> None:
            answers["page"] = sam.get(f"/avsnitt/{RR}")

        thread = threading.Thread(target=section_page)
        thread.start()
        time.sleep(0.5)  # the loop is running in a worker now
        start = time.monotonic()
        _, _, text = editor(ola, OTHER)
        saved = send(ola, OTHER, text + "\nSkrivet medan en annans kapitel snurrar.\n", "spara")
        contents = ola.get("/")
        other_seconds = time.monotonic() - start
        assert saved.status_code == 303 and contents.status_code == 200
        assert "page" not in answers, "the other writer was answered while the loop still ran"
        assert other_seconds < 1.5
        thread.join(timeout=60)

        page = answers["page"]
        assert page.status_code == 200
        assert "avsnittet tog längre tid än gränsen (1.5 s) att sätta ihop och avbröts" in shown(page.text)
        assert pool.killed == 1

        # The text is known now: another writer's page and the whole report answer, the report
        # naming the chapter, and nothing composes the loop again until the text changes.
        own = ola.get(f"/avsnitt/{OTHER}")
        report = rut.get("/rapport")
        again = sam.get(f"/avsnitt/{RR}")
        assert "Skrivet medan en annans kapitel snurrar." in shown(own.text)
        assert report.status_code == 200 and again.status_code == 200
        for answer in (report, again):
            assert f"text/{RR}.md" in shown(answer.text)
            assert "kapitlet tog längre tid än gränsen (1.5 s) att sätta ihop" in shown(answer.text)
            assert "förrän texten ändras" in shown(answer.text)
        assert pool.killed == 1

        # Corrected, it shows again.
        _, _, _ = editor(sam, RR)
        fixed = send(
            sam, RR, "# Finansiella rapporter\n\nÅrets resultat: {{ v.arets_resultat | tkr }}.\n", "spara"
        )
        assert fixed.status_code == 303
        assert "Årets resultat: 1\u00a0376\u00a0tkr." in shown(sam.get(f"/avsnitt/{RR}").text)
    finally:
        site.close()


def test_a_chapter_that_builds_a_huge_text_gets_a_swedish_message_on_the_section_and_report_pages(
    workspace, tmp_path
):
    site = make_site(workspace, f"sqlite:///{tmp_path / 'w.sqlite'}", preview_seconds=5)
    try:
        huge = '{% set s = "x" * 1000000 %}{% for i in range(1000) %}{{ s }}{% endfor %}\n'
        (site.root / "text" / f"{RR}.md").write_text("# Finansiella rapporter\n\n" + huge, encoding="utf-8")
        rut = site.client("rut")
        for path in (f"/avsnitt/{RR}", "/rapport"):
            page = rut.get(path)
            assert page.status_code == 200
            assert "kapitlet skulle bli för stort (mer än 20 miljoner tecken)" in shown(page.text)
        assert f"text/{RR}.md:3: fel: kapitlet skulle bli för stort" in shown(page.text)
    finally:
        site.close()
