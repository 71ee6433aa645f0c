"""/help, the menu buttons, unknown commands and out-of-date buttons: always a next step."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import MenuCB
from handlers.entries import send_recent
from handlers.filters import IsCommand
from handlers.flow_steps import begin, resume
from handlers.progress import send_progress
from handlers.replies import reply
from handlers.tagging import next_step_keyboard
from journal.frameworks.registry import Registry
from storage.files import FileStore
from storage.models import Portfolio


def build_router() -> Router:
    router = Router(name="menu")

    @router.message(Command("help"))
    async def help_(message: Message) -> None:
        await reply(message, texts.HELP, reply_markup=next_step_keyboard())

    @router.callback_query(MenuCB.filter())
    async def menu(
        query: CallbackQuery,
        callback_data: MenuCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        registry: Registry,
        files: FileStore,
        now: datetime,
        confirmed_hours_units: tuple[str, ...] | None = None,
    ) -> None:
        if portfolio is None or query.message is None:
            await query.answer(texts.NEEDS_PORTFOLIO, show_alert=True)
            return
        await query.answer()
        if callback_data.act == "log":
            if not await resume(query.message, state, sessions, portfolio):
                await begin(query.message, state, sessions, portfolio, "log")
        elif callback_data.act == "progress":
            await send_progress(
                query.message, sessions, portfolio, registry, files.root, now, confirmed_hours_units
            )
        else:
            await send_recent(query.message, sessions, portfolio)

    @router.message(IsCommand())
    async def unknown_command(message: Message) -> None:
        await reply(message, f"{texts.UNKNOWN_COMMAND}\n\n{texts.HELP}")

    @router.callback_query()
    async def stale(query: CallbackQuery) -> None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)

    @router.message()
    async def anything_else(message: Message) -> None:
        await reply(message, texts.PICK_FROM_BUTTONS)

    return router
