"""Writing a section in the web: saves, conflicts, history, preview, the figure picker, bad input."""

from __future__ import annotations

import html
import re

import pytest
from tests.web.conftest import RR, csrf_of, make_site

from bokslut.web.db import Status, sha256_text


def shown(page: str) -> str:
    """The page's text as a reader sees it (tags gone, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def chapter(site) -> str:
    return (site.root / "text" / f"{RR}.md").read_text(encoding="utf-8")


def editor(client) -> tuple[str, str, str]:
    """(csrf, base hash, text) as the editor page gives them."""
    page = client.get(f"/avsnitt/{RR}/redigera")
    assert page.status_code == 200
    base = re.search(r'name="bas" value="([0-9a-f]{64})"', page.text).group(1)
    text = html.unescape(re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', page.text, re.S).group(1))
    return csrf_of(page.text), base, text


def save(client, token: str, base: str, text: str, action: str = "spara"):
    return client.post(
        f"/avsnitt/{RR}/redigera",
        data={"csrf": token, "bas": base, "text": text, "gor": action},
        follow_redirects=False,
    )


def test_a_save_writes_the_chapter_file_that_build_reads_and_records_who(site):
    c = site.client("sam")
    token, base, text = editor(c)
    new = text.replace("\n", "\r\n") + "\r\nÅrets resultat: {{ v.arets_resultat | tkr }}.\r\n"
    r = save(c, token, base, new)
    assert r.status_code == 303 and r.headers["location"] == f"/avsnitt/{RR}?sparat=1"
    on_disk = chapter(site)
    assert on_disk == text + "\nÅrets resultat: {{ v.arets_resultat | tkr }}.\n"  # LF, as the folder keeps it
    page = c.get(f"/avsnitt/{RR}").text
    assert "Årets resultat: 1\u00a0376\u00a0tkr." in shown(page)  # composed like build composes it
    # The figure in the text links to its drill-down, through the cell it comes from.
    assert '<a class="harled" href="/harled/resultatrakning/arets_resultat/utfall">' in page
    assert site.db.section_info(RR).status is Status.IN_PROGRESS
    newest = site.db.history(RR)[0]
    assert (newest.user, newest.text, newest.kind) == ("Sam", on_disk, "spara")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_second_writer_gets_409_with_both_versions_and_nothing_is_overwritten(
    workspace, tmp_path, request, backend
):
    from tests.web.postgres import fresh_database

    url = (
        f"sqlite:///{tmp_path / 'w.sqlite'}"
        if backend == "sqlite"
        else fresh_database(request.getfixturevalue("postgres_server"))
    )
    site = make_site(workspace, url)
    sam, ada = site.client("sam"), site.client("ada")
    sam_token, sam_base, text = editor(sam)
    ada_token, ada_base, _ = editor(ada)
    assert save(ada, ada_token, ada_base, text + "\nAdas stycke.\n").status_code == 303
    r = save(sam, sam_token, sam_base, text + "\nSams stycke.\n")
    assert r.status_code == 409
    assert "Avsnittet har ändrats sedan du öppnade det" in r.text
    page = html.unescape(r.text)
    assert "Adas stycke." in page and "Sams stycke." in page  # the saved version and the writer's own
    assert "borttaget: +Adas stycke." not in page
    assert chapter(site) == text + "\nAdas stycke.\n"
    # The conflict page carries the new base: a save from it goes through.
    new_base = re.search(r'name="bas" value="([0-9a-f]{64})"', r.text).group(1)
    assert new_base == sha256_text(chapter(site))
    assert save(sam, csrf_of(r.text), new_base, text + "\nAdas stycke.\n\nSams stycke.\n").status_code == 303
    assert [s.user for s in site.db.history(RR)][:2] == ["Sam", "Ada"]
    site.close()


def test_a_change_made_in_the_folder_is_a_conflict_too_and_enters_the_history(site):
    c = site.client("sam")
    token, base, text = editor(c)
    (site.root / "text" / f"{RR}.md").write_text(text + "\nFrån git pull.\n", encoding="utf-8")
    r = save(c, token, base, text + "\nFrån webben.\n")
    assert r.status_code == 409
    assert chapter(site) == text + "\nFrån git pull.\n"
    kinds = [(s.kind, s.user) for s in site.db.history(RR)]
    assert kinds == [("utanfor", None), ("forsta", None)]


def test_history_shows_a_readable_diff_and_restores_an_earlier_version(site):
    c = site.client("sam")
    token, base, text = editor(c)
    save(c, token, base, text + "\nFörsta tillägget.\n")
    token, base, _ = editor(c)
    save(c, token, base, text + "\nAndra tillägget.\n")
    page = c.get(f"/avsnitt/{RR}/historik").text
    assert "3 versioner" in page
    assert '<ins><span class="dold">tillagt: </span>+Andra tillägget.</ins>' in page
    assert '<del><span class="dold">borttaget: </span>-Första tillägget.</del>' in page
    first = site.db.history(RR)[1]
    version = c.get(f"/avsnitt/{RR}/historik/{first.id}")
    assert version.status_code == 200
    base = re.search(r'name="bas" value="([0-9a-f]{64})"', version.text).group(1)
    r = c.post(
        f"/avsnitt/{RR}/historik/{first.id}/aterstall",
        data={"csrf": csrf_of(version.text), "bas": base},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert chapter(site) == text + "\nFörsta tillägget.\n"
    assert site.db.history(RR)[0].kind == "aterstall"
    assert len(site.db.history(RR)) == 4  # the restored-over text stays in the history


def test_a_jinja_error_in_the_text_is_shown_inline_in_swedish_not_a_500(site):
    c = site.client("sam")
    token, base, text = editor(c)
    bad = text + "\n{{ v.arets_resultat | tkr \n\n{{ v.finns_inte | tkr }}\n"
    r = save(c, token, base, bad, action="forhandsgranska")
    assert r.status_code == 200
    assert "Texten har fel:" in r.text and "fel i uttrycket" in r.text
    assert chapter(site) == text  # a preview saves nothing
    # Saved anyway (a draft may be wrong), the section page shows the errors, not a 500.
    assert save(c, token, base, bad).status_code == 303
    page = c.get(f"/avsnitt/{RR}")
    assert page.status_code == 200 and "Avsnittet har fel och kan inte visas:" in page.text


def test_a_preview_of_a_runaway_loop_stops_at_the_sandbox_limit(site):
    c = site.client("sam")
    token, base, _ = editor(c)
    r = save(
        c,
        token,
        base,
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\n",
        action="forhandsgranska",
    )
    assert r.status_code == 200 and "kapitlet gör för mycket arbete" in html.unescape(r.text)


def test_the_figure_picker_offers_named_values_with_their_current_value_and_the_markdown_a_person_writes(
    site,
):
    c = site.client("sam")
    page = html.unescape(c.get(f"/avsnitt/{RR}/redigera").text)
    row = re.search(r"<tr><th scope=\"row\">arets resultat</th>(.*?)</tr>", page, re.S).group(1)
    assert "1\u00a0376\u00a0tkr" in row
    assert 'data-infoga="{{ v.arets_resultat | tkr }}"' in row
    cells = html.unescape(c.get(f"/avsnitt/{RR}/redigera?tabell=resultatrakning").text)
    assert 'data-infoga="{{ cell("resultatrakning", "verksamhetens_kostnader", "utfall") | tkr }}"' in cells
    assert "−31\u00a0822\u00a0tkr" in cells


@pytest.mark.parametrize(
    "path",
    [
        "/avsnitt/..%2F..%2Fbokslut.toml",
        "/avsnitt/..%2Fbokslut/redigera",
        "/avsnitt/%2Fetc%2Fpasswd/historik",
        "/avsnitt/.bokslut-webb/redigera",
        "/avsnitt/03-finansiella-rapporter.md/redigera",
        "/rapport/version/1/../../bokslut.toml",
        "/rapport/version/1/%2E%2E/%2E%2E/bokslut.toml",
        "/harled/..%2F..%2Fx/y/z",
    ],
)
def test_ids_in_urls_never_reach_a_file_outside_the_sections(site, path):
    c = site.client("ada")
    r = c.get(path)
    assert r.status_code == 404, path
    assert "Felkod 404" in r.text and "bokslut.toml" not in r.text.replace(path, "")


def test_a_history_id_of_another_section_is_not_found(site):
    c = site.client("ada")
    other = site.db.record_save("01-forvaltningsberattelse", None, "Annat avsnitt\n", "forsta")
    assert c.get(f"/avsnitt/{RR}/historik/{other}").status_code == 404
    token = csrf_of(c.get("/").text)
    r = c.post(f"/avsnitt/{RR}/historik/{other}/aterstall", data={"csrf": token, "bas": "x"})
    assert r.status_code == 404


def test_role_forms_cannot_name_a_section_that_is_not_there(site):
    c = site.client("ada")
    token = csrf_of(c.get("/anvandare").text)
    uid = site.db.user_by_name("sam").id
    r = c.post(
        f"/anvandare/{uid}/roller", data={"csrf": token, "roll": "medarbetare", "skribent:../../x": "on"}
    )
    assert r.status_code == 400 and "Ett av avsnitten finns inte." in r.text


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"bas": "x", "gor": "spara"}, 400, "Formuläret saknar fältet 'text'."),
        ({"text": "x", "gor": "spara"}, 400, "Formuläret saknar fältet 'bas'."),
        ({"text": "x" * (1024 * 1024 + 10), "bas": "x", "gor": "spara"}, 413, "är för långt"),
    ],
)
def test_malformed_forms_get_a_swedish_4xx_and_nothing_is_harmed(site, data, status, message):
    c = site.client("sam")
    token, _, text = editor(c)
    r = c.post(f"/avsnitt/{RR}/redigera", data={"csrf": token, **data})
    assert r.status_code == status and message in html.unescape(r.text)
    assert chapter(site) == text


def test_an_oversized_body_and_a_broken_multipart_form_are_refused(site):
    c = site.client("sam")
    editor(c)
    big = c.post(
        f"/avsnitt/{RR}/redigera",
        content=b"x" * (5 * 1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413 and "Formuläret är för stort." in big.text
    broken = c.post(
        f"/avsnitt/{RR}/redigera",
        content=b"--zz\r\nnonsense",
        headers={"content-type": "multipart/form-data; boundary=zz"},
    )
    assert broken.status_code in (400, 403)
    assert "Felkod" in broken.text
