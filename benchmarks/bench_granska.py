"""Speed of `bokslut granska` on a 60-page PDF report (issue 14: under 5 s on this machine).

Builds the Lystkom example, takes the Typst source its PDF is made from and repeats the
report's body (the chapters after the table of contents, whole and then a chapter at a
time) until the PDF has at least 60 pages, then times reading and checking it. Labels are
kept in the first copy only, so the repeated chapters' note links still lead somewhere.
Prints pages, tables, text blocks, findings and the times.

    .venv/bin/python benchmarks/bench_granska.py [--pages 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
import typst

from bokslut.granska.read import read_document
from bokslut.granska.run import check_document
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import compose_workspace
from bokslut.render.pdf import typst_source
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lystkom-2023"
_LABEL = re.compile(r"(?<!\()<[a-z][\w.:-]*>")
_BODY = '#outline(title: "Innehåll", depth: 2)\n#pagebreak()\n'


def long_pdf(tmp: Path, min_pages: int) -> tuple[Path, int]:
    root = tmp / "lystkom-2023"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    layout = Layout(root)
    doc, _ = compose_workspace(layout, load_config(layout.config), [report_parts])
    source = typst_source(doc)
    head, sep, body = source.partition(_BODY)
    if not sep:
        raise SystemExit("the Typst source has no table of contents to repeat the body after")
    copy = _LABEL.sub("", body)
    # Chapters of the copy, to be added one by one until the report is long enough.
    chapters = re.split(r"(?=\n#heading\(level: 1\))", copy)
    text = head + sep + body
    added = 0
    path = tmp / "lang-rapport.pdf"
    while True:
        pdf = typst.compile(text.encode("utf-8"), format="pdf", ignore_system_fonts=True)
        assert isinstance(pdf, bytes)
        path.write_bytes(pdf)
        pages = len(pdfium.PdfDocument(str(path)))
        if pages >= min_pages:
            return path, pages
        # Whole copies while far from the goal, then a chapter at a time.
        if pages + 25 < min_pages:
            text += "\n#pagebreak()\n" + copy
        else:
            text += chapters[added % len(chapters)]
            added += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path, pages = long_pdf(Path(tmp), args.pages)
        size = path.stat().st_size // 1024
        print(f"genererad PDF: {pages} sidor, {size} kB ({time.perf_counter() - t0:.1f} s)")
        times: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            t1 = time.perf_counter()
            doc = read_document(path)
            t2 = time.perf_counter()
            found = check_document(doc)
            t3 = time.perf_counter()
            times.append((t2 - t1, t3 - t2))
        best_read, best_check = min(times, key=sum)
        print(f"tabeller: {len(doc.tables)}, textstycken: {len(doc.blocks)}, fynd: {len(found)}")
        total = best_read + best_check
        print(f"läsning: {best_read:.2f} s, kontroller: {best_check:.2f} s, totalt: {total:.2f} s")
        print(f"(bäst av {args.repeat}; mål under 5 s)")


if __name__ == "__main__":
    main()
