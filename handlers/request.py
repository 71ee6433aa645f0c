"""/request: a mentee asks one of their supervisors to confirm a session's hours, give
feedback on a session or write a testimony.

The steps (what, which supervisor, which recent session) travel in the buttons, so a stale or
forged button is told so and writes nothing; the request itself is a prompt scheduled through
storage.prompts.schedule_request, sent by the prompt sender and answered in
handlers.prompt_answers.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import RequestCB
from handlers.keyboards import Button, chunked, keyboard
from journal.entries import Kind
from journal.hours import format_minutes
from journal.prompting import RequestKind
from storage import people
from storage import prompts as prompt_repo
from storage.models import Entry, Membership, Person, Portfolio
from storage.uow import writing

SESSIONS_OFFERED = 6
WHAT = {"h": RequestKind.HOURS, "f": RequestKind.FEEDBACK, "t": RequestKind.TESTIMONY}


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


def _requested(what: RequestKind, ref: str) -> str:
    if what == RequestKind.HOURS:
        return texts.REQUEST_WHAT_HOURS.format(ref=ref)
    if what == RequestKind.FEEDBACK:
        return texts.REQUEST_WHAT_FEEDBACK.format(ref=ref)
    return texts.REQUEST_WHAT_TESTIMONY


# --- Router ---------------------------------------------------------------------------------


def build_router() -> Router:
    router = Router(name="request")

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

    return router
