"""Conversation state in Redis when several processes serve one bot (README "Scale-out").

- `ChatLocks`: aiogram's event isolation over Redis, one lock per chat, so two workers never
  handle updates of one chat at once. aiogram's own `RedisEventIsolation` holds a lock for a
  fixed 60 s: a worker killed while holding one would stall that chat for a minute. Here the
  lock lives `lock_seconds` and is renewed while its update is being handled, so a dead
  worker's lock expires within `lock_seconds` and a long export keeps its lock.
- `RedisSeen`: the last update id each chat saw, and when, for `handlers.context.ReplayGuard`
  (`journal.updates.already_seen`): with the database storage that record sits beside the
  state; with Redis storage it sits beside it in Redis.
- The update in hand (webhook mode): the database storage writes a chat's state and its last
  update id in one statement, so an update whose worker died after writing its step comes
  again as seen. Redis state is written by aiogram's `RedisStorage` as the handler goes, and
  the seen record only after it: a step kept only in Redis (a draft's answer) and an update
  that came again after its worker died before replying was taken a second time, as the
  answer to the next step (tests/test_scale_webhook.py). So each update of a chat leaves a
  mark with a digest of the chat's state as it found it; the same update coming again to a
  state that has changed since was applied: it counts as seen (no reply, as with the
  database storage; /start shows where the draft stands). `bot.webhook` names the update in
  hand (`storage.in_hand`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.fsm.storage.redis import DefaultKeyBuilder, KeyBuilder
from redis.asyncio import Redis
from redis.exceptions import LockError

from journal.updates import REPLAYABLE_FOR
from storage.in_hand import update_in_hand


class ChatLocks(BaseEventIsolation):
    def __init__(
        self,
        redis: Redis,
        lock_seconds: float = 10,
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self.redis = redis
        self.lock_seconds = lock_seconds
        self.key_builder = key_builder or DefaultKeyBuilder()

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock = self.redis.lock(
            name=self.key_builder.build(key, "lock"), timeout=self.lock_seconds, sleep=0.02
        )
        await lock.acquire()
        done = asyncio.Event()
        renewer = asyncio.create_task(self._renew(lock, done))
        try:
            yield None
        finally:
            # The event as well as the cancel: a cancel that lands as a renewal's reply comes
            # in can be lost (asyncio.wait_for in Python 3.11 returns the result instead), and
            # a renewer that went on would hold the chat's lock for ever (measured: a chat stuck
            # for minutes under load in benchmarks/scale.py). Gathered rather than awaited under
            # suppress(CancelledError), so that a cancel of this update itself is not swallowed.
            done.set()
            renewer.cancel()
            try:
                await asyncio.gather(renewer, return_exceptions=True)
            finally:
                # Expired (the loop stalled longer than lock_seconds) or Redis gone: nothing to
                # free.
                with contextlib.suppress(LockError, ConnectionError, OSError):
                    await lock.release()

    async def _renew(self, lock: object, done: asyncio.Event) -> None:
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), self.lock_seconds / 3)
            if done.is_set():
                return
            with contextlib.suppress(LockError, ConnectionError, OSError):
                await lock.reacquire()  # type: ignore[attr-defined]

    async def close(self) -> None:
        pass


class RedisSeen:
    """Last update id and time per chat (see `journal.updates`), kept 24 hours; and the update
    in hand per chat, with a digest of the chat's state when it was taken (see above)."""

    def __init__(
        self,
        redis: Redis,
        prefix: str = "mentorlog:seen",
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = int(REPLAYABLE_FOR.total_seconds())
        # The state's keys as aiogram's RedisStorage names them (its default builder).
        self._state_keys = key_builder or DefaultKeyBuilder()

    def _key(self, key: StorageKey) -> str:
        return f"{self._prefix}:{key.bot_id}:{key.chat_id}:{key.user_id}"

    def _hand(self, key: StorageKey) -> str:
        return f"{self._prefix}:hand:{key.bot_id}:{key.chat_id}:{key.user_id}"

    async def _digest(self, key: StorageKey) -> str:
        state, data = await self._redis.mget(
            self._state_keys.build(key, "state"), self._state_keys.build(key, "data")
        )
        return hashlib.sha256(b"%s\0%s" % (state or b"", data or b"")).hexdigest()[:32]

    async def last(self, key: StorageKey) -> tuple[int | None, datetime | None]:
        update_id = update_in_hand.get()
        if update_id is not None:
            # Inside the chat's lock (the ReplayGuard runs within the event isolation).
            digest = await self._digest(key)
            mark = await self._redis.get(self._hand(key))
            if mark is not None:
                held, found = mark.decode().split(" ")
                if int(held) == update_id and found != digest:
                    return update_id, datetime.now(UTC)  # applied by a worker that died
            await self._redis.set(self._hand(key), f"{update_id} {digest}", ex=self._ttl)
        raw = await self._redis.get(self._key(key))
        if not raw:
            return None, None
        last_id, at = raw.decode().split(" ")
        return int(last_id), datetime.fromtimestamp(float(at), UTC)

    async def record(self, key: StorageKey, update_id: int, at: datetime) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(key), f"{update_id} {at.timestamp()}", ex=self._ttl)
            pipe.delete(self._hand(key))
            await pipe.execute()
