"""Drives every guided flow (/log, /goal, /reflect ...) one step at a time.

The flow's name, step and answers live in the conversation state (persisted), so a restart
continues at the same step; buttons carry the step number, so a stale one is recognised.
The flow moves to a step only once its question went out: a question Telegram refused or lost
leaves the flow where it was, so the answer the user sends again lands in its own field.

A long text answer may come in parts (Telegram's apps cut at 4,096 characters): `tail` in the
state says where the last long answer went, and a part following it within seconds joins it
(`journal.answers`). After a long last answer the flow waits (`hold`) for a tap on Save, so a
part still on its way joins the answer instead of landing outside the saved entry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
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
from handlers.callbacks import FlowCB
from handlers.filters import NoText, TypedText
from handlers.flows import FLOWS
from handlers.keyboards import Button, chunked, keyboard
from handlers.media import fetch_files, pending_from
from handlers.replies import reply
from journal.answers import ANSWER_LIMIT, continues, joined, may_have_more
from journal.date_parsing import parse_date, parse_future_date
from journal.duration_parsing import parse_duration
from journal.flow import FlowSpec, Step, StepKind, forget_from
from journal.parsing import InputError, clean_text, parse_rating
from journal.textnorm import shorten
from storage import entries as entry_repo
from storage import people
from storage.files import FileStore, FileTooBig
from storage.models import Portfolio

# Saves a finished flow: (target, state, data, **context) with the handler's context by name.
Finish = Callable[..., Awaitable[None]]


class FlowState(StatesGroup):
    step = State()


Choices = list[tuple[str, str]]


async def choices_for(
    step: Step, sessions: async_sessionmaker[AsyncSession], portfolio_id: int
) -> Choices:
    """Buttons of a step: fixed options, or the portfolio's mentees or open goals."""
    if step.kind == StepKind.CHOICE:
        return list(step.options)
    if step.kind in (StepKind.MENTEE, StepKind.MENTEES):
        async with sessions() as session:
            mentees = await people.mentee_names(session, portfolio_id)
        return [(str(member_id), name or "Mentee") for member_id, name in mentees]
    if step.kind == StepKind.GOAL:
        async with sessions() as session:
            goals = await entry_repo.goals(session, portfolio_id, open_only=True)
        return [(str(g.id), shorten(g.statement, 40)) for g in goals]
    return []


def _mentee_label(answers: dict[str, Any], choices: dict[str, str]) -> str:
    names = [choices.get(str(m), "") for m in answers.get("mentees", [])]
    names += answers.get("mentee_names", [])
    names = [n for n in names if n]
    if len(names) == 1:
        return names[0]
    return "the group" if names else "your mentee"


def _step_keyboard(spec: FlowSpec, i: int, step: Step, choices: Choices, data: dict[str, Any]):
    def cb(act: str, v: str = "") -> FlowCB:
        return FlowCB(flow=spec.name, i=i, act=act, v=v)

    rows: list[list[Button]] = []
    if step.kind == StepKind.MENTEES:
        selected = set(data.get("sel", []))
        if data.get("group"):
            rows += chunked(
                [(("✓ " if k in selected else "") + label, cb("t", k)) for k, label in choices], 2
            )
            rows.append([(texts.DONE, cb("d"))])
        else:
            rows += chunked([(label, cb("o", k)) for k, label in choices], 3)
            if len(choices) > 1:
                rows.append([(texts.GROUP, cb("g"))])
    elif step.kind in (StepKind.CHOICE, StepKind.MENTEE, StepKind.GOAL):
        rows += chunked([(label, cb("o", k)) for k, label in choices], 2 if len(choices) > 3 else 3)
    elif step.kind == StepKind.DATE:
        rows.append([(texts.TODAY, cb("o", "0")), (texts.YESTERDAY, cb("o", "1"))])
    elif step.kind == StepKind.DURATION:
        rows.append([(label, cb("o", str(m))) for m, label in texts.DURATION_BUTTONS])
    elif step.kind == StepKind.RATING:
        rows.append([(str(n), cb("o", str(n))) for n in range(1, 6)])
    nav: list[Button] = []
    if step.optional:
        nav.append((texts.SKIP, cb("s")))
    if spec.previous(data.get("answers", {}), i) is not None:
        nav.append((texts.BACK, cb("b")))
    nav.append((texts.CANCEL, cb("c")))
    rows.append(nav)
    return keyboard(rows)


def _hold_keyboard(spec: FlowSpec, i: int):
    def cb(act: str) -> FlowCB:
        return FlowCB(flow=spec.name, i=i, act=act)

    return keyboard([[(texts.SAVE, cb("f")), (texts.BACK, cb("b")), (texts.CANCEL, cb("c"))]])


async def ask(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    *,
    lead: str | None = None,
) -> None:
    data = await state.get_data()
    spec = FLOWS[data["flow"]]
    i = data["i"]
    if data.get("hold"):
        prompt = texts.LONG_ANSWER_HOLD
        if lead:
            prompt = f"{lead}\n\n{prompt}"
        await reply(target, prompt, reply_markup=_hold_keyboard(spec, i))
        return
    step = spec.step(i)
    choices = await choices_for(step, sessions, portfolio.id)
    prompt = step.prompt
    if "{mentee}" in prompt:
        async with sessions() as session:
            members = await people.mentee_names(session, portfolio.id)
        label = _mentee_label(data["answers"], {str(key): name for key, name in members})
        prompt = prompt.replace("{mentee}", texts.escape(label))
    if step.kind == StepKind.MENTEES and not choices:
        prompt = f"{prompt}\n{texts.NO_MENTEES}"
    if step.kind == StepKind.GOAL and not choices:
        prompt = texts.NO_GOALS
    if lead:
        prompt = f"{lead}\n\n{prompt}"
    await reply(target, prompt, reply_markup=_step_keyboard(spec, i, step, choices, data))


async def show(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    data: dict[str, Any],
    *,
    lead: str | None = None,
) -> None:
    """Move the flow to `data` and ask its step; if the question does not go out, stay put.

    The state is on disk before the question is sent (`StateBeforeReply`), so a crash cannot
    run the chat ahead of it; a question Telegram refuses or loses puts the earlier state back.
    """
    before = await state.get_state(), await state.get_data()
    await state.set_state(FlowState.step)
    await state.set_data(data)
    try:
        await ask(target, state, sessions, portfolio, lead=lead)
    except TelegramAPIError:
        await state.set_state(before[0])
        await state.set_data(before[1])
        raise


async def begin(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    flow: str,
    answers: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    answers = answers or {}
    first = FLOWS[flow].first(answers)
    data = {"flow": flow, "i": first, "answers": answers, **(extra or {})}
    await show(target, state, sessions, portfolio, data)


async def resume(
    message: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
) -> bool:
    """Re-ask the current step of an unfinished flow (after /start or an unknown input)."""
    data = await state.get_data()
    if await state.get_state() != FlowState.step.state or data.get("flow") not in FLOWS:
        return False
    lead = texts.RESUMED.format(title=texts.escape(FLOWS[data["flow"]].title))
    await ask(message, state, sessions, portfolio, lead=lead)
    return True


def typed_text(text: str, *, limit: int = ANSWER_LIMIT, kept: bool = False) -> str:
    """Free text as typed, tidied; one too long is refused saying whether other answers stay."""
    cleaned = clean_text(text, limit=max(len(text), 1))
    if len(cleaned) > limit:
        raise InputError(texts.too_long(len(cleaned), limit, kept=kept))
    return cleaned


def parse_answer(
    step: Step, text: str, today: date, choices: Choices, *, kept: bool = False
) -> Any:
    """A typed answer for a step, or InputError saying what to type instead.

    `kept`: whether the flow holds other answers (a refusal says they stay).
    """
    if step.kind == StepKind.TEXT:
        return typed_text(text, kept=kept)
    if step.kind == StepKind.DATE:
        return parse_date(text, today).isoformat()
    if step.kind == StepKind.TARGET_DATE:
        return parse_future_date(text, today).isoformat()
    if step.kind == StepKind.DURATION:
        return parse_duration(text)
    if step.kind == StepKind.RATING:
        return parse_rating(text)
    wanted = " ".join(text.split()).casefold()
    for key, label in choices:
        if wanted in (key.casefold(), label.casefold()):
            return key
    raise InputError(texts.PICK_FROM_BUTTONS)


def parse_names(text: str, choices: Choices) -> tuple[list[str], list[str]]:
    """Typed mentee names: those on the bot become member ids, others stay as names."""
    by_name = {label.casefold(): key for key, label in choices}
    ids: list[str] = []
    names: list[str] = []
    for raw in clean_text(text, limit=300).replace(" and ", ",").split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        if name.casefold() in by_name:
            ids.append(by_name[name.casefold()])
        else:
            names.append(name[:60])
    if not ids and not names:
        raise InputError(texts.NO_MENTEES)
    return ids, names


def option_value(step: Step, value: str, choices: Choices, today: date) -> Any:
    """A tapped button's value, checked against what this step offers (buttons can be forged)."""
    if step.kind == StepKind.DATE and value in {"0", "1"}:
        return (today - timedelta(days=int(value))).isoformat()
    if step.kind == StepKind.DURATION and value in {str(m) for m, _ in texts.DURATION_BUTTONS}:
        return int(value)
    if step.kind == StepKind.RATING:
        return parse_rating(value)
    if value in {k for k, _ in choices}:
        return [value] if step.kind == StepKind.MENTEES else value
    raise InputError(texts.PICK_FROM_BUTTONS)


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
