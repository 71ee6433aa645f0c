"""/names: the names an ST1379 apprentice's evidence holds besides their mentees' (a colleague,
a manager, a site), which anonymised exports replace by a label ("Colleague A"). Add one with
a button and a typed name, remove one with its button.

Labels and matching: journal.anonymisation (ADDED_KINDS, added_label); rows:
storage.anonymisation_names.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.filters import TypedText
from handlers.keyboards import Button, chunked, keyboard
from handlers.replies import reply
from handlers.st1379_access import follows_st1379, not_for_this_journal
from journal.anonymisation import ADDED_KINDS
from journal.parsing import InputError, clean_text
from journal.textnorm import shorten
from storage import anonymisation_names as repo
from storage.models import Person, Portfolio
from storage.uow import writing

NAME_LIMIT = 120  # the column's length
BUTTON_NAME_CHARS = 24


class NamesCB(CallbackData, prefix="nm"):
    act: str  # "add" (v: the kind), "rm" (v: the row id), "x" cancel
    v: str = ""


class NamesState(StatesGroup):
    name = State()


async def _list(
    sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio
) -> tuple[str, InlineKeyboardMarkup]:
    async with sessions() as session:
        rows = await repo.listed(session, portfolio.id)
    lines = [texts.NAMES_HEAD, ""]
    lines += [
        texts.NAMES_LINE.format(name=texts.escape(r.name), label=texts.escape(r.label))
        for r in rows
    ] or [texts.NAMES_NONE]
    buttons: list[list[Button]] = chunked(
        [(label, NamesCB(act="add", v=kind)) for kind, label in texts.NAMES_ADD.items()], 2
    )
    buttons += [
        [
            (
                texts.NAMES_REMOVE.format(name=shorten(r.name, BUTTON_NAME_CHARS)),
                NamesCB(act="rm", v=str(r.id)),
            )
        ]
        for r in rows
    ]
    return "\n".join(lines), keyboard(buttons)


def build_router() -> Router:
    router = Router(name="names")

    @router.message(Command("names"))
    async def names(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
    ) -> None:
        if await not_for_this_journal(
            message, portfolio, texts.NAMES_ONLY_ST1379, sessions=sessions, person=person
        ):
            return
        if await state.get_state() == NamesState.name.state:
            await state.clear()
        text, markup = await _list(sessions, portfolio)
        await reply(message, text, reply_markup=markup)

    @router.callback_query(NamesCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: NamesCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        target = query.message
        if portfolio is None or target is None or not follows_st1379(portfolio):
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        act, value = callback_data.act, callback_data.v
        if act == "add" and value in ADDED_KINDS:
            await query.answer()
            await state.set_state(NamesState.name)
            await state.set_data({"kind": value})
            cancel = keyboard([[(texts.CANCEL, NamesCB(act="x"))]])
            await reply(target, texts.NAMES_ASK[value], reply_markup=cancel)
        elif act == "x" and await state.get_state() == NamesState.name.state:
            await query.answer()
            await state.clear()
            await reply(target, texts.CANCELLED)
        elif act == "rm" and value.isdigit():
            async with writing(sessions, update_id) as session:
                removed = await repo.remove(session, portfolio.id, int(value), now)
                label = removed.label if removed else None
            if label is None:  # another portfolio's row, or removed already
                await query.answer(texts.NAMES_GONE, show_alert=True)
                return
            await query.answer()
            text, markup = await _list(sessions, portfolio)
            removed_text = texts.NAMES_REMOVED.format(label=texts.escape(label))
            await reply(target, f"{removed_text}\n\n{text}", reply_markup=markup)
        else:
            await query.answer(texts.STALE_BUTTON, show_alert=True)

    @router.message(StateFilter(NamesState.name), TypedText())
    async def typed(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        kind = (await state.get_data()).get("kind")
        if portfolio is None or person is None or kind not in ADDED_KINDS:
            await state.clear()
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        cancel = keyboard([[(texts.CANCEL, NamesCB(act="x"))]])
        try:
            name = " ".join(clean_text(message.text or "", field="name").split())
        except InputError as err:
            await reply(message, texts.escape(err.message), reply_markup=cancel)
            return
        if len(name) > NAME_LIMIT:
            await reply(message, texts.NAMES_TOO_LONG.format(limit=NAME_LIMIT), reply_markup=cancel)
            return
        async with writing(sessions, update_id) as session:
            row, new = await repo.add(session, portfolio.id, name, kind, person.id, now)
            shown, label = row.name, row.label
        await state.clear()
        if not new:
            said = texts.NAMES_ALREADY
        else:
            said = texts.NAMES_SITE_ADDED if kind == "site" else texts.NAMES_ADDED
        text, markup = await _list(sessions, portfolio)
        added = said.format(name=texts.escape(shown), label=texts.escape(label))
        await reply(message, f"{added}\n\n{text}", reply_markup=markup)

    return router
