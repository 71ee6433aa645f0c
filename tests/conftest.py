"""Shared fixtures: a real SQLite database per test, the real Dispatcher, offline Telegram."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import User

from bot.app import Services, build_dispatcher, build_services
from bot.settings import Settings
from storage.migrate import upgrade
from tests.botkit import (
    FIXED_DATE,
    ChatClient,
    FakeClock,
    invite_and_join,
    offline_bot,
    onboard_mentor,
)
from tests.fake_bot_api import FakeBotApi


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """`mentorlog demo` played once for the tests that read its files: (DIR, files written)."""
    import asyncio

    from bot.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    return out, asyncio.run(run_demo(out))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test copies the migrated file instead of running Alembic again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path, template_db: Path) -> Settings:
    db = tmp_path / "mentorlog.db"
    shutil.copyfile(template_db, db)
    return Settings(
        _env_file=None,
        bot_token=None,
        database_url=f"sqlite:///{db}",
        files_dir=tmp_path / "files",
        frameworks_dir=tmp_path / "frameworks",
        exports_dir=tmp_path / "exports",
        signing_key_file=tmp_path / "signing_key.pem",
        default_timezone="Europe/London",
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FIXED_DATE)


@pytest.fixture
async def services(settings: Settings, clock: FakeClock) -> AsyncIterator[Services]:
    built = build_services(settings, clock=clock)
    yield built
    await built.engine.dispose()


@pytest.fixture
def dp(services: Services) -> Dispatcher:
    return build_dispatcher(services)


@pytest.fixture
def bot() -> Bot:
    return offline_bot()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API server on 127.0.0.1 that tests of the running process talk through."""
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


ClientFactory = Callable[..., ChatClient]


@pytest.fixture
def make_client(dp: Dispatcher, bot: Bot) -> ClientFactory:
    ids = iter(range(1001, 2000))

    def make(first_name: str = "Anna", user_id: int | None = None) -> ChatClient:
        user = User(
            id=user_id or next(ids), is_bot=False, first_name=first_name, language_code="en"
        )
        return ChatClient(dp=dp, bot=bot, user=user)

    return make


@pytest.fixture
async def mentor(make_client: ClientFactory) -> ChatClient:
    client = make_client("Anna")
    await onboard_mentor(client)
    return client


@pytest.fixture
async def mentee(make_client: ClientFactory, mentor: ChatClient) -> ChatClient:
    client = make_client("Jon")
    await invite_and_join(mentor, client)
    return client


async def log_session(
    mentor: ChatClient,
    *,
    who: str = "Jon",
    when: str = "Today",
    duration: str = "1h15",
    summary: str = "Went through the handover checklist twice; he led the second run.",
) -> None:
    """A full /log as in DESIGN.md section 11, tapping or typing each answer."""
    await mentor.send("/log")
    await mentor.click(who)
    await (mentor.click(when) if when in {"Today", "Yesterday"} else mentor.send(when))
    await (mentor.click(duration) if duration.endswith("min") else mentor.send(duration))
    await mentor.click("In person")
    await mentor.send("Shift handover checklist")
    await mentor.send(summary)
    await mentor.click("Skip")
    await mentor.click("Skip")
    await mentor.click("Skip")
