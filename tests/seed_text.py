"""The ST1379 EPA plan (seed 002) as one line of words, for tests that quote it word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def seed_text() -> str:
    found = sorted(SEEDS.glob("002_*.txt"))
    if not found:
        pytest.skip(f"seed 002 is not beside the checkout (expected in {SEEDS})")
    return " ".join(found[0].read_text(encoding="utf-8").split())
