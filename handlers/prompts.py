"""Prompts in the chat: how each one reads, the answers to them, /request and /settings.

Every answer is checked against the prompt's recipient and state, and written in one
transaction that claims the update, so a replayed tap writes nothing and a second tap on an
answered prompt is told so.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.apprenticeship import otj_behind_nudge
from handlers.callbacks import PromptCB, RequestCB, SettingsCB
from handlers.filters import TypedText
from handlers.keyboards import Button, chunked, keyboard, timezone_keyboard
from journal.entries import Kind
from journal.frameworks.registry import Registry
from journal.hours import format_minutes
from journal.parsing import (
    COMMON_TIMEZONES,
    InputError,
    clean_text,
    parse_rating,
    parse_timezone,
)
from journal.prompting import PromptKind, RequestKind, days_before, parse_quiet_hours
from storage import answers, people
from storage import prompts as prompt_repo
from storage.answers import Refusal
from storage.models import Entry, Membership, Person, Portfolio
from storage.outbox import Outgoing
from storage.uow import writing

LINE_LIMIT = 500
SESSIONS_OFFERED = 6
TOPIC_CHARS = 60
QUIET_CHOICES = (("21:00", "08:00"), ("22:00", "07:00"), ("23:00", "07:00"), ("20:00", "09:00"))
REFUSALS = {
    Refusal.NOT_YOURS: texts.NOT_YOURS,
    Refusal.ANSWERED: texts.PROMPT_ANSWERED,
    Refusal.CLOSED: texts.PROMPT_CLOSED,
}
WHAT = {"h": RequestKind.HOURS, "f": RequestKind.FEEDBACK, "t": RequestKind.TESTIMONY}


class PromptState(StatesGroup):
    line = State()


class SettingsState(StatesGroup):
    timezone = State()
    quiet = State()


# --- How a prompt reads ---------------------------------------------------------------------


def _day(iso: str) -> str:
    return f"{date.fromisoformat(iso):%a %d %b}"


def _topic(fields: dict[str, Any], template: str = texts.TOPIC) -> str:
    topic = " ".join(str(fields.get("topic") or "").split())
    if not topic:
        return ""
    if len(topic) > TOPIC_CHARS:
        topic = topic[: TOPIC_CHARS - 1] + "…"
    return template.format(topic=texts.escape(topic))


def _feedback_question(fields: dict[str, Any], today: date) -> str:
    """Names the mentor and the session's plan only: never the other mentees of a group."""
    mentor = texts.escape(fields.get("mentor", ""))
    ago = days_before(date.fromisoformat(fields["occurred_on"]), today)
    template = {0: texts.FEEDBACK_ASK_TODAY, 1: texts.FEEDBACK_ASK_YESTERDAY}.get(
        ago, texts.FEEDBACK_ASK_ON
    )
    return template.format(mentor=mentor, topic=_topic(fields), day=_day(fields["occurred_on"]))


def _question(
    kind: PromptKind, prompt_id: int, fields: dict[str, Any], today: date
) -> tuple[str, InlineKeyboardMarkup]:
    """A feedback prompt or a supervisor's request, with the buttons that answer it."""
    if kind == PromptKind.FEEDBACK:
        rates = [(str(n), PromptCB(p=prompt_id, a="r", v=str(n))) for n in range(1, 6)]
        text = f"{_feedback_question(fields, today)}\n{texts.RATING_PROMPT_HINT}"
        return text, keyboard([rates])
    mentor = texts.escape(fields.get("mentor", ""))
    what = fields.get("what")
    if what == RequestKind.TESTIMONY:
        return texts.ASK_TESTIMONY.format(mentor=mentor), keyboard(
            [[(texts.WRITE_IT, PromptCB(p=prompt_id, a="w"))]]
        )
    about = {
        "mentor": mentor,
        "day": _day(fields["occurred_on"]),
        "ref": fields.get("ref", ""),
        "topic": _topic(fields, texts.TOPIC_AFTER),
    }
    if what in (RequestKind.HOURS, RequestKind.OTJ):
        template = texts.ASK_OTJ if what == RequestKind.OTJ else texts.ASK_HOURS
        text = template.format(duration=format_minutes(fields.get("minutes") or 0), **about)
        buttons = [
            (texts.CONFIRM, PromptCB(p=prompt_id, a="c")),
            (texts.NOT_RIGHT, PromptCB(p=prompt_id, a="n")),
        ]
        return text, keyboard([buttons])
    return texts.ASK_SESSION_FEEDBACK.format(**about), keyboard(
        [[(texts.WRITE_IT, PromptCB(p=prompt_id, a="w"))]]
    )


def _notice(fields: dict[str, Any]) -> str:
    who = texts.escape(fields.get("who") or "")
    ref, saved = fields.get("ref", ""), fields.get("saved", "")
    event = fields.get("event")
    if event == "feedback":
        text = texts.NOTICE_FEEDBACK.format(
            who=who, ref=ref, day=_day(fields["day"]), rating=fields.get("rating"), saved=saved
        )
    elif event == "hours":
        text = texts.NOTICE_HOURS.format(
            who=who, ref=ref, duration=format_minutes(fields.get("minutes", 0))
        )
    elif event == "otj":
        text = texts.NOTICE_OTJ.format(
            who=who, ref=ref, duration=format_minutes(fields.get("minutes", 0))
        )
    elif event == "disputed":
        text = texts.NOTICE_DISPUTED.format(who=who, ref=ref)
    elif event == "testimony":
        text = texts.NOTICE_TESTIMONY.format(who=who, saved=saved)
    else:
        text = texts.NOTICE_SUPERVISOR_FEEDBACK.format(who=who, ref=ref, saved=saved)
    quoted = fields.get("text") or fields.get("note")
    return f"{text}\n{texts.QUOTE.format(text=texts.escape(quoted))}" if quoted else text


def render(item: Outgoing, today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message of a claimed prompt; `today` is the recipient's date."""
    fields = item.fields
    if item.kind in (PromptKind.FEEDBACK, PromptKind.REQUEST):
        return _question(item.kind, item.answers_to, fields, today)
    if item.kind == PromptKind.REMINDER:
        text, markup = _question(item.about, item.answers_to, fields, today)
        return f"{texts.REMINDER_LEAD}\n{text}", markup
    if item.kind == PromptKind.NOTICE:
        return _notice(fields), None
    if item.kind == PromptKind.GOAL_REVIEW:
        return texts.GOAL_REVIEW_NUDGE.format(
            statement=texts.escape(fields.get("statement", ""))
        ), None
    if item.kind == PromptKind.PAIR_QUIET:
        return texts.PAIR_QUIET_NUDGE.format(mentee=texts.escape(fields.get("mentee", ""))), None
    if item.kind == PromptKind.OTJ_BEHIND:
        return otj_behind_nudge(fields)
    return texts.WEEKLY_NUDGE, None


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


# --- /request -------------------------------------------------------------------------------


async def _supervisors(session: AsyncSession, portfolio_id: int) -> list[Membership]:
    return await people.members(session, portfolio_id, people.Role.SUPERVISOR)


async def _recent_sessions(session: AsyncSession, portfolio_id: int) -> list[Entry]:
    rows = await session.scalars(
        select(Entry)
        .where(
            Entry.portfolio_id == portfolio_id,
            Entry.kind == Kind.SESSION,
            Entry.deleted_at.is_(None),
        )
        .order_by(Entry.occurred_on.desc(), Entry.id.desc())
        .limit(SESSIONS_OFFERED)
    )
    return list(rows)


def _session_label(entry: Entry) -> str:
    topic = " ".join(str(entry.data.get("plan") or entry.data.get("summary") or "").split())
    label = (
        f"{entry.ref} · {entry.occurred_on:%d %b} · {format_minutes(entry.duration_minutes or 0)}"
    )
    return f"{label} · {topic}"[:48] if topic else label


def _fits(act: str, what: str | None) -> bool:
    """Hours (of mentoring or off-the-job training) are answered with Confirm / Not right,
    feedback and testimony by writing."""
    return act in {"c", "n"} if what in (RequestKind.HOURS, RequestKind.OTJ) else act == "w"


def _requested(what: RequestKind, ref: str) -> str:
    if what == RequestKind.HOURS:
        return texts.REQUEST_WHAT_HOURS.format(ref=ref)
    if what == RequestKind.FEEDBACK:
        return texts.REQUEST_WHAT_FEEDBACK.format(ref=ref)
    return texts.REQUEST_WHAT_TESTIMONY


# --- /settings ------------------------------------------------------------------------------


def _paused(person: Person) -> bool:
    return person.prompts_paused or person.blocked_at is not None


def _settings_text(person: Person) -> str:
    quiet = prompt_repo.quiet_of(person)
    paused = _paused(person)
    return texts.SETTINGS.format(
        timezone=texts.escape(person.timezone),
        quiet=texts.SETTINGS_NO_QUIET if quiet.off else "–".join(quiet.as_strings()),
        prompts=texts.SETTINGS_PROMPTS_PAUSED if paused else texts.SETTINGS_PROMPTS_ON,
    )


def _settings_keyboard(person: Person) -> InlineKeyboardMarkup:
    toggle = (
        (texts.SETTINGS_RESUME, SettingsCB(act="resume"))
        if _paused(person)
        else (texts.SETTINGS_PAUSE, SettingsCB(act="pause"))
    )
    return keyboard(
        [
            [
                (texts.SETTINGS_TIMEZONE, SettingsCB(act="tz")),
                (texts.SETTINGS_QUIET, SettingsCB(act="quiet")),
            ],
            [toggle],
        ]
    )


def _quiet_keyboard() -> InlineKeyboardMarkup:
    buttons: list[Button] = [
        (f"{a}–{b}", SettingsCB(act="q", v=str(i))) for i, (a, b) in enumerate(QUIET_CHOICES)
    ]
    buttons.append((texts.QUIET_NONE, SettingsCB(act="q", v="off")))
    return keyboard(chunked(buttons, 2))


def _zone_keyboard() -> InlineKeyboardMarkup:
    return timezone_keyboard(lambda i: SettingsCB(act="z", v=i))


def _typed_setting(zone_asked: bool, typed: str) -> dict[str, str]:
    """The settings change a typed answer makes; InputError says what to type instead."""
    if zone_asked:
        return {"timezone": parse_timezone(typed)}
    try:
        quiet = parse_quiet_hours(typed)
    except ValueError:
        raise InputError(texts.QUIET_UNREADABLE) from None
    start, end = quiet.as_strings()
    return {"quiet_start": start, "quiet_end": end}


async def _save_settings(
    sessions: async_sessionmaker[AsyncSession], person_id: int, update_id: int | None, **values: Any
) -> Person:
    async with writing(sessions, update_id) as session:
        person = await session.get(Person, person_id)
        for name, value in values.items():
            setattr(person, name, value)
        if values.get("prompts_paused"):
            await prompt_repo.cancel(session, person_id=person_id)
    return person


def _asked(message: Message | InaccessibleMessage) -> str | None:
    """The question of the prompt the mentee tapped, as they read it (its first line; the
    second is the hint about the buttons)."""
    text = getattr(message, "text", None)
    return text.split("\n", 1)[0] if text else None


# --- Router ---------------------------------------------------------------------------------


def build_router() -> Router:
    router = Router(name="prompts")

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

    @router.message(Command("request"))
    async def request(
        message: Message, sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio | None
    ) -> None:
        if portfolio is None:
            await message.answer(texts.NEEDS_PORTFOLIO)
            return
        async with sessions() as session:
            supervisors = await _supervisors(session, portfolio.id)
        if not supervisors:
            await message.answer(texts.REQUEST_NO_SUPERVISOR)
            return
        buttons: list[Button] = [
            (texts.REQUEST_HOURS, RequestCB(w="h")),
            (texts.REQUEST_FEEDBACK, RequestCB(w="f")),
            (texts.REQUEST_TESTIMONY, RequestCB(w="t")),
        ]
        await message.answer(
            texts.REQUEST_WHAT,
            reply_markup=keyboard([*chunked(buttons, 1), [(texts.CANCEL, RequestCB(w="x"))]]),
        )

    @router.callback_query(RequestCB.filter())
    async def request_step(
        query: CallbackQuery,
        callback_data: RequestCB,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        if portfolio is None or query.message is None or callback_data.w not in {*WHAT, "x"}:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        target, cb = query.message, callback_data
        if cb.w == "x":
            await target.answer(texts.CANCELLED)
            return
        what = WHAT[cb.w]
        async with sessions() as session:
            supervisors = {m.id: m for m in await _supervisors(session, portfolio.id)}
            recent = await _recent_sessions(session, portfolio.id)
        if not cb.s and len(supervisors) == 1:
            cb = RequestCB(w=cb.w, s=next(iter(supervisors)), e=cb.e)
        if cb.s not in supervisors:
            rows = [
                [(m.person.name or texts.ROLE_NAMES["supervisor"], RequestCB(w=cb.w, s=m.id))]
                for m in supervisors.values()
            ]
            await target.answer(texts.REQUEST_WHICH_SUPERVISOR, reply_markup=keyboard(rows))
            return
        needs_session = what != RequestKind.TESTIMONY
        if needs_session and cb.e not in {e.id for e in recent}:
            if not recent:
                await target.answer(texts.REQUEST_NO_SESSIONS)
                return
            rows = [[(_session_label(e), RequestCB(w=cb.w, s=cb.s, e=e.id))] for e in recent]
            await target.answer(texts.REQUEST_WHICH_SESSION, reply_markup=keyboard(rows))
            return
        supervisor = supervisors[cb.s].person
        entry_id = cb.e if needs_session else None
        async with writing(sessions, update_id) as session:
            prompt = await prompt_repo.schedule_request(
                session,
                supervisor=await session.get(Person, supervisor.id),
                portfolio_id=portfolio.id,
                what=what,
                entry_id=entry_id,
                now=now,
            )
        name = texts.escape(supervisor.name)
        if prompt is None:
            await target.answer(texts.REQUEST_ALREADY.format(supervisor=name))
            return
        ref = next((e.ref for e in recent if e.id == entry_id), "")
        await target.answer(texts.REQUEST_SENT.format(supervisor=name, what=_requested(what, ref)))

    @router.message(Command("settings"))
    async def settings(message: Message, person: Person | None) -> None:
        if person is None:
            await message.answer(texts.NEEDS_START)
            return
        await message.answer(_settings_text(person), reply_markup=_settings_keyboard(person))

    @router.callback_query(SettingsCB.filter())
    async def settings_tapped(
        query: CallbackQuery,
        callback_data: SettingsCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        update_id: int | None,
    ) -> None:
        if person is None or query.message is None:
            await query.answer(texts.NEEDS_START, show_alert=True)
            return
        await query.answer()
        target, act, value = query.message, callback_data.act, callback_data.v
        if act == "tz":
            await state.set_state(SettingsState.timezone)
            await target.answer(texts.ASK_TZ, reply_markup=_zone_keyboard())
            return
        if act == "quiet":
            await state.set_state(SettingsState.quiet)
            await target.answer(texts.ASK_QUIET, reply_markup=_quiet_keyboard())
            return
        if act == "z" and value.isdigit() and int(value) < len(COMMON_TIMEZONES):
            changes: dict[str, Any] = {"timezone": COMMON_TIMEZONES[int(value)][1]}
        elif act == "q" and (
            value == "off" or (value.isdigit() and int(value) < len(QUIET_CHOICES))
        ):
            start, end = ("00:00", "00:00") if value == "off" else QUIET_CHOICES[int(value)]
            changes = {"quiet_start": start, "quiet_end": end}
        elif act == "pause":
            changes = {"prompts_paused": True}
        elif act == "resume":
            # Coming back through /settings shows they talk to the bot again: unblocked.
            changes = {"prompts_paused": False, "blocked_at": None}
        else:
            await target.answer(texts.STALE_BUTTON)
            return
        if await state.get_state() in (SettingsState.timezone.state, SettingsState.quiet.state):
            await state.clear()
        person = await _save_settings(sessions, person.id, update_id, **changes)
        lead = {"pause": texts.PROMPTS_PAUSED, "resume": texts.PROMPTS_RESUMED}.get(
            act, texts.SETTINGS_SAVED
        )
        await target.answer(
            f"{lead}\n\n{_settings_text(person)}", reply_markup=_settings_keyboard(person)
        )

    @router.message(StateFilter(SettingsState), TypedText())
    async def typed_setting(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        update_id: int | None,
    ) -> None:
        if person is None:
            await state.clear()
            await message.answer(texts.NEEDS_START)
            return
        zone_asked = await state.get_state() == SettingsState.timezone.state
        try:
            changes = _typed_setting(zone_asked, message.text or "")
        except InputError as err:
            retry = _zone_keyboard() if zone_asked else _quiet_keyboard()
            await message.answer(texts.escape(err.message), reply_markup=retry)
            return
        await state.clear()
        person = await _save_settings(sessions, person.id, update_id, **changes)
        await message.answer(
            f"{texts.SETTINGS_SAVED}\n\n{_settings_text(person)}",
            reply_markup=_settings_keyboard(person),
        )

    return router
