"""The drill-down index is written in the background: the voucher pages answer meanwhile."""

from __future__ import annotations

import re
import threading

from tests.web.test_workflow import shown

import bokslut.web.drill_index as drill_index
from bokslut.ledger.drill_arrays import YearArrays
from bokslut.workspace.layout import Layout

HREF = "/harled/resultatrakning/verksamhetens_kostnader/utfall"


def test_voucher_pages_answer_the_same_while_the_index_is_written_and_after(site, monkeypatch):
    release, started = threading.Event(), threading.Event()
    write = drill_index.prepare

    def slow_prepare(store, year):  # the minute a large ledger takes, held until released
        started.set()
        assert release.wait(60)
        write(store, year)

    monkeypatch.setattr(drill_index, "prepare", slow_prepare)
    c = site.client("rut")
    web = site.client_factory.state.web
    account = re.search(rf'<a href="{HREF}\?konto=(\d+)">', c.get(HREF).text).group(1)
    assert started.wait(60)
    during = c.get(f"{HREF}?konto={account}")
    assert during.status_code == 200 and not web.index.wait(0)  # answered while the build runs
    assert not (Layout(site.root).cache / "drill").is_dir()
    release.set()
    assert web.index.wait(60)
    written = sorted(p.name for p in (Layout(site.root).cache / "drill").iterdir())
    # Per fiscal year the arrays its voucher pages read (DuckDB's index only where they cannot be).
    assert len(written) == 2 and all(re.fullmatch(r"year-20\d\d-[0-9a-f]{16}", n) for n in written)
    after = c.get(f"{HREF}?konto={account}")
    assert after.status_code == 200
    assert isinstance(web._store.drill_memo[("arrays", 2023)], YearArrays)  # read from the arrays
    later = c.get(f"{HREF}?konto={account}&sida=2")
    assert later.status_code == 200

    def figures(html: str) -> list[str]:
        text = shown(html)
        return re.findall(r"Summa (?:denna sida|alla verifikationer)\s*(\S+)", text) + re.findall(
            r"data/ledger/2023\.se:\d+", text
        )

    assert figures(during.text) == figures(after.text) and len(figures(during.text)) > 3
    # The total of all the account's vouchers is the same on every page of it.
    assert figures(later.text)[1] == figures(after.text)[1]
    assert f"Konto {account}" in shown(after.text)
