"""The real `mentorlog run` process against a fake Bot API server on 127.0.0.1."""

import asyncio
import os
import sys
import time

from tests.fake_bot_api import FakeBotApi

TOKEN = "123456:SECRET-token-that-must-not-be-logged"


def start_update(update_id: int, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_790_000_000,
            "chat": {"id": 777, "type": "private", "first_name": "Anna"},
            "from": {"id": 777, "is_bot": False, "first_name": "Anna"},
            "text": text,
        },
    }


async def test_polling_process_answers_start_and_never_logs_the_token(tmp_path):
    api = FakeBotApi(updates=[start_update(1, "/start")])
    await api.start()
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "FILES_DIR": str(tmp_path / "files"),
        "LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not any("Do you agree" in t for t in api.sent_texts()):
            assert process.returncode is None, "the bot process exited early"
            assert time.monotonic() < deadline, "no answer to /start within 60 s"
            await asyncio.sleep(0.2)
    finally:
        process.terminate()
        output, _ = await process.communicate()
        await api.stop()
    methods = [m for m, _ in api.calls]
    assert "setMyCommands" in methods and "getUpdates" in methods
    assert TOKEN not in output.decode()
    assert (tmp_path / "bot.db").is_file()
