"""What the assessor's handlers share: their conversation states, and the check that the person
still assesses the portfolio (with the reason when not)."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from storage import assessment
from storage.models import Person


class AssessState(StatesGroup):
    comment = State()
    mark = State()
    note = State()
    detail = State()
    judge = State()
    record_text = State()


async def still_assessor(
    message: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person: Person | None,
    portfolio_id: int,
) -> Any:
    """The portfolio if this person still assesses it; otherwise says why and ends the step."""
    if person is None:
        await state.clear()
        await message.answer(texts.NEEDS_START)
        return None
    async with sessions() as session:
        allowed = await assessment.assessed_portfolio(session, portfolio_id, person.id)
    if allowed is None:
        await state.clear()
        await message.answer(await refusal(sessions, portfolio_id))
    return allowed


async def refusal(sessions: async_sessionmaker[AsyncSession], portfolio_id: int) -> str:
    """Why an assessor's tap or answer is refused: the portfolio is gone, or not theirs."""
    async with sessions() as session:
        exists = await assessment.portfolio_exists(session, portfolio_id)
    return texts.NOT_ASSESSOR if exists else texts.PORTFOLIO_GONE
