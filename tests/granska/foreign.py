"""The seed reports laid out by programs other than bokslut: HTML written here, then Word and PDF
made from it by LibreOffice (tables, fonts, page breaks and line breaks all its own).

Made at test time from ../shared/seeds, so no one else's text is committed as a binary.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

# Markdown passes HTML through: the seeds use <b>, <i>, <u>, <sub> and lists in table cells.
_INLINE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?>")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def _inline(text: str) -> str:
    """Escape the text but keep its HTML tags."""
    out: list[str] = []
    last = 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[last : m.start()], quote=False))
        out.append(m.group(0))
        last = m.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def markdown_to_html(text: str, title: str) -> str:
    """Headings, paragraphs and tab-separated tables (the first row the heading row)."""
    parts = [
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
    ]
    table: list[list[str]] = []

    def flush() -> None:
        if not table:
            return
        width = max(len(r) for r in table)
        parts.append('<table border="1">')
        for i, row in enumerate(table):
            tag = "th" if i == 0 else "td"
            cells = row + [""] * (width - len(row))
            parts.append("<tr>" + "".join(f"<{tag}>{_inline(c.strip())}</{tag}>" for c in cells) + "</tr>")
        parts.append("</table>")
        table.clear()

    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if not line.strip() and table and i + 1 < len(lines) and "\t" in lines[i + 1]:
            continue  # a blank line inside a table (the seeds have one) does not end it
        flush()
        if not line.strip():
            continue
        if m := _HEADING.match(line):
            n = len(m.group(1))
            parts.append(f"<h{n}>{_inline(m.group(2))}</h{n}>")
        else:
            parts.append(f"<p>{_inline(line)}</p>")
    flush()
    parts.append("</body></html>")
    return "\n".join(parts)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(sources: list[Path], fmt: str, out_dir: Path, profile: Path) -> list[Path]:
    """LibreOffice Writer (headless, its own profile so parallel runs do not collide) converts."""
    exe = soffice()
    assert exe is not None
    filters = {"docx": "docx:MS Word 2007 XML", "pdf": "pdf:writer_pdf_Export"}
    # HTML opened in Writer proper (not Writer/Web), so it is laid out on pages like a document.
    html_in = ["--infilter=HTML (StarWriter)"] if all(s.suffix == ".html" for s in sources) else []
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            *html_in,
            "--convert-to",
            filters[fmt],
            "--outdir",
            str(out_dir),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return [out_dir / f"{s.stem}.{fmt}" for s in sources]
