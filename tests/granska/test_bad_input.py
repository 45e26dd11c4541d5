"""Files that are not a readable report: a Swedish message and exit 1 or 2, never a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pikepdf
import pytest
import typst
from click.testing import CliRunner

from bokslut.cli import app


def run(*files: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["granska", *map(str, files)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


def text_pdf(path: Path) -> Path:
    path.write_bytes(typst.compile(b"= Rapport\nEtt stycke text.", format="pdf", ignore_system_fonts=True))
    return path


def test_encrypted_pdf(tmp_path: Path) -> None:
    plain_pdf = text_pdf(tmp_path / "klar.pdf")
    locked = tmp_path / "last.pdf"
    with pikepdf.open(plain_pdf) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="ägare", user="hemligt"))
    code, out = run(locked)
    assert code == 2
    assert "PDF-filen är krypterad med lösenord och kan inte granskas" in out


def test_damaged_pdf(tmp_path: Path) -> None:
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    code, out = run(broken)
    assert code == 2
    assert "PDF-filen är skadad och kan inte läsas" in out


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    scanned = tmp_path / "inskannad.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(scanned)
    code, out = run(scanned)
    assert code == 2
    assert "PDF-filen har inget textlager (den är troligen inskannad)" in out


def test_docx_that_is_a_renamed_zip_of_something_else(tmp_path: Path) -> None:
    fake = tmp_path / "rapport.docx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("bilder/omslag.txt", "inte ett Word-dokument")
    code, out = run(fake)
    assert code == 2
    assert "är ett ZIP-arkiv men inget Word-dokument (DOCX)" in out


def test_docx_with_a_damaged_document_part(tmp_path: Path) -> None:
    fake = tmp_path / "rapport.docx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("word/document.xml", "<w:document")
    code, out = run(fake)
    assert code == 2
    assert "Word-dokumentet är skadat och kan inte läsas" in out


def test_html_without_tables(tmp_path: Path) -> None:
    page = tmp_path / "sida.html"
    page.write_text("<html><body><h1>Årsredovisning</h1><p>Resultatet blev 1 376 tkr.</p></body></html>")
    code, out = run(page)
    assert code == 1
    assert "Dokumentet innehåller inga tabeller med belopp" in out


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "tom.md"
    empty.write_bytes(b"")
    code, out = run(empty)
    assert code == 2
    assert "filen är tom" in out
    assert "Ingen fil kunde granskas." in out


def test_a_500_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "stor.pdf"
    with huge.open("wb") as fh:
        fh.truncate(500 * 1024 * 1024)  # sparse: no disk is used
    code, out = run(huge)
    assert code == 2
    assert "filen är 500 MB – större än 200 MB" in out


def test_binary_garbage_and_a_missing_file(tmp_path: Path) -> None:
    junk = tmp_path / "data.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    code, out = run(junk, tmp_path / "finns-inte.pdf")
    assert code == 2
    assert "är ingen textfil, PDF, Word- eller HTML-fil som kan granskas" in out
    assert "finns-inte.pdf: filen finns inte" in out


@pytest.mark.parametrize("name", ["rapport.md", "rapport.txt"])
def test_a_readable_file_beside_an_unreadable_one_is_still_reviewed(tmp_path: Path, name: str) -> None:
    good = tmp_path / name
    good.write_text("Resultat (tkr)\n\t2023\nIntäkter\t10\nKostnader\t-4\nSumma\t7\n", encoding="utf-8")
    code, out = run(good, tmp_path / "tom.pdf")
    assert code == 2
    assert "Summa visar 7 men delarna (Intäkter, Kostnader) blir 6" in out
