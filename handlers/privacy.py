"""/mydata sends a person everything held about them; /forget erases them after confirmation."""

from __future__ import annotations

import json
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import ForgetCB
from handlers.downloads import BuildsExports
from handlers.keyboards import keyboard
from journal.tagging import Tagger
from storage import copies, erasure
from storage.files import FileStore
from storage.fsm import DatabaseStorage
from storage.models import Person
from storage.uow import writing


async def forget_conversation(state: FSMContext, user_id: int) -> None:
    """Leave no conversation row behind: erasure, or a newcomer who declined the notice."""
    if isinstance(state.storage, DatabaseStorage):
        await state.storage.forget(user_id)
    else:
        await state.clear()


def build_router() -> Router:
    router = Router(name="privacy")

    @router.message(Command("mydata"))
    async def mydata(
        message: Message,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        now: datetime,
    ) -> None:
        if person is None:
            await message.answer(texts.NEEDS_START)
            return
        async with sessions() as session:
            copy = await copies.copy_of(session, await session.get(Person, person.id))
        body = json.dumps(copy, ensure_ascii=False, indent=2).encode()
        name = f"mentorlog-my-data-{now:%Y-%m-%d}.json"
        await message.answer_document(
            BufferedInputFile(body, filename=name), caption=texts.MYDATA_CAPTION
        )

    @router.message(Command("forget"))
    async def forget(message: Message, person: Person | None) -> None:
        if person is None:
            await message.answer(texts.NEEDS_START)
            return
        await message.answer(
            texts.FORGET_ASK,
            reply_markup=keyboard(
                [[(texts.FORGET_YES, ForgetCB(act="yes")), (texts.FORGET_NO, ForgetCB(act="no"))]]
            ),
        )

    @router.callback_query(ForgetCB.filter())
    async def confirmed(
        query: CallbackQuery,
        callback_data: ForgetCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        files: FileStore,
        exporter: BuildsExports,
        tagger: Tagger,
        now: datetime,
        update_id: int | None,
    ) -> None:
        if person is None or query.message is None:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        if callback_data.act != "yes":
            await query.message.answer(texts.FORGET_KEPT)
            return
        async with writing(sessions, update_id) as session:
            erased = await erasure.erase(session, await session.get(Person, person.id), now)
        for path in erased.files:
            files.remove(path)
        for portfolio_id in erased.portfolios:
            await exporter.forget(portfolio_id)
        tagger.forget_texts()
        await forget_conversation(state, query.from_user.id)
        await erasure.leave_no_trace(sessions)
        await query.message.answer(texts.FORGOTTEN)

    return router
