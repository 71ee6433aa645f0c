"""The webhook endpoint Telegram posts updates to (webhook mode, see bot.runner).

aiogram's SimpleRequestHandler answers a body that is not JSON with 500 and a traceback in the
log, and accepts any JSON with 200, to fail later in a task whose error carries the body (what
people wrote) into the log. Here the body is read, parsed and checked as an Update before it is
accepted: anything else gets 400 and one log line with its size. Updates are logged by id only.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

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
            return web.json_response({}, dumps=bot.session.json_dumps)
        result = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    __call__ = handle

    async def _feed(self, bot: Bot, update: Update) -> None:
        result: Any = await self.dispatcher.feed_update(bot, update, **self.data)
        if isinstance(result, TelegramMethod):
            await self.dispatcher.silent_call_request(bot=bot, result=result)


def webhook_app(dp: Dispatcher, bot: Bot, secret: str) -> web.Application:
    """An aiohttp application serving the webhook at WEBHOOK_PATH, for requests with `secret`."""
    app = web.Application()
    CheckedRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(
        app, path=WEBHOOK_PATH
    )
    setup_application(app, dp, bot=bot)
    return app
