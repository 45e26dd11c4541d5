"""The Word file as people see it: each example rendered by LibreOffice Writer and read with poppler.

LibreOffice (``libreoffice-writer-nogui``, with the fonts metric-compatible with
Cambria and Calibri) is installed by ``scripts/setup test``. Each conversion
uses a private profile directory, so parallel test workers do not collide.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class Rendered:
    docx: Path
    pdf_pages: int  # our own PDF
    word_pages: list[str]  # the Word file's pages as LibreOffice prints them


def page_texts(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = text.stdout.split("\f")
    return pages[:count]


def render(name: str, tmp: Path) -> Rendered:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice saknas: kör scripts/setup test (installerar libreoffice-writer-nogui)")
    root = tmp / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    layout = Layout(root)
    result = build_report(layout, load_config(layout.config), [report_parts], ["docx", "pdf"], quiet=True)
    word_file = next(p for p in result.files if p.suffix == ".docx")
    pdf_file = next(p for p in result.files if p.suffix == ".pdf")
    out = tmp / "libreoffice"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(word_file),
        ],
        capture_output=True,
        timeout=240,
        check=True,
    )
    return Rendered(word_file, len(page_texts(pdf_file)), page_texts(out / f"{word_file.stem}.pdf"))


@pytest.fixture(scope="module")
def lystkom(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render("lystkom-2023", tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="module")
def sydnarke(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render("sydnarke-2020", tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="module")
def exempelkommun(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render("exempelkommun-2024", tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="module")
def exempelkommun_delar(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render("exempelkommun-2024-delar", tmp_path_factory.mktemp("docx"))


@pytest.fixture(params=["lystkom", "sydnarke", "exempelkommun", "exempelkommun_delar"])
def example(request: pytest.FixtureRequest) -> Rendered:
    return request.getfixturevalue(request.param)


def words(text: str) -> Counter[str]:
    return Counter(WORD.findall(text))


def test_no_table_label_is_broken_inside_a_word(example: Rendered) -> None:
    word = docx.Document(str(example.docx))
    # Every word the file holds, and how often; a word broken over two lines
    # in the printed pages is missing from them once.
    written = words("\n".join(p.text for p in word.paragraphs))
    in_tables: Counter[str] = Counter()
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                in_tables += words(cell.text)
    written += in_tables
    printed = words("\n".join(example.word_pages))
    broken = {w: (n, printed[w]) for w, n in written.items() if w in in_tables and printed[w] < n}
    assert not broken


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        (
            "lystkom",
            ["Summa anläggningstillgångar", "Investeringsverksamheten", "Materiella anläggningstillgångar"],
        ),
        ("sydnarke", ["Kommunfullmäktiges mål", "Medarbetarengagemang"]),
        ("exempelkommun", ["Kommunledningsförvaltningen", "Räddningstjänsten Mitt", "medarbetarengagemang"]),
        ("exempelkommun_delar", ["Kommunledningsförvaltningen", "Samhällsbyggnadsförvaltningen"]),
    ],
)
def test_long_labels_are_whole(name: str, labels: list[str], request: pytest.FixtureRequest) -> None:
    rendered: Rendered = request.getfixturevalue(name)
    lines = [" ".join(line.split()) for page in rendered.word_pages for line in page.splitlines()]
    for label in labels:
        assert any(label in line for line in lines), label


def test_word_and_pdf_have_about_as_many_pages(example: Rendered) -> None:
    assert abs(len(example.word_pages) - example.pdf_pages) <= 0.2 * example.pdf_pages


def test_contents_shows_each_heading_with_the_page_it_is_on(example: Rendered) -> None:
    contents = example.word_pages[1]
    assert "Innehåll" in contents
    entries = re.findall(r"^\s*(\S.*?)\.{3,}\s*(\d+)\s*$", contents, re.M)
    assert len(entries) >= 8
    for title, page in entries:
        found = [
            i + 1
            for i, text in enumerate(example.word_pages[2:], start=2)
            if any(line.strip() == title for line in text.splitlines())
        ]
        assert found, title
        # bokslut writes the numbers from its own estimate of the layout (Word replaces
        # them when it updates the fields); they are right or one page off. A heading two
        # chapters share ("Sammanställda räkenskaper") is on one of the pages it is found on.
        assert any(abs(f - int(page)) <= 1 for f in found), (title, page, found)


def test_every_page_but_the_cover_is_numbered(example: Rendered) -> None:
    total = len(example.word_pages)
    assert f"Sida 1 av {total}" not in example.word_pages[0]
    for number, text in enumerate(example.word_pages[1:], start=2):
        assert f"Sida {number} av {total}" in text
