"""The workflow: statuses, the overview, locking and fastställande, and drill-down from the report."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

from tests.web.conftest import OTHER, RR, csrf_of

from bokslut.web.db import ReportState, Status


def shown(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def post(client, path: str, **data):
    token = csrf_of(client.get("/").text)
    return client.post(path, data={"csrf": token, **data}, follow_redirects=False)


def test_ready_then_back_with_a_comment_then_ready_and_approved(site):
    sam, gun = site.client("sam"), site.client("gun")
    assert post(sam, f"/avsnitt/{RR}/status", handling="klarmarkera").status_code == 303
    assert site.db.section_info(RR).status is Status.READY
    # Sending back needs a reason.
    r = post(gun, f"/avsnitt/{RR}/status", handling="skicka-tillbaka", kommentar="  ")
    assert r.status_code == 400 and "Skriv en kommentar som säger vad som behöver ändras." in shown(r.text)
    r = post(gun, f"/avsnitt/{RR}/status", handling="skicka-tillbaka", kommentar="Not 3 saknar fjolåret")
    assert r.status_code == 303 and site.db.section_info(RR).status is Status.IN_PROGRESS
    page = shown(sam.get(f"/avsnitt/{RR}").text)
    assert "Not 3 saknar fjolåret" in page  # the comment reaches the writer
    assert "klar för granskning → pågår (Not 3 saknar fjolåret)" in page
    post(sam, f"/avsnitt/{RR}/status", handling="klarmarkera")
    # Approving twice from the same old page: the second finds it already approved.
    assert post(gun, f"/avsnitt/{RR}/status", handling="godkann").status_code == 303
    again = post(gun, f"/avsnitt/{RR}/status", handling="godkann")
    assert again.status_code == 409 and "Avsnittet är godkänd" in shown(again.text)
    assert site.db.section_info(RR).status is Status.APPROVED


def test_an_unknown_action_is_a_400(site):
    r = post(site.client("ada"), f"/avsnitt/{RR}/status", handling="radera-allt")
    assert r.status_code == 400 and "Okänd handling." in shown(r.text)


def test_the_overview_shows_progress_per_person_lateness_and_filters(site):
    ada = site.client("ada")
    sam_id = site.db.user_by_name("sam").id
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    r = post(ada, f"/avsnitt/{RR}/tilldela", ansvarig=str(sam_id), deadline=yesterday)
    assert r.status_code == 303
    post(ada, f"/avsnitt/{OTHER}/tilldela", ansvarig=str(sam_id), deadline="2999-01-01")
    site.db.set_status(OTHER, None, Status.READY, "", expect=Status.NOT_STARTED)
    page = ada.get("/oversikt").text
    row = re.search(r'<tr><th scope="row">Sam</th>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "0", "1", "0", "1", "2"]
    late = shown(ada.get("/oversikt?visa=sena").text)
    assert "Finansiella rapporter" in late and "försenad" in late and "Förvaltningsberättelse" not in late
    not_ready = shown(ada.get("/oversikt?visa=ej-klara").text)
    assert "Finansiella rapporter" in not_ready and "Förvaltningsberättelse" not in not_ready
    contents = shown(ada.get("/").text)
    assert f"Sam\n  {yesterday} försenad" in contents.replace("\r", "")
    bad = post(ada, f"/avsnitt/{RR}/tilldela", ansvarig="", deadline="31/12")
    assert bad.status_code == 400 and "'31/12' är inget datum (skriv ÅÅÅÅ-MM-DD)" in shown(bad.text)


def test_locked_report_refuses_edits_fastställd_freezes_a_build_and_a_new_version_keeps_the_old(site):
    ada, sam = site.client("ada"), site.client("sam")
    assert post(ada, "/rapport/lage", handling="las").status_code == 303
    assert sam.get(f"/avsnitt/{RR}/redigera").status_code == 423
    r = post(sam, f"/avsnitt/{RR}/redigera", text="x", bas="x", gor="spara")
    assert r.status_code == 423 and "Rapporten är låst för fastställande" in shown(r.text)
    # Comments go on during the final read.
    assert post(site.client("gun"), f"/avsnitt/{RR}/kommentar", kommentar="Läst.").status_code == 303
    assert post(ada, "/rapport/lage", handling="faststall").status_code == 303
    fixed = site.db.current_version()
    assert fixed.state is ReportState.FIXED and fixed.folder == f".bokslut-webb/versioner/{fixed.id}"
    sums = dict(line.split("  ")[::-1] for line in fixed.sums.splitlines())
    assert set(sums) == {"arsredovisning-2023.html", "arsredovisning-2023.json"}
    page = ada.get("/rapport/lage").text
    assert all(digest in page for digest in sums.values())
    frozen = ada.get(f"/rapport/version/{fixed.id}/arsredovisning-2023.json")
    assert hashlib.sha256(frozen.content).hexdigest() == sums["arsredovisning-2023.json"]
    assert post(ada, "/rapport/lage", handling="ny-version").status_code == 303
    assert site.db.current_version().state is ReportState.OPEN
    # The old version stays readable, its files as they were frozen.
    again = site.client("rut").get(f"/rapport/version/{fixed.id}/arsredovisning-2023.html")
    assert hashlib.sha256(again.content).hexdigest() == sums["arsredovisning-2023.html"]
    assert sam.get(f"/avsnitt/{RR}/redigera").status_code == 200


def test_a_tampered_frozen_file_is_not_served_as_the_fastställd_one(site):
    ada = site.client("ada")
    post(ada, "/rapport/lage", handling="las")
    post(ada, "/rapport/lage", handling="faststall")
    v = site.db.current_version()
    (site.root / v.folder / "arsredovisning-2023.json").write_text("{}", encoding="utf-8")
    r = ada.get(f"/rapport/version/{v.id}/arsredovisning-2023.json")
    assert r.status_code == 409 and "Filen har ändrats sedan rapporten fastställdes." in shown(r.text)


def test_only_the_admin_moves_the_report(site):
    for name in ("rut", "sam", "gun"):
        assert post(site.client(name), "/rapport/lage", handling="las").status_code == 403
    assert post(site.client("ada"), "/rapport/lage", handling="faststall").status_code == 409  # not locked


def test_every_table_cell_of_the_report_links_to_its_drill_down_which_adds_up(site):
    c = site.client("rut")
    report = c.get("/rapport").text
    href = "/harled/resultatrakning/verksamhetens_kostnader/utfall"
    assert f'<a class="harled" href="{href}">−31\u00a0822</a>' in report
    page = c.get(href)
    assert page.status_code == 200
    text = shown(page.text)
    assert "visas i rapporten som −31\u00a0822 tkr · exakt −31\u00a0822\u00a0400,00 kr" in text
    assert "Summa konton−31\u00a0822\u00a0400,00 kr" in text.replace("\n", "")
    account = re.search(rf'<a href="{href}\?konto=(\d+)">', page.text).group(1)
    vouchers = shown(c.get(f"{href}?konto={account}").text)
    assert f"Konto {account}" in vouchers and "data/ledger/2023.se:" in vouchers
    assert c.get(f"{href}?konto=9999").status_code == 404
    assert c.get(f"{href}?konto={account}&sida=noll").status_code == 400
