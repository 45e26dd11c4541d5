"""`bokslut check` over the sammanställda räkenskaper: the hand-made koncern of
tests/statements/test_koncern.py ties out; a company account left out of the mapping
unbalances the consolidated balance sheet, and unmatched internal items show in the
eliminations."""

from __future__ import annotations

from tests.statements.test_koncern import bostader, energi, kommun

TABLES = (
    "koncern_resultatrakning",
    "koncern_balansrakning",
    "koncern_kassaflodesanalys",
    "kommunala_koncernen",
    "koncern_interna_poster",
)


def koncern_codes(findings) -> list[str]:
    return sorted(f.code for f in findings if f.code.startswith("koncern"))


def test_the_koncern_ties_out(ws):
    energi(bostader(kommun(ws)))
    ws.chapter("resultatrakning", "balansrakning", "kassaflodesanalys", *TABLES)
    assert koncern_codes(ws.checks()) == []


def book_on_an_unmapped_account(path):
    """Moves 10 000 of Bostäder's opening balance to 9110, an account the mapping does not know."""
    text = path.read_text(encoding="cp437")
    path.write_text(
        text.replace("#IB 0 1110 10000000.00", "#IB 0 1110 9990000.00\n#IB 0 9110 10000.00"),
        encoding="cp437",
    )


def test_an_unmapped_company_account_unbalances_the_consolidated_balance_sheet(ws):
    energi(bostader(kommun(ws)))
    book_on_an_unmapped_account(ws.root / "data/koncern/bostader.se")
    ws.chapter("resultatrakning", "balansrakning", "kassaflodesanalys", *TABLES)
    findings = ws.checks()
    [f] = [f for f in findings if f.code == "koncern-br-balanserar-inte"]
    assert "skillnad \u221210\u00a0000,00 kr" in f.message
    assert f.where == "koncern_balansrakning/summa_tillgangar/utfall"


def test_unmatched_internal_result_items_do_not_net_to_zero(ws):
    energi(bostader(kommun(ws, rent=1_250_000)))
    ws.chapter("resultatrakning", "balansrakning", "kassaflodesanalys", *TABLES)
    findings = ws.checks()
    [f] = [f for f in findings if f.code == "koncern-elimineringar"]
    assert "(50\u00a0000,00 kr)" in f.message


def test_the_comparison_year_of_the_consolidated_balance_sheet_is_checked_too(ws):
    """Last year's Bostäder file (sie_fg) has an account the mapping does not know: the
    comparison column does not balance, this year's does."""
    from tests.statements.test_koncern_fg import ENERGI_PREV, two_years

    two_years(ws, energi_prev=ENERGI_PREV)
    book_on_an_unmapped_account(ws.root / "data/koncern/bostader-2022.se")
    ws.chapter("resultatrakning", "balansrakning", "kassaflodesanalys", *TABLES)
    findings = ws.checks()
    [f] = [f for f in findings if f.code == "koncern-br-balanserar-inte"]
    assert f.where == "koncern_balansrakning/summa_tillgangar/utfall_fg"
    assert f.message.startswith("den sammanställda balansräkningen för föregående år balanserar inte")
    assert "skillnad \u221210\u00a0000,00 kr" in f.message
    [unmapped] = [f for f in findings if f.code == "koncern-konto-omappat"]
    assert unmapped.file == "data/koncern/bostader-2022.se"
