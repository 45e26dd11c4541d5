"""Reading a user's file only when it is a plain file inside the workspace.

A workspace may arrive as a zip or on a share, and a web application will hold
many users' workspaces on one server: a chapter (or, later, an image) that is a
symbolic link, that points outside the workspace or that is not a regular file
must never bring another file into a report. Every refusal is a Swedish
finding naming the file, never a traceback.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath

from bokslut.diagnostics import Finding, error

# Chapters are Markdown text; a megabyte is far beyond any real one.
DEFAULT_MAX_BYTES = 1024 * 1024


def inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` when that names a place inside ``root``, else None.

    Refused: absolute paths, drive letters, URLs and any path whose resolved
    form (symbolic links followed) leaves the resolved root.
    """
    if not relative or "\x00" in relative or "://" in relative or relative.startswith(("/", "\\")):
        return None
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or ":" in pure.parts[0]:
        return None
    base = root.resolve()
    try:
        resolved = (base / pure).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return resolved if resolved.is_relative_to(base) else None


def leaves_workspace(reference: str, folder: str = "text") -> bool:
    """Whether a reference written in a file of ``folder`` can only name something outside.

    Judged from the text alone (absolute paths, drive letters, URLs, ``..`` past
    the root); a reference that passes must still be opened with :func:`inside`
    and :func:`read_plain_file`, which follow symbolic links.
    """
    ref = reference.strip().replace("\\", "/")
    if not ref or "\x00" in ref or ref.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", ref):
        return True
    depth = len(PurePosixPath(folder).parts)
    for part in PurePosixPath(ref).parts:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            return True
    return False


def read_plain_file(root: Path, path: Path, max_bytes: int, name: str) -> bytes | Finding:
    """The bytes of ``path`` if it is a regular file (not a link) inside ``root`` and small enough."""
    if path.is_symlink():
        return error(
            "filen är en symbolisk länk; bokslut läser bara vanliga filer i arbetsytan – "
            "kopiera in filen i stället för att länka till den",
            file=name,
        )
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return error(
            "filen kan inte öppnas (en länk i sökvägen leder ingenstans eller i en slinga)", file=name
        )
    if not resolved.is_relative_to(root.resolve()):
        return error("filen ligger utanför arbetsytan och läses inte", file=name)
    try:
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        return error("är en mapp, inte en fil", file=name)
    except OSError as exc:
        return error(f"filen kan inte läsas ({exc.strerror or exc})", file=name)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            return error("är en mapp, inte en fil", file=name)
        return error("är ingen vanlig fil (en enhet, ett rör eller liknande) och läses inte", file=name)
    with os.fdopen(fd, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        return error(
            f"filen är större än gränsen {_size(max_bytes)}; dela upp kapitlet eller höj "
            "[kapitel] max_storlek_kb i bokslut.toml",
            file=name,
        )
    return data


def _size(n: int) -> str:
    return f"{n // 1024} kB" if n >= 1024 else f"{n} byte"
