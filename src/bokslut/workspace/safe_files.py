"""Reading a user's file only when it is a plain file inside the workspace.

A workspace may arrive as a zip or on a share, and a web application will hold
many users' workspaces on one server: a chapter, an image or a data file that is
a symbolic link, that points outside the workspace or that is not a regular file
must never bring another file into a report. Every refusal is a Swedish
finding naming the file, never a traceback.

Chapters are never links (:func:`read_plain_file`). Data files (data/…) may be
links that stay inside the workspace — an export folder beside data/ linked in is
a normal way to keep files — and are opened by :func:`open_inside`, which never
follows a link out of it, not even one swapped in while the file is being opened.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from bokslut.diagnostics import Finding, error
from bokslut.environment import read_problem

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


class Refused(Exception):
    """A file that is not read because of where it is; ``message`` is Swedish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_COPY_IN = "kopiera in filen i arbetsytan i stället för att länka till den"


def _leaving(root: Path, base: Path, path: Path) -> str:
    """Why ``path`` (which resolves outside ``base``) is refused, naming the link that leads out."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return "filen ligger utanför arbetsytan och läses inte"
    for n in range(1, len(parts) + 1):
        here = root.joinpath(*parts[:n])
        if here.is_symlink() and not here.resolve().is_relative_to(base):
            if n == len(parts):
                return (
                    f"filen är en symbolisk länk till en fil utanför arbetsytan och läses inte – {_COPY_IN}"
                )
            folder = "/".join(parts[:n])
            return (
                f"mappen {folder} är en symbolisk länk till en mapp utanför arbetsytan, så filen läses "
                "inte – kopiera in mappen i arbetsytan i stället för att länka till den"
            )
    return f"filen leder via symboliska länkar utanför arbetsytan och läses inte – {_COPY_IN}"


def open_inside(root: Path, path: Path) -> int:
    """A read-only, non-blocking descriptor of ``path``, opened only inside ``root``.

    Symbolic links are followed while they stay inside the workspace: ``path`` is
    resolved, the result must lie in the resolved root, and that resolved path is
    opened one folder at a time from the root with O_NOFOLLOW, so a link put in its
    place in the meantime is not followed either. Raises :class:`Refused` (Swedish)
    for a file outside, OSError as the system gives it (ENOENT, ELOOP for a loop …).
    """
    base = root.resolve()
    try:
        real = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a symlink loop so
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None
    if not real.is_relative_to(base):
        raise Refused(_leaving(root, base, path))
    parts = real.relative_to(base).parts
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    if not parts:
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if os.open not in os.supports_dir_fd or not nofollow:  # pragma: no cover - Windows
        return os.open(real, flags | getattr(os, "O_NONBLOCK", 0))
    fd = os.open(base, flags | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = os.open(part, flags | os.O_DIRECTORY | nofollow, dir_fd=fd)
            os.close(fd)
            fd = inner
        return os.open(parts[-1], flags | nofollow | os.O_NONBLOCK, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            # What was resolved a moment ago is a link now: someone is changing the workspace.
            raise Refused(
                "en symbolisk länk i sökvägen byttes ut medan filen öppnades, så den läses inte – "
                "försök igen när ingen ändrar i arbetsytan"
            ) from None
        raise
    finally:
        os.close(fd)


def open_data_file(root: Path | None, path: Path, name: str) -> BinaryIO | Finding:
    """``path`` opened for reading when it is a regular file (inside ``root`` when given).

    With ``root`` None the path is opened as given (a file named on the command line).
    """
    try:
        if root is None:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
        else:
            fd = open_inside(root, path)
    except Refused as exc:
        return error(exc.message, file=name, code="utanfor-arbetsytan")
    except OSError as exc:
        return error(read_problem(exc), file=name)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            return error(read_problem(IsADirectoryError(errno.EISDIR, "")), file=name)
        return error("är ingen vanlig fil (en enhet, ett rör eller liknande) och läses inte", file=name)
    # Blocking again: a regular file never waits, and Python's buffered reads expect it.
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def write_plain_file(root: Path, relative: str, data: bytes) -> Path:
    """Replace ``root/relative`` with ``data`` atomically: a reader sees the old or the new file, whole.

    The bytes go to a fresh file beside the target, are synced, and are renamed over it;
    the folder is synced so the rename survives a crash. A target that is a symbolic
    link, not a regular file, or outside the workspace is refused (:class:`Refused`),
    so a save can never write through a link to somewhere else.
    """
    target = inside(root, relative)
    unresolved = root / relative
    if target is None or unresolved.is_symlink() or unresolved.resolve() != target:
        raise Refused("filen ligger utanför arbetsytan eller är en symbolisk länk och skrivs inte")
    if target.exists() and not target.is_file():
        raise Refused("är ingen vanlig fil och skrivs inte")
    folder = target.parent
    tmp = folder / f".{target.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target
