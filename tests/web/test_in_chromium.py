"""The web application in a real browser: Debian's chromium through the whole workflow, with axe-core.

One walk through what the issue asks for – log-in, writing with a figure inserted from the
picker, a conflict between two editor tabs, ready-marking, approval, a role that is refused,
drill-down from a cell of the income statement to a voucher row with its file:line, locking
and fastställande – and axe-core (vendored beside the HTML tests) on every page type, with
zero violations of WCAG 2.1 A/AA and best practice.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from tests.web.conftest import RR, make_site, password

AXE = Path(__file__).resolve().parents[1] / "examples" / "vendor" / "axe-4.14.1.min.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(workspace: Path, tmp_path: Path) -> Iterator[tuple[str, object]]:
    site = make_site(workspace, f"sqlite:///{tmp_path / 'webb.sqlite'}")
    port = _free_port()
    config = uvicorn.Config(site.client_factory, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    # localhost is a secure context to Chromium, so the Secure session cookie is kept over HTTP.
    yield f"http://localhost:{port}", site
    srv.should_exit = True
    thread.join(timeout=10)
    site.close()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--lang=sv-SE", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    yield driver
    driver.quit()


def axe_violations(driver: webdriver.Chrome) -> list[str]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))));"
    )
    return list(result)


def log_in(driver: webdriver.Chrome, base: str, name: str) -> None:
    driver.get(f"{base}/logga-in")
    driver.find_element(By.ID, "anvandare").send_keys(name)
    driver.find_element(By.ID, "losenord").send_keys(password(name))
    click_and_wait(driver, "form.smal button[type=submit]", "Rapportens innehåll")


def log_out(driver: webdriver.Chrome) -> None:
    click_and_wait(driver, "form.ut button", "Logga in")


def main_text(driver: webdriver.Chrome) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def click_and_wait(driver: webdriver.Chrome, css: str, expect: str) -> str:
    """Click, then wait for the next page to show ``expect`` in its main content."""
    driver.find_element(By.CSS_SELECTOR, css).click()

    def arrived(d: webdriver.Chrome) -> str | bool:
        try:
            text = d.find_element(By.TAG_NAME, "main").text
        except (StaleElementReferenceException, NoSuchElementException):
            return False
        except WebDriverException as exc:
            # Chromium's word for an element of the page being left, found just before it went.
            if "does not belong to the document" in str(exc):
                return False
            raise
        return text if expect in text.replace("\u00a0", " ") else False

    return str(WebDriverWait(driver, 30).until(arrived))


def test_write_conflict_approve_drill_and_fastställ_in_chromium(server, browser):
    base, site = server
    checked: dict[str, list[str]] = {}

    def axe(page_type: str) -> None:
        checked[page_type] = axe_violations(browser)

    browser.get(f"{base}/")
    assert browser.current_url.startswith(f"{base}/logga-in")
    axe("logga in")
    log_in(browser, base, "sam")
    axe("innehåll")

    # Two editor tabs of the same section: the second save meets a conflict.
    browser.get(f"{base}/avsnitt/{RR}/redigera")
    first = browser.current_window_handle
    axe("redigera")
    browser.switch_to.new_window("tab")
    browser.get(f"{base}/avsnitt/{RR}/redigera")
    browser.find_element(By.ID, "text").send_keys("\nEn mening från den andra fliken.\n")
    click_and_wait(browser, "button[value=spara]", "Så här blir avsnittet i rapporten")
    assert browser.current_url.endswith(f"/avsnitt/{RR}?sparat=1")
    browser.close()
    browser.switch_to.window(first)

    box = browser.find_element(By.ID, "text")
    box.send_keys("\nÅrets resultat blev ")
    browser.find_element(By.ID, "sok-varde").send_keys("arets resultat")
    buttons = [
        b for b in browser.find_elements(By.CSS_SELECTOR, "#valjar-lista button.infoga") if b.is_displayed()
    ]
    target = next(b for b in buttons if b.get_attribute("data-infoga") == "{{ v.arets_resultat | tkr }}")
    target.click()
    box.send_keys(".\n")
    assert "Årets resultat blev {{ v.arets_resultat | tkr }}." in box.get_property("value")
    click_and_wait(browser, "button[value=spara]", "Avsnittet har ändrats sedan du öppnade det")
    assert "En mening från den andra fliken." in browser.find_element(By.ID, "sparad").get_property("value")
    axe("konflikt")
    # Merge: take the other tab's sentence into this text and save again.
    box = browser.find_element(By.ID, "text")
    box.send_keys("\nEn mening från den andra fliken.\n")
    text = click_and_wait(browser, "button[value=spara]", "Så här blir avsnittet i rapporten")
    assert browser.current_url.endswith(f"/avsnitt/{RR}?sparat=1")
    assert "Årets resultat blev 1 376 tkr." in text.replace("\u00a0", " ")
    axe("avsnitt")
    on_disk = (site.root / "text" / f"{RR}.md").read_text(encoding="utf-8")
    assert "En mening från den andra fliken." in on_disk and "{{ v.arets_resultat | tkr }}" in on_disk

    browser.get(f"{base}/avsnitt/{RR}/historik")
    assert "versioner" in main_text(browser)
    axe("historik")
    click_and_wait(browser, "ol.historik h2 a", "Version från")
    axe("version")

    browser.get(f"{base}/avsnitt/{RR}")
    click_and_wait(browser, "button[value=klarmarkera]", "status: klar för granskning")
    log_out(browser)

    log_in(browser, base, "gun")
    browser.get(f"{base}/avsnitt/{RR}")
    click_and_wait(browser, "button[value=godkann]", "status: godkänd")
    assert site.db.section_info(RR).status.value == "godkand"
    log_out(browser)

    # A revisor reads everything but may not edit.
    log_in(browser, base, "rut")
    browser.get(f"{base}/avsnitt/{RR}/redigera")
    assert "Du har inte behörighet till det här." in main_text(browser)
    axe("fel")
    browser.get(f"{base}/rapport")
    axe("rapport")
    click_and_wait(
        browser,
        'a.harled[href="/harled/resultatrakning/verksamhetens_kostnader/utfall"]',
        "Härledning: Verksamhetens kostnader",
    )
    axe("härledning")
    vouchers = click_and_wait(browser, "ol.harledning table a", "Summa alla verifikationer")
    assert re.search(r"data/ledger/2023\.se:\d+", vouchers)
    axe("verifikationer")
    log_out(browser)

    log_in(browser, base, "ada")
    # Goal follow-up: a number written the wrong way is explained in the form, then saved.
    browser.get(f"{base}/mal")
    axe("mål")
    browser.get(f"{base}/mal/1")
    axe("målformulär")
    browser.find_element(By.ID, "prognos-2").send_keys("1.234,5")
    click_and_wait(browser, "form.malformular button[type=submit]", "är inget tal")
    axe("målformulär med fel")
    field = browser.find_element(By.ID, "prognos-2")
    field.clear()
    field.send_keys("1 234,5")
    browser.find_element(By.CSS_SELECTOR, "#bedomning-2 option[value=delvis]").click()
    browser.find_element(By.ID, "motivering-2").send_keys("Kön växte under hösten.")
    click_and_wait(browser, "form.malformular button[type=submit]", "Målen är sparade i data/mal.yaml.")
    goals_text = (site.root / "data" / "mal.yaml").read_text(encoding="utf-8")
    assert "prognos: 1234.5" in goals_text and "motivering: Kön växte under hösten." in goals_text
    for path, page_type in (("/oversikt", "översikt"), ("/anvandare", "användare")):
        browser.get(base + path)
        axe(page_type)
    browser.get(f"{base}/rapport/lage")
    click_and_wait(browser, "button[value=las]", "låst för fastställande")
    click_and_wait(browser, "button[value=faststall]", "SHA256SUMS")
    assert "Version 1 är fastställd" in main_text(browser)
    axe("fastställande")

    assert {page: found for page, found in checked.items() if found} == {}
    assert len(checked) == 17


def test_every_page_type_fits_a_phone_screen_without_sideways_scrolling(server, browser):
    base, _ = server
    browser.set_window_size(375, 800)
    log_in(browser, base, "ada")
    wide: dict[str, int] = {}
    for path in (
        "/",
        f"/avsnitt/{RR}",
        f"/avsnitt/{RR}/redigera?tabell=resultatrakning",
        f"/avsnitt/{RR}/historik",
        "/oversikt",
        "/anvandare",
        "/rapport",
        "/harled/resultatrakning/verksamhetens_kostnader/utfall",
        "/rapport/lage",
        "/mal",
        "/mal/1",
    ):
        browser.get(base + path)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            wide[path] = overflow
    assert wide == {}
