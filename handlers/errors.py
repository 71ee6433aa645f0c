"""What the user is told when their update could not be handled, answered once per update.

Errors reach here after the update's own handler and middlewares are done, so the reply
below writes nothing: the conversation state on disk is the one the user last saw a reply to.
The log names the update and the kind of trouble, never what anyone wrote.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import AiogramError, ClientDecodeError, TelegramForbiddenError
from aiogram.types import ErrorEvent, Update
from aiohttp import ClientError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from journal.clock import utcnow
from storage import people
from storage.files import FileNotStored
from storage.sqlite_inline import is_busy
from storage.uow import writing

log = logging.getLogger(__name__)


def _chat_of(update: Update) -> int | None:
    if update.message is not None:
        return update.message.chat.id
    query = update.callback_query
    if query is not None:
        return query.message.chat.id if query.message is not None else query.from_user.id
    return None


async def _tell(bot: Bot, update: Update, text: str) -> None:
    chat_id = _chat_of(update)
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, text)
    except (AiogramError, ClientError, OSError) as error:
        # Telegram is not answering either: nothing more to do for this update.
        log.warning(
            "update %s: the apology could not be sent (%s)", update.update_id, type(error).__name__
        )


async def _database_busy(event: ErrorEvent) -> bool:
    return is_busy(event.exception)


async def _file_not_stored(event: ErrorEvent) -> bool:
    return isinstance(event.exception, FileNotStored)


async def _blocked(event: ErrorEvent) -> bool:
    return isinstance(event.exception, TelegramForbiddenError)


def _sender_of(update: Update) -> int | None:
    event = update.message or update.callback_query
    return event.from_user.id if event is not None and event.from_user is not None else None


async def _undecodable(event: ErrorEvent) -> bool:
    return isinstance(event.exception, ClientDecodeError)


def build_router() -> Router:
    router = Router(name="errors")

    @router.errors(_database_busy)
    async def database_busy(event: ErrorEvent, bot: Bot) -> None:
        log.warning(
            "update %s: another process held the database's write lock; asked to try again",
            event.update.update_id,
        )
        await _tell(bot, event.update, texts.DATABASE_BUSY)

    @router.errors(_file_not_stored)
    async def file_not_stored(event: ErrorEvent, bot: Bot) -> None:
        # The handler gave up before changing anything: the draft or the capture waits as it was.
        full = event.exception.disk_full  # type: ignore[attr-defined]
        log.error(
            "update %s: an attachment could not be written to the file store (%s)",
            event.update.update_id,
            "the disk is full" if full else f"errno {event.exception.args[0]}",
        )
        await _tell(bot, event.update, texts.DISK_FULL if full else texts.FILE_NOT_STORED)

    @router.errors(_blocked)
    async def blocked(event: ErrorEvent, sessions: async_sessionmaker[AsyncSession]) -> None:
        # They blocked the bot while it answered: nothing can reach them. Marked as the prompt
        # sender marks them (no prompts until they resume them in /settings).
        log.info("update %s: the person has blocked the bot; marked", event.update.update_id)
        telegram_id = _sender_of(event.update)
        if telegram_id is None:
            return
        async with writing(sessions) as session:
            person = await people.person_by_telegram(session, telegram_id)
            if person is not None and person.blocked_at is None:
                person.blocked_at = utcnow()

    @router.errors(_undecodable)
    async def undecodable(event: ErrorEvent, bot: Bot) -> None:
        # Twice not JSON (bot.api_retry tried once more); the state on disk is what it was
        # before that call (storage.fsm writes it first), so /start shows where they were.
        log.warning(
            "update %s: the Bot API answered twice with something other than JSON "
            "(%d characters); apologising",
            event.update.update_id,
            len(getattr(event.exception, "data", None) or ""),
        )
        await _tell(bot, event.update, texts.API_TROUBLE)

    return router
