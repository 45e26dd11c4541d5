"""Fixture: a workspace with a small hand-made ledger (see tests/statements/ledgers.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def load_ledgers():
    name = "bokslut_test_ledgers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).parents[1] / "statements" / "ledgers.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def ws(tmp_path: Path):
    return load_ledgers().LedgerWorkspace(tmp_path).config()
