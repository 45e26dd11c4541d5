"""Failures of the machine (disk full, read-only file system, no permission, I/O errors)
in Swedish: one vocabulary for the library (lock, store, importer) and the shells.

:func:`environment_message` is the whole sentence a user reads, naming the path and
what to do; :func:`environment_reason` is the short phrase the library puts inside
its own messages ("disken är full"). Neither ever passes the system's English on.
"""

from __future__ import annotations

import errno
import os
import re

from bokslut.diagnostics import BokslutError

_ENOSPC = (
    "disken är full: {path} kunde inte skrivas. Frigör utrymme på disken (eller skriv till en annan "
    "disk) och kör kommandot igen."
)
_EROFS = (
    "{path}: filsystemet är skrivskyddat. Kopiera arbetsytan till en mapp där du kan skriva, "
    "eller be den som förvaltar disken om skrivrätt."
)
_EACCES = (
    "{path}: behörighet saknas. Kontrollera att du får läsa och skriva filen och dess mapp "
    "(ägare och rättigheter), eller kör kommandot i en kopia av arbetsytan som du äger."
)

# errno → Swedish message; {path} is the file (and the rename target) the failure names.
_MESSAGES: dict[int, str] = {
    errno.ENOSPC: _ENOSPC,
    errno.EDQUOT: (
        "diskkvoten är slut: {path} kunde inte skrivas. Ta bort filer du inte behöver eller be om "
        "större kvot, och kör kommandot igen."
    ),
    errno.EFBIG: "{path}: filen blir för stor för filsystemet. Skriv till en annan disk.",
    errno.EROFS: _EROFS,
    errno.EACCES: _EACCES,
    errno.EPERM: _EACCES,
    errno.ENOENT: "{path}: filen eller mappen finns inte. Kontrollera sökvägen.",
    errno.ELOOP: (
        "{path}: symboliska länkar i en slinga (eller för många länkar i rad). Ta bort eller rätta länken."
    ),
    errno.EISDIR: "{path}: är en mapp, här behövs en fil. Kontrollera sökvägen.",
    errno.ENOTDIR: "{path}: en del av sökvägen är en fil, inte en mapp. Kontrollera sökvägen.",
    errno.ENAMETOOLONG: "{path}: sökvägen eller filnamnet är för långt. Välj en kortare sökväg.",
    errno.EEXIST: "{path}: finns redan. Ta bort eller flytta den och kör kommandot igen.",
    errno.ENOTEMPTY: "{path}: mappen är inte tom. Töm eller flytta den och kör kommandot igen.",
    errno.EBUSY: "{path}: används av ett annat program. Stäng det och kör kommandot igen.",
    errno.ETXTBSY: "{path}: används av ett annat program. Stäng det och kör kommandot igen.",
    errno.EXDEV: (
        "{path}: kan inte flyttas mellan två olika diskar. Lägg arbetsytan och utdata på samma disk."
    ),
    errno.EIO: (
        "{path}: läs- eller skrivfel på disken (EIO). Disken eller nätverksenheten kan vara trasig "
        "eller frånkopplad; kontrollera den och kör kommandot igen."
    ),
    errno.EMFILE: "för många öppna filer ({path}). Höj gränsen (ulimit -n) och kör kommandot igen.",
    errno.ENFILE: "för många öppna filer i systemet ({path}). Försök igen om en stund.",
    errno.ENOMEM: "minnet räckte inte ({path}). Stäng andra program och kör kommandot igen.",
    errno.ESTALE: (
        "{path}: nätverksenheten har tappat filen (ESTALE). Anslut enheten igen och kör kommandot igen."
    ),
}

# DuckDB reports file errors as its own exceptions, with the path in quotes and
# strerror's English text; these are the ones to translate.
_DUCKDB_STRERROR = {
    "No space left on device": errno.ENOSPC,
    "Disk quota exceeded": errno.EDQUOT,
    "Read-only file system": errno.EROFS,
    "Permission denied": errno.EACCES,
    "Operation not permitted": errno.EPERM,
    "Input/output error": errno.EIO,
    "No such file or directory": errno.ENOENT,
}
_QUOTED_PATH = re.compile(r'"([^"]+)"')

_LOCKED = (
    "{path}: huvudboken används just nu av ett annat bokslut-kommando (t.ex. en import som pågår). "
    "Vänta tills det är klart och kör kommandot igen."
)
_OUT_OF_MEMORY = "minnet räckte inte{where}. Stäng andra program och kör kommandot igen."


def _shown_path(exc: OSError, where: str | None) -> str:
    names = [os.fsdecode(p) for p in (exc.filename, exc.filename2) if isinstance(p, str | bytes)]
    if names:
        return " → ".join(names)
    # A write to an open file (disk full in the middle of a file) names no path.
    return f"en fil i {where} eller utdata" if where else "en fil eller utdata"


def environment_message(exc: BaseException, where: str | None = None) -> str | None:
    """The Swedish message for a failure of the environment, or None if ``exc`` is not one."""
    if isinstance(exc, MemoryError):
        return _OUT_OF_MEMORY.format(where=f" ({where})" if where else "")
    if isinstance(exc, OSError):
        if exc.errno is None or exc.errno not in _MESSAGES:
            return None
        return _MESSAGES[exc.errno].format(path=_shown_path(exc, where))
    if type(exc).__module__.lstrip("_") == "duckdb":
        return _duckdb_message(exc, where)
    return None


def _duckdb_message(exc: BaseException, where: str | None) -> str | None:
    text = str(exc)
    quoted = _QUOTED_PATH.search(text)
    path = quoted.group(1) if quoted else (where or "arbetsytans cache")
    name = type(exc).__name__
    if name == "OutOfMemoryException":
        return _OUT_OF_MEMORY.format(where=f" ({path})")
    if name != "IOException":
        return None
    if "Could not set lock" in text or "Conflicting lock" in text:
        return _LOCKED.format(path=path)
    for strerror, code in _DUCKDB_STRERROR.items():
        if strerror in text:
            return _MESSAGES[code].format(path=path)
    return None


# errno → the short phrase a library message puts after the file's name ("FIL: …").
_ENVIRONMENT = {
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.EROFS: "arbetsytan är skrivskyddad",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.EIO: "läs- eller skrivfel på disken",
    errno.ENOENT: "filen finns inte",
    errno.EISDIR: "är en mapp, inte en fil",
    errno.ENOTDIR: "en del av sökvägen är en fil, inte en mapp",
    errno.ELOOP: "symboliska länkar i en slinga (eller för många länkar i rad)",
    errno.ENAMETOOLONG: "sökvägen eller filnamnet är för långt",
}
# Phrases that already say what is wrong with the path; the others are why it could not be read.
_ABOUT_THE_PATH = frozenset({errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG})


def environment_reason(exc: OSError) -> str:
    """What went wrong with the machine (disk full, read-only, I/O error), in Swedish."""
    code = exc.errno or 0
    return _ENVIRONMENT.get(code, f"fel i filsystemet ({errno.errorcode.get(code, code)})")


def read_problem(exc: OSError) -> str:
    """Why a file could not be read, for a message that names the file: "filen finns inte",
    "filen kan inte läsas (behörighet saknas)" — never the system's English."""
    if exc.errno in _ABOUT_THE_PATH:
        return environment_reason(exc)
    return f"filen kan inte läsas ({environment_reason(exc)})"


def environment_error(exc: OSError, what: str) -> BokslutError:
    """A failure of the machine before anything was committed, as a Swedish message."""
    where = f"{exc.filename}: " if exc.filename else ""
    return BokslutError(
        f"{where}{what}: {environment_reason(exc)} – arbetsytan är oförändrad, "
        "försök igen när felet är åtgärdat"
    )
