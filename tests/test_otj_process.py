"""Off-the-job training through the running process (issue 11): the employer's confirmation
request leaves the process on its own, and the confirmation comes back to the apprentice."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.offline import invite_and_join, onboard_mentor
from tests.fake_bot_api import FakeBotApi
from tests.running import RunningBot


@pytest.fixture
async def running(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[RunningBot]:
    async with RunningBot(tmp_path, api, FEEDBACK_DELAY_MINUTES="0") as process:
        yield process
    assert process.problems() == []


async def test_the_employers_request_leaves_the_process_and_the_confirmation_comes_back(
    running, api
):
    anna = running.client("Anna", 777)
    ella = running.client("Ella", 779)
    await onboard_mentor(anna, frameworks=("ST1379",))
    await invite_and_join(anna, ella, role="Employer")
    await anna.send("/otj")
    await anna.click("Today")
    await anna.send("3h")
    await anna.send("Questioning techniques workshop")
    saved = await anna.send("K14")
    assert "I've asked Ella to confirm it." in saved.text

    request = await ella.expect("Anna asks you to confirm 3 h of off-the-job training")
    assert "Questioning techniques workshop" in request["text"]
    reply = await ella.tap(request, "Confirm")
    assert reply.text == "Confirmed, thank you. I'll let Anna know."
    await anna.expect("Ella confirmed 3 h of off-the-job training for E-0001.")
    with sqlite3.connect(running.db) as conn:
        rows = conn.execute("SELECT kind, minutes FROM confirmations").fetchall()
    assert rows == [("otj", 180)]
