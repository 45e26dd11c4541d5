"""The examples' PDFs read well on paper: checked page by page as poppler renders them.

Each page is drawn to pixels (``pdftoppm``) to see how much of it is blank, and its
text is read line by line with positions (``pdftotext -bbox-layout``) to find where
headings and tables fall. The tag tree is read with pikepdf.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from bokslut.compose.report import compose_report
from bokslut.document import Document, Heading, TablePlacement, iter_blocks
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout


@pytest.fixture(autouse=True)
def _poppler() -> None:
    # scripts/setup installs poppler-utils; without it the pages cannot be looked at.
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm saknas: kör scripts/setup (installerar poppler-utils)")


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
POINTS_PER_CM = 72 / 2.54
TOP_MARGIN, BOTTOM_MARGIN = 2.7 * POINTS_PER_CM, 2.4 * POINTS_PER_CM  # as render/pdf.py sets them
SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True)
class Line:
    text: str
    top: float  # points from the page's top


@dataclass(frozen=True)
class Page:
    number: int
    height: float
    lines: tuple[Line, ...]  # body lines: running header and page number left out
    ink_bottom: float  # the lowest inked point of the body, in points from the top

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Built:
    name: str
    pdf: bytes
    pages: tuple[Page, ...]
    document: Document
    header: tuple[str, ...]  # each page's running header (the chapter)
    words: tuple[tuple[Word, ...], ...]  # each page's words with their boxes, in points


def _words(bbox_xml: str) -> list[tuple[Word, ...]]:
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    return [
        tuple(
            Word(w.text or "", *(float(w.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iterfind(".//x:word", ns)
        )
        for page in ET.fromstring(bbox_xml).iterfind(".//x:page", ns)
    ]


def _lines(bbox_xml: str) -> list[tuple[int, float, list[Line]]]:
    root = ET.fromstring(bbox_xml)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    out = []
    for n, page in enumerate(root.iterfind(".//x:page", ns), 1):
        lines = [
            Line(" ".join(w.text or "" for w in line.iterfind("x:word", ns)), float(line.get("yMin", 0)))
            for line in page.iterfind(".//x:line", ns)
        ]
        out.append((n, float(page.get("height", 0)), sorted(lines, key=lambda line: line.top)))
    return out


def _ink_bottom(png: Path, height_pt: float) -> float:
    """Lowest non-white row inside the body area (header and footer bands excluded)."""
    img = Image.open(png).convert("L")
    w, h = img.size
    scale = h / height_pt
    top, bottom = int(TOP_MARGIN * scale), int((height_pt - BOTTOM_MARGIN) * scale)
    pixels = img.load()
    assert pixels is not None
    for y in range(bottom, top, -1):
        if any(pixels[x, y] < 200 for x in range(0, w, 2)):
            return y / scale
    return TOP_MARGIN


def build(name: str, tmp: Path) -> Built:
    root = tmp / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    layout = Layout(root)
    config = load_config(layout.config)
    result = build_report(layout, config, [report_parts], formats=("pdf",), quiet=True)
    pdf_path = next(result.out_dir.glob("*.pdf"))
    bbox = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf_path), str(tmp / name)], check=True)
    pngs = sorted(tmp.glob(f"{name}-*.png"))
    pages: list[Page] = []
    headers: list[str] = []
    for (n, height, lines), png in zip(_lines(bbox), pngs, strict=True):
        body = [line for line in lines if TOP_MARGIN - 4 < line.top < height - BOTTOM_MARGIN]
        head = [line.text for line in lines if line.top < TOP_MARGIN - 4]
        headers.append(head[0] if head else "")
        pages.append(Page(n, height, tuple(body), _ink_bottom(png, height)))
    composed = compose_report(layout, config, [report_parts])
    assert composed.document is not None
    return Built(
        name, pdf_path.read_bytes(), tuple(pages), composed.document, tuple(headers), tuple(_words(bbox))
    )


@pytest.fixture(
    scope="module", params=["lystkom-2023", "sydnarke-2020", "exempelkommun-2024", "exempelkommun-2024-delar"]
)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(request.param, tmp_path_factory.mktemp("pdf"))


def _chapter_last(b: Built, i: int) -> bool:
    return i + 1 >= len(b.pages) or b.header[i + 1] != b.header[i] or b.header[i] == ""


def test_no_two_words_are_printed_over_each_other(built: Built) -> None:
    # A table column too narrow for its text lets a label run into the next column.
    for number, words in enumerate(built.words, 1):
        rows = sorted(words, key=lambda w: w.y0)
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                if b.y0 >= a.y1 - 1:
                    break
                across = min(a.x1, b.x1) - max(a.x0, b.x0)
                assert across < 1, f"sidan {number}: '{a.text}' och '{b.text}' står över varandra"


# Labels of the widest tables that once ran into the next column or broke over lines.
WHOLE_LABELS = {
    "exempelkommun-2024": ["Räddningstjänsten Mitt", "Exempelbostäder AB", "Kommunledningsförvaltningen"],
    "exempelkommun-2024-delar": ["Kommunledningsförvaltningen", "Barn- och utbildningsnämnden"],
}


def test_long_labels_of_wide_tables_are_whole_on_a_line(built: Built) -> None:
    lines = {" ".join(line.text.split()) for page in built.pages for line in page.lines}
    for label in WHOLE_LABELS.get(built.name, []):
        assert any(label in line for line in lines), label


def test_no_page_is_mostly_blank_except_a_chapters_last(built: Built) -> None:
    for i, page in enumerate(built.pages[2:], 2):  # after the cover and the contents
        body = page.height - BOTTOM_MARGIN - TOP_MARGIN
        blank = (page.height - BOTTOM_MARGIN - page.ink_bottom) / body
        if not _chapter_last(built, i):
            assert blank <= 0.5, f"sidan {page.number} är till {blank:.0%} tom"


def test_no_heading_stands_in_the_last_lines_of_a_page(built: Built) -> None:
    headings = {h.text for h in built.document.headings() if h.level > 1}
    for i, page in enumerate(built.pages[2:], 2):
        # On a chapter's last page whatever follows a heading is on that page too.
        if len(page.lines) < 4 or _chapter_last(built, i):
            continue
        last = [line.text for line in page.lines[-2:]]
        assert not headings & set(last), f"sidan {page.number} slutar med rubriken {last}"


def test_a_table_starts_with_at_least_three_rows_at_a_page_foot(built: Built) -> None:
    placements = [b for b in iter_blocks(built.document) if isinstance(b, TablePlacement)]
    for placement in placements:
        caption = placement.title
        table = placement.rounded.table
        rows = len(table.rows)
        # The caption is the line right above the header row (a heading may have the same words).
        head = (table.label_header or table.columns[0].label).split()[0]
        for page in built.pages[2:]:
            texts = [line.text for line in page.lines]
            starts = [
                j
                for j, t in enumerate(texts)
                if t.startswith(caption) and (j + 1 == len(texts) or texts[j + 1].startswith(head))
            ]
            if not starts:
                continue
            after = len(texts) - starts[0] - 1
            # The header row and three rows, or the whole table when it has fewer.
            assert after >= min(4, 1 + rows), f"'{caption}' börjar med {after} rader på sidan {page.number}"
            break


def test_notes_read_well_on_paper_and_goal_levels_are_not_broken(built: Built) -> None:
    text = "\n".join(p.text() for p in built.pages)
    assert "↩" not in text and "till hänvisningen" not in text
    if built.document.notes:
        assert "Not 1." in text  # a note's caption names it plainly
    words = [word for line in text.splitlines() for word in line.split()]
    broken = [f"{a} {b}" for a, b in pairwise(words) if a.endswith(SOFT_HYPHEN)]
    assert not [w for w in broken if "munfull" in w or "mäktiges" in w]
    if "Kommunfullmäktiges mål" in text:
        assert text.count("Kommunfullmäktiges") >= 3  # the goal level, whole in every row


def test_the_cover_carries_what_bokslut_toml_says(built: Built) -> None:
    cover = built.pages[0].text()
    tp = built.document.title_page
    assert tp.organisation in cover and tp.title in cover
    if tp.decision:
        assert "Beslutad av direktionen 2024-03-01 § 2" in cover
    if tp.tagline:
        assert "för Lekebergs kommun" in cover
    assert " ".join(tp.subtitle.split()) in " ".join(cover.split())  # the period


def test_table_of_contents_page_numbers_are_text(built: Built) -> None:
    contents = built.pages[1].text()
    first_chapter = next(h for h in built.document.headings() if h.level == 1)
    line = next(t for t in contents.splitlines() if t.startswith(first_chapter.text))
    assert line.split()[-1] == "3"  # the first chapter starts after the cover and the contents


def test_row_labels_are_row_headers_for_screen_readers(built: Built) -> None:
    with pikepdf.open(io.BytesIO(built.pdf)) as pdf:
        scopes: list[str] = []

        def walk(node: pikepdf.Object, in_body: bool) -> None:
            if not isinstance(node, pikepdf.Dictionary):
                return
            tag = str(node.get("/S", ""))
            if tag == "/TR" and in_body:
                cells = [c for c in node.get("/K", []) if isinstance(c, pikepdf.Dictionary)]
                first = cells[0]
                attrs = first.get("/A")
                owners = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]
                scope = next(
                    (str(o.Scope) for o in owners if isinstance(o, pikepdf.Dictionary) and "/Scope" in o), ""
                )
                scopes.append(f"{first.S}{scope}")
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid, in_body or tag == "/TBody")

        walk(pdf.Root.StructTreeRoot, False)
    assert scopes and set(scopes) == {"/TH/Row"}


def test_no_heading_text_is_a_label_of_the_chart_data_twice(built: Built) -> None:
    # A chart whose alt text states its figures is not followed by a table repeating them.
    text = "\n".join(p.text() for p in built.pages)
    assert text.count("Siffrorna i diagrammet") == 0
    assert built.document.charts() or built.name == "exempelkommun-2024-delar"  # the one without


def test_headings_are_the_documents(built: Built) -> None:
    # Guards the helpers above: the headings they look for are on the pages.
    text = "\n".join(p.text() for p in built.pages)
    found = [h.text for h in built.document.headings() if isinstance(h, Heading) and h.text in text]
    assert len(found) >= 5
