"""The webhook endpoint Telegram posts updates to (webhook mode, see bot.runner).

aiogram's SimpleRequestHandler answers a body that is not JSON with 500 and a traceback in the
log, and accepts any JSON with 200, to fail later in a task whose error carries the body (what
people wrote) into the log. Here the body is read, parsed and checked as an Update before it is
accepted: anything else gets 400 and one log line with its size. Updates are logged by id only.

An update is acknowledged (200) only once it is handled: aiogram's default answers first and
handles in the background, so an update in hand when the worker dies would be gone (Telegram
does not send an acknowledged update again). Here a worker killed mid-update leaves the proxy
or Telegram without an answer, the update comes again (to another worker behind the proxy),
and the update claim (`storage.uow.writing`) and the replay guard keep it handled once.

`/healthz` answers while the process lives; `/readyz` while it takes updates (database and
Redis answer, not shutting down), for the proxy and the orchestrator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

from storage.in_hand import update_in_hand

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
log = logging.getLogger(__name__)


class CheckedRequestHandler(SimpleRequestHandler):
    """SimpleRequestHandler that refuses, with 400, a body that is not one Telegram update."""

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            return web.Response(body="Unauthorized", status=401)
        body = await request.read()
        try:
            raw = bot.session.json_loads(body)
        except ValueError:  # JSONDecodeError, UnicodeDecodeError
            log.warning("webhook: malformed body, %d bytes", len(body))
            return web.Response(text="Bad Request: the body is not JSON", status=400)
        try:
            update = Update.model_validate(raw, context={"bot": bot})
        except ValidationError:
            # The validation error quotes the body's values: neither it nor they are logged.
            log.warning("webhook: not an update, %d bytes", len(body))
            return web.Response(text="Bad Request: the body is not an update", status=400)
        log.debug("webhook: update %s", update.update_id)
        if self.handle_in_background:
            task = asyncio.create_task(self._feed(bot, update))
            self._background_feed_update_tasks.add(task)
            task.add_done_callback(self._background_feed_update_tasks.discard)
        else:
            # Not feed_webhook_update: after 55 s it answers and goes on in the background.
            # An error escaping the handlers is a 500: the update comes again.
            await self._feed(bot, update)
        return web.json_response({}, dumps=bot.session.json_dumps, headers=self.headers)

    __call__ = handle

    async def _feed(self, bot: Bot, update: Update) -> None:
        # Named for the Redis replay guard (storage.in_hand): a copy of this update that
        # comes again after its worker died is told from a new one.
        update_in_hand.set(update.update_id)
        result: Any = await self.dispatcher.feed_update(bot, update, **self.data)
        if isinstance(result, TelegramMethod):
            await self.dispatcher.silent_call_request(bot=bot, result=result)

    headers: dict[str, str] = {}  # noqa: RUF012 - set per instance by webhook_app


Ready = Callable[[], Awaitable[bool]]


async def _always() -> bool:
    return True


def webhook_app(
    dp: Dispatcher,
    bot: Bot,
    secret: str,
    *,
    worker: str | None = None,
    ready: Ready = _always,
    background: bool = False,
) -> web.Application:
    """An aiohttp application serving the webhook at WEBHOOK_PATH, for requests with `secret`,
    answering only once the update is handled (`background=False`), with /healthz and /readyz.

    `worker` names the process in an `X-Mentorlog-Worker` header of every answer (which worker
    behind the proxy took an update shows in the proxy's log and in tests)."""
    app = web.Application()
    handler = CheckedRequestHandler(
        dispatcher=dp, bot=bot, secret_token=secret, handle_in_background=background
    )
    handler.headers = {"X-Mentorlog-Worker": worker} if worker else {}
    handler.register(app, path=WEBHOOK_PATH)

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok", headers=handler.headers)

    async def readyz(_: web.Request) -> web.Response:
        try:
            ok = await asyncio.wait_for(ready(), 5)
        except Exception:  # a database or Redis that does not answer is "not ready"
            ok = False
        status = 200 if ok else 503
        return web.Response(
            text="ready" if ok else "not ready", status=status, headers=handler.headers
        )

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    setup_application(app, dp, bot=bot)
    return app
