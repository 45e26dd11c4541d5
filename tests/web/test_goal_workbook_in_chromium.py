"""The goal form over data/mal.xlsx in Debian's chromium: an error explained, a save into the
workbook, and a change made in Excel meanwhile shown as a conflict – with axe-core on each."""

from __future__ import annotations

from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from tests.web.test_goal_workbook import goals_as_workbook, row_of
from tests.web.test_in_chromium import axe_violations, browser, click_and_wait, log_in, main_text, server

__all__ = ["browser", "server"]  # the fixtures this module uses


def test_goals_kept_in_a_workbook_are_edited_in_chromium(server, browser):
    base, site = server
    path = goals_as_workbook(site.root)
    log_in(browser, base, "ola")
    browser.get(f"{base}/mal/1")
    assert "data/mal.xlsx · år 2023" in main_text(browser)
    assert axe_violations(browser) == []
    browser.find_element(By.ID, "prognos-2").send_keys("1.234,5")
    click_and_wait(browser, "form.malformular button[type=submit]", "är inget tal")
    assert axe_violations(browser) == []
    field = browser.find_element(By.ID, "prognos-2")
    field.clear()
    field.send_keys("92,5")
    browser.find_element(By.CSS_SELECTOR, "#bedomning-2 option[value=delvis]").click()
    browser.find_element(By.ID, "motivering-2").send_keys("Kön växte under hösten.")
    click_and_wait(browser, "form.malformular button[type=submit]", "Målen är sparade i data/mal.xlsx.")
    assert row_of(path, "Utfall", "kundtjanst_30s")["prognos"] == 92.5
    indicator = row_of(path, "Indikatorer", "kundtjanst_30s")
    assert (indicator["bedomning"], indicator["motivering"]) == ("delvis", "Kön växte under hösten.")

    # The controller saves the workbook in Excel while the form is open.
    wb = load_workbook(path)
    ws = wb["Utfall"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "kundtjanst_30s")
    ws.cell(row, 4).value = 91
    wb.save(path)
    field = browser.find_element(By.ID, "prognos-2")
    field.clear()
    field.send_keys("90")
    text = click_and_wait(
        browser, "form.malformular button[type=submit]", "Målen har ändrats sedan du öppnade sidan"
    )
    assert "Ditt värde: 90" in text
    utfall = "utfall: =samtal_kundtjanst_andel_inom_30s_2023"
    assert f"{row}: indikator: kundtjanst_30s · ar: 2023 · {utfall} · prognos: 91" in text
    assert axe_violations(browser) == []
    assert row_of(path, "Utfall", "kundtjanst_30s")["prognos"] == 91
