"""ST1379 apprentices: /otj (off-the-job training, a flow of handlers.flows), /apprenticeship
(the plan on the portfolio), and the off-the-job lines of /progress and of a saved entry.

The rules are journal.apprenticeship; the employer's one-tap confirmation is a request prompt
(storage.apprenticeships.request_confirmation, answered in handlers.prompt_answers).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import ApprenticeshipCB, OtjCB
from handlers.filters import TypedText
from handlers.flow_steps import begin, resume
from handlers.keyboards import keyboard
from handlers.replies import reply
from handlers.st1379_access import follows_st1379, not_for_this_journal
from journal.apprenticeship import (
    FRAMEWORK,
    FUNDING_FLOOR_HOURS,
    LATE_AFTER_DAYS,
    Plan,
    PlanRefused,
    check_plan,
    days_late,
    is_late,
    ksb_ids,
    otj_progress,
)
from journal.date_parsing import parse_date, parse_future_date
from journal.frameworks.registry import Registry
from journal.hours import format_minutes
from journal.parsing import InputError
from journal.prompting import PromptKind, local_day
from storage import apprenticeships as repo
from storage import gateway as gateway_repo
from storage.models import Entry, Person, Portfolio, Prompt
from storage.uow import writing

# A start date up to this far back can be typed (an apprenticeship runs a year or more).
START_PAST_DAYS = 4 * 366


class PlanState(StatesGroup):
    start = State()
    end = State()
    planned = State()
    minimum = State()


def _hours(minutes: int) -> str:
    return format_minutes(minutes)


# --- What other handlers show ------------------------------------------------------------------


def otj_tags(flow: str, answers: dict[str, Any], registry: Registry) -> list[str]:
    """The KSBs typed in /otj, as tags of the saved entry (those ST1379 has)."""
    framework = registry.get(FRAMEWORK)
    if flow != "otj" or framework is None:
        return []
    found, _ = ksb_ids(str(answers.get("ksbs") or ""), {c.id for c in framework.criteria})
    return found


def otj_behind_nudge(fields: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    """The weekly reminder to an apprentice whose off-the-job hours fell behind."""
    text = texts.OTJ_BEHIND_NUDGE.format(
        logged=_hours(int(fields.get("logged", 0))),
        confirmed=_hours(int(fields.get("confirmed", 0))),
        expected=_hours(int(fields.get("expected", 0))),
    )
    return text, keyboard([[(texts.OTJ_LOG_BUTTON, OtjCB(act="log"))]])


async def otj_saved_lines(
    sessions: async_sessionmaker[AsyncSession],
    entry: Entry,
    portfolio: Portfolio,
    registry: Registry,
) -> list[str]:
    """After /otj is saved: hours and day, late or not, who was asked to confirm."""
    async with sessions() as session:
        mentor = await session.get(Person, portfolio.mentor_id)
        asked = await session.scalar(
            select(Person)
            .join(Prompt, Prompt.person_id == Person.id)
            .where(Prompt.entry_id == entry.id, Prompt.kind == PromptKind.REQUEST)
            .order_by(Prompt.id.desc())
            .limit(1)
        )
    lines = [
        texts.OTJ_SAVED.format(
            duration=_hours(entry.duration_minutes or 0), day=f"{entry.occurred_on:%a %d %b}"
        )
    ]
    recorded_on = local_day(entry.recorded_at, mentor.timezone if mentor else "UTC")
    if is_late(entry.occurred_on, recorded_on):
        lines.append(
            texts.OTJ_LATE.format(
                days=days_late(entry.occurred_on, recorded_on), limit=LATE_AFTER_DAYS
            )
        )
    framework = registry.get(FRAMEWORK)
    if framework is not None:
        known = {c.id for c in framework.criteria}
        _, unknown = ksb_ids(str(entry.data.get("ksbs") or ""), known)
        if unknown:
            lines.append(texts.OTJ_UNKNOWN_KSBS.format(codes=texts.escape(", ".join(unknown))))
    if asked is None:
        lines.append(texts.OTJ_NO_CONFIRMER)
    else:
        lines.append(texts.OTJ_ASKED.format(who=texts.escape(asked.name)))
    return lines


async def otj_progress_lines(
    sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio, now: datetime
) -> list[str]:
    """/progress of an ST1379 portfolio: planned, logged, confirmed and expected by now."""
    if not follows_st1379(portfolio):
        return []
    async with sessions() as session:
        plan = await repo.get_plan(session, portfolio.id)
        logged, confirmed = await repo.otj_totals(session, portfolio.id)
        mentor = await session.get(Person, portfolio.mentor_id)
    if plan is None:
        return [texts.PROGRESS_OTJ_NO_PLAN.format(logged=_hours(logged))] if logged else []
    today = local_day(now, mentor.timezone if mentor else "UTC")
    found = otj_progress(plan, today, logged, confirmed)
    lines = [
        texts.PROGRESS_OTJ_HEAD.format(weeks=found.weeks),
        texts.PROGRESS_OTJ.format(
            planned=_hours(found.planned_minutes),
            minimum=_hours(found.minimum_minutes),
            logged=_hours(found.logged_minutes),
            confirmed=_hours(found.confirmed_minutes),
            expected=_hours(found.expected_minutes),
        ),
    ]
    if found.behind is not None:
        lines.append(texts.PROGRESS_OTJ_BEHIND[found.behind])
    if found.minimum_met:
        lines.append(texts.PROGRESS_OTJ_MINIMUM_MET)
    state = (
        texts.PROGRESS_OTJ_ON_PROGRAMME_MET
        if found.on_programme_met
        else texts.PROGRESS_OTJ_ON_PROGRAMME_FROM.format(day=f"{found.on_programme_from:%d %b %Y}")
    )
    lines.append(texts.PROGRESS_OTJ_ON_PROGRAMME.format(state=state))
    return lines


# --- /apprenticeship ---------------------------------------------------------------------------


def plan_text(plan: Plan | None) -> str:
    if plan is None:
        return texts.APPRENTICESHIP_NONE
    return texts.APPRENTICESHIP_TEXT.format(
        start=f"{plan.start_on:%d %b %Y}",
        end=f"{plan.planned_end_on:%d %b %Y}",
        planned=f"{plan.planned_hours} h",
        minimum=f"{plan.minimum_hours} h",
    )


def _hours_typed(text: str) -> int:
    typed = text.strip().lower().removesuffix("hours").removesuffix("h").strip()
    if not typed.isdigit() or len(typed) > 5:
        raise InputError(texts.APPRENTICESHIP_HOURS_BAD)
    return int(typed)


def _cancel_row() -> list[tuple[str, ApprenticeshipCB]]:
    return [(texts.CANCEL, ApprenticeshipCB(act="x"))]


async def _save_plan(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    minimum: int,
    now: datetime,
    update_id: int | None,
) -> None:
    data = await state.get_data()
    try:
        plan = check_plan(
            date.fromisoformat(data["start"]),
            date.fromisoformat(data["end"]),
            int(data["planned"]),
            minimum,
        )
    except PlanRefused as refused:
        # The rule's message, and the question of the answer to change.
        step, question, markup = {
            "end": (PlanState.end, texts.APPRENTICESHIP_ASK_END, keyboard([_cancel_row()])),
            "planned": (
                PlanState.planned,
                texts.APPRENTICESHIP_ASK_PLANNED,
                keyboard([_cancel_row()]),
            ),
        }.get(
            refused.field,
            (PlanState.minimum, texts.APPRENTICESHIP_ASK_MINIMUM, _minimum_keyboard()),
        )
        await state.set_state(step)
        await reply(target, f"{texts.escape(refused.message)}\n\n{question}", reply_markup=markup)
        return
    async with writing(sessions, update_id) as session:
        # Checked in the write: the gateway may have been confirmed while the questions ran.
        day = await gateway_repo.gateway_on(session, portfolio.id)
        if day is None:
            await repo.set_plan(session, portfolio.id, plan, now)
    await state.clear()
    if day is not None:
        await reply(target, locked_text(day))
        return
    await reply(target, f"{texts.APPRENTICESHIP_SAVED}\n\n{plan_text(plan)}")


def locked_text(gateway_on: date) -> str:
    """Why the plan can't change in the chat once the employer confirmed the gateway: the
    gateway was checked against its start date and minimum. The centre can correct it."""
    return texts.APPRENTICESHIP_LOCKED.format(day=f"{gateway_on:%d %b %Y}")


async def _locked(sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio) -> str:
    async with sessions() as session:
        day = await gateway_repo.gateway_on(session, portfolio.id)
    return locked_text(day) if day else ""


def _minimum_keyboard() -> InlineKeyboardMarkup:
    return keyboard(
        [[(texts.APPRENTICESHIP_MINIMUM_FLOOR, ApprenticeshipCB(act="min"))], _cancel_row()]
    )


def build_router() -> Router:
    router = Router(name="apprenticeship")

    @router.message(Command("otj"))
    async def otj(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
    ) -> None:
        if await not_for_this_journal(
            message, portfolio, texts.OTJ_ONLY_ST1379, sessions=sessions, person=person
        ):
            return
        if await resume(message, state, sessions, portfolio):
            return
        await begin(message, state, sessions, portfolio, "otj")

    @router.callback_query(OtjCB.filter())
    async def otj_button(
        query: CallbackQuery,
        callback_data: OtjCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
    ) -> None:
        if (
            portfolio is None
            or query.message is None
            or callback_data.act != "log"
            or not follows_st1379(portfolio)
        ):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        if not await resume(query.message, state, sessions, portfolio):
            await begin(query.message, state, sessions, portfolio, "otj")

    @router.message(Command("apprenticeship"))
    async def apprenticeship(
        message: Message,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
    ) -> None:
        if await not_for_this_journal(
            message, portfolio, texts.OTJ_ONLY_ST1379, sessions=sessions, person=person
        ):
            return
        async with sessions() as session:
            plan = await repo.get_plan(session, portfolio.id)
        locked = await _locked(sessions, portfolio)
        if locked:
            await reply(message, f"{plan_text(plan)}\n\n{locked}")
            return
        await reply(
            message,
            plan_text(plan),
            reply_markup=keyboard([[(texts.APPRENTICESHIP_SET, ApprenticeshipCB(act="set"))]]),
        )

    @router.callback_query(ApprenticeshipCB.filter())
    async def plan_button(
        query: CallbackQuery,
        callback_data: ApprenticeshipCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        target = query.message
        if portfolio is None or target is None or not follows_st1379(portfolio):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        act = callback_data.act
        current = await state.get_state()
        if act == "set":
            await query.answer()
            locked = await _locked(sessions, portfolio)
            if locked:
                await reply(target, locked)
                return
            await state.set_state(PlanState.start)
            await state.set_data({})
            await reply(
                target, texts.APPRENTICESHIP_ASK_START, reply_markup=keyboard([_cancel_row()])
            )
        elif act == "x" and current in {s.state for s in PlanState.__states__}:
            await query.answer()
            await state.clear()
            await reply(target, texts.CANCELLED)
        elif act == "min" and current == PlanState.minimum.state:
            await query.answer()
            await _save_plan(
                target, state, sessions, portfolio, FUNDING_FLOOR_HOURS, now, update_id
            )
        else:
            await query.answer(texts.STALE_BUTTON, show_alert=True)

    @router.message(StateFilter(PlanState), TypedText())
    async def plan_typed(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        today: date,
        now: datetime,
        update_id: int | None,
    ) -> None:
        if portfolio is None or not follows_st1379(portfolio):
            await state.clear()
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        current, text = await state.get_state(), message.text or ""
        cancel = keyboard([_cancel_row()])
        try:
            if current == PlanState.start.state:
                start = parse_date(text, today, max_past_days=START_PAST_DAYS)
                await state.update_data(start=start.isoformat())
                await state.set_state(PlanState.end)
                await reply(message, texts.APPRENTICESHIP_ASK_END, reply_markup=cancel)
            elif current == PlanState.end.state:
                end = parse_future_date(text, today)
                await state.update_data(end=end.isoformat())
                await state.set_state(PlanState.planned)
                await reply(message, texts.APPRENTICESHIP_ASK_PLANNED, reply_markup=cancel)
            elif current == PlanState.planned.state:
                await state.update_data(planned=_hours_typed(text))
                await state.set_state(PlanState.minimum)
                await reply(
                    message, texts.APPRENTICESHIP_ASK_MINIMUM, reply_markup=_minimum_keyboard()
                )
            else:
                minimum = _hours_typed(text)
                await _save_plan(message, state, sessions, portfolio, minimum, now, update_id)
        except InputError as err:
            await reply(message, texts.escape(err.message), reply_markup=cancel)

    return router
