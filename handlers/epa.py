"""/epa: the ST1379 apprentice picks the pieces of the gateway portfolio and writes, for each
piece, one line on how it shows every KSB it is mapped to (rules: journal.epa_selection).

Only the apprentice (the journal's mentor) reaches it: the buttons name entry ids, and each
tap is checked against the tapper's own journal, so a forged or stale button writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, MaybeInaccessibleMessage, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.epa_view import EpaCB, overview
from handlers.filters import TypedText
from handlers.keyboards import keyboard
from handlers.replies import reply
from handlers.st1379_access import not_for_this_journal
from journal.epa_selection import (
    LINE_LIMIT,
    Refusal,
    is_employer_contribution,
    missing_lines,
    one_line,
    refusal,
    selection,
)
from journal.frameworks.registry import Registry
from journal.snapshot import EntryRecord, PortfolioSnapshot
from journal.st1379_rules import ST1379
from journal.textnorm import shorten
from storage import epa_selection as repo
from storage import gateway as gateway_repo
from storage.db import snapshot_session
from storage.models import Entry, Person, Portfolio
from storage.snapshots import load_snapshot
from storage.uow import writing


class EpaState(StatesGroup):
    line = State()  # data: entry (id), ksb (criterion id), skipped (criterion ids "id|ksb")
    observed = State()  # data: entry (id)


def _follows(portfolio: Portfolio | None) -> bool:
    return portfolio is not None and any(pf.framework_id == ST1379 for pf in portfolio.frameworks)


async def _snapshot(
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    files_root: Path,
    now: datetime,
) -> tuple[PortfolioSnapshot, dict[str, int]]:
    """The journal as plain data, and each live entry's ref -> id (what buttons carry)."""
    async with snapshot_session(sessions) as session:
        snapshot = await load_snapshot(session, portfolio.id, files_root, now)
        ids = dict(
            (
                await session.execute(
                    select(Entry.ref, Entry.id).where(
                        Entry.portfolio_id == portfolio.id, Entry.deleted_at.is_(None)
                    )
                )
            ).all()
        )
    return snapshot, ids


async def locked_text(sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio) -> str:
    """Why the selection can't change, once the employer confirmed the gateway with it (the
    portfolio submitted at the gateway is the one the statement and the employer confirmed);
    "" while it may change."""
    async with sessions() as session:
        day = await gateway_repo.gateway_on(session, portfolio.id)
    return texts.EPA_LOCKED.format(day=f"{day:%d %b %Y}") if day else ""


async def _show(
    target: MaybeInaccessibleMessage,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    registry: Registry,
    files_root: Path,
    now: datetime,
    page: int = 0,
    before: str = "",
) -> None:
    snapshot, ids = await _snapshot(sessions, portfolio, files_root, now)
    text, markup = overview(snapshot, ids, registry, page)
    before = "\n\n".join(x for x in (await locked_text(sessions, portfolio), before) if x)
    await reply(target, f"{before}\n\n{text}" if before else text, reply_markup=markup)


async def _ask_next_line(
    target: MaybeInaccessibleMessage,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    registry: Registry,
    files_root: Path,
    now: datetime,
    before: str = "",
) -> None:
    """Ask for the first KSB line still missing (the piece just added first), or show the
    selection once every piece has its lines."""
    data = await state.get_data()
    skipped = set(data.get("skipped") or [])
    prefer = data.get("entry")
    snapshot, ids = await _snapshot(sessions, portfolio, files_root, now)
    found = selection(snapshot)
    todo = [
        (ids[c.entry.ref], c.entry.ref, k)
        for c in found.chosen
        if c.entry.ref in ids
        for k in c.missing
        if f"{ids[c.entry.ref]}|{k}" not in skipped
    ]
    todo.sort(key=lambda t: t[0] != prefer)
    if not todo:
        await state.clear()
        text, markup = overview(snapshot, ids, registry, 0)
        done = texts.EPA_ALL_LINES if not missing_lines(found.chosen) else ""
        head = "\n".join(x for x in (before, done) if x)
        await reply(target, f"{head}\n\n{text}" if head else text, reply_markup=markup)
        return
    entry_id, ref, ksb = todo[0]
    framework = registry.get(ST1379)
    criterion = next((c for c in framework.criteria if c.id == ksb), None) if framework else None
    code = criterion.code if criterion else ksb.split(":", 1)[-1]
    words = shorten(criterion.text, 160) if criterion else ""
    await state.set_state(EpaState.line)
    await state.update_data(entry=entry_id, ksb=ksb, skipped=sorted(skipped))
    question = texts.EPA_ASK_LINE.format(
        ref=ref, code=texts.escape(code), words=texts.escape(words)
    )
    markup = keyboard(
        [[(texts.EPA_SKIP, EpaCB(a="s", e=entry_id, k=code)), (texts.EPA_DONE, EpaCB(a="d"))]]
    )
    await reply(target, f"{before}\n\n{question}" if before else question, reply_markup=markup)


def _record(snapshot: PortfolioSnapshot, ref: str) -> EntryRecord | None:
    return next((e for e in snapshot.entries if e.ref == ref), None)


def build_router() -> Router:
    router = Router(name="epa")

    @router.message(Command("epa"))
    async def epa(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        registry: Registry,
        files_root: Path,
        now: datetime,
    ) -> None:
        if await not_for_this_journal(
            message, portfolio, texts.EPA_ONLY_ST1379, sessions=sessions, person=person
        ):
            return
        assert portfolio is not None
        if await state.get_state() in {s.state for s in EpaState.__states__}:
            await state.clear()
        await _show(message, sessions, portfolio, registry, files_root, now)

    @router.callback_query(EpaCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: EpaCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        registry: Registry,
        files_root: Path,
        now: datetime,
        update_id: int | None,
    ) -> None:
        target = query.message
        if person is None or portfolio is None or target is None or not _follows(portfolio):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        act, args = callback_data.a, (sessions, portfolio, registry, files_root, now)
        if act == "p":
            await query.answer()
            await _show(target, *args, page=callback_data.g)
            return
        if act == "d":
            await query.answer()
            await state.clear()
            await reply(target, texts.EPA_CLOSED)
            return
        # Everything else changes the selection or its lines: not once the gateway is confirmed.
        locked = await locked_text(sessions, portfolio)
        if locked:
            await query.answer()
            await state.clear()
            await reply(target, locked)
            return
        if act == "l":
            await query.answer()
            await state.set_data({})
            await _ask_next_line(target, state, *args)
            return
        # The rest name an entry: it must be a live entry of the tapper's own journal.
        async with sessions() as session:
            entry = await repo.live_entry(session, portfolio.id, callback_data.e)
            ref = entry.ref if entry else ""
            selected = entry is not None and entry.id in await repo.selected_ids(
                session, portfolio.id
            )
        if entry is None or act not in {"t", "s", "w", "o"}:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        if act == "s":
            data = await state.get_data()
            key = f"{entry.id}|{ST1379}:{callback_data.k}"
            if await state.get_state() != EpaState.line.state or data.get("entry") != entry.id:
                await query.answer(texts.STALE_BUTTON, show_alert=True)
                return
            await query.answer()
            await state.update_data(skipped=sorted({*(data.get("skipped") or []), key}))
            await _ask_next_line(target, state, *args)
            return
        snapshot, _ = await _snapshot(sessions, portfolio, files_root, now)
        record = _record(snapshot, ref)
        if act == "o":
            await query.answer()
            await state.clear()
            await reply(target, texts.EPA_REFUSED[Refusal.OPINION].format(ref=ref))
            return
        if act == "w":
            if record is None or refusal(record, observed="asked") is not None:
                await query.answer(texts.STALE_BUTTON, show_alert=True)
                return
            await query.answer()
            await state.set_state(EpaState.observed)
            await state.set_data({"entry": entry.id})
            await reply(target, texts.EPA_ASK_OBSERVED)
            return
        # act "t": in or out.
        await query.answer()
        if selected:
            async with writing(sessions, update_id) as session:
                await repo.remove(session, portfolio.id, entry.id)
            count = len([r for r in selection(snapshot).refs if r != ref])
            await _show(
                target,
                *args,
                page=callback_data.g,
                before=texts.EPA_REMOVED.format(ref=ref, count=count),
            )
            return
        why = refusal(record, observed="asked")
        if why is not None or record is None:
            await reply(target, texts.EPA_REFUSED[why or Refusal.GONE].format(ref=ref))
            return
        if is_employer_contribution(record):
            markup = keyboard(
                [
                    [(texts.EPA_WITNESS_YES, EpaCB(a="w", e=entry.id))],
                    [(texts.EPA_WITNESS_NO, EpaCB(a="o", e=entry.id))],
                ]
            )
            await reply(target, texts.EPA_ASK_WITNESS.format(ref=ref), reply_markup=markup)
            return
        async with writing(sessions, update_id) as session:
            await repo.add(session, entry, person.id, now)
        await state.set_data({"entry": entry.id})
        count = len(selection(snapshot).chosen) + 1
        await _ask_next_line(
            target, state, *args, before=texts.EPA_ADDED.format(ref=ref, count=count)
        )

    @router.message(StateFilter(EpaState), TypedText())
    async def typed(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        registry: Registry,
        files_root: Path,
        now: datetime,
        update_id: int | None,
    ) -> None:
        if person is None or portfolio is None or not _follows(portfolio):
            await state.clear()
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        locked = await locked_text(sessions, portfolio)
        if locked:
            await state.clear()
            await reply(message, locked)
            return
        data = await state.get_data()
        try:
            line = one_line(message.text or "")
        except ValueError as err:
            await reply(message, texts.EPA_LINE_BAD[str(err)].format(limit=LINE_LIMIT))
            return
        current = await state.get_state()
        async with sessions() as session:
            entry = await repo.live_entry(session, portfolio.id, int(data.get("entry") or 0))
        if entry is None:
            await state.clear()
            await reply(message, texts.EPA_REFUSED[Refusal.GONE])
            return
        args = (sessions, portfolio, registry, files_root, now)
        if current == EpaState.observed.state:
            async with writing(sessions, update_id) as session:
                await repo.add(session, entry, person.id, now, observed=line)
            snapshot, _ = await _snapshot(sessions, portfolio, files_root, now)
            count = len(selection(snapshot).chosen)
            await state.set_data({"entry": entry.id})
            await _ask_next_line(
                message, state, *args, before=texts.EPA_ADDED.format(ref=entry.ref, count=count)
            )
            return
        ksb = str(data.get("ksb") or "")
        if not ksb.startswith(f"{ST1379}:"):
            await state.clear()
            await reply(message, texts.STALE_BUTTON)
            return
        async with writing(sessions, update_id) as session:
            await repo.set_line(session, entry, ksb, line, person.id, now)
        code = texts.escape(ksb.split(":", 1)[1])
        await _ask_next_line(message, state, *args, before=texts.EPA_LINE_SAVED.format(code=code))

    return router
