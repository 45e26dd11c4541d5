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
            start = time.monotonic()
            runaway["answer"] = send(sam, RR, LOOP, "forhandsgranska")
            runaway["seconds"] = time.monotonic() - start

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
        assert "förhandsgranskningen tog längre tid än gränsen (1.5 s)" in shown(answer.text)
        assert runaway["seconds"] < 10, "killed before the sandbox's own limit"
        assert pool.killed == 1
        assert "{% for i in range(90000)" not in (site.root / "text" / f"{RR}.md").read_text(encoding="utf-8")
        # The killed worker is replaced: the next preview works.
        again = send(sam, RR, "Igen: {{ v.arets_resultat | tkr }}.\n", "forhandsgranska")
        assert "Igen: 1\u00a0376\u00a0tkr." in shown(again.text)
    finally:
        pool.close()
        site.db.close()
