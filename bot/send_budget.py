"""One send budget for every process of one bot: 30 messages a second in all, one a second per
chat (Telegram's limits for messages a bot sends on its own), held in Redis.

The arithmetic is pyrate-limiter's GCRA (generic cell rate algorithm) over Redis
(`StateBucket` + `RedisStateStore`: one small hash per key, changed by an atomic Lua script
whichever process sends). With `burst=1` the sends are evenly spaced, one every 1/30 s across
all processes, rather than bursts of 30 that a sliding second at Telegram's end could count
twice. A process whose turn has not come sleeps the wait the bucket names and asks again.
The prompt sender (`bot.prompter`) waits on it before each prompt, reminder, request or
notice; replies to a user's own message do not (they answer at once and are not bulk sends).

Time is each process's wall clock (epoch milliseconds): on several hosts keep them in sync
(NTP), as one bot's hosts are anyway.
"""

from __future__ import annotations

import asyncio
import inspect
import math
from collections import OrderedDict
from typing import Any

from pyrate_limiter import Rate, RateItem, RedisStateStore, StateBucket
from redis.asyncio import Redis

SHORTEST_NAP_MS = 1
CHATS_KEPT = 4096  # per-chat buckets kept in this process (their state lives in Redis)


class _Turn:
    """One key of the budget: its bucket, asked by one coroutine of this process at a time."""

    def __init__(self, redis: Redis, key: str, rate: Rate, ttl_ms: int) -> None:
        self.bucket = StateBucket([rate], store=RedisStateStore(redis, key, ttl_ms=ttl_ms))
        self.lock = asyncio.Lock()

    async def take(self) -> None:
        async with self.lock:
            while True:
                wait = await self.try_take()
                if wait is None:
                    return
                await asyncio.sleep(wait)

    async def try_take(self) -> float | None:
        """None when taken; otherwise the seconds to wait before asking again."""
        item = RateItem("send", self.bucket.now(), 1)
        if await _resolved(self.bucket.put(item)):
            return None
        wait = await _resolved(self.bucket.waiting(item))
        return max(int(wait), SHORTEST_NAP_MS) / 1000


async def _resolved(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class SharedLimiter:
    """The same `wait(chat_id)` as `bot.prompter.Limiter`, over a budget held in Redis."""

    def __init__(
        self,
        redis_url: str,
        per_second: float = 30,
        per_chat_seconds: float = 1.0,
        *,
        bot_id: int | str = "bot",
    ) -> None:
        self.redis = Redis.from_url(redis_url)
        self._prefix = f"mentorlog:budget:{bot_id}"
        self._per_chat_ms = int(per_chat_seconds * 1000)
        # Whole milliseconds, rounded up: 34 ms at 30 a second (29.4 a second), so that 31 sends
        # never fit in one second even with a few milliseconds of jitter on the way.
        interval_ms = math.ceil(1000 / per_second)
        self._all = _Turn(self.redis, f"{self._prefix}:all", Rate(1, interval_ms, burst=1), 60_000)
        self._chats: OrderedDict[int, _Turn] = OrderedDict()

    def _chat(self, chat_id: int) -> _Turn:
        turn = self._chats.get(chat_id)
        if turn is None:
            rate = Rate(1, self._per_chat_ms, burst=1)
            turn = _Turn(self.redis, f"{self._prefix}:chat:{chat_id}", rate, self._per_chat_ms * 4)
            self._chats[chat_id] = turn
            while len(self._chats) > CHATS_KEPT:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return turn

    async def wait(self, chat_id: int) -> None:
        """Return when a message to `chat_id` may go now."""
        if self._per_chat_ms <= 0:
            await self._all.take()
            return
        chat = self._chat(chat_id)
        async with chat.lock:
            while True:
                # The overall turn first, then the chat's at that very moment: a chat's turn
                # taken first and used after a wait for the overall one could land within a
                # second of its next. Two messages to one chat within a second are rare among
                # due prompts; the overall turn the second one took then goes unused.
                await self._all.take()
                wait = await chat.try_take()
                if wait is None:
                    return
                await asyncio.sleep(wait)

    async def close(self) -> None:
        await self.redis.aclose()
