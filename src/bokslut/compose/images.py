"""Pictures in chapters: ``![Förbundets logga](../bilder/logga.png)`` read from the workspace.

The reference counts from the chapter's folder (``text/``), as in any Markdown
preview, and must stay inside the workspace. Only PNG and JPEG are taken (told
from the bytes, not the name): an SVG can carry scripts and links, so it is
refused with a hint to save it as PNG.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from bokslut.diagnostics import Finding
from bokslut.document import Image
from bokslut.workspace.safe_files import inside, read_plain_file

# A logo or a map is well under this; a larger file makes every format heavy.
MAX_IMAGE_BYTES = 2 * 1024 * 1024

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def load_image(root: Path, chapter: str, src: str, alt: str, line: int | None) -> Image | str:
    """The image, or a Swedish message saying why it cannot be placed."""
    folder = PurePosixPath(chapter).parent
    relative = (folder / src.strip()).as_posix()
    path = inside(root, relative)
    if path is None:
        return f"bilden '{src}' ligger utanför arbetsytan; bilder tas bara från arbetsytans egna mappar"
    if not path.exists():
        return (
            f"bilden '{src}' finns inte (sökte {relative}); sökvägen räknas från kapitlets mapp, "
            "t.ex. ../bilder/logga.png för en bild i mappen bilder/"
        )
    if path.is_file() and path.stat().st_size > MAX_IMAGE_BYTES:
        return (
            f"bilden '{src}' är större än {MAX_IMAGE_BYTES // (1024 * 1024)} MB; "
            "minska den (färre bildpunkter, eller spara ett foto som JPEG)"
        )
    data = read_plain_file(root, path, MAX_IMAGE_BYTES, relative)
    if isinstance(data, Finding):
        return f"bilden '{src}': {data.message}"
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return Image(src, alt, media_type, data, line)
    if b"<svg" in data[:4096].lower():
        return f"bilden '{src}' är en SVG-fil; spara den som PNG eller JPEG (SVG kan bära skript och länkar)"
    return f"bilden '{src}' är varken PNG eller JPEG; spara den i något av de formaten"
