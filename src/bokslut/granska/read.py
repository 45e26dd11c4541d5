"""Open any report file: tell the format from its first bytes, and turn every way a file can
fail to be read into a :class:`ReadError` with a Swedish message."""

from __future__ import annotations

import zipfile
from pathlib import Path

from bokslut.granska.model import Document, ReadError

# A published report is a few megabytes; a file far beyond that is not one, and reading it
# whole would only exhaust the machine.
MAX_BYTES = 200 * 1024 * 1024


def read_document(path: Path) -> Document:
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError(f"{name}: filen finns inte") from None
    except OSError as exc:
        raise ReadError(f"{name}: filen kan inte läsas ({exc.strerror or exc})") from None
    if path.is_dir():
        raise ReadError(f"{name}: är en mapp, inte en fil")
    if size == 0:
        raise ReadError(f"{name}: filen är tom")
    if size > MAX_BYTES:
        raise ReadError(
            f"{name}: filen är {size // (1024 * 1024)} MB – större än {MAX_BYTES // (1024 * 1024)} MB, "
            f"vilket ingen publicerad rapport är; den granskas inte"
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ReadError(f"{name}: filen kan inte läsas ({exc.strerror or exc})") from None
    if head.startswith(b"%PDF"):
        return _pdf(path, name)
    if head.startswith(b"PK"):
        return _docx(path, name)
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ReadError(f"{name}: är ingen textfil, PDF, Word- eller HTML-fil som kan granskas")
    text = _decode(data, name)
    lower = text[:4096].lower()
    if path.suffix.lower() in (".html", ".htm", ".xhtml") or "<html" in lower or "<!doctype html" in lower:
        from bokslut.granska.read_html import read_html

        return read_html(text, name)
    from bokslut.granska.read_text import read_text

    return read_text(text, name)


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{name}: texten är varken UTF-8 eller Windows-1252 och kan inte läsas")


def _pdf(path: Path, name: str) -> Document:
    import pypdfium2 as pdfium

    from bokslut.granska.pdf_words import page_words
    from bokslut.granska.read_pdf import read_pages

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ReadError(f"{name}: PDF-filen är krypterad med lösenord och kan inte granskas") from None
        raise ReadError(f"{name}: PDF-filen är skadad och kan inte läsas ({exc})") from None
    try:
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            pages.append((i + 1, page_words(page), page.get_width()))
    except pdfium.PdfiumError as exc:
        raise ReadError(f"{name}: PDF-filen är skadad och kan inte läsas ({exc})") from None
    finally:
        pdf.close()
    if not any(words for _, words, _ in pages):
        raise ReadError(
            f"{name}: PDF-filen har inget textlager (den är troligen inskannad) – granska kan bara läsa "
            f"PDF med text; kör den genom textigenkänning (OCR) först"
        )
    return read_pages(pages, name)


def _docx(path: Path, name: str) -> Document:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        raise ReadError(f"{name}: ZIP-arkivet är skadat och kan inte läsas") from None
    if "word/document.xml" not in names:
        raise ReadError(f"{name}: är ett ZIP-arkiv men inget Word-dokument (DOCX) – det kan inte granskas")
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from bokslut.granska.read_docx import read_docx

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ReadError(f"{name}: Word-dokumentet är skadat och kan inte läsas ({exc})") from None
    except Exception as exc:  # lxml's XMLSyntaxError and the like: a damaged part inside the package
        raise ReadError(
            f"{name}: Word-dokumentet är skadat och kan inte läsas ({type(exc).__name__})"
        ) from None
    return read_docx(document, name)
