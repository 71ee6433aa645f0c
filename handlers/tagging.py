"""Criteria for an entry: ranked suggestions to confirm with one tap, browsing, typed codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.apprenticeship import otj_saved_lines
from handlers.callbacks import MenuCB, TagCB
from handlers.criteria import criterion_from_key, criterion_key, short_code
from handlers.filters import TypedText
from handlers.flow_steps import resume
from handlers.keyboards import Button, keyboard
from handlers.progress import after_save_task_lines, hours_lines
from handlers.replies import reply
from journal.entries import FIELDS, Kind
from journal.frameworks.model import Criterion
from journal.frameworks.registry import Registry
from journal.tagging import Tagger, parse_code
from journal.textnorm import shorten
from storage import entries as entry_repo
from storage.models import TAG_BY_RULE, Entry, Person, Portfolio
from storage.uow import writing

LABEL_CHARS = 48


class TagState(StatesGroup):
    code = State()


def entry_text(entry: Entry) -> str:
    """The entry's words with their field labels, which carry meaning for the tagger."""
    labels = {f.key: f.label for f in FIELDS.get(Kind(entry.kind), ())}
    return " ".join(
        f"{labels.get(k, '')}: {v}" for k, v in entry.data.items() if isinstance(v, str) and v
    )


def followed(portfolio: Portfolio) -> list[str]:
    return [pf.framework_id for pf in portfolio.frameworks]


def _tag_button(registry: Registry, entry: Entry, criterion: Criterion, tagged: set[str]) -> Button:
    mark = "✓ " if criterion.id in tagged else ""
    label = shorten(f"{mark}{short_code(criterion)} {criterion.text}", LABEL_CHARS)
    return (label, TagCB(e=entry.id, act="x", c=criterion_key(registry, criterion.id)))


def suggestion_keyboard(
    entry: Entry, portfolio: Portfolio, registry: Registry, tagger: Tagger
) -> InlineKeyboardMarkup:
    # A tag the bot added by rule shows unticked until the mentor taps it to confirm it.
    tagged = {t.criterion_id for t in entry.tags if t.source != TAG_BY_RULE}
    by_rule = [t.criterion_id for t in entry.tags if t.source == TAG_BY_RULE]
    suggested = [
        s.criterion_id
        for s in tagger.suggest(
            entry.kind,
            entry_text(entry),
            followed(portfolio),
            duration_minutes=entry.duration_minutes,
        )
    ]
    shown = [*[t for t in tagged if t not in suggested], *suggested]
    shown += [t for t in by_rule if t not in shown]
    criteria = [c for c in (registry.criterion(cid) for cid in shown) if c is not None]
    rows: list[list[Button]] = [[_tag_button(registry, entry, c, tagged)] for c in criteria]
    rows.append(
        [
            (texts.MORE, TagCB(e=entry.id, act="m")),
            (texts.TYPE_CODE, TagCB(e=entry.id, act="k")),
            (texts.DONE, TagCB(e=entry.id, act="d")),
        ]
    )
    return keyboard(rows)


async def send_suggestions(
    target: Message,
    entry: Entry,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    registry: Registry,
    tagger: Tagger,
) -> None:
    lines = [texts.SAVED.format(ref=entry.ref)]
    if entry.kind == "session":
        lines += await hours_lines(sessions, portfolio, registry)
    if entry.kind == Kind.OTJ:
        lines += await otj_saved_lines(sessions, entry, portfolio, registry)
    # What the entry counts for in the assessed tasks, what they still need, and a button.
    task_lines, task_buttons = await after_save_task_lines(sessions, portfolio, registry, entry.ref)
    lines += task_lines
    lines.append(texts.SUGGESTED)
    markup = suggestion_keyboard(entry, portfolio, registry, tagger)
    markup.inline_keyboard.extend(keyboard(task_buttons).inline_keyboard)
    await reply(target, "\n".join(lines), reply_markup=markup)


def _unit_keyboard(entry: Entry, portfolio: Portfolio, registry: Registry) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = []
    for framework_id in followed(portfolio):
        framework = registry.get(framework_id)
        if framework is None:
            continue
        for n, unit in enumerate(framework.units):
            rows.append(
                [
                    (
                        shorten(f"{unit.code} {unit.title}", LABEL_CHARS),
                        TagCB(e=entry.id, act="u", c=f"{framework.id}.{n}"),
                    )
                ]
            )
    rows.append([(texts.DONE, TagCB(e=entry.id, act="d"))])
    return keyboard(rows)


def _criteria_keyboard(
    entry: Entry, registry: Registry, framework_id: str, unit_index: int
) -> InlineKeyboardMarkup | None:
    framework = registry.get(framework_id)
    if framework is None or not 0 <= unit_index < len(framework.units):
        return None
    tagged = {t.criterion_id for t in entry.tags}
    unit = framework.units[unit_index]
    rows = [[_tag_button(registry, entry, c, tagged)] for c in unit.criteria]
    rows.append(
        [(texts.BACK, TagCB(e=entry.id, act="m")), (texts.DONE, TagCB(e=entry.id, act="d"))]
    )
    return keyboard(rows)


def _code_keyboard(entry_id: int) -> InlineKeyboardMarkup:
    """Instead of typing a code: browse the units, or finish."""
    return keyboard(
        [[(texts.BACK, TagCB(e=entry_id, act="m")), (texts.DONE, TagCB(e=entry_id, act="d"))]]
    )


def next_step_keyboard() -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                (texts.MENU_LOG, MenuCB(act="log")),
                (texts.MENU_PROGRESS, MenuCB(act="progress")),
                (texts.MENU_ENTRIES, MenuCB(act="entries")),
            ]
        ]
    )


def build_router() -> Router:
    router = Router(name="tagging")

    @router.callback_query(TagCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: TagCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        person: Person | None,
        registry: Registry,
        tagger: Tagger,
        now: datetime,
        update_id: int | None,
    ) -> None:
        if portfolio is None or person is None or query.message is None:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        act = callback_data.act
        if act == "x":
            criterion = criterion_from_key(registry, callback_data.c, followed(portfolio))
            if criterion is None:
                await query.answer(texts.STALE_BUTTON, show_alert=True)
                return
            # One transaction reads, checks and toggles: the tap that runs most often.
            async with writing(sessions, update_id) as session:
                entry = await entry_repo.entry_in_portfolio(
                    session, callback_data.e, portfolio.id, tags_only=True
                )
                if entry is not None:
                    await entry_repo.toggle_tag(session, entry, criterion.id, person.id, now)
            if entry is None:
                await query.answer(texts.NOT_YOURS, show_alert=True)
                return
            await query.answer()
            markup = suggestion_keyboard(entry, portfolio, registry, tagger)
            if isinstance(query.message, Message):
                await query.message.edit_reply_markup(reply_markup=markup)
            else:
                # Too old to edit (over 48 hours): show the updated buttons afresh.
                await reply(query.message, texts.SUGGESTED, reply_markup=markup)
            return
        async with sessions() as session:
            entry = await entry_repo.entry_in_portfolio(
                session, callback_data.e, portfolio.id, tags_only=True
            )
        if entry is None:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        await query.answer()
        if act != "k" and await state.get_state() == TagState.code.state:
            # Another button instead of typing the code: the next message is not a code.
            await state.clear()
        if act == "m":
            await reply(
                query.message,
                texts.PICK_UNIT,
                reply_markup=_unit_keyboard(entry, portfolio, registry),
            )
        elif act == "u":
            framework_id, _, index = callback_data.c.partition(".")
            markup = (
                _criteria_keyboard(entry, registry, framework_id, int(index))
                if index.isdigit() and framework_id in followed(portfolio)
                else None
            )
            if markup is None:
                await reply(query.message, texts.STALE_BUTTON)
                return
            unit = registry.get(framework_id).units[int(index)]
            await reply(
                query.message,
                texts.PICK_CRITERION.format(unit=texts.escape(unit.code), ref=entry.ref),
                reply_markup=markup,
            )
        elif act == "k":
            if await resume(query.message, state, sessions, portfolio):
                return
            await state.set_state(TagState.code)
            await state.update_data(tag_entry=entry.id)
            await reply(query.message, texts.ASK_CODE, reply_markup=_code_keyboard(entry.id))
        else:
            await reply(
                query.message,
                texts.TAGS_DONE.format(
                    ref=entry.ref,
                    criteria=texts.count_of(
                        len(entry.tags), "criterion", "criteria", zero="no criteria yet"
                    ),
                ),
                reply_markup=next_step_keyboard(),
            )

    @router.message(StateFilter(TagState.code), TypedText())
    async def typed_code(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        person: Person | None,
        registry: Registry,
        tagger: Tagger,
        now: datetime,
        update_id: int | None,
        **_: Any,
    ) -> None:
        data = await state.get_data()
        if portfolio is None or person is None:
            await state.clear()
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        frameworks = [f for f in (registry.get(i) for i in followed(portfolio)) if f]
        found = parse_code((message.text or "")[:100], frameworks)
        if not found:
            await reply(
                message,
                texts.UNKNOWN_CODE.format(code=texts.escape((message.text or "")[:40])),
                reply_markup=_code_keyboard(int(data.get("tag_entry", 0))),
            )
            return
        async with writing(sessions, update_id) as session:
            entry = await entry_repo.entry_in_portfolio(
                session, int(data.get("tag_entry", 0)), portfolio.id
            )
            if entry is not None:
                for criterion_id in found:
                    if criterion_id not in {t.criterion_id for t in entry.tags}:
                        await entry_repo.toggle_tag(session, entry, criterion_id, person.id, now)
        await state.clear()
        if entry is None:
            await reply(message, texts.ENTRY_GONE, reply_markup=next_step_keyboard())
            return
        codes = ", ".join(short_code(registry.criterion(c)) for c in found)
        await reply(
            message,
            texts.TAGGED.format(ref=entry.ref, codes=texts.escape(codes)),
            reply_markup=suggestion_keyboard(entry, portfolio, registry, tagger),
        )

    return router
