"""Drives every guided flow (/log, /goal, /reflect ...) one step at a time.

The flow's name, step and answers live in the conversation state (persisted), so a restart
continues at the same step; buttons carry the step number, so a stale one is recognised.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
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
from journal.flow import FlowSpec, Step, StepKind, forget_from
from journal.parsing import (
    InputError,
    clean_text,
    parse_date,
    parse_duration,
    parse_future_date,
    parse_rating,
)
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
        return [(str(g.id), g.statement[:40]) for g in goals]
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
    await target.answer(prompt, reply_markup=_step_keyboard(spec, i, step, choices, data))


async def begin(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    flow: str,
    answers: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    spec = FLOWS[flow]
    answers = answers or {}
    first = spec.first(answers)
    await state.set_state(FlowState.step)
    await state.set_data({"flow": flow, "i": first, "answers": answers, **(extra or {})})
    await ask(target, state, sessions, portfolio)


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


def parse_answer(step: Step, text: str, today: date, choices: Choices) -> Any:
    """A typed answer for a step, or InputError saying what to type instead."""
    if step.kind == StepKind.TEXT:
        return clean_text(text)
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
            await state.set_data(data)
            await ask(target, state, sessions, portfolio, lead=texts.NEED_ONE_ANSWER)
            return
        if nxt is None:
            await finish(target, state, data, sessions=sessions, portfolio=portfolio, **context)
            return
        data.update(i=nxt, sel=[], group=False)
        await state.set_data(data)
        await ask(target, state, sessions, portfolio)

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
            await message.answer(texts.NEEDS_PORTFOLIO)
            return
        spec = FLOWS[data["flow"]]
        step = spec.step(data["i"])
        choices = await choices_for(step, sessions, portfolio.id)
        try:
            if step.kind == StepKind.MENTEES:
                ids, names = parse_names(message.text or "", choices)
                data["answers"].update(mentees=ids, mentee_names=names)
            else:
                data["answers"][step.key] = parse_answer(step, message.text or "", today, choices)
        except InputError as err:
            await ask(message, state, sessions, portfolio, lead=texts.escape(err.message))
            return
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
        await state.set_data(data)
        await ask(message, state, sessions, portfolio, lead=texts.FILE_ADDED)

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
        if act == "c":
            await state.clear()
            await target.answer(texts.CANCELLED)
            return
        if act == "b":
            prev = spec.previous(data["answers"], data["i"])
            if prev is not None:
                data.update(
                    i=prev, answers=forget_from(spec, data["answers"], prev), sel=[], group=False
                )
                await state.set_data(data)
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
            await state.set_data(data)
            await ask(target, state, sessions, portfolio, lead=texts.PICK_MENTEES_DONE)
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
