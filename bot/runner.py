"""Running the bot: long polling by default, a webhook server when WEBHOOK_URL is set.

In webhook mode with WORKERS above 1, `run` is the supervisor of that many worker processes
(`bot.workers`); each worker serves the webhook on its own port, WEBHOOK_PORT + its index.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text

from bot.app import (
    Services,
    build_bot,
    build_dispatcher,
    build_services,
    set_commands,
    settle_heap,
)
from bot.logs import RedactingFormatter, configure
from bot.prompter import Limiter, build_scheduler
from bot.settings import Settings
from bot.webhook import WEBHOOK_PATH, webhook_app
from handlers.context import SeenUpdates
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)
# How long a worker told to stop waits for the updates in hand (Telegram waits about 60 s).
SHUTDOWN_SECONDS = 60.0


def _state_backends(
    settings: Settings,
) -> tuple[BaseStorage | None, BaseEventIsolation | None, SeenUpdates | None]:
    """Redis when several processes serve one bot; otherwise the database (None = default)."""
    if not settings.redis_url:
        return None, None, None
    # redis is the optional "scale" extra: imported only where it is configured.
    from aiogram.fsm.storage.redis import RedisStorage

    from storage.redis_state import ChatLocks, RedisSeen

    storage = RedisStorage.from_url(settings.redis_url)
    locks = ChatLocks(storage.redis, lock_seconds=settings.redis_lock_seconds)
    return storage, locks, RedisSeen(storage.redis)


def _send_budget(settings: Settings) -> Limiter:
    """One budget shared by every process through Redis, or this process's own."""
    if settings.redis_url:
        from bot.send_budget import SharedLimiter

        bot_id = (settings.token or "bot").split(":")[0]
        shared = SharedLimiter(
            settings.redis_url,
            settings.send_per_second,
            settings.send_per_chat_seconds,
            bot_id=bot_id,
        )
        return shared  # type: ignore[return-value] - the same wait(chat_id)
    return Limiter(settings.send_per_second, settings.send_per_chat_seconds)


async def _prepare(
    settings: Settings, *, upgrade: bool = True
) -> tuple[Services, Bot, Dispatcher, BaseStorage | None]:
    if upgrade:
        await upgrade_async(settings.database_url)
    services = build_services(settings)
    bot = build_bot(settings)
    storage, isolation, seen = _state_backends(settings)
    dp = build_dispatcher(services, storage=storage, isolation=isolation, seen=seen)
    if upgrade:
        await set_commands(bot)
    settle_heap()
    return services, bot, dp, storage


def _configure_logs(settings: Settings, worker: int | None) -> list[str]:
    secrets = [settings.token or ""]
    if settings.webhook_secret:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure(settings.log_level, secrets)
    if worker is not None:
        name = f"worker-{worker}[%(process)d]"
        for handler in logging.getLogger().handlers:
            handler.setFormatter(
                RedactingFormatter(
                    f"%(asctime)s %(levelname)s {name} %(name)s: %(message)s", secrets
                )
            )
    return secrets


async def run(settings: Settings, *, worker: int | None = None) -> None:
    """Serve the bot; `worker` is the index of a worker process started by `bot.workers`."""
    _configure_logs(settings, worker)
    if settings.webhook_url and settings.workers > 1 and worker is None:
        from bot.workers import supervise

        await supervise(settings)
        return
    services, bot, dp, storage = await _prepare(settings, upgrade=worker is None)
    budget = _send_budget(settings)
    scheduler = build_scheduler(bot, services.sessions, services.clock, limiter=budget)
    if worker in (None, 0):
        from bot.retention import add_retention_job  # the daily retention job (RETENTION_DAYS)

        add_retention_job(scheduler, services.sessions, settings, services.clock)
    scheduler.start()
    try:
        if settings.webhook_url:
            if worker is None:
                await set_webhook(settings, bot)
            await _serve_webhook(settings, bot, dp, services, storage, worker)
        else:
            log.info("mentorlog is polling for updates")
            await dp.start_polling(bot)
    finally:
        await _drain(scheduler)
        if close := getattr(budget, "close", None):
            await close()
        await bot.session.close()
        await dp.storage.close()
        await services.engine.dispose()


async def _drain(scheduler: AsyncIOScheduler, within: float = 15) -> None:
    """Stop the scheduler, letting a prompt run in hand finish its batch (APScheduler's own
    shutdown cancels it midway, leaving claims for the stale-claim rules)."""
    if scheduler.running:
        scheduler.pause()
        executor = scheduler._lookup_executor("default")
        running = [f for f in getattr(executor, "_pending_futures", ()) if not f.done()]
        if running:
            await asyncio.wait(running, timeout=within)
        scheduler.shutdown(wait=False)


def _secret(settings: Settings) -> str:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if not secret:
        raise SystemExit("WEBHOOK_SECRET must be set in webhook mode")
    return secret


async def set_webhook(settings: Settings, bot: Bot) -> None:
    assert settings.webhook_url
    url = f"{settings.webhook_url.rstrip('/')}{WEBHOOK_PATH}"
    await bot.set_webhook(url, secret_token=_secret(settings))


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _serve_webhook(
    settings: Settings,
    bot: Bot,
    dp: Dispatcher,
    services: Services,
    storage: BaseStorage | None,
    worker: int | None,
) -> None:
    secret = _secret(settings)
    stop = _stop_on_signals()
    port = settings.webhook_port + (worker or 0)

    async def ready() -> bool:
        if stop.is_set():
            return False
        async with services.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        redis = getattr(storage, "redis", None)
        if redis is not None:
            await redis.ping()
        return True

    name = f"{worker or 0}"
    # Malformed or foreign bodies get 400 and are logged by their size only (bot.webhook).
    app = webhook_app(dp, bot, secret, worker=name, ready=ready)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, port).start()
    log.info("mentorlog is serving its webhook on %s:%s", settings.webhook_host, port)
    try:
        await stop.wait()
        log.info("stopping: finishing the updates in hand")
    finally:
        # Stops listening, then waits for the requests in hand (their updates) to finish.
        with contextlib.suppress(asyncio.CancelledError):
            await runner.cleanup()
        log.info("stopped")
