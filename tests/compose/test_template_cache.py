"""Compiled chapters are kept in .bokslut/mallar/ and used only when this user wrote them for the
same text; anything else found there is never run."""

import hashlib
import hmac
import importlib.util
import marshal
import os
from pathlib import Path

import pytest
from jinja2 import Environment

from bokslut import cache_signing
from bokslut.compose import template_cache
from bokslut.compose.chapters import compose
from bokslut.document import Paragraph
from bokslut.report_data import ReportData


def _load_sample():
    path = Path(__file__).resolve().parents[1] / "render" / "sample_report.py"
    spec = importlib.util.spec_from_file_location("bokslut_sample_report_tc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sample = _load_sample()
DATA = ReportData.merge(sample.parts())
CHAPTER = "# Resultat\n\nÅrets resultat är {{ v.arets_resultat | tkr }}.\n"


@pytest.fixture(autouse=True)
def own_key_folder(tmp_path_factory, monkeypatch):
    """This user's signing key in a folder of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("anvandarcache")))


def shown_text(cache: Path, text: str = CHAPTER) -> str:
    doc = compose([("text/01.md", text)], DATA, sample.title_page(), template_cache=cache)
    return " ".join(
        "".join(getattr(r, "text", "") or getattr(r, "shown", "") for r in b.runs)
        for b in doc.chapters[0].blocks
        if isinstance(b, Paragraph)
    )


def entry(cache: Path) -> Path:
    (path,) = cache.iterdir()
    return path


def test_a_compiled_chapter_is_kept_and_used(tmp_path, monkeypatch):
    cache = tmp_path / ".bokslut" / "mallar"
    first = shown_text(cache)
    assert first.startswith("Årets resultat är ")
    assert entry(cache).read_bytes().startswith(template_cache.MAGIC)

    def not_again(self, source, *args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(Environment, "compile", not_again)
    assert shown_text(cache) == first


def test_an_edited_chapter_is_compiled_again(tmp_path):
    cache = tmp_path / "mallar"
    shown_text(cache)
    edited = CHAPTER.replace("Årets resultat är", "Resultatet blev")
    assert shown_text(cache, edited).startswith("Resultatet blev ")
    assert shown_text(cache).startswith("Årets resultat är ")


def _planted(cache: Path, key: bytes) -> bytes:
    """The entry with code that shows other words, signed with ``key``."""
    data = entry(cache).read_bytes()
    header_end = len(template_cache.MAGIC) + 65
    name_key = data[len(template_cache.MAGIC) : header_end - 1]
    other = Environment().compile("Planterad text som aldrig får visas.")
    body = marshal.dumps(other)
    mac = hmac.new(key, name_key + b"\n" + body, hashlib.sha256).hexdigest().encode()
    return data[:header_end] + mac + b"\n" + body


DAMAGE = {
    "signed with someone else's key": lambda cache: _planted(cache, os.urandom(32)),
    "noise": lambda cache: os.urandom(500),
    "cut short": lambda cache: entry(cache).read_bytes()[:-40],
    "a flipped byte in the code": lambda cache: entry(cache).read_bytes()[:-3] + b"\x00\x01\x02",
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_an_entry_this_user_did_not_write_is_never_run(tmp_path, damage):
    cache = tmp_path / "mallar"
    expected = shown_text(cache)
    good = entry(cache).read_bytes()
    entry(cache).write_bytes(DAMAGE[damage](cache))
    assert shown_text(cache) == expected
    assert "Planterad" not in shown_text(cache)
    assert entry(cache).read_bytes() == good  # written anew


def test_the_same_entry_signed_with_this_users_key_is_used(tmp_path):
    """The counterpart of the test above: the signature is what decides."""
    cache = tmp_path / "mallar"
    shown_text(cache)
    key = cache_signing.signing_key()
    assert key is not None
    entry(cache).write_bytes(_planted(cache, key))
    assert shown_text(cache) == "Planterad text som aldrig får visas."


def test_a_key_others_can_read_is_not_trusted(tmp_path):
    cache = tmp_path / "mallar"
    shown_text(cache)
    key_file = cache_signing.key_path()
    assert (key_file.stat().st_mode & 0o777) == 0o600
    key_file.chmod(0o644)
    assert cache_signing.signing_key() is None
    entry(cache).write_bytes(_planted(cache, key_file.read_bytes()))
    assert shown_text(cache).startswith("Årets resultat är ")


def test_without_a_cache_folder_nothing_is_written(tmp_path):
    doc = compose([("text/01.md", CHAPTER)], DATA, sample.title_page())
    assert doc.chapters[0].blocks
    assert not cache_signing.key_path().exists()
