"""Sending due prompts within Telegram's limits, and the one scheduler job that does it.

`run_due_prompts` is a plain coroutine (tests call it with a fake clock); APScheduler only runs
`run_prompt_job` every few seconds. That is an `async def` function on purpose: APScheduler 3
awaits only coroutine functions, and runs anything else (an object with an async `__call__`)
in a worker thread, where its coroutine is dropped unawaited and nothing is ever sent.

What "sent once" means across crashes is explained in `storage.prompts` (the claims and
states themselves are `storage.outbox`); here, each outcome of a send maps onto it:

- accepted: sent.
- 429 (TelegramRetryAfter): nothing was delivered; wait `retry_after` and send the same
  prompt again (a long wait goes back to the queue instead of holding a claim).
- 403 (TelegramForbiddenError): the person blocked the bot; they are marked and never
  prompted again.
- no connection, or a 5xx answer: nothing was delivered; back to pending with a later due
  time (exponential backoff), until MAX_ATTEMPTS.
- a timeout or a connection dropped mid-request: maybe delivered; `unknown`, never re-sent.
- an answer that is not JSON (a proxy's page): maybe delivered; `unknown` too, and not tried
  again by `bot.api_retry` (the send is made `at_most_once`).
- any other refusal (400: chat not found ...): failed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import ClientConnectorError
from aiolimiter import AsyncLimiter
from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.api_retry import at_most_once
from bot.send_loop import SendLoop, own_bot, own_sessions
from handlers.prompt_messages import render
from journal.clock import utcnow
from journal.prompting import Outcome, decide, local_day
from storage import outbox, reminders
from storage.db import is_sqlite
from storage.outbox import Outgoing
from storage.prompts import State
from storage.uow import writing

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]

BATCH = 60  # two seconds of sending at 30 a second: claims stay young
# Batches sent at once: while one lane's last prompts go out, the other's are queued at the
# budget, so the claim of the next batch leaves no gap in the sending.
LANES = 2
# A longer retry_after would hold the claim for long; such a prompt rejoins the queue instead.
LONGEST_WAIT_IN_PLACE = 60
WAITS_IN_PLACE = 3
EVERY_SECONDS = 5
# With the shared budget: a prompt goes this long after its turn (the round trips between the
# turn and the send, to Redis for the chat's turn and to the database for `sending`, take
# 5 to 30 ms on a busy host; a later one sends at once, off the pace by the overrun).
SEND_LEAD_S = 0.06
PLAN_EVERY = timedelta(minutes=15)
DROPPED = {
    Outcome.SKIPPED: State.SKIPPED,
    Outcome.EXPIRED: State.EXPIRED,
    Outcome.CANCELLED: State.CANCELLED,
}


class Limiter:
    """At most `per_second` messages in all, evenly spaced, and one per chat every
    `per_chat_seconds` (Telegram's limits: about 30 a second, 1 a second per chat).

    Spacing (a bucket of one) rather than bursts of 30: Telegram counts over a sliding
    second, where a burst at the end of one second and another at the start of the next
    would be 60. Several processes sending for one bot share the limit: give each its part.
    """

    def __init__(self, per_second: float = 30, per_chat_seconds: float = 1.0) -> None:
        self._all = AsyncLimiter(1, 1 / per_second)
        self._per_chat_seconds = per_chat_seconds
        self._chats: dict[int, AsyncLimiter] = {}
        self._tidy_at = 1024

    async def wait(self, chat_id: int) -> None:
        """Return when a message to `chat_id` may go now (None: there is no turn time to
        pace by, unlike `bot.send_budget.SharedLimiter.wait`)."""
        if self._per_chat_seconds > 0:
            chat = self._chats.get(chat_id)
            if chat is None:
                chat = self._chats[chat_id] = AsyncLimiter(1, self._per_chat_seconds)
            await chat.acquire()  # the chat first, so a slot of the global rate isn't idle
        await self._all.acquire()
        if len(self._chats) >= self._tidy_at:
            self._forget_idle_chats()

    def _forget_idle_chats(self) -> None:
        # A chat whose bucket has drained is as good as new.
        self._chats = {c: limit for c, limit in self._chats.items() if not limit.has_capacity()}
        self._tidy_at = max(1024, 2 * len(self._chats))


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def _never_reached(err: TelegramNetworkError) -> bool:
    """True when the request could not even connect, so Telegram has not seen it."""
    return isinstance(err.__cause__, ClientConnectorError)


async def run_due_prompts(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    worker_id: str,
    limiter: Limiter,
    batch: int = BATCH,
    sleep: Sleep = asyncio.sleep,
) -> int:
    """Claim up to `batch` prompts due at `now` and send them; returns how many Telegram took."""
    # One claim, one token: a claim released after a crash and taken again is a different one.
    token = f"{worker_id}/{secrets.token_hex(4)}"
    sendable: list[Outgoing] = []
    async with writing(sessions) as session:
        await outbox.release_stale_claims(session, now)
        claimed = await outbox.claim_due(session, now, token, batch)
        for item in await outbox.outgoing(session, claimed):
            decision = decide(item.recipient, item.expires_at, item.wanted, now)
            if decision.outcome == Outcome.SEND:
                sendable.append(item)
            elif decision.outcome == Outcome.LATER:
                await outbox.settle(session, item.prompt_id, token, State.PENDING, decision.until)
            else:
                await outbox.settle(session, item.prompt_id, token, DROPPED[decision.outcome])
    results = await asyncio.gather(
        *(_deliver(bot, sessions, item, token, now, limiter, sleep) for item in sendable),
        return_exceptions=True,
    )
    for item, result in zip(sendable, results, strict=True):
        if isinstance(result, BaseException):
            # Left claimed or sending: the stale-claim rules decide what happens to it.
            log.error("prompt %s: %s", item.prompt_id, type(result).__name__, exc_info=result)
    return sum(r for r in results if isinstance(r, int))


async def _write(
    sessions: async_sessionmaker[AsyncSession],
    step: Callable[..., Awaitable[bool]],
    *args: Any,
) -> bool:
    """One state change of a prompt, in its own short transaction."""
    async with writing(sessions) as session:
        return await step(session, *args)


async def _deliver(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    item: Outgoing,
    token: str,
    now: datetime,
    limiter: Limiter,
    sleep: Sleep,
) -> int:
    pid = item.prompt_id
    chat_id = item.recipient.chat_id
    assert chat_id is not None  # decide() skips people without a chat
    text, markup = render(item, local_day(now, item.recipient.timezone))
    for _ in range(WAITS_IN_PLACE + 1):
        turn = await limiter.wait(chat_id)
        if not await _write(sessions, outbox.mark_sending, pid, token, now):
            return 0  # the claim was lost (released after a stall and taken by another worker)
        if turn is not None:
            # A fixed lead after the turn, not whenever the write above is done: the budget's
            # spacing of the turns is then the spacing Telegram sees. A send later than that
            # (this thread not run for a while on a crowded host) goes at once: taking a new
            # turn instead was tried and cut the rate to 20 a second on the benchmark's host.
            await sleep(max(0.0, turn + SEND_LEAD_S - time.time()))
        try:
            with at_most_once():
                message = await bot.send_message(chat_id, text, reply_markup=markup)
        except ClientDecodeError:
            # Not JSON (a proxy's page): Telegram may have taken it, as after a timeout.
            log.warning("prompt %s: outcome unknown (the answer was not JSON), not sent again", pid)
            await _write(sessions, outbox.mark_unknown, pid, token)
            return 0
        except TelegramRetryAfter as err:
            await _write(sessions, outbox.mark_refused, pid, token)
            if err.retry_after > LONGEST_WAIT_IN_PLACE:
                delay = timedelta(seconds=err.retry_after)
                await _write(sessions, outbox.retry_later, pid, token, now, delay)
                return 0
            await sleep(err.retry_after)
            continue
        except TelegramForbiddenError:
            await _write(sessions, outbox.mark_blocked, pid, token, now)
            return 0
        except TelegramNetworkError as err:
            if _never_reached(err):
                await _write(sessions, outbox.retry_later, pid, token, now)
            else:
                log.warning("prompt %s: outcome unknown (%s), not sent again", pid, err.message)
                await _write(sessions, outbox.mark_unknown, pid, token)
            return 0
        except TelegramServerError:
            await _write(sessions, outbox.retry_later, pid, token, now)
            return 0
        except TelegramAPIError as err:
            log.warning("prompt %s refused by Telegram: %s", pid, type(err).__name__)
            await _write(sessions, outbox.mark_failed, pid, token)
            return 0
        await _write(sessions, outbox.mark_sent, pid, token, now, message.message_id)
        return 1
    # Refused every time we waited: back to the queue, due after the last wait.
    await _write(sessions, outbox.retry_later, pid, token, now, timedelta(seconds=1))
    return 0


class PromptJob:
    """What the scheduler's one job needs between runs: plan reminders now and then, then
    send all that is due (`tick`)."""

    def __init__(
        self,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        worker_id: str,
        limiter: Limiter,
        plan_every: timedelta = PLAN_EVERY,
        batch: int = BATCH,
        lanes: int = LANES,
    ) -> None:
        self._bot, self._sessions, self._clock = bot, sessions, clock
        self._worker_id, self._limiter = worker_id, limiter
        self._plan_every, self._batch, self._lanes = plan_every, batch, lanes
        self._planned_at: datetime | None = None

    async def tick(self) -> int:
        now = self._clock()
        if self._planned_at is None or now - self._planned_at >= self._plan_every:
            await self._plan(now)
        return sum(await asyncio.gather(*(self._lane() for _ in range(self._lanes))))

    async def _lane(self) -> int:
        sent = 0
        while delivered := await run_due_prompts(
            self._bot,
            self._sessions,
            self._clock(),
            worker_id=self._worker_id,
            limiter=self._limiter,
            batch=self._batch,
        ):
            sent += delivered
        return sent

    async def _plan(self, now: datetime) -> None:
        # Another process planning the same reminder meanwhile is harmless: `schedule` skips a
        # key that is taken.
        async with writing(self._sessions) as session:
            await reminders.plan_reminders(session, now)
        self._planned_at = now


async def run_prompt_job(job: PromptJob, loop: SendLoop | None = None) -> int:
    """The scheduler's job: a coroutine function, which APScheduler awaits in the event loop;
    with `loop`, the sending itself runs there (`bot.send_loop`)."""
    if loop is None:
        return await job.tick()
    return int(await loop.run(job.tick()))


def build_scheduler(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock = utcnow,
    *,
    worker_id: str | None = None,
    limiter: Limiter | None = None,
    every_seconds: float = EVERY_SECONDS,
    own_loop: bool | None = None,
) -> AsyncIOScheduler:
    """APScheduler runs one short job; the prompts themselves are rows (DESIGN.md section 10).

    Coalescing and no misfire limit: after downtime the job runs once, at once, and the rows
    say what is due. One instance at a time: a long backlog is one run, not a pile-up.

    `own_loop` (by default: with a server database) sends on an event loop of its own thread,
    so that handling updates cannot hold the prompts back (`bot.send_loop`); the scheduler
    itself, and any other job on it, stays on the caller's loop.
    """
    limiter = limiter or Limiter()
    engine = sessions.kw["bind"]
    if own_loop is None:
        own_loop = not is_sqlite(engine.url.render_as_string(hide_password=False))
    loop: SendLoop | None = None
    if own_loop:
        bot, sessions = own_bot(bot), own_sessions(sessions)
        # The caller's limiter stays unused on its loop (and closed there by the caller).
        fresh = getattr(limiter, "fresh", None)
        limiter = fresh() if fresh else limiter
        loop = SendLoop("prompt-sender", closing=[bot, sessions, limiter])
    job = PromptJob(
        bot,
        sessions,
        clock,
        worker_id=worker_id or default_worker_id(),
        limiter=limiter,
    )
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        run_prompt_job,
        "interval",
        args=[job, loop],
        seconds=every_seconds,
        id="prompts",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
    )
    if loop is not None:
        sender = loop
        scheduler.add_listener(lambda _: sender.stop(), EVENT_SCHEDULER_SHUTDOWN)
    return scheduler
