"""The real `mentorlog run` process against the fake Bot API on 127.0.0.1.

What the process does on its own (sending prompts, notices, requests) is proved here, where a
scheduler that drops its job's coroutine cannot hide behind a test that calls the job itself.
"""

from __future__ import annotations

import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.offline import invite_and_join, onboard_mentor
from tests.conftest import log_session
from tests.fake_bot_api import FakeBotApi
from tests.running import TOKEN, RunningBot


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def running(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[RunningBot]:
    # Feedback is asked for at once (the setting's default is two hours later).
    async with RunningBot(tmp_path, api, FEEDBACK_DELAY_MINUTES="0") as process:
        yield process
    assert process.problems() == []


def prompt_states(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT kind, state FROM prompts ORDER BY id").fetchall()


async def test_polling_process_answers_start_and_never_logs_the_token(running, api):
    anna = running.client("Anna", 777)
    reply = await anna.send("/start")
    assert "Do you agree" in reply.text
    methods = [m for m, _ in api.calls]
    assert "setMyCommands" in methods and "getUpdates" in methods
    await running.stop()
    assert TOKEN not in running.output
    assert running.db.is_file()


async def test_a_mentees_feedback_prompt_leaves_the_process_and_the_mentor_hears_the_answer(
    running, api
):
    anna = running.client("Anna", 777)
    jon = running.client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await log_session(anna)

    prompt = await jon.expect("How useful was today's session with Anna")
    await jon.tap(prompt, "4")
    reply = await jon.send("Doing it for real was better than reading the checklist.")
    assert reply.text == "Sent to Anna. Thank you."

    notice = await anna.expect("Jon rated E-0001")
    assert "Doing it for real was better than reading the checklist." in notice["text"]
    assert ("feedback", "answered") in prompt_states(running.db)


async def test_a_supervisors_request_leaves_the_process_and_the_confirmation_comes_back(
    running, api
):
    anna = running.client("Anna", 777)
    jon = running.client("Jon", 778)
    maria = running.client("Maria", 779)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await invite_and_join(anna, maria, role="Supervisor")
    await log_session(anna)
    await anna.send("/request")
    await anna.click("Confirm hours")
    reply = await anna.click(lambda t: t.startswith("E-0001"))
    assert "Asked Maria to confirm the hours of E-0001" in reply.text

    request = await maria.expect("Anna asks you to confirm 1 h 15 of mentoring")
    reply = await maria.tap(request, "Confirm")
    assert reply.text == "Confirmed, thank you. I'll let Anna know."
    await anna.expect("Maria confirmed 1 h 15 of mentoring for E-0001.")
    assert ("request", "answered") in prompt_states(running.db)


async def test_a_restart_in_the_middle_of_a_log_continues_where_the_mentor_was(running, api):
    anna = running.client("Anna", 777)
    jon = running.client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await anna.send("/log")
    await anna.click("Jon")
    await anna.click("Today")

    await running.restart(signal.SIGKILL)

    reply = await anna.click("1 h")
    assert "In person or remote?" in reply.text
    await anna.click("In person")
    await anna.send("Shift handover checklist")
    await anna.send("Went through the checklist twice; he led the second run.")
    for _ in range(3):
        reply = await anna.click("Skip")
    assert "Saved as <b>E-0001</b>" in reply.text
