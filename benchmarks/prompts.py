"""Deliver 10,000 due feedback prompts to a fake Bot API server that enforces Telegram's limits.

Run: .venv/bin/python benchmarks/prompts.py [--count 10000] [--limit-s 420]

The server runs in its own process on 127.0.0.1 and answers sendMessage (and getMe) like the
Bot API: more than 30 messages in any sliding second, or a second message to one chat within a
second, gets a 429 with `retry_after`. It counts deliveries per prompt id (read from the
prompt's buttons) to find duplicates. The bot side is the real thing: a fresh migrated SQLite
database with ~count mentees, one due feedback prompt each, a real aiogram Bot pointed at the
server, and the prompt scheduler built and started as `mentorlog run` builds and starts it
(`bot.prompter.build_scheduler`), left to run until every prompt is delivered or the time
limit passes. delivered_per_s counts from the first to the last delivery.
The last line is always `delivered_per_s=N lost=N duplicates=N`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.default import DefaultBotProperties  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.enums import ParseMode  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bot.prompter import build_scheduler  # noqa: E402
from journal.clock import utcnow  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Entry,
    EntryMentee,
    Membership,
    Person,
    Portfolio,
    PortfolioFramework,
    Prompt,
)
from storage.uow import writing  # noqa: E402

TOKEN = "42:BENCH-token-not-real"
MENTEES_PER_MENTOR = 100
GLOBAL_PER_SECOND = 30
CHAT_SECONDS = 1.0


# --- The fake Bot API server (its own process) --------------------------------------------------


class FakeTelegram:
    def __init__(self) -> None:
        self.recent: deque[float] = deque()
        self.last_by_chat: dict[int, float] = {}
        self.deliveries: Counter[int] = Counter()
        self.first: float | None = None
        self.last: float | None = None
        self.refused = 0
        self.message_id = 0

    def _too_many(self, chat_id: int, now: float) -> bool:
        while self.recent and now - self.recent[0] >= 1.0:
            self.recent.popleft()
        if len(self.recent) >= GLOBAL_PER_SECOND:
            return True
        last = self.last_by_chat.get(chat_id)
        return last is not None and now - last < CHAT_SECONDS

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getMe":
            return web.json_response(
                {"ok": True, "result": {"id": 42, "is_bot": True, "first_name": "bench"}}
            )
        if method != "sendMessage":
            return web.json_response({"ok": True, "result": True})
        form = dict(await request.post())
        chat_id = int(str(form["chat_id"]))
        now = time.monotonic()
        if self._too_many(chat_id, now):
            self.refused += 1
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status=429,
            )
        self.recent.append(now)
        self.last_by_chat[chat_id] = now
        markup = json.loads(str(form["reply_markup"]))
        prompt_id = int(markup["inline_keyboard"][0][0]["callback_data"].split(":")[1])
        self.deliveries[prompt_id] += 1
        self.first = self.first or now
        self.last = now
        self.message_id += 1
        return web.json_response(
            {
                "ok": True,
                "result": {
                    "message_id": self.message_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "text": form.get("text", ""),
                },
            }
        )

    async def stats(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "deliveries": {str(k): v for k, v in self.deliveries.items()},
                "seconds": (self.last - self.first) if self.first and self.last else 0.0,
                "refused": self.refused,
            }
        )


def serve(port_out: Any) -> None:
    async def main() -> None:
        fake = FakeTelegram()
        app = web.Application()
        app.router.add_get("/stats", fake.stats)
        app.router.add_route("POST", "/bot{token}/{method}", fake.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


# --- The bot side ---------------------------------------------------------------------------------


async def populate(sessions: Any, count: int) -> None:
    """~count mentees in portfolios of 100, one group session each, one due prompt per mentee."""
    now = utcnow()
    mentors = max(1, -(-count // MENTEES_PER_MENTOR))
    async with writing(sessions) as session:
        quiet = {"quiet_start": "00:00", "quiet_end": "00:00", "timezone": "Europe/London"}
        await session.execute(
            insert(Person),
            [
                {
                    "id": i + 1,
                    "telegram_id": 10_000_000 + i,
                    "name": f"Person {i}",
                    "consent_at": now,
                    **quiet,
                }
                for i in range(mentors + count)
            ],
        )
        await session.execute(
            insert(Portfolio),
            [{"id": m + 1, "mentor_id": m + 1, "last_ref": 1} for m in range(mentors)],
        )
        await session.execute(
            insert(PortfolioFramework),
            [{"portfolio_id": m + 1, "framework_id": "ilm"} for m in range(mentors)],
        )
        await session.execute(
            insert(Entry),
            [
                {
                    "id": m + 1,
                    "portfolio_id": m + 1,
                    "ref": "E-0001",
                    "author_id": m + 1,
                    "kind": "session",
                    "occurred_on": now.date(),
                    "recorded_at": now,
                    "duration_minutes": 60,
                    "data": {"plan": "Shift handover", "summary": "Group run"},
                }
                for m in range(mentors)
            ],
        )
        mentees = [(mentors + i + 1, i // MENTEES_PER_MENTOR + 1) for i in range(count)]
        await session.execute(
            insert(Membership),
            [
                {"id": pid, "portfolio_id": pf, "person_id": pid, "role": "mentee"}
                for pid, pf in mentees
            ],
        )
        await session.execute(
            insert(EntryMentee), [{"entry_id": pf, "membership_id": pid} for pid, pf in mentees]
        )
        await session.execute(
            insert(Prompt),
            [
                {
                    "kind": "feedback",
                    "person_id": pid,
                    "portfolio_id": pf,
                    "entry_id": pf,
                    "due_at": now - timedelta(minutes=1),
                    "expires_at": now + timedelta(days=3),
                    "state": "pending",
                    "attempts": 0,
                    "payload": {},
                    "created_at": now,
                    "key": f"feedback:{pf}:{pid}",
                }
                for pid, pf in mentees
            ],
        )


async def pending(sessions: Any) -> int:
    async with sessions() as session:
        return await session.scalar(
            select(func.count(Prompt.id)).where(Prompt.state.in_(["pending", "claimed", "sending"]))
        )


async def run(count: int, limit_s: float, base: str, url: str) -> dict[str, Any]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    await populate(sessions, count)
    bot = Bot(
        token=TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(base)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    scheduler = build_scheduler(bot, sessions, utcnow, worker_id="bench")
    started = time.monotonic()
    scheduler.start()
    try:
        while time.monotonic() - started < limit_s:
            if not await pending(sessions):
                break
            await asyncio.sleep(0.5)  # the scheduler works meanwhile; this only watches
        scheduler.shutdown(wait=False)
        async with sessions() as session:
            states = dict(
                (
                    await session.execute(select(Prompt.state, func.count()).group_by(Prompt.state))
                ).all()
            )
        async with ClientSession() as http, http.get(f"{base}/stats") as response:
            stats = await response.json()
    finally:
        await bot.session.close()
        await engine.dispose()
    return {"states": states, "wall_s": time.monotonic() - started, **stats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--limit-s", type=float, default=420.0)
    args = parser.parse_args()
    ports: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=30)}"
        with tempfile.TemporaryDirectory(prefix="mentorlog-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            result = asyncio.run(run(args.count, args.limit_s, base, url))
    finally:
        server.terminate()
    deliveries = {int(k): v for k, v in result["deliveries"].items()}
    delivered = len(deliveries)
    duplicates = sum(n - 1 for n in deliveries.values())
    rate = delivered / result["seconds"] if result["seconds"] else 0.0
    print(
        f"prompts={args.count} wall_s={result['wall_s']:.1f} refused_429={result['refused']} "
        f"states={result['states']}"
    )
    print(f"delivered_per_s={rate:.1f} lost={args.count - delivered} duplicates={duplicates}")


if __name__ == "__main__":
    main()
