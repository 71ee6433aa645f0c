"""/entries: recent entries; open one, edit a part (a new revision), delete with undo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import EntryCB
from handlers.criteria import short_code
from handlers.filters import TypedText
from handlers.flow_answers import typed_text
from handlers.flow_steps import resume
from handlers.flows import FLOWS
from handlers.keyboards import Button, chunked, keyboard
from handlers.replies import reply
from handlers.tagging import suggestion_keyboard
from journal.answers import ANSWER_LIMIT, joined, may_have_more
from journal.entries import (
    EVIDENCE_TYPES,
    FIELDS,
    GOAL_STATUSES,
    KIND_LABELS,
    SESSION_FORMATS,
    SESSION_MODES,
    Kind,
    editable_fields,
)
from journal.frameworks.registry import Registry
from journal.hours import format_minutes
from journal.parsing import InputError
from journal.permissions import may_change
from journal.textnorm import shorten
from storage import entries as entry_repo
from storage.models import Entry, Person, Portfolio
from storage.uow import writing


class EditState(StatesGroup):
    value = State()


TITLE_CHARS = 60
FIRST_WORDS_CHARS = 24
# Fields chosen from buttons, stored as codes ('in_person'): shown as the buttons read.
CHOICE_LABELS: dict[str, dict[str, str]] = {
    **{s.key: dict(s.options) for flow in FLOWS.values() for s in flow.steps if s.options},
    "format": SESSION_FORMATS,
    "mode": SESSION_MODES,
    "status": GOAL_STATUSES,
    "evidence_type": EVIDENCE_TYPES,
}


def shown_value(key: str, value: object) -> str:
    """A stored value as people read it: a choice by its label, anything else as written."""
    text = str(value)
    return CHOICE_LABELS.get(key, {}).get(text, text)


def entry_title(entry: Entry) -> str:
    """`E-0042 · Session · 12 Nov · Shift handover…`: the first words the mentor wrote."""
    label = KIND_LABELS.get(Kind(entry.kind), entry.kind)
    written = (entry.data.get(f.key) for f in editable_fields(Kind(entry.kind)))
    first = next((v for v in written if isinstance(v, str) and v.strip()), "")
    title = f"{entry.ref} · {label} · {entry.occurred_on:%d %b}"
    if first:
        title += f" · {shorten(' '.join(first.split()), FIRST_WORDS_CHARS)}"
    return shorten(title, TITLE_CHARS)


def entry_view(entry: Entry, registry: Registry) -> str:
    label = KIND_LABELS.get(Kind(entry.kind), entry.kind)
    lines = [f"<b>{entry.ref}</b> · {label} · {entry.occurred_on:%d %b %Y}"]
    if entry.duration_minutes:
        lines.append(f"Duration: {format_minutes(entry.duration_minutes)}")
    for field in FIELDS.get(Kind(entry.kind), ()):
        value = entry.data.get(field.key)
        if value not in (None, ""):
            lines.append(f"<b>{field.label}:</b> {texts.escape(shown_value(field.key, value))}")
    if entry.attachments:
        lines.append(f"Attachments: {len(entry.attachments)}")
    codes = [short_code(c) for c in (registry.criterion(t.criterion_id) for t in entry.tags) if c]
    if codes:
        lines.append("Criteria: " + texts.escape(", ".join(codes)))
    if entry.revision > 1:
        lines.append(f"Revision {entry.revision}")
    return "\n".join(lines)


def entry_keyboard(entry: Entry) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                (texts.ENTRY_EDIT, EntryCB(e=entry.id, act="edit")),
                (texts.ENTRY_TAGS, EntryCB(e=entry.id, act="tags")),
            ],
            [
                (texts.ENTRY_HISTORY, EntryCB(e=entry.id, act="hist")),
                (texts.ENTRY_DELETE, EntryCB(e=entry.id, act="del")),
            ],
        ]
    )


async def send_recent(
    target: Message, sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio
) -> None:
    async with sessions() as session:
        recent = await entry_repo.recent_entries(session, portfolio.id)
    if not recent:
        await reply(target, texts.ENTRIES_NONE)
        return
    rows: list[list[Button]] = [[(entry_title(e), EntryCB(e=e.id, act="open"))] for e in recent]
    await reply(target, texts.ENTRIES_HEAD, reply_markup=keyboard(rows))


def build_router() -> Router:
    router = Router(name="entries")

    @router.message(Command("entries"))
    async def entries(
        message: Message, sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio | None
    ) -> None:
        if portfolio is None:
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        await send_recent(message, sessions, portfolio)

    @router.callback_query(EntryCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: EntryCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        person: Person | None,
        registry: Registry,
        now: datetime,
        update_id: int | None,
        **context: Any,
    ) -> None:
        act = callback_data.act
        async with sessions() as session:
            entry = (
                await entry_repo.entry_in_portfolio(
                    session, callback_data.e, portfolio.id, include_deleted=True
                )
                if portfolio
                else None
            )
            history = (
                await entry_repo.revisions(session, entry.id) if entry and act == "hist" else []
            )
        if entry is None or person is None or query.message is None:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        if entry.deleted_at is not None and act != "undo":
            await query.answer(texts.ENTRY_GONE, show_alert=True)
            return
        await query.answer()
        target = query.message
        if act == "open":
            await reply(target, entry_view(entry, registry), reply_markup=entry_keyboard(entry))
        elif act == "hist":
            lines = [
                texts.HISTORY_LINE.format(
                    number=r.number, when=f"{r.created_at:%d %b %Y %H:%M} UTC"
                )
                for r in history
            ]
            await reply(target, "\n".join(lines))
        elif act in {"edit", "field", "save", "del", "undo"} and not may_change(
            entry.author_id, person.id
        ):
            await reply(target, texts.NOT_AUTHOR)
        elif act == "edit":
            fields = editable_fields(Kind(entry.kind))
            buttons = [(f.label, EntryCB(e=entry.id, act="field", v=f.key)) for f in fields]
            await reply(
                target,
                texts.EDIT_WHICH.format(ref=entry.ref),
                reply_markup=keyboard(chunked(buttons, 2)),
            )
        elif act == "field":
            field = next(
                (f for f in editable_fields(Kind(entry.kind)) if f.key == callback_data.v), None
            )
            if field is None:
                await reply(target, texts.EDIT_NOT_TEXT)
                return
            if await resume(target, state, sessions, portfolio):
                return
            await state.set_state(EditState.value)
            await state.set_data({"edit_entry": entry.id, "edit_field": field.key})
            current = texts.escape(str(entry.data.get(field.key) or "—"))
            await reply(target, texts.EDIT_ASK.format(field=field.label, current=current))
        elif act == "save":
            data = await state.get_data()
            waiting = await state.get_state() == EditState.value.state and "edit_value" in data
            if not waiting or data.get("edit_entry") != entry.id:
                await reply(target, texts.STALE_BUTTON)
                return
            await _save_edit(
                target, state, sessions, portfolio, person, now, update_id, data["edit_value"]
            )
        elif act == "tags":
            await reply(
                target,
                entry_view(entry, registry),
                reply_markup=suggestion_keyboard(entry, portfolio, registry, context["tagger"]),
            )
        elif act in {"del", "undo"}:
            async with writing(sessions, update_id) as session:
                live = await entry_repo.entry_in_portfolio(
                    session, entry.id, portfolio.id, include_deleted=True
                )
                live.deleted_at = now if act == "del" else None
            if act == "del":
                await reply(
                    target,
                    texts.ENTRY_DELETED.format(ref=entry.ref),
                    reply_markup=keyboard([[(texts.ENTRY_UNDO, EntryCB(e=entry.id, act="undo"))]]),
                )
            else:
                await reply(
                    target,
                    texts.ENTRY_RESTORED.format(ref=entry.ref),
                    reply_markup=entry_keyboard(entry),
                )

    @router.message(StateFilter(EditState.value), TypedText())
    async def new_value(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        person: Person | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        data = await state.get_data()
        if portfolio is None or person is None:
            await state.clear()
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        earlier = data.get("edit_value")
        try:
            text = typed_text(message.text or "")
            value = text if earlier is None else joined(earlier, text)
            if len(value) > ANSWER_LIMIT:
                raise InputError(texts.too_long(len(value), ANSWER_LIMIT))
        except InputError as err:
            await reply(message, texts.escape(err.message))
            return
        if earlier is None and not may_have_more(message.text or ""):
            await _save_edit(message, state, sessions, portfolio, person, now, update_id, value)
            return
        # A long text may come in parts (Telegram's apps cut at 4,096): save it on a tap.
        await state.update_data(edit_value=value)
        lead = f"{texts.JOINED_PARTS}\n\n" if earlier is not None else ""
        save = keyboard([[(texts.SAVE, EntryCB(e=int(data.get("edit_entry", 0)), act="save"))]])
        try:
            await reply(message, lead + texts.LONG_EDIT_HOLD, reply_markup=save)
        except TelegramAPIError:
            await state.set_data(data)  # not shown: the text sent again is not a second part
            raise

    return router


async def _save_edit(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    person: Person,
    now: datetime,
    update_id: int | None,
    value: str,
) -> None:
    """The new text of the field being edited, as a new revision (the earlier one is kept)."""
    data = await state.get_data()
    async with writing(sessions, update_id) as session:
        entry = await entry_repo.entry_in_portfolio(
            session, int(data.get("edit_entry", 0)), portfolio.id
        )
        if entry is not None and not may_change(entry.author_id, person.id):
            entry = None
        revision = (
            await entry_repo.revise_entry(
                session,
                entry,
                author_id=person.id,
                now=now,
                changes={data["edit_field"]: value},
            )
            if entry
            else None
        )
    await state.clear()
    if entry is None or revision is None:
        await reply(target, texts.ENTRY_GONE)
        return
    await reply(
        target,
        texts.EDITED.format(ref=entry.ref, number=revision.number),
        reply_markup=entry_keyboard(entry),
    )
