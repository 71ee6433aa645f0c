"""A local fake Telegram Bot API server on 127.0.0.1 for tests of the running process."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeBotApi:
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _message_id: int = 1

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sent_texts(self) -> list[str]:
        return [str(p.get("text", "")) for m, p in self.calls if m == "sendMessage"]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            payload = await request.json()
        else:
            payload = dict(await request.post())
        self.calls.append((method, payload))
        return web.json_response({"ok": True, "result": await self._result(method, payload)})

    async def _result(self, method: str, payload: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": 42,
                "is_bot": True,
                "first_name": "mentorlog",
                "username": "mentorlog_test_bot",
            }
        if method == "getUpdates":
            offset = int(payload.get("offset") or 0)
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if not pending:
                await asyncio.sleep(0.2)
            return pending
        if method == "sendMessage":
            self._message_id += 1
            markup = payload.get("reply_markup")
            return {
                "message_id": self._message_id,
                "date": 1_790_000_000,
                "chat": {"id": int(payload["chat_id"]), "type": "private"},
                "text": payload.get("text", ""),
                **(
                    {"reply_markup": json.loads(markup) if isinstance(markup, str) else markup}
                    if markup
                    else {}
                ),
            }
        return True

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
