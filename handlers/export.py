"""/export: the mentor downloads their portfolio files or sends the bundle to their assessors."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import ExportCB
from handlers.downloads import BuildsExports, download_choice, download_rows, send_export
from handlers.held_back import tell_held_back
from handlers.keyboards import keyboard
from journal.frameworks.registry import Registry
from storage import people
from storage.models import Person, Portfolio


def build_router() -> Router:
    router = Router(name="export")

    @router.message(Command("export"))
    async def export(message: Message, portfolio: Portfolio | None, registry: Registry) -> None:
        if portfolio is None:
            await message.answer(texts.NEEDS_PORTFOLIO)
            return
        framework_ids = tuple(pf.framework_id for pf in portfolio.frameworks)
        rows = [
            *download_rows(framework_ids, registry, lambda v: ExportCB(fmt=v)),
            [(texts.SEND_TO_ASSESSOR, ExportCB(fmt="send"))],
        ]
        menu = texts.EXPORT_MENU
        if len(framework_ids) > 1:
            menu = f"{menu}\n{texts.EXPORT_WHICH}"
        await message.answer(menu, reply_markup=keyboard(rows))

    @router.callback_query(ExportCB.filter())
    async def chosen(
        query: CallbackQuery,
        callback_data: ExportCB,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        exporter: BuildsExports,
        upload_limit: int | None,
        now: datetime,
    ) -> None:
        if portfolio is None or person is None or query.message is None:
            await query.answer(texts.NEEDS_PORTFOLIO, show_alert=True)
            return
        await query.answer()
        chat_id = query.message.chat.id
        framework_ids = tuple(pf.framework_id for pf in portfolio.frameworks)
        choice = download_choice(callback_data.fmt)
        if choice is not None:
            fmt, framework = choice
            await query.message.answer(texts.EXPORT_BUILDING)
            await send_export(
                bot, chat_id, exporter, portfolio.id, fmt, now, upload_limit, framework, owner=True
            )
            return
        async with sessions() as session:
            assessors = await people.members(session, portfolio.id, people.Role.ASSESSOR)
        reachable = [a for a in assessors if a.person.telegram_id and a.person.erased_at is None]
        if not reachable:
            await query.message.answer(texts.NO_ASSESSOR)
            return
        # An anonymised bundle that would still name someone goes to no assessor: the mentor
        # is told what to change first.
        for framework in framework_ids or (None,):
            refused = await exporter.refusal(portfolio.id, now, framework)
            if refused is not None:
                await tell_held_back(bot, chat_id, refused, owner=True)
                return
        for assessor in reachable:
            chat = assessor.person.telegram_id
            await bot.send_message(
                chat, texts.ASSESSOR_NOTICE.format(name=texts.escape(person.name))
            )
            # One bundle per qualification: each with its own rules and anonymisation.
            for framework in framework_ids or (None,):
                await send_export(
                    bot, chat, exporter, portfolio.id, "zip", now, upload_limit, framework
                )
        await query.message.answer(texts.SENT_TO_ASSESSOR.format(count=len(reachable)))

    return router
