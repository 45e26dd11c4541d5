"""The koncern cache (``.bokslut/koncern/``): a company file's aggregate, kept only when signed
by this user (bokslut.cache_signing), so a received workspace cannot bring its own figures."""

from __future__ import annotations

import hashlib
import json
import os
from decimal import Decimal

import pytest
from tests.statements.test_koncern import bostader, energi, kommun

from bokslut import cache_signing
from bokslut.statements import koncern_ledger

RESULT = Decimal(3_129_400)  # koncern_arets_resultat of the test koncern (test_koncern.py)


def _setup(ws):
    energi(bostader(kommun(ws)))
    assert ws.compute().values["koncern_arets_resultat"] == RESULT
    return ws


def _entry(ws, company: str = "energi"):
    data = (ws.root / f"data/koncern/{company}.se").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    return ws.root / ".bokslut" / "koncern" / f"{digest}.bin", digest


def _body(entry) -> dict:
    raw = entry.read_bytes()
    start = len(koncern_ledger.MAGIC) + koncern_ledger.MAC_LENGTH + 1
    return json.loads(raw[start:])


def _signed(secret: bytes, digest: str, body: dict) -> bytes:
    data = json.dumps(body).encode()
    return koncern_ledger.MAGIC + cache_signing.sign(secret, digest.encode(), data) + b"\n" + data


def _own_key() -> bytes:
    key = cache_signing.signing_key()
    assert key is not None
    return key


def _more_sales(body: dict) -> dict:
    """Energi's rows with 1 000 000 more on every credit: other figures than its file gives."""
    rows = [[a, o, d, c - 100_000_000 if c else c, n] for a, o, d, c, n in body["rows"]]
    return {**body, "rows": rows}


def test_a_signed_entry_is_used_instead_of_the_file(ws, monkeypatch):
    _setup(ws)
    entry, _ = _entry(ws)
    assert entry.read_bytes().startswith(koncern_ledger.MAGIC)

    def unread(*args, **kwargs):
        raise AssertionError("the company file was read again")

    monkeypatch.setattr(koncern_ledger, "read_sie_bytes", unread)
    assert ws.compute().values["koncern_arets_resultat"] == RESULT


def _signed_by_me(entry, digest, body: bytes) -> bytes:
    return koncern_ledger.MAGIC + cache_signing.sign(_own_key(), digest.encode(), body) + b"\n" + body


DAMAGE = {
    "noise": lambda entry, digest: os.urandom(300),
    "empty": lambda entry, digest: b"",
    "cut short": lambda entry, digest: entry.read_bytes()[:-20],
    "a changed figure": lambda entry, digest: entry.read_bytes().replace(b'"rows": [["', b'"rows": [["9', 1),
    "signed with another key": lambda entry, digest: _signed(
        os.urandom(32), digest, _more_sales(_body(entry))
    ),
    "unsigned, as once written": lambda entry, digest: json.dumps(_more_sales(_body(entry))).encode(),
    "signed by this user, not JSON": lambda entry, digest: _signed_by_me(entry, digest, b"[1, 2"),
    "signed by this user, another type": lambda entry, digest: _signed(
        _own_key(), digest, {**_body(entry), "rows": {"a": 1}}
    ),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_or_planted_entry_is_ignored_and_rewritten(ws, damage):
    _setup(ws)
    entry, digest = _entry(ws)
    good = entry.read_bytes()
    entry.write_bytes(DAMAGE[damage](entry, digest))
    assert ws.compute().values["koncern_arets_resultat"] == RESULT
    assert entry.read_bytes() == good  # rewritten


def test_figures_brought_along_in_a_received_workspace_are_not_shown(ws):
    """A sender can compute the digest of the files they send, but cannot sign as the receiver."""
    _setup(ws)
    entry, digest = _entry(ws)
    body = _more_sales(_body(entry))
    entry.write_bytes(_signed(os.urandom(32), digest, body))
    assert ws.compute().values["koncern_arets_resultat"] == RESULT
    # The same entry signed with this user's key is used: the signature is what decides.
    entry.write_bytes(_signed(_own_key(), digest, body))
    assert ws.compute().values["koncern_arets_resultat"] != RESULT


def test_an_entry_is_signed_for_its_own_file(ws):
    """Bostäder's signed entry under Energi's name is not Energi's aggregate."""
    _setup(ws)
    entry, _ = _entry(ws)
    other, _ = _entry(ws, "bostader")
    entry.write_bytes(other.read_bytes())
    assert ws.compute().values["koncern_arets_resultat"] == RESULT


def test_an_entry_that_is_a_link_is_not_followed(ws, tmp_path_factory):
    _setup(ws)
    entry, digest = _entry(ws)
    elsewhere = tmp_path_factory.mktemp("elsewhere") / entry.name
    elsewhere.write_bytes(_signed(_own_key(), digest, _more_sales(_body(entry))))
    planted = elsewhere.read_bytes()
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert ws.compute().values["koncern_arets_resultat"] == RESULT
    assert not entry.is_symlink()  # replaced by an entry of its own
    assert elsewhere.read_bytes() == planted


def test_without_a_signing_key_nothing_is_kept(ws, monkeypatch):
    monkeypatch.setattr(koncern_ledger, "signing_key", lambda: None)
    _setup(ws)
    assert ws.compute().values["koncern_arets_resultat"] == RESULT
    assert not (ws.root / ".bokslut" / "koncern").exists()
