"""The prompt sender on an event loop of its own, in a thread of the worker process.

Measured (benchmarks/scale.py, one worker at a whole core): on the loop that handles updates,
the sender missed its turns. Half the gaps between two prompts were over 41 ms where the budget
allows 34, and 86 were over 100 ms (16.5 s of 67), because a handler doing a few hundred
milliseconds of work holds the loop and a sleeping sender wakes only after it. Prompts went
out at 15.8 a second while updates came and 27.2 after. On a loop of its own the sender waits
at most for Python's thread switch (5 ms, `sys.getswitchinterval`) however long a handler
runs, and the budget's burst of two (`bot.send_budget`) absorbs that lateness.

Everything the sender touches there is its own: a database engine (connections belong to the
loop that opened them), a Bot with its own HTTP session and the same request middlewares, and
the send budget (used from this loop only; closed here when the scheduler shuts down). Used
with a server database only (PostgreSQL): with SQLite the one writer lock would be shared by
two engines of one process, and the embedded default is one process with one loop anyway.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, session_factory

log = logging.getLogger(__name__)
STOP_WITHIN_S = 10.0


def own_bot(bot: Bot) -> Bot:
    """The same bot (token, server, defaults, request middlewares) over an HTTP session of its
    own, for another event loop."""
    session = AiohttpSession(api=bot.session.api, timeout=bot.session.timeout)
    for middleware in bot.session.middleware:
        session.middleware(middleware)
    return Bot(token=bot.token, session=session, default=bot.default)


def own_sessions(sessions: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    """Sessions over a new engine to the same database, for another event loop."""
    engine: AsyncEngine = sessions.kw["bind"]
    return session_factory(create_engine(engine.url.render_as_string(hide_password=False)))


class SendLoop:
    """An event loop running in a daemon thread; `run` awaits a coroutine there from another
    loop, `stop` closes what was handed over (`closing`) and ends the thread."""

    def __init__(self, name: str, closing: list[Any]) -> None:
        self._loop = asyncio.new_event_loop()
        self._closing = closing
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        self._loop.close()

    async def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Await `coroutine` on this loop; cancelling the caller cancels it there too."""
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        """Cancel what still runs there, close the resources, end the thread (blocking: at most
        STOP_WITHIN_S, at shutdown)."""
        if not self._thread.is_alive():
            return
        done = asyncio.run_coroutine_threadsafe(self._close(), self._loop)
        try:
            done.result(STOP_WITHIN_S)
        except Exception as error:  # shutting down: say so and go on
            log.warning("the prompt sender's loop did not close cleanly: %r", error)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(STOP_WITHIN_S)

    async def _close(self) -> None:
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        for resource in self._closing:
            try:
                if isinstance(resource, Bot):
                    await resource.session.close()
                elif isinstance(resource, async_sessionmaker):
                    await resource.kw["bind"].dispose()
                elif close := getattr(resource, "close", None):
                    await close()
            except Exception as error:  # shutting down: the others still close
                log.warning("closing %s: %r", type(resource).__name__, error)
