"""Assembly of the bot and the dispatcher from long-lived objects (no module globals)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.api_retry import RetryUndecodable
from bot.exporting import Exporter
from bot.settings import Settings
from handlers import (
    apprenticeship,
    assessor,
    assessor_ecomentor,
    assessor_marks,
    capture,
    entries,
    epa,
    errors,
    export,
    gateway,
    held_back,
    invite,
    journal,
    marksheet,
    menu,
    names,
    privacy,
    progress,
    prompt_answers,
    qa,
    recordings,
    request,
    start,
    statement,
    tagging,
    texts,
)
from handlers import settings as settings_handlers  # `settings` here is bot.settings values
from handlers.context import ReplayGuard, SeenUpdates, Who
from handlers.downloads import UPLOAD_LIMIT
from handlers.filters import PrivateChatsOnly
from journal.clock import utcnow
from journal.frameworks.registry import Registry, load_registry
from journal.tagging import Tagger
from storage.db import create_engine, is_sqlite, session_factory
from storage.files import CLOUD_DOWNLOAD_LIMIT, FileStore
from storage.fsm import DatabaseStorage, StateBeforeReply
from storage.people import Newcomer
from storage.people_cache import PeopleCache


@dataclass
class Services:
    """Everything the handlers share, built once per process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    registry: Registry
    tagger: Tagger
    files: FileStore
    exporter: Exporter
    clock: Callable[[], datetime] = utcnow


def build_services(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Services:
    engine = create_engine(settings.database_url)
    registry = load_registry(settings.frameworks_dir)
    limit = None if settings.telegram_api_base else CLOUD_DOWNLOAD_LIMIT
    sessions = session_factory(engine)
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        registry=registry,
        tagger=Tagger(list(registry)),
        files=FileStore(settings.files_dir, download_limit=limit),
        exporter=Exporter(
            sessions,
            registry,
            settings.files_dir,
            settings.exports_dir,
            signing_key_file=settings.signing_key_file,
            confirmed_hours_units=settings.confirmed_units,
        ),
        clock=clock,
    )


def build_bot(settings: Settings, token: str | None = None) -> Bot:
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
        if settings.telegram_api_base
        else AiohttpSession()
    )
    session.middleware(StateBeforeReply())
    # A proxy's HTML error page instead of the Bot API's JSON: tried once more (bot.api_retry).
    session.middleware(RetryUndecodable())
    return Bot(
        token=token or settings.token or "",
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def build_dispatcher(
    services: Services,
    *,
    storage: BaseStorage | None = None,
    isolation: BaseEventIsolation | None = None,
    seen: SeenUpdates | None = None,
) -> Dispatcher:
    dp = Dispatcher(
        storage=storage or DatabaseStorage(services.sessions, services.clock),
        events_isolation=isolation or SimpleEventIsolation(),
    )
    dp["sessions"] = services.sessions
    dp["registry"] = services.registry
    dp["tagger"] = services.tagger
    dp["files"] = services.files
    dp["newcomer"] = Newcomer(
        timezone=services.settings.default_timezone,
        quiet_start=services.settings.quiet_start,
        quiet_end=services.settings.quiet_end,
    )
    dp["files_root"] = services.files.root
    dp["feedback_delay"] = timedelta(minutes=services.settings.feedback_delay_minutes)
    dp["exporter"] = services.exporter
    dp["confirmed_hours_units"] = services.settings.confirmed_units
    dp["upload_limit"] = None if services.settings.telegram_api_base else UPLOAD_LIMIT
    people = PeopleCache(services.sessions, enabled=is_sqlite(services.settings.database_url))
    guard, who = ReplayGuard(services.clock, seen), Who(people, services.clock)
    private = PrivateChatsOnly()  # first: nothing is read or written for a group
    for observer in (dp.message, dp.callback_query):
        observer.outer_middleware(private)
        observer.outer_middleware(guard)
        observer.outer_middleware(who)
    dp.include_routers(
        start.build_router(),
        journal.build_router(),
        apprenticeship.build_router(),
        gateway.build_router(),
        statement.build_router(),
        recordings.build_router(),
        epa.build_router(),
        tagging.build_router(),
        entries.build_router(),
        progress.build_router(),
        invite.build_router(),
        prompt_answers.build_router(),
        request.build_router(),
        settings_handlers.build_router(),
        assessor.build_router(),
        assessor_marks.build_router(),
        assessor_ecomentor.build_router(),
        marksheet.build_router(),
        qa.build_router(),
        privacy.build_router(),
        export.build_router(),
        names.build_router(),
        held_back.build_router(),
        capture.build_router(),
        menu.build_router(),
        # What the user is told when an update fails (a busy database, Telegram's trouble).
        errors.build_router(),
    )
    return dp


def settle_heap() -> None:
    """Keep the collector's full passes off what start-up built.

    Imports, frameworks, the tagger and aiogram's models are some 290,000 objects that live as
    long as the process; a full collection walked them all, for 200 to 500 ms with every update
    waiting. Frozen, they are left out, and a full pass covers only what updates create.
    """
    gc.collect()
    gc.freeze()


async def set_commands(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command=c, description=d) for c, d in texts.COMMANDS])
