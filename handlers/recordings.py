"""/recording: a video of a mentoring session after the ST1379 gateway (journal.recordings).

The apprentice sends the video (a voice note or audio is refused, saying why), then says when
it was recorded, one-to-one or group, and whether mentor and mentee are visible. Its length is
Telegram's duration (asked only for a video file Telegram gave none for). A video over the Bot
API's download limit keeps its details without the file, and the reply says how a local Bot
API server (TELEGRAM_API_BASE) lifts the limit. The file is fetched only when the answers are
complete, so an abandoned recording leaves no file behind.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiohttp import ClientError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.apprenticeship import START_PAST_DAYS
from handlers.filters import NotCommand, TypedText
from handlers.keyboards import keyboard
from handlers.media import fetch_files, pending_from
from handlers.replies import reply
from handlers.st1379_access import not_for_this_journal
from journal.date_parsing import parse_date
from journal.parsing import InputError
from journal.recordings import (
    FORMATS,
    MIN_SECONDS,
    Problem,
    Refused,
    minutes_text,
    problems,
    recordings_status,
    refusal,
)
from storage import gateway as repo
from storage.files import FileStore, FileTooBig
from storage.models import Person, Portfolio, RecordingRow
from storage.uow import writing

log = logging.getLogger(__name__)
MAX_MINUTES = 600
DAYS_BACK = {"today": 0, "yesterday": 1}


class RecordingState(StatesGroup):
    video = State()
    length = State()
    day = State()
    format = State()
    visible = State()


class RecordingCB(CallbackData, prefix="rc"):
    """/recording buttons: `act` day (v: today/yesterday), fmt (v: a format), vis (v: y/n), x."""

    act: str
    v: str = ""


def _cancel() -> list[tuple[str, RecordingCB]]:
    return [(texts.CANCEL, RecordingCB(act="x"))]


def _day_keyboard() -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                (texts.TODAY, RecordingCB(act="day", v="today")),
                (texts.YESTERDAY, RecordingCB(act="day", v="yesterday")),
            ],
            _cancel(),
        ]
    )


def _format_keyboard() -> InlineKeyboardMarkup:
    return keyboard(
        [[(texts.RECORDING_FORMATS[f], RecordingCB(act="fmt", v=f)) for f in FORMATS], _cancel()]
    )


def _visible_keyboard() -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                (texts.RECORDING_VISIBLE_YES, RecordingCB(act="vis", v="y")),
                (texts.RECORDING_VISIBLE_NO, RecordingCB(act="vis", v="n")),
            ],
            _cancel(),
        ]
    )


async def start_recording(target: Message, state: FSMContext) -> None:
    await state.set_state(RecordingState.video)
    await state.set_data({})
    await reply(target, texts.RECORDING_ASK, reply_markup=keyboard([_cancel()]))


def _file_unique_id(message: Message) -> str | None:
    """Telegram's id of the video itself: the same for every copy, forwarded or sent again."""
    media = message.video or message.video_note or message.document
    return media.file_unique_id if media is not None else None


def flags_text(found: list[Problem], gateway_on: date | None) -> list[str]:
    gateway = f"{gateway_on:%d %b %Y}" if gateway_on else ""
    return [texts.RECORDING_PROBLEM[p].format(gateway=gateway) for p in found]


async def _ask_day(target: Message, state: FSMContext) -> None:
    await state.set_state(RecordingState.day)
    await reply(target, texts.RECORDING_ASK_DAY, reply_markup=_day_keyboard())


async def _again(target: Message, state: FSMContext, text: str) -> None:
    """Nothing saved: the flow waits for the video again (its answers are asked again)."""
    await state.set_state(RecordingState.video)
    await state.set_data({})
    await reply(target, text, reply_markup=keyboard([_cancel()]))


def _duplicate_text(earlier: RecordingRow) -> str:
    return texts.RECORDING_DUPLICATE.format(
        day=f"{earlier.recorded_on:%d %b %Y}", sent=f"{earlier.created_at:%d %b %Y}"
    )


async def _save(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    person: Person,
    bot: Bot,
    files: FileStore,
    now: datetime,
    update_id: int | None,
) -> None:
    details: dict[str, Any] = await state.get_data()
    stored: dict[str, Any] | None = None
    notes: list[str] = []
    if details.get("too_big"):
        notes.append(texts.RECORDING_NO_FILE)
    else:
        pending = {"file": details["file"], "text": None}
        try:
            [stored] = await fetch_files(bot, files, portfolio, pending)
        except FileTooBig:
            notes.append(texts.RECORDING_NO_FILE)
        except (TelegramAPIError, ClientError, OSError) as err:
            # Without its file a recording cannot be checked nor handed on: nothing is saved
            # and the user sends it again. One line: the cause's type, no one's data.
            log.warning(
                "fetching a recording failed (%s): asked to send it again", type(err).__name__
            )
            await _again(target, state, texts.RECORDING_FETCH_FAILED)
            return
    async with writing(sessions, update_id) as session:
        # Checked again inside the write: the same bytes sent as another Telegram file.
        earlier = await repo.same_video(
            session,
            portfolio.id,
            file_unique_id=details.get("file_unique_id"),
            sha256=stored["sha256"] if stored else None,
        )
        row = None
        if earlier is None:
            row = await repo.add_recording(
                session,
                portfolio_id=portfolio.id,
                author=person,
                details=details,
                stored=stored,
                now=now,
            )
        gateway_on = await repo.gateway_on(session, portfolio.id)
        gateway_at = await repo.gateway_at(session, portfolio.id)
        every = [r for r, _ in await repo.recordings(session, portfolio.id)]
    if row is None:
        assert earlier is not None
        if stored:
            files.remove(stored["path"])
        await _again(target, state, _duplicate_text(earlier))
        return
    await state.clear()
    found = problems(repo.as_recording(row), gateway_on, gateway_at)
    status = recordings_status(every, gateway_on, gateway_at)
    lines = [
        texts.RECORDING_SAVED.format(
            length=minutes_text(row.seconds),
            day=f"{row.recorded_on:%d %b %Y}",
            format=texts.RECORDING_FORMATS[row.format].lower(),
        ),
        *(flags_text(found, gateway_on) or [texts.RECORDING_ACCEPTED]),
        *notes,
        texts.GATEWAY_RECORDINGS.format(
            accepted=status.accepted, needed=status.needed, minutes=MIN_SECONDS // 60
        ),
    ]
    await reply(target, "\n".join(lines))


def build_router() -> Router:
    router = Router(name="recordings")

    @router.message(Command("recording"))
    async def recording(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
    ) -> None:
        if await not_for_this_journal(
            message,
            portfolio,
            texts.GATEWAY_ONLY_ST1379,
            texts.RECORDING_ONLY_APPRENTICE,
            sessions=sessions,
            person=person,
        ):
            return
        await start_recording(message, state)

    @router.message(StateFilter(RecordingState.video), NotCommand())
    async def video(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        files: FileStore,
    ) -> None:
        if portfolio is None:
            await state.clear()
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        try:
            pending = pending_from(message)
        except InputError as err:
            await reply(message, texts.escape(err.message))
            return
        item = (pending or {}).get("file") or {}
        refused = refusal(item.get("kind"), item.get("mime"))
        if refused is not None:
            text = texts.RECORDING_AUDIO if refused == Refused.AUDIO else texts.RECORDING_NOT_VIDEO
            await reply(message, text, reply_markup=keyboard([_cancel()]))
            return
        unique = _file_unique_id(message)
        async with sessions() as session:
            earlier = await repo.same_video(session, portfolio.id, file_unique_id=unique)
        if earlier is not None:
            await reply(message, _duplicate_text(earlier), reply_markup=keyboard([_cancel()]))
            return
        limit = files.download_limit
        too_big = bool(limit and item.get("size") and item["size"] > limit)
        await state.set_data(
            {
                "file": item,
                "file_id": item["file_id"],
                "file_unique_id": unique,
                "media": item["kind"],
                "size": item.get("size"),
                "mime": item.get("mime"),
                "name": item.get("name"),
                "seconds": item.get("duration"),
                "caption": (pending or {}).get("text"),
                "too_big": too_big,
            }
        )
        if too_big:
            await reply(message, texts.RECORDING_TOO_BIG.format(size=round(item["size"] / 1048576)))
        if item.get("duration") is None:
            await state.set_state(RecordingState.length)
            await reply(message, texts.RECORDING_ASK_LENGTH, reply_markup=keyboard([_cancel()]))
            return
        await _ask_day(message, state)

    @router.message(StateFilter(RecordingState.length), TypedText())
    async def length(message: Message, state: FSMContext) -> None:
        typed = (message.text or "").strip().lower().removesuffix("min").strip()
        if not typed.isdigit() or not 0 < int(typed) <= MAX_MINUTES:
            await reply(message, texts.RECORDING_LENGTH_BAD, reply_markup=keyboard([_cancel()]))
            return
        await state.update_data(seconds=int(typed) * 60)
        await _ask_day(message, state)

    @router.message(StateFilter(RecordingState.day), TypedText())
    async def day_typed(message: Message, state: FSMContext, today: date) -> None:
        try:
            day = parse_date(message.text or "", today, max_past_days=START_PAST_DAYS)
        except InputError as err:
            await reply(message, texts.escape(err.message), reply_markup=_day_keyboard())
            return
        await state.update_data(recorded_on=day.isoformat())
        await state.set_state(RecordingState.format)
        await reply(message, texts.RECORDING_ASK_FORMAT, reply_markup=_format_keyboard())

    @router.message(StateFilter(RecordingState.format, RecordingState.visible), NotCommand())
    async def not_a_tap(message: Message) -> None:
        await reply(message, texts.PICK_FROM_BUTTONS)

    @router.callback_query(RecordingCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: RecordingCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        bot: Bot,
        files: FileStore,
        today: date,
        now: datetime,
        update_id: int | None,
    ) -> None:
        current, act, value = await state.get_state(), callback_data.act, callback_data.v
        target = query.message
        ours = {s.state for s in RecordingState.__states__}
        if portfolio is None or person is None or target is None or current not in ours:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        if act == "x":
            await query.answer()
            await state.clear()
            await reply(target, texts.CANCELLED)
        elif act == "day" and current == RecordingState.day.state and value in DAYS_BACK:
            await query.answer()
            day = today - timedelta(days=DAYS_BACK[value])
            await state.update_data(recorded_on=day.isoformat())
            await state.set_state(RecordingState.format)
            await reply(target, texts.RECORDING_ASK_FORMAT, reply_markup=_format_keyboard())
        elif act == "fmt" and current == RecordingState.format.state and value in FORMATS:
            await query.answer()
            await state.update_data(format=value)
            await state.set_state(RecordingState.visible)
            await reply(target, texts.RECORDING_ASK_VISIBLE, reply_markup=_visible_keyboard())
        elif act == "vis" and current == RecordingState.visible.state and value in {"y", "n"}:
            await query.answer()
            await state.update_data(visible=value == "y")
            await _save(target, state, sessions, portfolio, person, bot, files, now, update_id)
        else:
            await query.answer(texts.STALE_BUTTON, show_alert=True)

    return router
