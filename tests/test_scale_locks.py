"""The per-chat locks of several workers (storage.redis_state.ChatLocks), with a real Redis.

Skipped, naming what is missing, where `.ci/run` could not provide redis-server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.webhook_running import RedisServer, _binary

MISSING = [] if _binary("MENTORLOG_TEST_REDIS_SERVER", "redis-server") else ["redis-server"]
try:
    import redis  # noqa: F401
except ImportError:
    MISSING.append("the scale extra (redis; pip install -e '.[scale]')")
pytestmark = pytest.mark.skipif(bool(MISSING), reason="needs " + ", ".join(MISSING))


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = await RedisServer(tmp_path / "redis").start()
    yield server
    await server.stop()


async def test_a_chat_is_free_again_when_its_update_ends_even_if_a_renewal_ignores_the_cancel(
    redis_server, monkeypatch
):
    from aiogram.fsm.storage.base import StorageKey
    from aiogram.fsm.storage.redis import DefaultKeyBuilder
    from redis.asyncio import Redis
    from redis.asyncio.lock import Lock

    from storage.redis_state import ChatLocks

    real_reacquire = Lock.reacquire
    renewing = asyncio.Event()

    async def reacquire_deaf_to_cancel(self: Lock) -> Any:
        # What asyncio.wait_for does in Python 3.11 when a cancel meets a reply that has just
        # come in: the result is returned and the cancel is lost.
        renewing.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.2)
        return await real_reacquire(self)

    monkeypatch.setattr(Lock, "reacquire", reacquire_deaf_to_cancel)
    client = Redis.from_url(redis_server.url)
    locks = ChatLocks(client, lock_seconds=0.3)
    key = StorageKey(bot_id=42, chat_id=7, user_id=7)
    try:
        async with asyncio.timeout(3):
            async with locks.lock(key):
                await renewing.wait()  # the update ends mid-renewal
            # The next update of the chat gets the lock: nothing renews the first one any more.
            async with locks.lock(key):
                pass
        assert await client.get(DefaultKeyBuilder().build(key, "lock")) is None
    finally:
        await client.aclose()
