"""The id of the Telegram update the running task is handling, as the webhook took it.

Set by `bot.webhook` for each update it feeds (before any middleware), read by the Redis
replay guard (`storage.redis_state.RedisSeen`) to tell a copy of an update that came again
after its worker died from a new one. Kept apart so that the webhook needs no Redis client.
"""

from __future__ import annotations

from contextvars import ContextVar

update_in_hand: ContextVar[int | None] = ContextVar("mentorlog_update_in_hand", default=None)
