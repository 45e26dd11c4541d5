"""The example reports' HTML as readers see it: in headless Chromium, on a phone, a desktop and paper.

Needs Debian's chromium and chromium-driver (scripts/setup test). The single page
and the web site (build/webb/) are opened from the file system, as a reader who
downloaded them would; axe-core (vendored, MPL 2.0) checks them for WCAG 2.1 AA.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.render.html import SHORT_ROWS
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples"
AXE = HERE / "vendor" / "axe-4.14.1.min.js"
FONT = HERE.parents[1] / "src" / "bokslut" / "render" / "fonts" / "bokslut-symboler.woff2"
REPORTS = {
    "lystkom-2023": "arsredovisning-2023.html",
    "sydnarke-2020": "delarsrapport-2020.html",
    "exempelkommun-2024": "arsredovisning-2024.html",
    "exempelkommun-2024-delar": "delarsrapport-2024.html",
}


@pytest.fixture(autouse=True)
def _tools() -> None:
    # The test setup installs them; a machine without them fails rather than passes unseen.
    tools = {"chromium": "chromium", "chromedriver": "chromium-driver", "pdftotext": "poppler-utils"}
    for tool, package in tools.items():
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} saknas: kör scripts/setup test (installerar {package})")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for name in REPORTS:
        root = tmp_path_factory.mktemp("ex") / name
        shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut"))
        layout = Layout(root)
        result = build_report(
            layout, load_config(layout.config), [report_parts], ("html", "webb"), quiet=True
        )
        out[name] = result.out_dir
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--lang=sv-SE"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    yield driver
    driver.quit()


def open_at(driver: webdriver.Chrome, path: Path, width: int) -> None:
    driver.set_window_size(width, 900)
    driver.get(path.as_uri())
    driver.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1])")


def js(driver: webdriver.Chrome, script: str) -> Any:
    return driver.execute_script(script)


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("width", [375, 1280])
def test_the_page_never_scrolls_sideways(built, browser, name, width):
    open_at(browser, built[name] / REPORTS[name], width)
    inner = js(browser, "return document.documentElement.clientWidth")
    assert js(browser, "return document.documentElement.scrollWidth") <= inner
    # Nothing outside a table's scroll region reaches past the screen's edge.
    sticking_out = js(
        browser,
        """return [...document.querySelectorAll('main *')]
          .filter(e => !e.closest('.rull') && e.getBoundingClientRect().right > innerWidth + 0.5)
          .map(e => e.tagName + ' ' + e.textContent.slice(0, 40));""",
    )
    assert sticking_out == []


def test_on_a_phone_a_wide_table_scrolls_in_its_own_labelled_region(built, browser):
    open_at(browser, built["lystkom-2023"] / REPORTS["lystkom-2023"], 375)
    regions = browser.find_elements(By.CSS_SELECTOR, "div.rull")
    scrolling = [
        r for r in regions if int(r.get_property("scrollWidth")) > int(r.get_property("clientWidth"))
    ]
    assert scrolling, "some table must be wider than a phone"
    for region in regions:
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        caption = browser.find_element(By.ID, region.get_attribute("aria-labelledby"))
        assert caption.tag_name == "caption" and caption.text
    # A keyboard user reaches the region and scrolls it to the last column.
    region = scrolling[0]
    browser.execute_script(
        "arguments[0].focus(); arguments[0].scrollLeft = arguments[0].scrollWidth;", region
    )
    assert browser.switch_to.active_element == region
    last_header = region.find_elements(By.CSS_SELECTOR, "thead th")[-1]
    box = browser.execute_script(
        "const a = arguments[0].getBoundingClientRect(), b = arguments[1].getBoundingClientRect();"
        "return [a.left, a.right, b.left, b.right];",
        last_header,
        region,
    )
    assert box[0] >= box[2] - 0.5 and box[1] <= box[3] + 0.5  # the last column is in sight


@pytest.mark.parametrize("name", REPORTS)
def test_the_half_filled_circle_is_drawn_with_the_bundled_font(built, browser, name):
    open_at(browser, built[name] / REPORTS[name], 1280)
    statuses = js(
        browser, "return [...document.fonts].filter(f => f.family.includes('Bokslut')).map(f => f.status)"
    )
    assert statuses == ["loaded"]
    font = TTFont(io.BytesIO(FONT.read_bytes()))
    advance = font["hmtx"][font.getBestCmap()[0x25D0]][0] / font["head"].unitsPerEm
    # ◐ as it stands in the report's text, measured at 100 px.
    width = js(
        browser,
        """const s = document.createElement('span'); s.textContent = '◐'; s.style.fontSize = '100px';
           document.querySelector('main p').appendChild(s);
           const w = s.getBoundingClientRect().width; s.remove(); return w;""",
    )
    assert width == pytest.approx(advance * 100, abs=0.5)
    assert "◐" in browser.find_element(By.TAG_NAME, "main").text


def axe_violations(driver: webdriver.Chrome) -> list[str]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))));"
    )
    return list(result)


@pytest.mark.parametrize("name", REPORTS)
def test_axe_core_finds_nothing_on_the_single_page(built, browser, name):
    open_at(browser, built[name] / REPORTS[name], 1280)
    assert axe_violations(browser) == []


def test_the_web_site_walks_chapter_by_chapter_and_passes_axe(built, browser):
    site = built["lystkom-2023"] / "webb"
    open_at(browser, site / "index.html", 375)
    assert axe_violations(browser) == []
    chapters = len(list(site.glob("*.html"))) - 2  # all but the start and search pages
    assert chapters >= 5
    browser.find_element(By.CSS_SELECTOR, "nav.innehall > ol > li > a").click()
    seen = [browser.find_element(By.TAG_NAME, "h1").text]
    while nexts := browser.find_elements(By.CSS_SELECTOR, "nav.webb:not(.nere) a[rel=next]"):
        nexts[0].click()
        assert js(browser, "return document.documentElement.scrollWidth <= innerWidth")
        seen.append(browser.current_url.rsplit("/", 1)[1])
    assert len(seen) == chapters
    assert axe_violations(browser) == []
    browser.find_element(By.CSS_SELECTOR, "a[rel=prev]").click()
    assert browser.current_url.endswith(seen[-2])


@pytest.mark.parametrize(
    ("query", "page", "expected"),
    [
        ("växeltelefoni", "forvaltningsberattelse.html", "växeltelefoni"),
        ("1376", "finansiella-rapporter.html", "1\u00a0376"),  # Årets resultat in the income statement
    ],
)
def test_the_site_search_finds_words_and_table_numbers(built, browser, query, page, expected):
    site = built["lystkom-2023"] / "webb"
    open_at(browser, site / "index.html", 1280)
    box = browser.find_element(By.ID, "sok-q")
    box.send_keys(query)
    box.submit()
    status = search_status(browser)
    assert "träff" in status and not status.startswith("Inga")
    hits = browser.find_elements(By.CSS_SELECTOR, "#sok-traffar a")
    targets = [h.get_attribute("href").rsplit("/", 1)[1] for h in hits]
    assert any(t.startswith(page) for t in targets), targets
    assert axe_violations(browser) == []
    next(h for h, t in zip(hits, targets, strict=True) if t.startswith(page)).click()
    assert expected in browser.find_element(By.TAG_NAME, "main").get_attribute("textContent")


def search_status(browser: webdriver.Chrome) -> str:
    """The search page's status line, once the page the form was sent to has filled it in
    (right after a submit the page being left may still be the one asked)."""

    def filled(driver: webdriver.Chrome) -> str | bool:
        found = driver.find_elements(By.ID, "sok-status")
        return bool(found) and found[0].text

    return WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(filled)


def test_a_search_without_hits_says_so(built, browser):
    open_at(browser, built["sydnarke-2020"] / "webb" / "sok.html", 1280)
    browser.get((built["sydnarke-2020"] / "webb" / "sok.html").as_uri() + "?q=zqxjv")
    assert browser.find_element(By.ID, "sok-status").text == "Inga träffar för ”zqxjv”"


def printed_pages(driver: webdriver.Chrome, path: Path, tmp: Path) -> list[str]:
    driver.set_window_size(1280, 900)
    driver.get(path.as_uri())
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    out = tmp / "utskrift.pdf"
    out.write_bytes(base64.b64decode(pdf["data"]))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True, text=True)
    return text.stdout.split("\f")[:-1]


def squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def start_of(label: str) -> str:
    """The first line of a row label as printed: a long label wraps inside its cell, between
    words, so its whole words up to 18 characters (at least the first)."""
    words = squash(label).split()
    start = words[0]
    for word in words[1:]:
        if len(f"{start} {word}") > 18:
            break
        start = f"{start} {word}"
    return start


@pytest.mark.parametrize("name", REPORTS)
def test_printed_pages_are_numbered_and_short_tables_stay_whole(built, browser, name, tmp_path):
    pages = [squash(p) for p in printed_pages(browser, built[name] / REPORTS[name], tmp_path)]
    n = len(pages)
    assert "Sida" not in pages[0]  # the title page carries no number
    for i, page in enumerate(pages[1:], start=2):
        assert f"Sida {i} av {n}" in page
    tables = js(
        browser,
        """return [...document.querySelectorAll('figure.tabell')].map(f => [
             f.querySelector('caption').childNodes[0].textContent,
             [...f.querySelectorAll('tbody tr')].map(r => r.querySelector('th').textContent)]);""",
    )
    searched = 0
    for caption, rows in tables:
        starts = [i for i, p in enumerate(pages) if squash(caption) in p]
        assert starts, caption
        start = next((i for i in starts if start_of(rows[0]) in pages[i]), starts[-1])
        if len(rows) <= SHORT_ROWS:
            last = start_of(rows[-1])
            assert last in pages[start], f"{caption}: sista raden ”{last}” hamnar inte på samma sida"
        else:
            # A long table starts with at least three rows under its caption.
            assert all(start_of(r) in pages[start] for r in rows[:3]), caption
        searched += 1
    assert searched == len(tables) > 3
