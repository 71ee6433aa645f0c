"""The real `mentorlog run` process against the fake Bot API on 127.0.0.1.

What the process does on its own (sending prompts, notices, requests) is proved here, where a
scheduler that drops its job's coroutine cannot hide behind a test that calls the job itself.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.offline import invite_and_join, onboard_mentor
from tests.conftest import log_session
from tests.fake_bot_api import FakeBotApi
from tests.running import TOKEN, RunningBot


@pytest.fixture
async def running(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[RunningBot]:
    # Feedback is asked for at once (the setting's default is two hours later).
    async with RunningBot(tmp_path, api, FEEDBACK_DELAY_MINUTES="0") as process:
        yield process
    assert process.problems() == []


def move_back(db: Path, days: int) -> None:
    """As if everything recorded so far happened `days` ago (the process is stopped)."""
    stamps = {
        "entries": ("recorded_at", "occurred_on"),
        "portfolios": ("created_at",),
        "memberships": ("joined_at",),
    }
    with sqlite3.connect(db) as conn:
        for table, columns in stamps.items():
            for column in columns:
                read = f"SELECT rowid, {column} FROM {table}"  # noqa: S608 - our own names
                write = f"UPDATE {table} SET {column} = ? WHERE rowid = ?"  # noqa: S608
                for rowid, value in conn.execute(read).fetchall():
                    conn.execute(write, (_shift(value, days), rowid))


def _shift(value: str, days: int) -> str:
    if len(value) == 10:
        return (date.fromisoformat(value) - timedelta(days=days)).isoformat()
    moved = datetime.fromisoformat(value) - timedelta(days=days)
    return moved.isoformat(sep=" ")


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
    with sqlite3.connect(running.db) as conn:
        [(data,)] = conn.execute("SELECT data FROM entries WHERE kind = 'feedback'").fetchall()
    # The exports show the question as the mentee read it.
    assert json.loads(data)["question"].startswith("How useful was today's session with Anna")


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


async def test_in_a_group_the_process_points_to_the_private_chat_and_shows_nothing(running, api):
    anna = running.client("Anna", 777)
    await onboard_mentor(anna)
    group = {"id": -1001234567890, "type": "supergroup", "title": "Mentors of Leeds"}
    update = anna.message_update("/mydata@mentorlog_test_bot")
    update["message"]["chat"] = group
    mark = len(api.calls)
    await anna.feed(update)
    said = [(m, p) for m, p in api.calls[mark:] if str(p.get("chat_id")) == str(group["id"])]
    assert [m for m, _ in said] == ["sendMessage"]
    assert "private chat" in said[0][1]["text"] and "Anna" not in said[0][1]["text"]


def long_answer(n: int) -> str:
    return f"Answer {n}: " + "we went through the handover checklist step by step & more " * 33


async def test_a_long_entry_opens_in_parts_that_telegram_accepts(running, api):
    anna = running.client("Anna", 777)
    jon = running.client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await anna.send("/log")
    await anna.click("Jon")
    await anna.click("Today")
    await anna.click("45 min")
    await anna.click("In person")
    for n in range(1, 5):
        await anna.send(long_answer(n))
    await anna.click("Skip")
    await anna.send("/entries")
    reply = await anna.click(lambda t: t.startswith("E-0001"))
    # The fake Bot API refuses text over 4,096 characters as Telegram does: every part arrived.
    assert len(reply.messages) >= 3
    shown = " ".join(" ".join(m.text.split()) for m in reply.messages).replace("&amp;", "&")
    for n in range(1, 5):
        assert " ".join(long_answer(n).split()) in shown
    reply = await anna.click("Edit")
    assert "Which part of E-0001" in reply.text


async def test_after_three_quiet_weeks_the_process_nudges_the_mentor_on_its_own(running, api):
    anna = running.client("Anna", 777)
    jon = running.client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await log_session(anna)
    await running.stop()
    move_back(running.db, days=22)

    await running.start()  # reminders are planned at start, then every quarter of an hour
    await anna.expect("Nothing logged for a week.")
    await anna.expect("No session with Jon for three weeks.")
    assert ("weekly", "sent") in prompt_states(running.db)
    assert ("pair_quiet", "sent") in prompt_states(running.db)


async def test_progress_through_the_process_sends_its_text_and_the_picture(running, api):
    anna = running.client("Anna", 777)
    jon = running.client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await log_session(anna)
    reply = await anna.send("/progress")
    assert "ILM D3.06: 1 h 15 of 6 h" in reply.text
    [photo] = [p for m, p in api.calls if m == "sendPhoto"]
    assert photo["photo"][:8] == b"\x89PNG\r\n\x1a\n"


async def test_a_person_who_blocked_the_bot_mid_answer_is_marked_without_a_traceback(running, api):
    anna = running.client("Anna", 777)
    await onboard_mentor(anna)
    api.refuse("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    await anna.send("/entries")
    with sqlite3.connect(running.db) as conn:
        [(blocked_at,)] = conn.execute(
            "SELECT blocked_at FROM people WHERE telegram_id = 777"
        ).fetchall()
    assert blocked_at is not None
    # The fixture checks the process printed no traceback.


async def test_an_assessor_downloads_a_bundle_from_the_process_that_verifies(running, api):
    anna = running.client("Anna", 777)
    jon = running.client("Jon", 778)
    ada = running.client("Ada", 780)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await invite_and_join(anna, ada, role="Assessor")
    await log_session(anna)
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Bundle .zip")  # built off the event loop, sent as a document
    [bundle] = [p for m, p in api.calls if m == "sendDocument"]
    path = running.root / "received.zip"
    path.write_bytes(bundle["document"])
    verify = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "verify",
        str(path),
        env=running.env,
        cwd=running.root,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    said, _ = await verify.communicate()
    assert verify.returncode == 0, said.decode()
    assert "intact, signed" in said.decode()
