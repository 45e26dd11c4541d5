"""Log-in, sessions, CSRF and who may do what: every check made on the server."""

from __future__ import annotations

import pytest
from tests.web.conftest import OTHER, RR, csrf_of, login

from bokslut.web.db import Status


def test_every_page_asks_for_log_in_first(site):
    c = site.client()
    for path in (
        "/",
        f"/avsnitt/{RR}",
        "/rapport",
        "/oversikt",
        "/harled/resultatrakning/arets_resultat/utfall",
    ):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/logga-in?nasta=")
    page = c.get("/", follow_redirects=True)
    assert "<h1>Logga in</h1>" in page.text


def test_log_in_sets_a_secure_http_only_strict_cookie_and_log_out_ends_the_session(site):
    c = site.client()
    r = login(c, "ada")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    home = c.get("/")
    assert "Ada (administratör)" in home.text
    stolen = dict(c.cookies)
    c.post("/logga-ut", data={"csrf": csrf_of(home.text)})
    # The cookie of the ended session is worth nothing, even replayed.
    thief = site.client()
    thief.cookies.update(stolen)
    assert thief.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_says_so_in_swedish_without_telling_which_part_was_wrong(site):
    c = site.client()
    wrong = login(c, "ada", "fel-losenord")
    nobody = login(c, "finns-inte", "fel-losenord")
    assert wrong.status_code == nobody.status_code == 400
    assert (
        "Fel användarnamn eller lösenord." in wrong.text and "Fel användarnamn eller lösenord." in nobody.text
    )


def test_after_five_failures_even_the_right_password_waits(site):
    c = site.client()
    for _ in range(5):
        assert login(c, "ada", "fel-losenord").status_code == 400
    r = login(c, "ada")
    assert r.status_code == 429
    assert "För många misslyckade inloggningar – vänta 15 minuter och försök igen." in r.text


def test_a_form_without_the_right_csrf_token_is_refused(site):
    c = site.client("sam")
    page = c.get(f"/avsnitt/{RR}/redigera")
    before = (site.root / "text" / f"{RR}.md").read_text(encoding="utf-8")
    for token in (None, "förfalskad", csrf_of(page.text)[:-1] + "x"):
        data = {"text": "# Kapat\n", "bas": "x", "gor": "spara"}
        if token is not None:
            data["csrf"] = token
        r = c.post(f"/avsnitt/{RR}/redigera", data=data)
        assert r.status_code == 403
        assert "Formuläret kunde inte kontrolleras (CSRF)" in r.text
    assert (site.root / "text" / f"{RR}.md").read_text(encoding="utf-8") == before


def test_a_tampered_session_cookie_is_no_session(site):
    c = site.client("ada")
    value = c.cookies["bokslut_session"]
    c.cookies.clear()
    c.cookies.set("bokslut_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert c.get("/", follow_redirects=False).status_code == 303
    r = c.post("/rapport/lage", data={"csrf": "x", "handling": "las"})
    assert r.status_code == 401 and "Du är inte inloggad" in r.text


def test_the_next_page_after_log_in_stays_on_this_site(site):
    c = site.client()
    page = c.get("/logga-in?nasta=//ond.example/")
    assert 'name="nasta" value="/"' in page.text


# What each role may do with the section RR, as (method, path-or-action) → status.
ACTIONS = [
    "lasa",
    "redigera-sida",
    "spara",
    "klarmarkera",
    "kommentera",
    "oversikt",
    "anvandare",
    "las-rapport",
]
EXPECTED = {
    #        läsa redig spara klar komm  övers anv  lås
    "ada": [200, 200, 303, 303, 303, 200, 200, 303],
    "rut": [200, 403, 403, 403, 403, 403, 403, 403],
    "sam": [200, 200, 303, 303, 303, 403, 403, 403],
    "gun": [200, 403, 403, 403, 303, 403, 403, 403],
    "ola": [200, 403, 403, 403, 403, 403, 403, 403],
}


def _do(site, c, action: str) -> int:
    home = c.get("/")
    token = csrf_of(home.text)
    path = site.root / "text" / f"{RR}.md"
    from bokslut.web.db import sha256_text

    if action == "lasa":
        return c.get(f"/avsnitt/{RR}").status_code
    if action == "redigera-sida":
        return c.get(f"/avsnitt/{RR}/redigera").status_code
    if action == "spara":
        text = path.read_text(encoding="utf-8")
        data = {"csrf": token, "text": text + "\nNy mening.\n", "bas": sha256_text(text), "gor": "spara"}
        return c.post(f"/avsnitt/{RR}/redigera", data=data, follow_redirects=False).status_code
    if action == "klarmarkera":
        data = {"csrf": token, "handling": "klarmarkera"}
        return c.post(f"/avsnitt/{RR}/status", data=data, follow_redirects=False).status_code
    if action == "kommentera":
        data = {"csrf": token, "kommentar": "Bra!"}
        return c.post(f"/avsnitt/{RR}/kommentar", data=data, follow_redirects=False).status_code
    if action == "oversikt":
        return c.get("/oversikt").status_code
    if action == "anvandare":
        return c.get("/anvandare").status_code
    assert action == "las-rapport"
    return c.post(
        "/rapport/lage", data={"csrf": token, "handling": "las"}, follow_redirects=False
    ).status_code


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_role_can_do_exactly_what_it_may(site, name):
    c = site.client(name)
    got = []
    for action in ACTIONS:
        got.append(_do(site, c, action))
        # Each action starts from the same state: the section in progress, the report open.
        site.db.set_status(RR, None, Status.IN_PROGRESS, "", expect=site.db.section_info(RR).status)
        current = site.db.current_version()
        if current.state.value != "oppen":
            site.db.set_state(current.id, current.state, type(current.state)("oppen"))
    assert dict(zip(ACTIONS, got, strict=True)) == dict(zip(ACTIONS, EXPECTED[name], strict=True))


def test_approval_belongs_to_the_approver_and_the_admin_only(site):
    site.db.set_status(RR, None, Status.READY, "", expect=Status.NOT_STARTED)
    for name, status in (("sam", 403), ("rut", 403), ("ola", 403), ("gun", 303)):
        c = site.client(name)
        token = csrf_of(c.get("/").text)
        r = c.post(
            f"/avsnitt/{RR}/status", data={"csrf": token, "handling": "godkann"}, follow_redirects=False
        )
        assert r.status_code == status, name
    assert site.db.section_info(RR).status is Status.APPROVED


def test_comments_are_shown_to_the_sections_people_not_to_writers_of_other_sections(site):
    site.db.add_comment(RR, site.db.user_by_name("gun").id, "Kolla noten om pensioner")
    for name, sees in (("ada", True), ("rut", True), ("sam", True), ("gun", True), ("ola", False)):
        page = site.client(name).get(f"/avsnitt/{RR}").text
        assert ("Kolla noten om pensioner" in page) is sees, name


def test_password_login_for_another_section_writer_cannot_edit_through_a_forged_id(site):
    c = site.client("ola")
    token = csrf_of(c.get("/").text)
    r = c.post(f"/avsnitt/{RR}/redigera", data={"csrf": token, "text": "x", "bas": "x", "gor": "spara"})
    assert r.status_code == 403 and "Du har inte behörighet till det här." in r.text
    assert c.get(f"/avsnitt/{OTHER}/redigera").status_code == 200
