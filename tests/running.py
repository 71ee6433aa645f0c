"""The real `mentorlog run` process, started as a subprocess against the fake Bot API.

`RunningBot` starts `python -m bot.cli run` with a database and files of the test's own, reads
its output (which tests check for tracebacks, warnings and secrets), and can be stopped,
killed and started again over the same files. `ProcessClient` is one Telegram user talking to
that process: it has `send` and `click` like `bot.offline.ChatClient`, so the conversations
written for the Dispatcher tests (`onboard_mentor`, `invite_and_join`, `log_session`) play
against the running process unchanged.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup, User

from bot.offline import Reply
from tests.fake_bot_api import DATE, FakeBotApi

TOKEN = "123456:SECRET-token-that-must-not-be-logged"
ANSWER_WITHIN_S = 30


class RunningBot:
    """One `mentorlog run` process at a time over the files under `root`."""

    def __init__(self, root: Path, api: FakeBotApi, **env: str) -> None:
        self.root = root
        self.api = api
        self.db = root / "bot.db"
        self.env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": api.base,
            "DATABASE_URL": f"sqlite:///{self.db}",
            # Under data/, as by default: a folder named `exports` in the process's working
            # directory would stand in for the `exports` package on its import path.
            "FILES_DIR": str(root / "data" / "files"),
            "EXPORTS_DIR": str(root / "data" / "exports"),
            "FRAMEWORKS_DIR": str(root / "data" / "frameworks"),
            "LOG_LEVEL": "DEBUG",
            # No quiet hours: a prompt due now goes now, whatever the hour the suite runs at.
            "QUIET_START": "00:00",
            "QUIET_END": "00:00",
            # A coroutine never awaited is an error in the process too (printed, then checked).
            "PYTHONWARNINGS": "error::RuntimeWarning",
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._calls_at_start = 0
        self._lines_at_start = 0

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def start(self) -> RunningBot:
        self._calls_at_start = len(self.api.calls)
        self._lines_at_start = len(self.lines)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=self.env,
            cwd=self.root,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read(self.process))
        await self.wait_for(self._polling, "the bot to start polling")
        return self

    def _polling(self) -> bool:
        return any(m == "getUpdates" for m, _ in self.api.calls[self._calls_at_start :])

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            self.lines.append(line.decode(errors="replace").rstrip())

    async def wait_for(self, ready: Callable[[], Any], what: str, within: float = 60) -> Any:
        deadline = time.monotonic() + within
        while not (result := ready()):
            if self.process is not None and self.process.returncode is not None:
                raise AssertionError(f"the bot process exited waiting for {what}:\n{self.output}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {within} s:\n{self.output[-4000:]}")
            await asyncio.sleep(0.05)
        return result

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop the process (SIGKILL to die mid-work); returns its exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        code = await asyncio.wait_for(self.process.wait(), 30)
        if self._reader:
            await self._reader
        self.process = None
        return code

    async def restart(self, sig: int = signal.SIGTERM) -> None:
        await self.stop(sig)
        await self.start()

    async def __aenter__(self) -> RunningBot:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None:
            await self.stop()

    def handled(self, update_id: int) -> bool:
        """Whether this process (not one before a restart) has finished with an update: aiogram
        logs each one it ends."""
        ends = (f"Update id={update_id} is handled", f"Update id={update_id} is not handled")
        return any(any(end in line for end in ends) for line in self.lines[self._lines_at_start :])

    def client(self, first_name: str, user_id: int) -> ProcessClient:
        user = User(id=user_id, is_bot=False, first_name=first_name, language_code="en")
        return ProcessClient(self.api, user, self.handled)

    def problems(self) -> list[str]:
        """Lines of the output that no healthy run prints."""
        bad = ("Traceback", "never awaited", "Exception ignored", "RuntimeWarning", TOKEN)
        return [line for line in self.lines if any(b in line for b in bad)]


_ids = itertools.count(10_000)


@dataclass
class ProcessClient:
    """One user in a private chat with the running process (see `bot.offline.ChatClient`)."""

    api: FakeBotApi
    user: User
    handled: Callable[[int], bool]
    last: Reply = field(default_factory=lambda: Reply([]))

    @property
    def _chat(self) -> dict[str, Any]:
        return {"id": self.user.id, "type": "private", "first_name": self.user.first_name}

    @property
    def _from(self) -> dict[str, Any]:
        return {"id": self.user.id, "is_bot": False, "first_name": self.user.first_name}

    def messages(self) -> list[dict[str, Any]]:
        return self.api.messages.get(self.user.id, [])

    def message_update(self, text: str, **fields: Any) -> dict[str, Any]:
        message = {
            "message_id": next(_ids),
            "date": DATE,
            "chat": self._chat,
            "from": self._from,
            "text": text,
            **fields,
        }
        return {"message": message}

    async def send(self, text: str, **fields: Any) -> Reply:
        return await self.feed(self.message_update(text, **fields))

    def media_update(self, **media: Any) -> dict[str, Any]:
        """A message that carries only media (a document, a video): it has no text at all."""
        update = self.message_update("", **media)
        del update["message"]["text"]
        return update

    async def send_document(
        self, content: bytes, name: str, file_id: str = "doc1", mime: str = "application/pdf"
    ) -> Reply:
        """A document whose bytes the fake Bot API serves as `file_id` (the arguments of
        `bot.offline.ChatClient.send_document`, so that a conversation plays on either)."""
        self.api.files[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "mime_type": mime,
            "file_size": len(content),
        }
        return await self.feed(self.media_update(document=document))

    async def feed(self, update: dict[str, Any]) -> Reply:
        mark = len(self.api.calls)
        pushed = self.api.push(**update)
        deadline = time.monotonic() + ANSWER_WITHIN_S
        while not self.handled(pushed["update_id"]):
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.user.first_name}'s update was not handled in time")
            await asyncio.sleep(0.02)
        query = pushed.get("callback_query")
        query_id = query["id"] if query else None
        mine = [(m, p) for m, p in self.api.calls[mark:] if self._answers(m, p, query_id)]
        self.last = Reply([_method(m, p) for m, p in mine])
        return self.last

    def _answers(self, method: str, payload: dict[str, Any], query_id: str | None) -> bool:
        if method == "answerCallbackQuery":
            return payload.get("callback_query_id") == query_id
        return method != "getUpdates" and str(payload.get("chat_id")) == str(self.user.id)

    async def press(self, data: str, message: dict[str, Any] | None = None) -> Reply:
        message = message or {
            "message_id": next(_ids),
            "date": DATE,
            "chat": self._chat,
            "text": "(earlier message)",
        }
        query = {
            "id": str(next(_ids)),
            "from": self._from,
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }
        return await self.feed({"callback_query": query})

    async def click(self, label: str | Callable[[str], bool], reply: Reply | None = None) -> Reply:
        """Tap a button, by its exact label or a predicate, on the newest message that has it."""
        match = label if callable(label) else (lambda text: text == label)
        for message in reversed(self.messages()):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if match(button["text"]) and "callback_data" in button:
                        return await self.press(button["callback_data"], message)
        raise AssertionError(f"no button {label!r} in the chat with {self.user.first_name}")

    async def tap(self, message: dict[str, Any], label: str) -> Reply:
        """Tap the button labelled `label` on this very message."""
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == label and "callback_data" in button:
                    return await self.press(button["callback_data"], message)
        raise AssertionError(f"no button {label!r} on {message.get('text', '')[:80]!r}")

    async def expect(self, fragment: str, within: float = 60) -> dict[str, Any]:
        """Wait for a message to this user (sent by the bot on its own) containing `fragment`."""
        deadline = time.monotonic() + within
        while True:
            for message in self.messages():
                if fragment in message.get("text", ""):
                    return message
            if time.monotonic() > deadline:
                texts = [m.get("text", "")[:80] for m in self.messages()]
                raise AssertionError(f"{self.user.first_name} never got {fragment!r}: {texts}")
            await asyncio.sleep(0.1)


def _method(name: str, payload: dict[str, Any]) -> TelegramMethod[Any]:
    """The call as aiogram's method object, so `Reply` reads it as it reads offline calls."""
    if name == "answerCallbackQuery":
        return AnswerCallbackQuery(
            callback_query_id=str(payload.get("callback_query_id")), text=payload.get("text")
        )
    markup = payload.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    keyboard = (
        InlineKeyboardMarkup.model_validate(markup)
        if markup and "inline_keyboard" in markup
        else None
    )
    text, chat_id = str(payload.get("text", "")), int(payload["chat_id"])
    if name == "sendMessage":
        return SendMessage(chat_id=chat_id, text=text, reply_markup=keyboard)
    if name == "editMessageText":
        return EditMessageText(
            chat_id=chat_id,
            message_id=int(payload["message_id"]),
            text=text,
            reply_markup=keyboard,
        )
    return _Other(name=name, payload=payload, reply_markup=keyboard)


@dataclass
class _Other:
    """Any other call (sendDocument, editMessageReplyMarkup ...), kept with its payload."""

    name: str
    payload: dict[str, Any]
    reply_markup: InlineKeyboardMarkup | None = None
