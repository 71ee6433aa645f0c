"""The conversation state on disk: written before the user sees the step it leads to."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage, TelegramMethod
from sqlalchemy.engine import make_url

from bot.offline import OfflineSession, offline_bot
from bot.settings import Settings
from tests.botkit import ChatClient
from tests.conftest import log_session


class StateOnDisk(OfflineSession):
    """Notes what the database holds for the chat each time the bot sends a message."""

    def __init__(self, database: str) -> None:
        super().__init__()
        self.database = database
        self.seen: list[tuple[str, str | None]] = []

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's session interface
    ) -> Any:
        if isinstance(method, SendMessage):
            with sqlite3.connect(self.database) as connection:
                row = connection.execute(
                    "SELECT state FROM fsm_state WHERE key LIKE ?", (f"%:{method.chat_id}:%",)
                ).fetchone()
            self.seen.append((method.text, row[0] if row else None))
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def bot(settings: Settings) -> Bot:
    return offline_bot(StateOnDisk(make_url(settings.database_url).database or ""))


async def test_the_draft_is_closed_on_disk_before_the_saved_entry_is_shown(
    mentor: ChatClient, mentee: ChatClient, bot: Bot
) -> None:
    await log_session(mentor)
    session = bot.session
    assert isinstance(session, StateOnDisk)
    saved = [state for text, state in session.seen if text.startswith("Saved as")]
    # A crash while this reply travels must not leave a draft that would save it again.
    assert saved == [None]
    # Each step is on disk before the next question: a restart resumes at that question.
    asked = [state for text, state in session.seen if text.startswith("How long?")]
    assert asked == ["FlowState:step"]


async def test_the_state_is_stamped_in_the_same_format_as_every_other_time(
    mentor: ChatClient, settings: Settings
) -> None:
    await mentor.send("/log")
    with sqlite3.connect(make_url(settings.database_url).database or "") as connection:
        stamps = [row[0] for row in connection.execute("SELECT updated_at FROM fsm_state")]
    assert stamps
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", s) for s in stamps)
