"""/details: what heads every ILM mark sheet, set once per portfolio by its mentor.

The mentor sets the centre and their learner registration number, confirms that the
submissions are their own work and may refuse ILM's anonymous use of their scripts. An
assessor sets the centre and numbers from their menu (handlers.assessor); neither can confirm
authenticity in the learner's name.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import DetailsCB
from handlers.filters import TypedText
from handlers.keyboards import Button, keyboard
from handlers.replies import reply
from journal.ilm_sheet_forms import ALL_SHEETS, AUTHENTIC, OPT_OUT, learner_details
from journal.parsing import InputError, clean_text
from storage import assessment
from storage.db import snapshot_session
from storage.models import Person, Portfolio
from storage.snapshots import load_snapshot
from storage.uow import writing


class DetailsState(StatesGroup):
    value = State()


async def details_text(
    sessions: async_sessionmaker[AsyncSession], portfolio_id: int, files_root: Path, now: datetime
) -> tuple[str, dict[str, str]]:
    async with snapshot_session(sessions) as session:
        snapshot = await load_snapshot(session, portfolio_id, files_root, now)
    found = learner_details(snapshot)
    text = texts.DETAILS_TEXT.format(**{k: texts.escape(v) for k, v in found.items()})
    return text, found


def _mentor_keyboard(found: dict[str, str]) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [
        [(label, DetailsCB(act="set", v=field))] for field, label in texts.DETAIL_LABELS.items()
    ]
    if not found["authenticity"].startswith("confirmed"):
        rows.append([(texts.CONFIRM_AUTHENTIC, DetailsCB(act="auth"))])
    refused = found["anonymous_use"].startswith("refused")
    rows.append([(texts.OPT_IN if refused else texts.OPT_OUT, DetailsCB(act="opt"))])
    return keyboard(rows)


def build_router() -> Router:
    router = Router(name="marksheet")

    async def show(
        target: Message,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio,
        files_root: Path,
        now: datetime,
    ) -> None:
        text, found = await details_text(sessions, portfolio.id, files_root, now)
        await reply(target, f"{text}\n\n{texts.DETAILS_NOTE}", reply_markup=_mentor_keyboard(found))

    @router.message(Command("details"))
    async def details(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        files_root: Path,
        now: datetime,
    ) -> None:
        if portfolio is None:
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        await state.clear()
        await show(message, sessions, portfolio, files_root, now)

    @router.callback_query(DetailsCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: DetailsCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        files_root: Path,
        now: datetime,
        update_id: int | None,
    ) -> None:
        # Only the mentor of the portfolio gets here: `portfolio` is the tapper's own.
        if portfolio is None or person is None or not isinstance(query.message, Message):
            await query.answer(texts.NEEDS_PORTFOLIO, show_alert=True)
            return
        await query.answer()
        act, value = callback_data.act, callback_data.v
        if act == "set" and value in texts.DETAIL_LABELS:
            await state.set_state(DetailsState.value)
            await state.set_data({"field": value})
            label = texts.DETAIL_LABELS[value].lower()
            await reply(query.message, texts.DETAIL_ASK.format(label=label))
            return
        if act in {"auth", "opt"}:
            _, found = await details_text(sessions, portfolio.id, files_root, now)
            refused = found["anonymous_use"].startswith("refused")
            if act == "auth":
                field, text = AUTHENTIC, "yes"
            else:
                field, text = OPT_OUT, "no" if refused else "yes"
            async with writing(sessions, update_id) as session:
                assessment.record_sheet_note(
                    session,
                    portfolio_id=portfolio.id,
                    framework_id="ilm",
                    sheet=ALL_SHEETS,
                    field=field,
                    text=text,
                    person_id=person.id,
                    now=now,
                )
            await show(query.message, sessions, portfolio, files_root, now)
            return
        await reply(query.message, texts.STALE_BUTTON)

    @router.message(StateFilter(DetailsState.value), TypedText())
    async def typed(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        files_root: Path,
        now: datetime,
        update_id: int | None,
    ) -> None:
        field = (await state.get_data()).get("field", "")
        if portfolio is None or field not in assessment.DETAIL_FIELDS:
            await state.clear()
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        try:
            value = clean_text(message.text or "", limit=assessment.DETAIL_FIELDS[field])
        except InputError as err:
            await reply(message, texts.escape(err.message))
            return
        async with writing(sessions, update_id) as session:
            await assessment.set_detail(session, portfolio.id, field, value)
        await state.clear()
        await show(message, sessions, portfolio, files_root, now)

    return router
