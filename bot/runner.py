"""Running the bot: long polling by default, a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiohttp import web

from bot.app import (
    Services,
    build_bot,
    build_dispatcher,
    build_services,
    set_commands,
    settle_heap,
)
from bot.logs import configure
from bot.prompter import build_scheduler
from bot.settings import Settings
from bot.webhook import WEBHOOK_PATH, webhook_app
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)


def _state_backends(settings: Settings) -> tuple[BaseStorage | None, BaseEventIsolation | None]:
    """Redis when several processes serve one bot; otherwise the database (None = default)."""
    if not settings.redis_url:
        return None, None
    # redis is the optional "scale" extra: imported only where it is configured.
    from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

    storage = RedisStorage.from_url(settings.redis_url)
    return storage, RedisEventIsolation(redis=storage.redis)


async def _prepare(settings: Settings) -> tuple[Services, Bot, Dispatcher]:
    await upgrade_async(settings.database_url)
    services = build_services(settings)
    bot = build_bot(settings)
    storage, isolation = _state_backends(settings)
    dp = build_dispatcher(services, storage=storage, isolation=isolation)
    await set_commands(bot)
    settle_heap()
    return services, bot, dp


async def run(settings: Settings) -> None:
    secrets = [settings.token or ""]
    if settings.webhook_secret:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure(settings.log_level, secrets)
    services, bot, dp = await _prepare(settings)
    scheduler = build_scheduler(bot, services.sessions, services.clock)
    from bot.retention import add_retention_job  # the daily retention job (RETENTION_DAYS)

    add_retention_job(scheduler, services.sessions, settings, services.clock)
    scheduler.start()
    try:
        if settings.webhook_url:
            await _serve_webhook(settings, bot, dp)
        else:
            log.info("mentorlog is polling for updates")
            await dp.start_polling(bot)
    finally:
        scheduler.shutdown(wait=False)
        await bot.session.close()
        await services.engine.dispose()


async def _serve_webhook(settings: Settings, bot: Bot, dp: Dispatcher) -> None:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if not secret:
        raise SystemExit("WEBHOOK_SECRET must be set in webhook mode")
    await bot.set_webhook(f"{settings.webhook_url.rstrip('/')}{WEBHOOK_PATH}", secret_token=secret)
    # Malformed or foreign bodies get 400 and are logged by their size only (bot.webhook).
    runner = web.AppRunner(webhook_app(dp, bot, secret), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    log.info(
        "mentorlog is serving its webhook on %s:%s", settings.webhook_host, settings.webhook_port
    )
    try:
        await _forever()
    finally:
        await runner.cleanup()


async def _forever() -> None:
    await asyncio.Event().wait()
