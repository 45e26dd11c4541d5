"""Fixture: a workspace with a small hand-made ledger (see tests/statements/ledgers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.statements.conftest import load_ledgers


@pytest.fixture
def ws(tmp_path: Path):
    return load_ledgers().LedgerWorkspace(tmp_path).config()
