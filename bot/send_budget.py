"""One send budget for every process of one bot: 30 messages a second in all, one a second per
chat (Telegram's limits for messages a bot sends on its own), held in Redis.

The arithmetic is pyrate-limiter's GCRA (generic cell rate algorithm) over Redis
(`StateBucket` + `RedisStateStore`: one small hash per key, changed by an atomic Lua script
whichever process sends). The overall turns come every 35.2 ms with a burst of two: a sender
that comes for its turn up to one interval late (a busy process, a slow network) still gets it
and the next turn stays where it was, so lateness below 35 ms costs no throughput. With
`burst=1` each late arrival pushed every later turn back by as much (22 a second beside a busy
worker). n turns taken within a span satisfy (n - 2) * interval <= span, so 31 turns need
29 * 35.2 = 1,020 ms: no sliding second holds more than 30 even when the sends reach Telegram
up to 20 ms apart from their turns (network and loop jitter), across all processes. At most
28.4 a second, then: the margin that 34 ms without a burst (29.4 a second) gave, kept.
A process whose turn has not come sleeps the wait the bucket names and asks again.
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
# Turns a sender may take back to back: one more than a perfectly paced one, which is what
# absorbs a late arrival; the interval is widened to match (`overall_rate`).
BURST = 2
# How far apart from its turn a send may reach Telegram and still never make 31 in a second.
JITTER_US = 20_000


class _Turn:
    """One key of the budget: its bucket, asked by one coroutine of this process at a time."""

    def __init__(self, redis: Redis, key: str, rate: Rate, ttl_ms: int) -> None:
        self.bucket = StateBucket([rate], store=RedisStateStore(redis, key, ttl_ms=ttl_ms))
        self.lock = asyncio.Lock()

    async def take(self) -> float:
        """The turn's time (epoch seconds, as the budget counted it), once taken."""
        async with self.lock:
            while True:
                at, wait = await self.try_take()
                if wait is None:
                    return at
                await asyncio.sleep(wait)

    async def try_take(self) -> tuple[float, float | None]:
        """(The time asked at, None) when taken; otherwise the seconds to wait before asking
        again in place of None."""
        now_ms = self.bucket.now()
        item = RateItem("send", now_ms, 1)
        if await _resolved(self.bucket.put(item)):
            return now_ms / 1000, None
        wait = await _resolved(self.bucket.waiting(item))
        return now_ms / 1000, max(int(wait), SHORTEST_NAP_MS) / 1000


def overall_rate(per_second: float) -> Rate:
    """Turns `(1 s + JITTER_US) / (per_second + 1 - BURST)` apart with a burst of BURST: the
    `per_second + 1`-th turn within any span needs more than a second and the jitter. Rate in
    hundredths of a turn per interval, so that pyrate-limiter's interval (rounded up, to the
    strict side) keeps its microseconds: 35,180 at 30 a second."""
    paced = per_second + 1 - BURST
    if paced <= 0:
        return Rate(1, math.ceil(1000 / per_second), burst=1)
    interval_us = (1_000_000 + JITTER_US) / paced
    return Rate(100, math.ceil(interval_us / 10), burst=BURST)


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
        self._url, self._per_second, self._bot_id = redis_url, per_second, bot_id
        self._prefix = f"mentorlog:budget:{bot_id}"
        self._per_chat_ms = int(per_chat_seconds * 1000)
        self._all = _Turn(self.redis, f"{self._prefix}:all", overall_rate(per_second), 60_000)
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

    async def wait(self, chat_id: int) -> float:
        """Return when a message to `chat_id` may go: the time of its overall turn (epoch
        seconds), for a sender that sends at a fixed lead after it (`bot.prompter`): the turns'
        spacing then reaches Telegram whatever the round trips between turn and send took."""
        if self._per_chat_ms <= 0:
            return await self._all.take()
        chat = self._chat(chat_id)
        async with chat.lock:
            while True:
                # The overall turn first, then the chat's at that very moment: a chat's turn
                # taken first and used after a wait for the overall one could land within a
                # second of its next. Two messages to one chat within a second are rare among
                # due prompts; the overall turn the second one took then goes unused.
                at = await self._all.take()
                _, wait = await chat.try_take()
                if wait is None:
                    return at
                await asyncio.sleep(wait)

    def fresh(self) -> SharedLimiter:
        """The same budget over a Redis client of its own, for another event loop (a client's
        connections belong to the loop that opened them; see bot.send_loop)."""
        return SharedLimiter(
            self._url, self._per_second, self._per_chat_ms / 1000, bot_id=self._bot_id
        )

    async def close(self) -> None:
        await self.redis.aclose()
