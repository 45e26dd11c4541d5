"""Compiled chapters kept in the workspace's cache (``.bokslut/mallar/``), signed by this user.

Jinja compiles a chapter to Python code, a tenth of a second of a build for
the examples' seven chapters; the code changes only when the chapter, Jinja,
Python or bokslut's sandbox changes. An entry holds the compiled code under a
key over all of those and is used only for that same key.

A cache entry is code that will run. A workspace may arrive as a zip or be
shared, and a chapter is untrusted text run in a sandbox, so an entry that
someone else wrote could escape the sandbox. Every entry therefore carries an
HMAC-SHA256 made with a key of this user's own, kept outside every workspace
(:mod:`bokslut.cache_signing`): an entry that a zip brought
along, that was altered or damaged, or whose key file cannot be read or made
is never loaded; the chapter is compiled as if there were no cache, and the
entry written anew.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType

import jinja2
from jinja2 import Environment, Template

from bokslut.cache_signing import read_entry, signing_key

FORMAT = 1
MAGIC = b"bokslut-mall\n"
MAX_ENTRY_BYTES = 16 * 1024 * 1024
# The modules whose code decides what a chapter compiles to.
COMPILING_MODULES = ("bokslut.compose.sandbox", "bokslut.compose.chapters", "bokslut.compose.template_cache")


def fingerprint(env: Environment) -> str:
    """What, besides the chapter's text, decides its compiled code."""
    digest = hashlib.sha256(f"{FORMAT}|{jinja2.__version__}|{sys.version}|".encode())
    digest.update(importlib.util.MAGIC_NUMBER)
    for name in COMPILING_MODULES:
        source = getattr(sys.modules.get(name), "__file__", None)
        try:
            digest.update(Path(source).read_bytes() if source else name.encode())
        except OSError:
            digest.update(name.encode())
    for names in (env.filters, env.tests, env.globals):
        digest.update("|".join(sorted(names)).encode())
    return digest.hexdigest()


class TemplateCache:
    """Compiles chapters with ``env``, through the entries in ``folder`` when it can trust them."""

    def __init__(self, env: Environment, folder: Path | None, key: bytes | None = None) -> None:
        self.env = env
        self.key = key if key is not None or folder is None else signing_key()
        self.folder = folder if self.key is not None else None
        self._fingerprint = fingerprint(env) if self.folder is not None else ""

    def from_string(self, name: str, text: str) -> Template:
        """As ``env.from_string(text)`` (the same errors), from the cache when possible."""
        code = self._load(name, text)
        if code is None:
            code = self.env.compile(text)
            self._save(name, text, code)
        return self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)

    def _paths(self, name: str, text: str) -> tuple[Path, bytes] | None:
        if self.folder is None:
            return None
        key = hashlib.sha256(f"{self._fingerprint}\n{text}".encode()).hexdigest().encode()
        return self.folder / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.bin", key

    def _mac(self, key: bytes, body: bytes) -> bytes:
        assert self.key is not None
        return hmac.new(self.key, key + b"\n" + body, hashlib.sha256).hexdigest().encode()

    def _load(self, name: str, text: str) -> CodeType | None:
        where = self._paths(name, text)
        if where is None:
            return None
        entry, key = where
        data = read_entry(entry, MAX_ENTRY_BYTES)
        if data is None:
            return None
        header = MAGIC + key + b"\n"
        if not data.startswith(header) or len(data) < len(header) + 65:
            return None
        mac, body = data[len(header) : len(header) + 64], data[len(header) + 65 :]
        separator = data[len(header) + 64 : len(header) + 65]
        if separator != b"\n" or not hmac.compare_digest(mac, self._mac(key, body)):
            return None  # not written by this user for this chapter: never run
        try:
            code = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return None
        return code if isinstance(code, CodeType) else None

    def _save(self, name: str, text: str, code: CodeType) -> None:
        where = self._paths(name, text)
        if where is None or self.folder is None:
            return
        entry, key = where
        body = marshal.dumps(code)
        data = MAGIC + key + b"\n" + self._mac(key, body) + b"\n" + body
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.folder.is_symlink() or not self.folder.is_dir():
                return
            tmp = self.folder / f".{entry.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
        except OSError:
            pass  # no cache: the next build compiles again
