"""Throughput and latency of the real Dispatcher on SQLite under a realistic mix of updates.

Mentors onboard, invite a mentee, log sessions through every step, confirm suggested criteria,
capture quick notes, look at /entries and /progress and sometimes type nonsense. The updates
are shared among `--mentors` mentors, so each builds a realistic history (about 20 sessions
each by default). Every update goes through the real middlewares, handlers and a real SQLite
file; each Telegram API call gives the event loop a turn, as a request over the network would.

By default updates are handled one after another, as the reference figures of the issue were
measured (a bare dispatcher, one insert per update): the latency is how long the Dispatcher
takes over one update. With `--concurrency N`, N conversations run at once; every update then
also waits while the others are handled, and by Little's law the mean latency is N divided by
the throughput: that measures queueing, not handling.

    python benchmarks/updates.py [--updates 10000] [--mentors 40] [--concurrency 1]

Ends with: updates_per_s=N p50_ms=N p95_ms=N p99_ms=N
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.types import User

from bot.app import build_dispatcher, build_services, settle_heap
from bot.offline import (
    ChatClient,
    FakeClock,
    OfflineSession,
    invite_and_join,
    offline_bot,
    onboard_mentor,
)
from bot.settings import Settings
from storage.migrate import upgrade_async

SUMMARIES = [
    "Went through the handover checklist twice; he led the second run with two prompts.",
    "Role-played a difficult customer call, then reviewed what went well.",
    "Observed her first solo site induction and gave feedback on pacing.",
    "Planned the next month: shadowing, then leading the toolbox talk.",
]
NOTES = [
    "Need to ask more open questions next time.",
    "Jon seemed more confident today.",
    "Remember to book the training room for Thursday.",
]


# What a client keeps of its conversation: enough for the next tap, not the whole run.
HISTORY = 50


class OverTheNetwork(OfflineSession):
    """Answers API calls offline, letting the event loop run others meanwhile as a network does."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's session interface
    ) -> Any:
        await asyncio.sleep(0)
        return await super().make_request(bot, method, timeout)


class Timed(ChatClient):
    """A chat client that records how long the Dispatcher took over each update."""

    latencies: list[float]
    fed = 0

    async def feed(self, update):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        reply = await super().feed(update)
        self.latencies.append(time.perf_counter() - start)
        self.fed += 1
        return reply


async def conversation(mentor: Timed, mentee: Timed, budget: list[int], rng: random.Random) -> None:
    """One mentor's day after day of use, until the shared update budget runs out."""
    await onboard_mentor(mentor)
    await invite_and_join(mentor, mentee)
    while budget[0] > 0:
        roll = rng.random()
        before = mentor.fed + mentee.fed
        if roll < 0.55:
            await mentor.send("/log")
            await mentor.click(mentee.user.first_name)
            await mentor.click(rng.choice(["Today", "Yesterday"]))
            await mentor.send(rng.choice(["45", "1h", "1h30", "50 min"]))
            await mentor.click(rng.choice(["In person", "Remote"]))
            await mentor.send("Shift handover checklist")
            await mentor.send(rng.choice(SUMMARIES))
            await mentor.click("Skip")
            await mentor.click("Skip")
            await mentor.click("Skip")
            if mentor.last.buttons():
                await mentor.click(lambda t: " " in t and not t.startswith("✓"))
        elif roll < 0.75:
            await mentor.send(rng.choice(NOTES))
            await mentor.click("Reflection")
        elif roll < 0.85:
            await mentor.send("/entries")
            if mentor.last.buttons():
                await mentor.click(lambda t: t.startswith("E-"))
        elif roll < 0.90:
            await mentor.send("/progress")
        elif roll < 0.95:
            await mentor.send("/help")
        else:
            await mentor.send("/whatever")
        budget[0] -= mentor.fed + mentee.fed - before


async def main(updates: int, mentors: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mentorlog-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        await upgrade_async(f"sqlite:///{db}")
        settings = Settings(
            _env_file=None, database_url=f"sqlite:///{db}", files_dir=Path(tmp) / "files"
        )
        services = build_services(settings, clock=FakeClock(datetime(2026, 11, 23, 10, tzinfo=UTC)))
        dp = build_dispatcher(services)
        settle_heap()  # as the bot does once it has started
        bot = offline_bot(session=OverTheNetwork(history=HISTORY))
        latencies: list[float] = []
        ids = itertools.count(10_000)
        rng = random.Random(1379)
        pairs = []
        for n in range(mentors):
            mentor = Timed(
                dp=dp,
                bot=bot,
                user=User(id=next(ids), is_bot=False, first_name=f"Mentor{n}"),
                history=HISTORY,
            )
            mentee = Timed(
                dp=dp,
                bot=bot,
                user=User(id=next(ids), is_bot=False, first_name=f"Mentee{n}"),
                history=HISTORY,
            )
            mentor.latencies = mentee.latencies = latencies
            pairs.append((mentor, mentee))
        # Warm-up: aiogram and pydantic build their models on first use; that is not throughput.
        warm = [
            Timed(dp=dp, bot=bot, user=User(id=next(ids), is_bot=False, first_name=f"Warm{n}"))
            for n in range(2)
        ]
        for client in warm:
            client.latencies = []
        await conversation(warm[0], warm[1], [150], random.Random(0))
        gate = asyncio.Semaphore(concurrency)

        async def one(mentor: Timed, mentee: Timed, seed: float) -> None:
            async with gate:
                await conversation(mentor, mentee, [updates // mentors], random.Random(seed))

        started = time.perf_counter()
        await asyncio.gather(*(one(m, e, rng.random()) for m, e in pairs))
        elapsed = time.perf_counter() - started
        await services.engine.dispose()
    ms = sorted(x * 1000 for x in latencies)
    quantiles = statistics.quantiles(ms, n=100)
    print(f"updates={len(ms)} mentors={mentors} at_once={concurrency} seconds={elapsed:.1f}")
    print(
        f"updates_per_s={len(ms) / elapsed:.0f} p50_ms={quantiles[49]:.1f} "
        f"p95_ms={quantiles[94]:.1f} p99_ms={quantiles[98]:.1f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.mentors, args.concurrency))
