"""Goal follow-up forms: utfall, prognos and bedömning per indicator, status per political assignment."""

from __future__ import annotations

import html
import re

import pytest
from tests.web.conftest import OTHER, RR, csrf_of, make_site

from bokslut.followup import load_beslut, load_goals
from bokslut.workspace.layout import Layout

# Målområde 1 is shown by the förvaltningsberättelse (OTHER), which ola writes; sam writes RR.
AREA = "/mal/1"
# Indicator 2 of målområde 1: "Kundtjänst – andel samtal som besvaras inom 30 sekunder",
# its utfall computed (=samtal_kundtjanst_andel_inom_30s_2023), its prognos empty.
KUNDTJANST = 2


def shown(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def form(client, url: str = AREA) -> tuple[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    base = re.search(r'name="bas" value="([0-9a-f]{64})"', page.text).group(1)
    return csrf_of(page.text), base


def post(client, fields: dict[str, str], url: str = AREA):
    token, base = form(client, url)
    return client.post(url, data={"csrf": token, "bas": base, **fields}, follow_redirects=False)


def goals_file(site) -> str:
    return (site.root / "data" / "mal.yaml").read_text(encoding="utf-8")


def indicator(site, area: int = 0, goal: int = 1, ind: int = 0):
    goals, _, findings = load_goals(Layout(site.root))  # the CLI's own reading of the file
    assert goals is not None and not findings
    return goals.malomraden[area].mal[goal].indikatorer[ind]


def test_the_writer_of_the_section_saves_prognos_and_assessment_and_the_cli_reads_them(site):
    ola = site.client("ola")
    before = goals_file(site)
    r = post(
        ola,
        {
            f"prognos-{KUNDTJANST}": "92,5",
            f"bedomning-{KUNDTJANST}": "delvis",
            f"motivering-{KUNDTJANST}": "Kön växte under hösten när två handläggare slutade.",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/mal/1?sparat=1"
    after = goals_file(site)
    assert (
        after.splitlines()[0]
        == before.splitlines()[0]
        == "# Lystkoms mål 2022–2024 med målvärden för 2023 (direktionens beslut)."
    )
    ind = indicator(site)
    assert ind.prognos == 92.5
    assert (ind.bedomning.varde, ind.bedomning.motivering) == (
        "delvis",
        "Kön växte under hösten när två handläggare slutade.",
    )
    assert ind.utfall == "=samtal_kundtjanst_andel_inom_30s_2023"  # computed: untouched
    page = ola.get("/mal/1?sparat=1").text
    assert "Målen är sparade i data/mal.yaml." in page
    assert f'name="prognos-{KUNDTJANST}" value="92,5"' in page
    assert "sparad av Ola" in shown(page)
    newest = site.db.history("data/mal.yaml")[0]
    assert (newest.user, newest.text, newest.kind) == ("Ola", after, "spara")
    # The report composed from the folder shows the person's assessment with its reason.
    chapter = ola.get(f"/avsnitt/{OTHER}").text
    assert "Kön växte under hösten när två handläggare slutade." in shown(chapter)


def test_a_number_in_swedish_format_is_stored_as_a_number(site):
    r = post(site.client("ola"), {f"prognos-{KUNDTJANST}": "1 234,5"})
    assert r.status_code == 303
    assert indicator(site).prognos == 1234.5
    r = post(site.client("ola"), {f"prognos-{KUNDTJANST}": "\u2212 7"})  # a stray space is no number
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({f"prognos-{KUNDTJANST}": "1.234,5"}, "'1.234,5' är inget tal – skriv t.ex. 1 234,5"),
        (
            {f"prognos-{KUNDTJANST}": "=arets_resultat"},
            "en hänvisning (=namn) till ett framräknat värde skrivs i filen",
        ),
        (
            {f"bedomning-{KUNDTJANST}": "jättebra", f"motivering-{KUNDTJANST}": "x"},
            "välj en av bedömningarna i listan",
        ),
        (
            {f"bedomning-{KUNDTJANST}": "uppfyllt", f"motivering-{KUNDTJANST}": "  "},
            "en egen bedömning behöver en motivering",
        ),
        (
            {f"bedomning-{KUNDTJANST}": "", f"motivering-{KUNDTJANST}": "för att"},
            "motiveringen hör till en bedömning",
        ),
    ],
)
def test_invalid_input_is_a_swedish_message_in_the_form_and_nothing_is_written(site, fields, message):
    before = goals_file(site)
    r = post(site.client("ola"), fields)
    assert r.status_code == 422
    assert message in shown(r.text)
    assert "Formuläret har fel och är inte sparat" in shown(r.text)
    assert 'aria-invalid="true"' in r.text
    assert goals_file(site) == before
    assert site.db.history("data/mal.yaml") == [] or all(
        s.kind != "spara" for s in site.db.history("data/mal.yaml")
    )


def test_a_computed_utfall_cannot_be_changed_through_the_form(site):
    page = site.client("ola").get(AREA).text
    assert 'name="utfall-0"' not in page
    assert "räknas fram (=nki_kundtjanst_2023)" in shown(page)
    r = post(site.client("ola"), {"utfall-0": "9,9", f"prognos-{KUNDTJANST}": "90"})
    assert r.status_code == 303
    assert indicator(site, goal=0, ind=0).utfall == "=nki_kundtjanst_2023"


@pytest.mark.parametrize("name", ["sam", "gun", "rut"])
def test_only_writers_of_the_section_showing_the_area_and_administrators_may_save(site, name):
    before = goals_file(site)
    c = site.client(name)
    page = c.get(AREA)
    assert page.status_code == 200 and '<button type="submit">Spara</button>' not in page.text
    token = csrf_of(page.text)
    base = re.search(r'name="bas" value="([0-9a-f]{64})"', site.client("ola").get(AREA).text).group(1)
    r = c.post(AREA, data={"csrf": token, "bas": base, f"prognos-{KUNDTJANST}": "1"}, follow_redirects=False)
    assert r.status_code == 403 and "Du har inte behörighet till det här." in shown(r.text)
    assert goals_file(site) == before
    assert post(site.client("ada"), {f"prognos-{KUNDTJANST}": "91"}).status_code == 303


def test_a_locked_report_takes_no_goal_changes(site):
    ada = site.client("ada")
    page = ada.get("/rapport/lage")
    assert ada.post("/rapport/lage", data={"csrf": csrf_of(page.text), "handling": "las"}).status_code in (
        200,
        303,
    )
    ola = site.client("ola")
    token = csrf_of(ola.get(AREA).text)
    r = ola.post(
        AREA, data={"csrf": token, "bas": "0" * 64, f"prognos-{KUNDTJANST}": "1"}, follow_redirects=False
    )
    assert r.status_code == 423 and "inga ändringar görs nu" in shown(r.text).casefold()


def test_a_stale_form_gets_409_and_a_change_in_the_folder_is_detected(workspace, db_url):
    site = make_site(workspace, db_url)
    try:
        first, second = site.client("ola"), site.client("ada")
        t1, b1 = form(first)
        t2, b2 = form(second)
        assert (
            first.post(
                AREA, data={"csrf": t1, "bas": b1, f"prognos-{KUNDTJANST}": "80"}, follow_redirects=False
            ).status_code
            == 303
        )
        r = second.post(
            AREA, data={"csrf": t2, "bas": b2, f"prognos-{KUNDTJANST}": "70"}, follow_redirects=False
        )
        assert r.status_code == 409
        assert "Målen har ändrats sedan du öppnade sidan" in shown(r.text)
        assert "Ditt värde: 70" in shown(r.text)
        assert indicator(site).prognos == 80  # the first save stands
        # An editor changes the file in the folder; the open form's save is refused the same way.
        t3, b3 = form(first)
        path = site.root / "data" / "mal.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("ar: 2023", "ar: 2023  # ändrad i mappen"),
            encoding="utf-8",
        )
        r = first.post(
            AREA, data={"csrf": t3, "bas": b3, f"prognos-{KUNDTJANST}": "60"}, follow_redirects=False
        )
        assert r.status_code == 409
        assert indicator(site).prognos == 80
        kinds = [s.kind for s in site.db.history("data/mal.yaml")]
        assert kinds[0] == "utanfor" and "spara" in kinds
    finally:
        site.close()


def test_a_goal_area_that_is_not_there_is_not_found_and_two_goal_files_are_refused(site):
    assert site.client("ola").get("/mal/99").status_code == 404
    assert site.client("ola").get("/mal/0").status_code == 404
    (site.root / "data" / "mal.xlsx").write_bytes(b"PK")
    r = site.client("ola").get(AREA)
    assert r.status_code == 422
    assert "både data/mal.yaml och data/mal.xlsx finns – behåll en av dem" in shown(r.text)


BESLUT = """\
# Uppdrag från direktionen
beslut:
  - diarienummer: LK 2023-12
    text: Utreda gemensam e-tjänsteplattform
    datum: 2023-03-01
    status: pågår
  - text: Ta fram en plan för informationssäkerhet
    status: ej påbörjad
"""


def test_the_writer_of_the_section_with_the_assignments_sets_status_and_comment(site):
    (site.root / "data" / "beslut.yaml").write_text(BESLUT, encoding="utf-8")
    rr = site.root / "text" / f"{RR}.md"
    rr.write_text(rr.read_text(encoding="utf-8") + '\n{{ tabell("politiska_beslut") }}\n', encoding="utf-8")
    sam = site.client("sam")
    page = sam.get("/beslut")
    assert page.status_code == 200 and "Utreda gemensam e-tjänsteplattform (LK 2023-12)" in shown(page.text)
    r = post(
        sam, {"status-0": "avslutad", "kommentar-0": "Plattformen driftsattes i november."}, url="/beslut"
    )
    assert r.status_code == 303
    beslut, _, findings = load_beslut(Layout(site.root))
    assert not findings and beslut is not None
    assert (beslut.beslut[0].status, beslut.beslut[0].kommentar) == (
        "avslutad",
        "Plattformen driftsattes i november.",
    )
    text = (site.root / "data" / "beslut.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Uppdrag från direktionen\n") and "datum: 2023-03-01" in text
    bad = post(sam, {"status-1": "klar"}, url="/beslut")
    assert bad.status_code == 422 and "välj en av statusarna i listan" in shown(bad.text)
    ola = site.client("ola")  # writes another section, not the one showing the assignments
    token, base = form(ola, "/beslut")
    refused = ola.post(
        "/beslut", data={"csrf": token, "bas": base, "status-1": "pågår"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert [s.user for s in site.db.history("data/beslut.yaml") if s.kind == "spara"] == ["Sam"]
