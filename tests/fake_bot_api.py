"""A local fake Telegram Bot API server on 127.0.0.1 for tests of the running process.

It is as strict as Telegram where a bot can go wrong (`bot.bot_api_rules`: long text, HTML it
cannot parse, callback data over 64 bytes), serves `getUpdates` with Telegram's offset rules
and long polling, keeps the messages it was asked to send or edit per chat, and lets a test
script refusals (429 with `retry_after`, 5xx) for a method.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot import bot_api_rules

BOT = {"id": 42, "is_bot": True, "first_name": "mentorlog", "username": "mentorlog_test_bot"}
DATE = 1_790_000_000


@dataclass
class FakeBotApi:
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Every message the bot sent, by chat, as Telegram keeps it (edits change it in place).
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # Scripted answers for a method, taken one per call: (HTTP status, extra fields).
    script: dict[str, deque[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    # When each call of `calls` arrived (time.monotonic()), for the send-budget tests.
    call_times: list[float] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _last_update_id: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sent_texts(self) -> list[str]:
        return [str(p.get("text", "")) for m, p in self.calls if m == "sendMessage"]

    def push(self, **update: Any) -> dict[str, Any]:
        """Queue an update for the next getUpdates, with the next update id."""
        update.setdefault("update_id", self._last_update_id + 1)
        self._last_update_id = update["update_id"]
        self.updates.append(update)
        self._arrived.set()
        return update

    def refuse(self, method: str, status: int, times: int = 1, **extra: Any) -> None:
        self.script.setdefault(method, deque()).extend([(status, extra)] * times)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            payload = await request.json()
        else:
            payload = {
                k: (v if isinstance(v, str) else v.file.read())
                for k, v in (await request.post()).items()
            }
            # A file goes as its own part, named by "attach://<part>" in its field.
            for k, v in list(payload.items()):
                if isinstance(v, str) and v.startswith("attach://"):
                    payload[k] = payload.pop(v.removeprefix("attach://"), v)
        self.calls.append((method, payload))
        self.call_times.append(time.monotonic())
        scripted = self.script.get(method)
        if scripted:
            status, extra = scripted.popleft()
            return web.json_response(
                {"ok": False, "error_code": status, "description": f"scripted {status}", **extra},
                status=status,
            )
        try:
            result = await self._result(method, payload)
        except bot_api_rules.Refused as refused:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": refused.description}, status=400
            )
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        content = self.files.get(request.match_info["path"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content)

    async def _result(self, method: str, payload: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            return await self._get_updates(payload)
        if method == "sendMessage":
            return self._store(payload)
        if method == "editMessageText":
            return self._edit(payload, text=True)
        if method == "editMessageReplyMarkup":
            return self._edit(payload, text=False)
        if method == "answerCallbackQuery":
            bot_api_rules.check_alert(payload.get("text"))
            return True
        if method == "sendDocument":
            bot_api_rules.check_caption(payload.get("caption"), payload.get("parse_mode"))
            return self._message(payload, document={"file_id": "sent", "file_unique_id": "sent"})
        if method == "sendPhoto":
            bot_api_rules.check_caption(payload.get("caption"), payload.get("parse_mode"))
            size = {"file_id": "sent", "file_unique_id": "sent", "width": 1, "height": 1}
            return self._message(payload, photo=[size])
        if method == "getFile":
            file_id = str(payload["file_id"])
            return {"file_id": file_id, "file_unique_id": file_id, "file_path": file_id}
        # setMyCommands, sendChatAction, deleteWebhook ...
        return True

    async def _get_updates(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(payload.get("offset") or 0)
        # Telegram forgets what is below the offset: the bot confirmed it.
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._arrived.clear()
            wait = min(float(payload.get("timeout") or 0), 0.5)
            try:
                await asyncio.wait_for(self._arrived.wait(), wait)
            except TimeoutError:
                return []
        return list(self.updates)

    @staticmethod
    def _markup(payload: dict[str, Any]) -> dict[str, Any] | None:
        markup = payload.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if markup and "inline_keyboard" in markup:
            bot_api_rules.check_keyboard(markup["inline_keyboard"])
        return markup or None

    def _message(self, payload: dict[str, Any], **fields: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._ids),
            "date": DATE,
            "chat": {"id": int(payload["chat_id"]), "type": "private"},
            "from": BOT,
            **fields,
        }
        self.messages.setdefault(int(payload["chat_id"]), []).append(message)
        return message

    @staticmethod
    def _shown(payload: dict[str, Any]) -> str:
        """The text as Telegram keeps it: parsed, without the markup (entities aside)."""
        bot_api_rules.check_text(payload.get("text"), payload.get("parse_mode"))
        return bot_api_rules.plain_text(payload.get("text", ""), payload.get("parse_mode"))

    def _store(self, payload: dict[str, Any]) -> dict[str, Any]:
        markup = self._markup(payload)
        fields: dict[str, Any] = {"text": self._shown(payload)}
        if markup:
            fields["reply_markup"] = markup
        return self._message(payload, **fields)

    def _edit(self, payload: dict[str, Any], *, text: bool) -> dict[str, Any]:
        chat_id, message_id = int(payload["chat_id"]), int(payload["message_id"])
        found = next(
            (m for m in self.messages.get(chat_id, []) if m["message_id"] == message_id), None
        )
        if found is None:
            raise bot_api_rules.Refused("message to edit not found")
        if text:
            found["text"] = self._shown(payload)
        markup = self._markup(payload)
        if markup:
            found["reply_markup"] = markup
        else:
            found.pop("reply_markup", None)
        return found

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
