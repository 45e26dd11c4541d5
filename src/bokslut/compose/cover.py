"""The title page's logo: a file of the workspace named in bokslut.toml, checked before it is read."""

from __future__ import annotations

from pathlib import Path

from bokslut.diagnostics import BokslutError, error
from bokslut.document import Logo
from bokslut.workspace.layout import Layout

# A logo is a small picture; a larger file is most likely the wrong one.
MAX_LOGO_BYTES = 5 * 1024 * 1024
FORMATS = {".png": "png", ".jpg": "jpg", ".jpeg": "jpg", ".svg": "svg"}
KEY = "[titelsida] logotyp"


def _refuse(layout: Layout, message: str, code: str) -> BokslutError:
    return BokslutError(message, (error(message, file=layout.config.name, where=KEY, code=code),))


def _looks_like(data: bytes, fmt: str) -> bool:
    if fmt == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if fmt == "jpg":
        return data.startswith(b"\xff\xd8\xff")
    try:
        return b"<svg" in data[:4096] and bool(data.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def read_logo(layout: Layout, name: str, organisation: str) -> Logo:
    """The logo file ``name`` (relative to the workspace) as a :class:`Logo`.

    Refused with a Swedish finding when the path leaves the workspace, the file is
    missing, too large, or not a PNG, JPEG or SVG picture.
    """
    root = layout.root.resolve()
    path = (layout.root / name).resolve()
    if Path(name).is_absolute() or not path.is_relative_to(root):
        raise _refuse(
            layout,
            f"logotypen '{name}' ligger utanför arbetsytan; ange en fil i arbetsytans mapp",
            "logotyp-utanfor",
        )
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise _refuse(layout, f"logotypen '{name}' ska vara en PNG-, JPEG- eller SVG-fil", "logotyp-format")
    if not path.is_file():
        raise _refuse(layout, f"logotypen '{name}' finns inte i arbetsytan", "logotyp-saknas")
    if path.stat().st_size > MAX_LOGO_BYTES:
        raise _refuse(layout, f"logotypen '{name}' är större än 5 MB", "logotyp-storlek")
    data = path.read_bytes()
    if not _looks_like(data, fmt):
        raise _refuse(layout, f"logotypen '{name}' är ingen giltig {fmt.upper()}-bild", "logotyp-format")
    genitive = organisation if organisation.endswith(("s", "x", "z")) else organisation + "s"
    return Logo(data, fmt, f"{genitive} logotyp")
