"""Where the seed reports are: ../shared/seeds beside the clone (CI puts it there too)."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds finns inte bredvid repot")
    return SEEDS
