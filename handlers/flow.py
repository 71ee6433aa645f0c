"""The handlers of every guided flow (/log, /goal, /reflect ...): a typed answer, a file sent
mid-flow, a tapped button, and moving on to the next step or saving.

A long text answer may come in parts (Telegram's apps cut at 4,096 characters): `tail` in the
state says where the last long answer went, and a part following it within seconds joins it
(`journal.answers`). After a long last answer the flow waits (`hold`) for a tap on Save, so a
part still on its way joins the answer instead of landing outside the saved entry. Asking a
step is handlers.flow_steps; reading an answer is handlers.flow_answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiohttp import ClientError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import FlowCB
from handlers.filters import NoText, TypedText
from handlers.flow_answers import option_value, parse_answer, parse_names, typed_text
from handlers.flow_steps import FlowState, ask, choices_for, show
from handlers.flows import FLOWS
from handlers.media import fetch_files, pending_from
from handlers.replies import reply
from journal.answers import ANSWER_LIMIT, continues, joined, may_have_more
from journal.flow import StepKind, forget_from
from journal.parsing import InputError
from storage.files import FileStore, FileTooBig
from storage.models import Portfolio

# Saves a finished flow: (target, state, data, **context) with the handler's context by name.
Finish = Callable[..., Awaitable[None]]


def _has_other_answers(answers: dict[str, Any], key: str) -> bool:
    return any(v not in (None, "", []) for k, v in answers.items() if k != key)


def _tail(message: Message, key: str) -> dict[str, Any]:
    """Where a long answer went, for a part that may follow it (JSON for the state)."""
    return {
        "key": key,
        "at": message.date.isoformat(),
        "length": len(message.text or ""),
        "message": message.message_id,
    }


def _continued(data: dict[str, Any], message: Message) -> str | None:
    """The key of the answer this message is the next part of, or None."""
    tail = data.get("tail")
    if not tail or not isinstance(data["answers"].get(tail["key"]), str):
        return None
    if data.get("hold"):
        return tail["key"]  # waiting for the rest: whatever is typed is more of it
    sent = datetime.fromisoformat(tail["at"])
    return tail["key"] if continues(tail["length"], sent, message.date) else None


def build_router(finish: Finish) -> Router:
    """`finish(target, state, data, ...)` saves the answers once the last step is answered."""
    router = Router(name="flow")

    async def advance(
        target: Message,
        state: FSMContext,
        data: dict[str, Any],
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio,
        **context: Any,
    ) -> None:
        spec = FLOWS[data["flow"]]
        nxt = spec.next(data["answers"], data["i"])
        if nxt is None and spec.missing(data["answers"]):
            nxt = spec.first_needed()
            data["answers"] = forget_from(spec, data["answers"], nxt)
            data.update(i=nxt)
            await show(target, state, sessions, portfolio, data, lead=texts.NEED_ONE_ANSWER)
            return
        if nxt is None and data.get("tail") and not data.get("hold"):
            # The last answer may have a part still on its way: save on a tap, not now.
            data["hold"] = True
            await show(target, state, sessions, portfolio, data)
            return
        if nxt is None:
            await finish(target, state, data, sessions=sessions, portfolio=portfolio, **context)
            return
        data.update(i=nxt, sel=[], group=False)
        await show(target, state, sessions, portfolio, data)

    async def join_part(
        message: Message,
        state: FSMContext,
        data: dict[str, Any],
        key: str,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio,
    ) -> None:
        """Add the next part of a long answer to it, and ask the current step again."""
        if message.message_id <= data["tail"]["message"]:
            await ask(message, state, sessions, portfolio)  # this part was joined already
            return
        try:
            part = typed_text(message.text or "", kept=True)
            whole = joined(data["answers"][key], part)
            if len(whole) > ANSWER_LIMIT:
                raise InputError(texts.too_long(len(whole), ANSWER_LIMIT, kept=True))
        except InputError as err:
            if not data.get("hold"):
                data.pop("tail")  # the answer stays as it was; what comes next is the next one
            await show(message, state, sessions, portfolio, data, lead=texts.escape(err.message))
            return
        data["answers"][key] = whole
        data["tail"] = _tail(message, key)
        await show(message, state, sessions, portfolio, data, lead=texts.JOINED_PARTS)

    @router.message(StateFilter(FlowState.step), TypedText())
    async def typed(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        today: date,
        **context: Any,
    ) -> None:
        data = await state.get_data()
        if portfolio is None or data.get("flow") not in FLOWS or data.get("i") is None:
            await state.clear()
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        if key := _continued(data, message):
            await join_part(message, state, data, key, sessions, portfolio)
            return
        data.pop("tail", None)
        spec = FLOWS[data["flow"]]
        step = spec.step(data["i"])
        choices = await choices_for(step, sessions, portfolio.id)
        text = message.text or ""
        try:
            if step.kind == StepKind.MENTEES:
                ids, names = parse_names(text, choices)
                data["answers"].update(mentees=ids, mentee_names=names)
            else:
                kept = _has_other_answers(data["answers"], step.key)
                data["answers"][step.key] = parse_answer(step, text, today, choices, kept=kept)
        except InputError as err:
            await ask(message, state, sessions, portfolio, lead=texts.escape(err.message))
            return
        if step.kind == StepKind.TEXT and may_have_more(text):
            data["tail"] = _tail(message, step.key)
        await advance(message, state, data, sessions, portfolio, today=today, **context)

    @router.message(StateFilter(FlowState.step), NoText())
    async def not_text(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        bot: Bot,
        files: FileStore,
    ) -> None:
        """A photo, document or voice note sent mid-flow joins the entry being written."""
        if portfolio is None:
            return
        try:
            pending = pending_from(message)
        except InputError as err:
            await ask(message, state, sessions, portfolio, lead=texts.escape(err.message))
            return
        if pending is None or pending["file"] is None:
            await ask(message, state, sessions, portfolio, lead=texts.PICK_FROM_BUTTONS)
            return
        try:
            stored = await fetch_files(bot, files, portfolio, pending)
        except FileTooBig as big:
            await ask(message, state, sessions, portfolio, lead=texts.file_too_big(big.size))
            return
        except (TelegramAPIError, ClientError, OSError):
            await ask(message, state, sessions, portfolio, lead=texts.FILE_FAILED)
            return
        data = await state.get_data()
        data["files"] = [*data.get("files", []), *stored]
        await show(message, state, sessions, portfolio, data, lead=texts.FILE_ADDED)

    @router.callback_query(FlowCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: FlowCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        today: date,
        **context: Any,
    ) -> None:
        data = await state.get_data()
        target = query.message
        active = await state.get_state() == FlowState.step.state and data.get("flow") in FLOWS
        if portfolio is None or target is None or not active:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        if callback_data.flow != data["flow"] or callback_data.i != data["i"]:
            await query.answer()
            await ask(target, state, sessions, portfolio, lead=texts.STALE_STEP)
            return
        await query.answer()
        spec = FLOWS[data["flow"]]
        step = spec.step(data["i"])
        act, value = callback_data.act, callback_data.v
        holding = data.pop("hold", False)
        data.pop("tail", None)  # a tap: what is typed next is not the rest of an answer
        if act == "c":
            await state.clear()
            await reply(target, texts.CANCELLED)
            return
        if act == "b":
            prev = data["i"] if holding else spec.previous(data["answers"], data["i"])
            if prev is not None:
                data.update(
                    i=prev, answers=forget_from(spec, data["answers"], prev), sel=[], group=False
                )
            await show(target, state, sessions, portfolio, data)
            return
        if holding:
            if act == "f":
                await advance(target, state, data, sessions, portfolio, today=today, **context)
            else:  # a button of the last step, under the question already answered
                data.update(hold=True)
                await ask(target, state, sessions, portfolio)
            return
        if act == "s" and step.optional:
            data["answers"][step.key] = None
            await advance(target, state, data, sessions, portfolio, today=today, **context)
            return
        choices = await choices_for(step, sessions, portfolio.id)
        if act in {"g", "t"} and step.kind == StepKind.MENTEES:
            selected = list(data.get("sel", []))
            if act == "t" and value in {k for k, _ in choices}:
                selected = (
                    [s for s in selected if s != value] if value in selected else [*selected, value]
                )
            data.update(group=True, sel=selected)
            await show(target, state, sessions, portfolio, data, lead=texts.PICK_MENTEES_DONE)
            return
        if act == "d" and step.kind == StepKind.MENTEES and data.get("sel"):
            data["answers"].update(mentees=list(data["sel"]), mentee_names=[])
            await advance(target, state, data, sessions, portfolio, today=today, **context)
            return
        if act != "o":
            await ask(target, state, sessions, portfolio, lead=texts.PICK_FROM_BUTTONS)
            return
        try:
            data["answers"][step.key] = option_value(step, value, choices, today)
        except InputError as err:
            await ask(target, state, sessions, portfolio, lead=texts.escape(err.message))
            return
        if step.kind == StepKind.MENTEES:
            data["answers"]["mentee_names"] = []
        await advance(target, state, data, sessions, portfolio, today=today, **context)

    return router
