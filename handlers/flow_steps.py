"""How a guided flow (/log, /goal, /reflect ...) asks its step: the question, its buttons, and
moving the flow to a step, starting it or resuming it.

The flow's name, step and answers live in the conversation state (persisted), so a restart
continues at the same step; buttons carry the step number, so a stale one is recognised.
The flow moves to a step only once its question went out (`show`): a question Telegram refused
or lost leaves the flow where it was, so the answer the user sends again lands in its own
field. The handlers that take the answers are handlers.flow; reading an answer is
handlers.flow_answers.
"""

from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import FlowCB
from handlers.flows import FLOWS
from handlers.keyboards import Button, chunked, keyboard
from handlers.replies import reply
from journal.flow import FlowSpec, Step, StepKind
from journal.textnorm import shorten
from storage import entries as entry_repo
from storage import people
from storage.models import Portfolio


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
