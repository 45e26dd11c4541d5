"""docs/security.md: every line names a test, and every named test exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def test_every_test_named_in_the_security_list_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = REFERENCE.findall(text)
    assert len(named) > 40
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (ROOT / path).is_file()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)
    ]
    assert missing == []


def test_every_claim_in_the_security_list_names_a_test_or_is_marked_for_the_lead() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    claims = re.split(r"\n- ", text.split("## A data file", 1)[1])[1:]
    for claim in claims:
        assert REFERENCE.search(claim) or claim.startswith("**TODO (lead)**"), claim[:80]
