"""Speed of the web's drill-down pages and report page on a large municipality's year.

Imports the 5 M-row ledger of bench_import.py (generated once into benchmarks/data/) into a
temporary workspace with verksamhet and projekt dimensions (as bench_drilldown.py does), adds
a reader, starts ``bokslut serve`` and logs in. Then, over HTTP as a browser would:

* the report page (``/rapport``, every table): the first answer and then repeated answers. The
  server starts composing the report page in the background as it starts (its warm-up); the
  first answer is asked for as soon as the server answers and the reader is logged in, or with
  ``--settle S`` S seconds later, when the warm-up has had time to finish;
* cell → accounts: the drill-down page of random figures linked from the report page
  (resultaträkning, balansräkning, driftredovisning and every other table);
* account → its vouchers with their rows: a random ``?konto=`` link of those pages;
* a later page of vouchers (``&sida=``), where an account has more than one.

Prints p50/p95/max per level. Targets (issue 10): a drill-down page p95 under 50 ms, the report
page under 1 s. Run niced on a shared machine: ``nice python benchmarks/bench_web_pages.py``.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_drilldown import percentiles
from bench_web_saves import serving
from generate_ledger import default_path, generate

from bokslut.web.auth import hash_password
from bokslut.web.db import GlobalRole, open_db
from bokslut.workspace.layout import Layout

DIMENSIONS = "\n[dimensioner]\nverksamhet = 1\nprojekt = 6\n"
PASSWORD = "sidor-losenord"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_DRILL = re.compile(r'href="(/harled/[^"?#]+)"')
_ACCOUNT = re.compile(r'href="(/harled/[^"]+\?konto=[^"&]+)"')
_NEXT = re.compile(r'href="(/harled/[^"]+\?konto=[^"]+&amp;sida=\d+)"')


def timed_get(client: httpx.Client, path: str, out: list[float]) -> str:
    t0 = time.perf_counter()
    r = client.get(path)
    out.append(time.perf_counter() - t0)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    return r.text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=5, help="rows per voucher")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--workspace", type=Path, help="an existing workspace to use (not imported again)")
    parser.add_argument("--server-processes", type=int, default=1, help="bokslut serve --processer")
    parser.add_argument(
        "--settle", type=float, default=0.0, help="seconds between log-in and the first report page"
    )
    args = parser.parse_args()
    rng = random.Random(10)
    print(f"load average vid start: {os.getloadavg()[0]:.1f} på {os.cpu_count()} kärnor")
    tmp = Path(tempfile.mkdtemp(prefix="bokslut-webbsidor-"))
    bokslut = [sys.executable, "-m", "bokslut"]
    try:
        root = args.workspace
        if root is None:
            path = generate(default_path(args.vouchers, args.rows), args.vouchers, args.rows)
            root = tmp / "ws"
            t0 = time.perf_counter()
            subprocess.run(
                [*bokslut, "new", str(root), "--org", "B", "--orgtyp", "kommun", "--ar", "2023"],
                check=True,
                capture_output=True,
            )
            subprocess.run([*bokslut, "import", str(root), str(path), "-q"], check=True, capture_output=True)
            print(f"import: {time.perf_counter() - t0:.0f} s")
        layout = Layout(root)
        if "[dimensioner]" not in layout.config.read_text(encoding="utf-8"):
            layout.config.write_text(layout.config.read_text(encoding="utf-8") + DIMENSIONS, encoding="utf-8")
        db = open_db(layout)
        if db.user_by_name("lasare") is None:
            db.add_user("lasare", "Läsare", hash_password(PASSWORD), GlobalRole.READER)
        db.close()
        with (
            serving(root, args.server_processes, wait_s=120) as base,
            httpx.Client(base_url=base, timeout=900, follow_redirects=False) as c,
        ):
            page = c.get("/logga-in")
            token = _CSRF.search(page.text)
            assert token is not None
            c.post("/logga-in", data={"csrf": token.group(1), "anvandare": "lasare", "losenord": PASSWORD})
            time.sleep(args.settle)
            first: list[float] = []
            report = timed_get(c, "/rapport", first)
            again: list[float] = []
            for _ in range(10):
                timed_get(c, "/rapport", again)
            cells = sorted(set(html.unescape(h) for h in _DRILL.findall(report)))
            assert cells, "the report page links its figures"
            level1: list[float] = []
            accounts: list[str] = []
            warm: list[float] = []
            for cell in cells[:20]:  # the first visit of a page opens the ledger
                timed_get(c, cell, warm)
            for cell in [rng.choice(cells) for _ in range(args.samples)]:
                accounts += [html.unescape(a) for a in _ACCOUNT.findall(timed_get(c, cell, level1))]
            level2: list[float] = []
            later: list[str] = []
            for link in [rng.choice(accounts) for _ in range(args.samples)] if accounts else []:
                later += [html.unescape(a) for a in _NEXT.findall(timed_get(c, link, level2))]
            level3: list[float] = []
            for link in [rng.choice(later) for _ in range(args.samples)] if later else []:
                timed_get(c, link, level3)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"rapportsidan: första svaret {first[0]:.2f} s ({args.settle:g} s efter inloggningen); ", end="")
    p50, _, top = percentiles(again)
    print(f"sedan p50 {p50:.0f} ms, max {top:.0f} ms (mål < 1 s)")
    print(f"{len(cells)} siffror med härledning i rapporten; {args.samples} slumpvisa sidor per nivå (ms):")
    print(f"  {'nivå':<42} {'p50':>7} {'p95':>7} {'max':>7}   (mål p95 < 50)")
    for label, seconds in (
        ("cell → konton", level1),
        ("konto → verifikationer med rader (sida 1)", level2),
        ("en senare sida verifikationer", level3),
    ):
        if seconds:
            p50, p95, top = percentiles(seconds)
            print(f"  {label:<42} {p50:7.1f} {p95:7.1f} {top:7.1f}")
    print(f"load average efteråt: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
