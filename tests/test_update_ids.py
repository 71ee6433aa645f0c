"""Update ids: a replay is dropped, and a sequence Telegram restarted is still answered.

After a week without updates the Bot API picks the next update id at random, so it may be far
below the last one a chat saw; Telegram keeps an unconfirmed update (one it may send again)
for 24 hours at most.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.types import Update

from journal.updates import already_seen
from tests.botkit import ChatClient


async def send_as(client: ChatClient, update_id: int, text: str):
    update = Update(update_id=update_id, message=client._message(text=text))
    return await client.feed(update)


async def test_after_a_quiet_week_a_lower_update_id_is_answered(mentor, clock):
    assert "Who was the session with?" in (await send_as(mentor, 900_000_000, "/log")).text
    clock.advance(days=8)
    assert (await send_as(mentor, 4_711, "/cancel")).text == "Cancelled. Nothing was saved."
    assert "Who was the session with?" in (await send_as(mentor, 4_712, "/log")).text


async def test_the_same_update_sent_again_is_dropped(mentor, clock):
    await send_as(mentor, 900_000_000, "/log")
    clock.advance(days=8)
    first = await send_as(mentor, 4_711, "/cancel")
    assert first.messages
    assert (await mentor.replay(mentor.sent[-1])).messages == []


async def test_an_earlier_update_replayed_within_a_day_is_dropped(mentor, clock):
    await send_as(mentor, 500, "/log")
    await send_as(mentor, 501, "/cancel")
    clock.advance(minutes=5)
    # Telegram sending 500 again after a restart must not start a second /log.
    assert (await send_as(mentor, 500, "/log")).messages == []


def test_a_lower_id_is_a_replay_only_while_telegram_could_still_send_it_again():
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert not already_seen(10, None, None, now)
    assert already_seen(10, 10, now - timedelta(days=30), now)
    assert not already_seen(11, 10, now, now)
    assert already_seen(9, 10, now - timedelta(hours=23), now)
    assert not already_seen(9, 10, now - timedelta(hours=25), now)
