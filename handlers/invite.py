"""/invite: a single-use link for a mentee, a supervisor or an assessor."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.deep_linking import create_start_link
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import InviteCB
from handlers.keyboards import keyboard
from storage import people
from storage.models import Person, Portfolio
from storage.uow import writing

INVITABLE = (
    people.Role.MENTEE,
    people.Role.SUPERVISOR,
    people.Role.ASSESSOR,
    people.Role.IQA,
    people.Role.EMPLOYER,
)


def build_router() -> Router:
    router = Router(name="invite")

    @router.message(Command("invite"))
    async def invite(message: Message, portfolio: Portfolio | None) -> None:
        if portfolio is None:
            await message.answer(texts.NEEDS_PORTFOLIO)
            return
        buttons = [(texts.ROLE_NAMES[r].capitalize(), InviteCB(role=r)) for r in INVITABLE]
        await message.answer(texts.INVITE_WHO, reply_markup=keyboard([buttons]))

    @router.callback_query(InviteCB.filter())
    async def chosen(
        query: CallbackQuery,
        callback_data: InviteCB,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        if (
            portfolio is None
            or person is None
            or callback_data.role not in INVITABLE
            or query.message is None
        ):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        async with writing(sessions, update_id) as session:
            invitation = await people.create_invitation(
                session, portfolio, people.Role(callback_data.role), person, now
            )
        link = await create_start_link(bot, invitation.code)
        await query.message.answer(
            texts.INVITE_LINK.format(
                role=texts.ROLE_NAMES[callback_data.role],
                expires=f"{invitation.expires_at:%d %b %Y}",
                link=link,
            )
        )

    return router
