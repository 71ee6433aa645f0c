"""Quick capture: a note, photo, document or voice note sent outside a flow, and gap evidence."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiohttp import ClientError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import CaptureCB, GapCB
from handlers.criteria import criterion_from_key, short_code
from handlers.filters import NotCommand
from handlers.flow_answers import typed_text
from handlers.flow_steps import begin, resume
from handlers.journal import save_answers
from handlers.keyboards import keyboard
from handlers.media import fetch_files, pending_from
from handlers.replies import reply
from handlers.tagging import followed, send_suggestions
from journal.answers import ANSWER_LIMIT, continues, joined
from journal.frameworks.registry import Registry
from journal.parsing import InputError
from journal.tagging import Tagger
from storage.files import FileStore, FileTooBig
from storage.models import Person, Portfolio

log = logging.getLogger(__name__)


class CaptureState(StatesGroup):
    choose = State()
    gap = State()


async def start_evidence(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    bot: Bot,
    files: FileStore,
    pending: dict[str, Any],
    tags: list[str],
) -> None:
    try:
        stored = await fetch_files(bot, files, portfolio, pending)
    except FileTooBig as big:
        # The capture and any gap criterion are kept: a smaller file sent next takes its place.
        await reply(target, texts.file_too_big(big.size))
        return
    except (TelegramAPIError, ClientError, OSError):
        # The capture is kept: the user can tap Evidence again, or send the file again.
        log.warning("fetching an attachment failed", exc_info=True)
        await reply(target, texts.FILE_FAILED)
        return
    answers = {"caption": pending["text"]} if pending.get("text") else {}
    await begin(
        target, state, sessions, portfolio, "evidence", answers, {"files": stored, "tags": tags}
    )


def _pending_of(message: Message) -> dict[str, Any] | None:
    """What a message holds; a note may be as long as an answer in a flow."""
    if message.text:
        return {"file": None, "text": typed_text(message.text)}
    return pending_from(message)


def _continues(data: dict[str, Any], message: Message) -> bool:
    """Whether a note is the next part of the one waiting for its choice."""
    tail, earlier = data.get("tail"), data.get("capture") or {}
    return bool(
        message.text
        and tail
        and earlier.get("file") is None
        and earlier.get("text")
        and message.message_id > tail["message"]
        and continues(tail["length"], datetime.fromisoformat(tail["at"]), message.date)
    )


def build_router() -> Router:
    router = Router(name="capture")

    # A new message while the last capture waits for its choice takes that capture's place.
    @router.message(StateFilter(None, CaptureState.choose), NotCommand())
    async def captured(
        message: Message, state: FSMContext, person: Person | None, portfolio: Portfolio | None
    ) -> None:
        if person is None:
            await reply(message, texts.NEEDS_START)
            return
        before = await state.get_state(), await state.get_data()
        try:
            pending = _pending_of(message)
            if before[0] == CaptureState.choose.state and _continues(before[1], message):
                # The rest of a long note Telegram's app sent in parts: one note.
                whole = joined(before[1]["capture"]["text"], pending["text"])
                if len(whole) > ANSWER_LIMIT:
                    raise InputError(texts.too_long(len(whole), ANSWER_LIMIT))
                pending, lead = {"file": None, "text": whole}, f"{texts.JOINED_PARTS}\n\n"
            else:
                lead = ""
        except InputError as err:
            await reply(message, texts.escape(err.message))
            return
        if portfolio is None or pending is None:
            await reply(message, texts.HELP)
            return
        await state.set_state(CaptureState.choose)
        tail = {"at": message.date.isoformat(), "length": len(message.text or "")}
        await state.set_data({"capture": pending, "tail": {**tail, "message": message.message_id}})
        choices = [(texts.CAPTURE_EVIDENCE, CaptureCB(act="evidence"))]
        if pending["file"] is None:
            choices = [
                (texts.CAPTURE_SESSION, CaptureCB(act="session")),
                (texts.CAPTURE_REFLECTION, CaptureCB(act="reflection")),
                *choices,
                (texts.CAPTURE_GOAL, CaptureCB(act="goal")),
            ]
        try:
            await reply(
                message,
                lead + texts.CAPTURE_ASK,
                reply_markup=keyboard(
                    [choices[:2], choices[2:], [(texts.CAPTURE_DISCARD, CaptureCB(act="discard"))]]
                ),
            )
        except TelegramAPIError:
            await state.set_state(before[0])  # not shown: the note sent again is not a part
            await state.set_data(before[1])
            raise

    @router.callback_query(CaptureCB.filter())
    async def chosen(
        query: CallbackQuery,
        callback_data: CaptureCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        registry: Registry,
        tagger: Tagger,
        files: FileStore,
        bot: Bot,
        today: date,
        now: datetime,
        update_id: int | None,
    ) -> None:
        pending = (await state.get_data()).get("capture")
        if await state.get_state() != CaptureState.choose.state or not pending or portfolio is None:
            await query.answer(texts.CAPTURE_EXPIRED, show_alert=True)
            return
        await query.answer()
        target = query.message
        act = callback_data.act
        text = pending.get("text") or ""
        if act == "discard":
            await state.clear()
            await reply(target, texts.CAPTURE_DISCARDED)
        elif act == "evidence":
            await start_evidence(target, state, sessions, portfolio, bot, files, pending, [])
        elif act == "session" and text:
            await begin(target, state, sessions, portfolio, "log", {"summary": text})
        elif act == "goal" and text:
            await begin(target, state, sessions, portfolio, "goal", {"statement": text})
        elif act == "reflection" and text:
            entry = await save_answers(
                sessions,
                flow="reflect",
                answers={"note": text},
                person=person,
                portfolio=portfolio,
                today=today,
                now=now,
                update_id=update_id,
            )
            await state.clear()
            await send_suggestions(target, entry, sessions, portfolio, registry, tagger)
        else:
            await reply(target, texts.STALE_BUTTON)

    @router.callback_query(GapCB.filter())
    async def gap_chosen(
        query: CallbackQuery,
        callback_data: GapCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        registry: Registry,
    ) -> None:
        criterion = (
            criterion_from_key(registry, callback_data.c, followed(portfolio))
            if portfolio
            else None
        )
        if portfolio is None or criterion is None:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        if await resume(query.message, state, sessions, portfolio):
            return
        await state.set_state(CaptureState.gap)
        await state.set_data({"gap": criterion.id})
        await reply(
            query.message,
            texts.GAP_ASK.format(
                code=texts.escape(short_code(criterion)), text=texts.escape(criterion.text)
            ),
        )

    @router.message(StateFilter(CaptureState.gap), NotCommand())
    async def gap_evidence(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        files: FileStore,
        bot: Bot,
    ) -> None:
        criterion_id = (await state.get_data()).get("gap")
        try:
            pending = pending_from(message)
        except InputError as err:
            await reply(message, texts.escape(err.message))
            return
        if portfolio is None or not criterion_id or pending is None:
            await reply(message, texts.PICK_FROM_BUTTONS)
            return
        await start_evidence(
            message, state, sessions, portfolio, bot, files, pending, [criterion_id]
        )

    return router
