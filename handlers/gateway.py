"""/gateway: the ST1379 gateway checklist (journal.gateway), for the apprentice and their
employer, with a button to the next step of each item still missing.

The apprentice records English and maths (or the employer does) and asks the employer to look;
the employer records their decision and, once every other item is met, confirms the gateway in
one tap (the day is the gateway date). Every button carries the portfolio and is checked
against who taps it: someone else's, or a forged one, is refused and writes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.gateway_view import (
    GatewayCB,
    at_text,
    day_text,
    em_keyboard,
    load,
    notify,
    render,
    show_every_side,
    viewer_of,
)
from handlers.recordings import start_recording
from handlers.replies import reply
from handlers.st1379_access import follows_st1379
from journal.frameworks.registry import Registry
from journal.gateway import ALTERNATIVES, basis_allowed
from journal.statement import Party
from storage import gateway as repo
from storage.models import Person, Portfolio
from storage.uow import writing


def build_router() -> Router:
    router = Router(name="gateway")

    @router.message(Command("gateway"))
    async def gateway(
        message: Message,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        files_root: Path,
        registry: Registry,
        now: datetime,
        today: date,
    ) -> None:
        await show_every_side(
            message, sessions, person, portfolio, files_root, registry, now, today, render
        )

    @router.callback_query(GatewayCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: GatewayCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        files_root: Path,
        registry: Registry,
        bot: Bot,
        now: datetime,
        today: date,
        update_id: int | None,
    ) -> None:
        pid, act, value = callback_data.p, callback_data.act, callback_data.v
        async with sessions() as session:
            viewer = await viewer_of(session, person, portfolio, pid)
            target_portfolio = await session.get(Portfolio, pid) if viewer else None
        target = query.message
        if viewer is None or person is None or target_portfolio is None or target is None:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        if not follows_st1379(target_portfolio):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        employer_only = {"dec", "ok"}
        apprentice_only = {"ask", "rec"}
        if (act in employer_only and viewer != Party.EMPLOYER) or (
            act in apprentice_only and viewer != Party.APPRENTICE
        ):
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        if act == "em":
            await query.answer()
            await reply(
                target,
                texts.GATEWAY_EM_ASK.format(
                    **{k: texts.escape(v) for k, v in ALTERNATIVES.items()}
                ),
                reply_markup=em_keyboard(pid),
            )
            return
        if act in {"en", "ma"}:
            subject = "english" if act == "en" else "maths"
            if not basis_allowed(subject, value):
                await query.answer(texts.STALE_BUTTON, show_alert=True)
                return
            await query.answer()
            async with writing(sessions, update_id) as session:
                await repo.record(
                    session,
                    portfolio_id=pid,
                    kind=subject,
                    person=person,
                    role=str(viewer),
                    now=now,
                    value=value,
                )
            saved = texts.GATEWAY_EM_SAVED.format(
                subject=texts.GATEWAY_EM_SUBJECT[subject], basis=texts.GATEWAY_BASIS[value]
            )
            await _show(
                target, sessions, target_portfolio, viewer, files_root, now, today, saved, registry
            )
            return
        if act == "rec":
            await query.answer()
            await start_recording(target, state)
            return
        gw, employers = await load(sessions, target_portfolio, files_root, now, today, registry)
        if act == "ask":
            await query.answer()
            if not employers:
                await reply(target, texts.GATEWAY_NO_EMPLOYER)
                return
            employer = employers[0]
            text, markup = render(
                gw,
                Party.EMPLOYER,
                pid,
                employers,
                lead=texts.GATEWAY_ASK_LEAD.format(apprentice=texts.escape(gw.apprentice)),
            )
            delivered = await notify(bot, employer, text, markup)
            who = texts.escape(employer.name)
            await reply(
                target,
                texts.GATEWAY_ASKED.format(who=who)
                if delivered
                else texts.GATEWAY_NOT_DELIVERED.format(who=who),
            )
            return
        if act == "dec":
            decision = gw.checklist.facts.decision
            if decision is not None:
                await query.answer(texts.GATEWAY_DECIDED_ALREADY.format(at=at_text(decision.at)))
                return
            written = await _record_once(
                sessions, update_id, pid, repo.Kind.DECISION, person, str(viewer), now
            )
            if not written:
                # Another employer's tap came first, in the same moment.
                await query.answer(texts.GATEWAY_DECIDED_BY_OTHER, show_alert=True)
                return
            await query.answer()
            lead = texts.GATEWAY_DECIDED.format(apprentice=texts.escape(gw.apprentice))
            await _show(
                target, sessions, target_portfolio, viewer, files_root, now, today, lead, registry
            )
            return
        if act == "ok":
            cl = gw.checklist
            if cl.confirmed and cl.facts.gateway_on is not None:
                already = texts.GATEWAY_CONFIRMED_ALREADY.format(day=day_text(cl.facts.gateway_on))
                await query.answer(already, show_alert=True)
                return
            if not cl.ready:
                await query.answer()
                missing = "\n".join(f"• {texts.GATEWAY_MISSING[i]}" for i in cl.missing)
                await reply(target, texts.GATEWAY_NOT_READY.format(missing=missing))
                return
            written = await _record_once(
                sessions, update_id, pid, repo.Kind.GATEWAY, person, str(viewer), now, today
            )
            if not written:
                # Another employer's tap came first, in the same moment: theirs is the record.
                await query.answer(
                    texts.GATEWAY_CONFIRMED_ALREADY.format(day=day_text(today)), show_alert=True
                )
                return
            await query.answer()
            async with sessions() as session:
                mentor = await session.get(Person, target_portfolio.mentor_id)
            await reply(
                target,
                texts.GATEWAY_CONFIRMED.format(
                    day=day_text(today), apprentice=texts.escape(gw.apprentice)
                ),
            )
            if mentor is not None:
                notice = texts.GATEWAY_NOTICE.format(
                    who=texts.escape(person.name), day=day_text(today)
                )
                await notify(bot, mentor, notice, None)
            return
        await query.answer(texts.STALE_BUTTON, show_alert=True)

    return router


async def _record_once(
    sessions: async_sessionmaker[AsyncSession],
    update_id: int | None,
    pid: int,
    kind: str,
    person: Person,
    role: str,
    now: datetime,
    on_date: date | None = None,
) -> bool:
    """Write the decision or the gateway unless one is there: False when another employer's
    tap of the same moment wrote it (seen inside the write on SQLite, where writers queue; the
    unique constraint's refusal on PostgreSQL, where they run side by side)."""
    try:
        async with writing(sessions, update_id) as session:
            row = await repo.record(
                session,
                portfolio_id=pid,
                kind=kind,
                person=person,
                role=role,
                now=now,
                on_date=on_date,
            )
    except IntegrityError:
        return False
    return row is not None


async def _show(
    target: Message,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    viewer: Party,
    files_root: Path,
    now: datetime,
    today: date,
    lead: str,
    registry: Registry,
) -> None:
    gw, employers = await load(sessions, portfolio, files_root, now, today, registry)
    text, markup = render(gw, viewer, portfolio.id, employers, lead=lead)
    await reply(target, text, reply_markup=markup)
