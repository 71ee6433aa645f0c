"""Webhook workers behind nginx, with Redis and PostgreSQL, under a realistic mix of updates.

For 1, 2 and 4 workers in turn: a fresh schema, `mentorlog run` with WORKERS=N behind nginx
(as in deploy/nginx.conf), `--prompts` due feedback prompts (from benchmarks/prompts.py) that
the workers' schedulers send through the shared budget meanwhile, and `--conversations`
mentor-and-mentee pairs posting `--updates` updates in all through nginx as Telegram does
(posted again until a 200): onboarding, an invitation, /log through every step with taps on
the suggested criteria, quick notes, /entries, /progress, /help and nonsense (the mix of
benchmarks/updates.py). The Bot API is a local fake on 127.0.0.1 (tests/fake_bot_api.py)
in this process, which is also the load generator.

Servers are started here from their installed packages and stopped at the end: redis-server,
nginx, and a throwaway PostgreSQL cluster (initdb under /tmp, its own port). Where missing:

    apt-get install -y postgresql redis-server nginx-light && .venv/bin/pip install -e '.[scale]'

Run: .venv/bin/python benchmarks/scale.py [--updates 1500] [--conversations 16] [--prompts 900]

Per worker count it prints the CPU seconds of every process (workers, supervisor, nginx,
redis, postgres with its backends, this load generator) from /proc/<pid>/stat over the phase,
and where the send time went: the prompt rate while updates came and after, and the gaps
between consecutive prompts (`--log FILE` keeps the workers' output).

- workers_N_per_s: updates acknowledged (200 through nginx) per second, from the first post of
  the phase to the last answer;
- send_per_s: prompts delivered per second across all workers, first to last delivery, the
  lowest of the three phases;
- lost: updates never acknowledged, prompts never delivered, and saves the users were told of
  that are not in the database; duplicates: prompts delivered twice, entries more than the
  saves told, and updates handled by two workers that both wrote (a claim row is one per id).

Ends with: workers_1_per_s=N workers_2_per_s=N workers_4_per_s=N send_per_s=N lost=N duplicates=N
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiogram.types import User  # noqa: E402

from benchmarks.prompts import populate  # noqa: E402
from benchmarks.updates import conversation  # noqa: E402
from bot.offline import Reply  # noqa: E402
from bot.webhook import SECRET_HEADER, WEBHOOK_PATH  # noqa: E402
from tests.fake_bot_api import FakeBotApi  # noqa: E402
from tests.running import ANSWER_WITHIN_S  # noqa: E402
from tests.webhook_running import (  # noqa: E402
    WEBHOOK_SECRET,
    Nginx,
    PostgresServer,
    RedisServer,
    WebhookBot,
    WebhookClient,
    _binary,
    free_ports,
    postgres_bindir,
    reset_postgres,
)

PROMPT_CHATS = 10_000_000  # benchmarks.prompts.populate's mentees: telegram ids from here
TICK = os.sysconf("SC_CLK_TCK")
INSTALL = (
    "apt-get install -y postgresql redis-server nginx-light && .venv/bin/pip install -e '.[scale]'"
)


# --- CPU accounting from /proc ------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process itself) from /proc/<pid>/stat."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _tree(pid: int | None) -> float:
    """CPU seconds of a process and its live descendants (exited ones as they were reaped: not
    counted, so snapshots are taken while the processes live)."""
    if pid is None:
        return 0.0
    stats = {
        int(p.name): s
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and (s := _stat(int(p.name)))
    }
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            total += stats[current][1]
            todo.extend(child for child, (parent, _) in stats.items() if parent == current)
    return total


# --- The load -----------------------------------------------------------------------------------


@dataclass
class Client(WebhookClient):
    """A WebhookClient over one shared HTTP session, counting what it fed and what was saved."""

    http: aiohttp.ClientSession | None = None
    fed: int = 0
    saves: list[str] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)

    async def post(self, update: dict[str, Any], within: float = ANSWER_WITHIN_S) -> str:
        assert self.bot is not None and self.http is not None
        deadline = time.monotonic() + within
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        while True:
            try:
                async with self.http.post(
                    self.bot.nginx_url + WEBHOOK_PATH, json=update, headers=headers
                ) as response:
                    await response.read()
                    if response.status == 200:
                        return response.headers.get("X-Mentorlog-Worker", "?")
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                self.unanswered.append(update["update_id"])
                return "-"
            await asyncio.sleep(0.2)

    async def feed(self, update: dict[str, Any]) -> Reply:
        reply = await super().feed(update)
        self.fed += 1
        self.saves.extend(re.findall(r"Saved as <b>(E-\d+)</b>", reply.text or ""))
        return reply


@dataclass
class Phase:
    workers: int
    updates: int = 0
    per_s: float = 0.0
    sends: int = 0
    send_per_s: float = 0.0
    lost: int = 0
    duplicates: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    problems: int = 0


def prompt_sends(api: FakeBotApi, since: int) -> list[tuple[int, float]]:
    return [
        (int(p["chat_id"]), t)
        for (m, p), t in zip(api.calls[since:], api.call_times[since:], strict=True)
        if m == "sendMessage" and int(p["chat_id"]) >= PROMPT_CHATS
    ]


def send_timing(times: list[float], started: float, ended: float) -> str:
    """Where the send time went: the rate while updates were posted and after, and the gaps
    between consecutive prompts (one every 34 ms when none is missed; a long gap is a batch
    claimed late or a loop too busy to take its turn)."""
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    during = [t for t in times if t <= ended]
    after = [t for t in times if t > ended]

    def rate(ts: list[float]) -> str:
        return f"{(len(ts) - 1) / (ts[-1] - ts[0]):.1f}/s" if len(ts) > 1 else "-"

    def at(q: float) -> float:
        return gaps[min(len(gaps) - 1, int(q * len(gaps)))] * 1000

    long = [g for g in gaps if g > 0.1]
    return (
        f"sends: {len(during)} while updates came ({rate(during)}), {len(after)} after "
        f"({rate(after)}); gap ms p50={at(0.5):.0f} p90={at(0.9):.0f} p99={at(0.99):.0f} "
        f"max={gaps[-1] * 1000:.0f}; {len(long)} gaps over 100 ms, {sum(long):.1f} s in all"
    )


async def _pg(url: str, sql: str) -> Any:
    import asyncpg

    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


async def _after_populate(url: str) -> None:
    """populate() writes its ids itself: move the sequences past them for the users' rows."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        for table in ("people", "portfolios", "entries", "memberships"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
    finally:
        await connection.close()


def _cpu(bot: WebhookBot, nginx: Nginx, redis: RedisServer, pg: PostgresServer) -> dict[str, float]:
    assert bot.process is not None
    supervisor = bot.process.pid
    stats = {
        int(p.name): s
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and (s := _stat(int(p.name)))
    }
    workers = sorted(pid for pid, (parent, _) in stats.items() if parent == supervisor)
    cpu = {f"worker{i}": _tree(pid) for i, pid in enumerate(workers)}
    # With WORKERS=1 `mentorlog run` is the worker itself, with no supervisor.
    own = stats[supervisor][1] if supervisor in stats else 0.0
    cpu["supervisor" if workers else "worker0"] = own
    cpu["nginx"] = _tree(nginx.process.pid if nginx.process else None)
    cpu["redis"] = _tree(redis.process.pid if redis.process else None)
    cpu["postgres"] = _tree(pg.pid)
    me = _stat(os.getpid())
    cpu["loadgen"] = me[1] if me else 0.0
    return cpu


async def phase(
    workers: int,
    args: argparse.Namespace,
    api: FakeBotApi,
    redis: RedisServer,
    pg: PostgresServer,
    root: Path,
) -> Phase:
    from redis.asyncio import Redis

    from storage.db import create_engine, session_factory

    result = Phase(workers)
    await reset_postgres(pg.url)
    client = Redis.from_url(redis.url)
    await client.flushall()
    await client.aclose()
    base = free_ports(workers)
    folder = root / f"w{workers}"
    nginx = await Nginx(folder / "nginx", [base + i for i in range(workers)]).start()
    bot = WebhookBot(
        folder,
        api,
        database_url=pg.url,
        redis_url=redis.url,
        workers=workers,
        base_port=base,
        nginx_url=nginx.url,
        LOG_LEVEL="INFO",
    )
    bot.env["REDIS_LOCK_SECONDS"] = "10"  # as deployed (the tests' 2 s is for their kills)
    try:
        async with bot:
            engine = create_engine(pg.url)
            try:
                await populate(session_factory(engine), args.prompts)
            finally:
                await engine.dispose()
            await _after_populate(pg.url)
            before = _cpu(bot, nginx, redis, pg)
            mark = len(api.calls)
            rng = random.Random(1379 + workers)
            ids = itertools.count(100_000 + workers * 10_000)
            budget = [args.updates]
            async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.conversations * 2)
            ) as http:

                def user(name: str) -> Client:
                    person = User(id=next(ids), is_bot=False, first_name=name, language_code="en")
                    return Client(api, person, bot.handled, bot=bot, http=http)

                pairs = [
                    (user(f"Mentor{n}"), user(f"Mentee{n}")) for n in range(args.conversations)
                ]
                started = time.monotonic()
                await asyncio.gather(*(conversation(m, e, budget, rng) for m, e in pairs))
                ended = time.monotonic()
            clients = [c for pair in pairs for c in pair]
            result.updates = sum(c.fed for c in clients)
            result.per_s = result.updates / (ended - started)
            # Every prompt delivered (or the limit passed), nothing more comes.
            deadline = time.monotonic() + args.prompts / 25 + 30
            while len(prompt_sends(api, mark)) < args.prompts:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1)
            after = _cpu(bot, nginx, redis, pg)
            result.cpu = {k: after[k] - before.get(k, 0.0) for k in after}
            sends = prompt_sends(api, mark)
            per_chat = Counter(chat for chat, _ in sends)
            times = sorted(t for _, t in sends)
            result.sends = len(sends)
            if len(times) > 1:
                result.send_per_s = (len(times) - 1) / (times[-1] - times[0])
                print("  " + send_timing(times, started, ended), flush=True)
            saved = sum(len(c.saves) for c in clients)
            # Entries of the users (populate's one group session per 100 mentees aside).
            populated = -(-args.prompts // 100) + args.prompts
            in_db = await _pg(
                pg.url,
                f"SELECT count(*) FROM entries WHERE author_id > {populated:d}",  # noqa: S608
            )
            # Per update: the workers that logged handling it (aiogram's "is handled").
            handled = Counter(
                int(m.group(1))
                for line in bot.lines
                if (m := re.search(r"Update id=(\d+) is handled", line))
            )
            twice = sum(1 for n in handled.values() if n > 1)
            result.lost = (
                sum(len(c.unanswered) for c in clients)
                + (args.prompts - len(per_chat))
                + max(0, saved - in_db)
            )
            result.duplicates = (
                sum(n - 1 for n in per_chat.values()) + max(0, in_db - saved) + twice
            )
            print(
                f"  {workers} worker(s): {result.updates} updates in {ended - started:.1f} s "
                f"= {result.per_s:.1f}/s; {result.sends} prompts at {result.send_per_s:.1f}/s; "
                f"saves told {saved}, entries {in_db}; handled twice {twice}",
                flush=True,
            )
            # Stopped here, with time to finish the batch in hand on a busy machine.
            assert bot.process is not None
            bot.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.process.wait(), 180)
    finally:
        await nginx.stop()
    if args.log:
        Path(args.log).with_suffix(f".w{workers}.log").write_text(bot.output)
    result.problems = len(bot.problems())
    if result.problems:
        print("  problems in the workers' output:", *bot.problems()[:5], sep="\n    ")
    print("  CPU seconds: " + ", ".join(f"{k}={v:.1f}" for k, v in result.cpu.items()), flush=True)
    return result


async def main(args: argparse.Namespace) -> None:
    missing = [
        name
        for name, there in (
            ("redis-server", _binary("MENTORLOG_TEST_REDIS_SERVER", "redis-server")),
            ("nginx", _binary("MENTORLOG_TEST_NGINX", "nginx")),
            ("PostgreSQL server binaries", postgres_bindir()),
        )
        if not there
    ]
    try:
        import asyncpg  # noqa: F401
        import pyrate_limiter  # noqa: F401
        import redis
    except ImportError as err:
        missing.append(f"the scale extra ({err.name})")
    if missing:
        sys.exit(f"missing: {', '.join(missing)}; install with: {INSTALL}")
    with tempfile.TemporaryDirectory(prefix="mentorlog-scale-") as tmp:
        root = Path(tmp)
        api = FakeBotApi()
        await api.start()
        redis = await RedisServer(root / "redis").start()
        pg = await PostgresServer().start()
        phases = []
        try:
            for workers in args.workers:
                phases.append(await phase(workers, args, api, redis, pg, root))
        finally:
            await redis.stop()
            await pg.remove()
            await api.stop()
    by = {p.workers: p for p in phases}
    print(
        " ".join(f"workers_{n}_per_s={by[n].per_s:.1f}" for n in args.workers)
        + f" send_per_s={min(p.send_per_s for p in phases):.1f}"
        + f" lost={sum(p.lost for p in phases)} duplicates={sum(p.duplicates for p in phases)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=1500, help="updates per worker count")
    parser.add_argument("--conversations", type=int, default=16, help="mentor-mentee pairs at once")
    parser.add_argument("--prompts", type=int, default=900, help="due prompts per worker count")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--log", help="keep the workers' output in LOG.wN.log")
    asyncio.run(main(parser.parse_args()))
