"""/settings: a person's timezone, quiet hours, and prompts paused or on.

Prompts are timed by these: a prompt waits out the recipient's quiet hours in their timezone,
and pausing cancels the prompts waiting for them. A choice is a button or, for the timezone and
quiet hours, a typed answer in its own state; each change is written in one transaction that
claims the update.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import SettingsCB
from handlers.filters import TypedText
from handlers.keyboards import Button, chunked, keyboard, timezone_keyboard
from journal.parsing import InputError
from journal.prompting import parse_quiet_hours
from journal.timezone_parsing import COMMON_TIMEZONES, parse_timezone
from storage import prompts as prompt_repo
from storage.models import Person
from storage.uow import writing

QUIET_CHOICES = (("21:00", "08:00"), ("22:00", "07:00"), ("23:00", "07:00"), ("20:00", "09:00"))


class SettingsState(StatesGroup):
    timezone = State()
    quiet = State()


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


# --- Router ---------------------------------------------------------------------------------


def build_router() -> Router:
    router = Router(name="settings")

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
