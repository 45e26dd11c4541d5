"""This user's key for signing what bokslut keeps in a workspace's cache.

A workspace may arrive as a zip or be shared, cache included. What bokslut keeps
there to save time (compiled chapters, parsed key-figure files) is used only when
it carries an HMAC-SHA256 made with this key, which lives outside every workspace
(``$XDG_CACHE_HOME/bokslut/nyckel``, else ``~/.cache/bokslut/nyckel``, mode 0600)
and is made on first use. Without a trustworthy key nothing is kept or used: the
caches only save time.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import stat
from pathlib import Path

KEY_BYTES = 32


def key_path() -> Path:
    """Where this user's signing key lives: the user's cache folder, never a workspace."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bokslut" / "nyckel"


def signing_key(path: Path | None = None) -> bytes | None:
    """This user's key (made on first use); None when it cannot be trusted or made."""
    path = path if path is not None else key_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            return _new_key(path)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or info.st_uid != os.getuid():
                return None  # readable or writable by others: not a secret
            key = f.read(KEY_BYTES + 1)
        return key if len(key) == KEY_BYTES else None
    except (OSError, RuntimeError, AttributeError):  # no home, or no getuid (Windows)
        return None


def _new_key(path: Path) -> bytes | None:
    key = os.urandom(KEY_BYTES)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        # Two builds making the key at once: the first one's stays, the other reads it.
        os.link(tmp, path)
    except FileExistsError:
        return signing_key(path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return key


def sign(key: bytes, *parts: bytes) -> bytes:
    """The HMAC-SHA256 of ``parts`` (each length-prefixed) as 64 hex digits."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.hexdigest().encode()


def verify(key: bytes, mac: bytes, *parts: bytes) -> bool:
    return hmac.compare_digest(mac, sign(key, *parts))


def read_entry(path: Path, max_bytes: int | None = None) -> bytes | None:
    """A cache entry's bytes, or None when it is missing, a link, not a regular file or too large.

    Links are not followed so that an entry planted as a link cannot make a cache read
    another file of the user's.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                return None
            if max_bytes is None:
                return f.read()
            if info.st_size > max_bytes:
                return None
            data = f.read(max_bytes + 1)
            return data if len(data) <= max_bytes else None
    except OSError:
        return None
