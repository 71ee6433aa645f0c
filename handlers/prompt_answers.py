"""The answers to prompts: a mentee's rating, a supervisor's Confirm / Not right / Write it,
and the optional line typed after either.

Every answer is checked against the prompt's recipient and state, and written in one
transaction that claims the update, so a replayed tap writes nothing and a second tap on an
answered prompt is told so. The line after an answer waits in its own state, keeping any
unfinished conversation to return to; /request (handlers.request) and /settings
(handlers.settings) are the prompts' other commands, each in its own module.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import PromptCB
from handlers.filters import TypedText
from handlers.keyboards import keyboard
from journal.frameworks.registry import Registry
from journal.parsing import InputError, clean_text, parse_rating
from journal.prompting import PromptKind, RequestKind
from storage import answers
from storage import prompts as prompt_repo
from storage.answers import Refusal
from storage.models import Person
from storage.uow import writing

LINE_LIMIT = 500
REFUSALS = {
    Refusal.NOT_YOURS: texts.NOT_YOURS,
    Refusal.ANSWERED: texts.PROMPT_ANSWERED,
    Refusal.CLOSED: texts.PROMPT_CLOSED,
}


class PromptState(StatesGroup):
    line = State()


# --- The optional line after an answer ------------------------------------------------------


async def _ask_line(state: FSMContext, line: dict[str, Any]) -> None:
    """Wait for one typed line, keeping any unfinished conversation to return to afterwards."""
    current = await state.get_state()
    data = await state.get_data()
    if current == PromptState.line.state:
        stash = data.get("stash")
    else:
        stash = {"state": current, "data": data} if current else None
    await state.set_state(PromptState.line)
    await state.set_data({"line": line, "stash": stash})


async def _end_line(state: FSMContext) -> None:
    stash = (await state.get_data()).get("stash")
    if stash:
        await state.set_state(stash["state"])
        await state.set_data(stash["data"])
    else:
        await state.clear()


def _skip(prompt_id: int) -> InlineKeyboardMarkup:
    return keyboard([[(texts.SKIP, PromptCB(p=prompt_id, a="s"))]])


def _fits(act: str, what: str | None) -> bool:
    """Hours (of mentoring or off-the-job training) are answered with Confirm / Not right,
    feedback and testimony by writing."""
    return act in {"c", "n"} if what in (RequestKind.HOURS, RequestKind.OTJ) else act == "w"


def _asked(message: Message | InaccessibleMessage) -> str | None:
    """The question of the prompt the mentee tapped, as they read it (its first line; the
    second is the hint about the buttons)."""
    text = getattr(message, "text", None)
    return text.split("\n", 1)[0] if text else None


# --- Router ---------------------------------------------------------------------------------


def build_router() -> Router:
    router = Router(name="prompt_answers")

    @router.callback_query(PromptCB.filter(F.a == "r"))
    async def rated(
        query: CallbackQuery,
        callback_data: PromptCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
        now: datetime,
        today: date,
        update_id: int | None,
    ) -> None:
        try:
            rating = parse_rating(callback_data.v)
        except InputError:
            rating = None
        if person is None or query.message is None or rating is None:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        async with writing(sessions, update_id) as session:
            found = await answers.answerable(
                session, callback_data.p, person, PromptKind.FEEDBACK, now
            )
            if not isinstance(found, Refusal):
                answered = await answers.record_rating(
                    session,
                    found,
                    person,
                    rating,
                    registry=registry,
                    today=today,
                    now=now,
                    question=_asked(query.message),
                )
        if isinstance(found, Refusal):
            await query.answer(REFUSALS[found], show_alert=True)
            return
        await query.answer()
        await _ask_line(
            state,
            {
                "kind": "rating",
                "prompt": callback_data.p,
                "entry": answered.entry_id,
                "notice": answered.notice_id,
                "mentor": answered.mentor_name,
            },
        )
        await query.message.answer(texts.FEEDBACK_LINE, reply_markup=_skip(callback_data.p))

    @router.callback_query(PromptCB.filter(F.a.in_({"c", "n", "w"})))
    async def supervisor_tapped(
        query: CallbackQuery,
        callback_data: PromptCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        if person is None or query.message is None:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        act = callback_data.a
        async with writing(sessions, update_id) as session:
            found = await answers.answerable(
                session, callback_data.p, person, PromptKind.REQUEST, now
            )
            if not isinstance(found, Refusal) and not _fits(act, found.payload.get("what")):
                found = Refusal.NOT_YOURS  # a forged button
            if not isinstance(found, Refusal):
                if act == "c":
                    kind = RequestKind(found.payload.get("what"))
                    answered = await answers.confirm_hours(session, found, person, now, kind)
                elif act == "n":
                    answered = await answers.dispute_hours(session, found, person, now)
                else:
                    answered = answers.Answered((await answers.mentor_of(session, found)).name)
        if isinstance(found, Refusal):
            await query.answer(REFUSALS[found], show_alert=True)
            return
        await query.answer()
        if act == "c":
            await query.message.answer(
                texts.CONFIRMED_THANKS.format(mentor=texts.escape(answered.mentor_name))
            )
        elif act == "n":
            await _ask_line(
                state,
                {
                    "kind": "dispute",
                    "prompt": callback_data.p,
                    "notice": answered.notice_id,
                    "mentor": answered.mentor_name,
                },
            )
            await query.message.answer(
                texts.NOT_RIGHT_ASK.format(mentor=texts.escape(answered.mentor_name)),
                reply_markup=_skip(callback_data.p),
            )
        else:
            await _ask_line(
                state, {"kind": "write", "prompt": callback_data.p, "mentor": answered.mentor_name}
            )
            await query.message.answer(texts.WRITE_ASK, reply_markup=_skip(callback_data.p))

    @router.callback_query(PromptCB.filter(F.a == "s"))
    async def skipped(
        query: CallbackQuery,
        callback_data: PromptCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        now: datetime,
        update_id: int | None,
    ) -> None:
        line = (await state.get_data()).get("line") or {}
        waiting = (
            await state.get_state() == PromptState.line.state
            and line.get("prompt") == callback_data.p
        )
        if not waiting or query.message is None:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        if line.get("notice"):
            async with writing(sessions, update_id) as session:
                await prompt_repo.release_notice(session, line["notice"], now)
        await _end_line(state)
        await query.message.answer(
            texts.WRITE_SKIPPED
            if line.get("kind") == "write"
            else texts.SENT_TO.format(mentor=texts.escape(line.get("mentor", "")))
        )

    @router.message(StateFilter(PromptState.line), TypedText())
    async def typed_line(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
        now: datetime,
        today: date,
        update_id: int | None,
    ) -> None:
        line = (await state.get_data()).get("line") or {}
        if person is None or not line:
            await _end_line(state)
            await message.answer(texts.STALE_BUTTON)
            return
        try:
            text = clean_text(message.text or "", limit=LINE_LIMIT)
        except InputError as err:
            await message.answer(texts.escape(err.message))
            return
        refusal = None
        async with writing(sessions, update_id) as session:
            if line["kind"] == "write":
                found = await answers.answerable(
                    session, line["prompt"], person, PromptKind.REQUEST, now
                )
                if isinstance(found, Refusal):
                    refusal = found
                else:
                    await answers.record_supervisor_text(
                        session, found, person, text, registry=registry, today=today, now=now
                    )
            elif line["kind"] == "rating":
                await answers.add_feedback_line(
                    session, line["entry"], line.get("notice"), person, text, now
                )
            elif line.get("notice"):
                await prompt_repo.release_notice(session, line["notice"], now, note=text)
        await _end_line(state)
        if refusal is not None:
            await message.answer(REFUSALS[refusal])
            return
        await message.answer(texts.SENT_TO.format(mentor=texts.escape(line.get("mentor", ""))))

    return router
