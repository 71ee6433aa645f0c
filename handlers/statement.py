"""/statement: the ST1379 employer and apprentice statement (journal.statement), confirmed by
each party in the chat.

The message shows the exact text, how many pieces of evidence it covers and their fingerprint,
and each party's confirmation. "I confirm" carries the short fingerprint of the evidence shown:
a tap after the evidence changed confirms nothing and shows the statement as it is now. The
apprentice can send it to their employer; each confirmation is told to the other party.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.gateway_view import StatementCB, at_text, load, notify, show_every_side, viewer_of
from handlers.keyboards import Button, keyboard
from handlers.replies import reply
from handlers.st1379_access import follows_st1379
from journal.frameworks.registry import Registry
from journal.statement import Party, may_confirm, short, statement_text
from storage import statements as statement_repo
from storage.gateway import Gateway
from storage.models import Person, Portfolio
from storage.uow import writing


def party_line(gw: Gateway, party: Party) -> str:
    found = gw.statement.of(party)
    name = texts.STATEMENT_PARTY[party]
    if found is None:
        return texts.STATEMENT_NOT_YET.format(party=name)
    line = (
        texts.STATEMENT_CONFIRMED_BY if gw.statement.current(party) else texts.STATEMENT_OUT_OF_DATE
    )
    return line.format(party=name, who=texts.escape(found.person), at=at_text(found.confirmed_at))


def render(
    gw: Gateway, viewer: Party, pid: int, employers: list[Person], *, lead: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    body = texts.STATEMENT_BODY.format(
        text=texts.escape(statement_text(gw.apprentice)),
        pieces=gw.pieces,
        fingerprint=short(gw.fingerprint),
    )
    lines = [
        texts.STATEMENT_HEAD,
        body,
        "",
        party_line(gw, Party.APPRENTICE),
        party_line(gw, Party.EMPLOYER),
    ]
    rows: list[list[Button]] = []
    if not gw.statement.current(viewer):
        rows.append(
            [(texts.STATEMENT_CONFIRM, StatementCB(p=pid, act="ok", f=short(gw.fingerprint)))]
        )
    if viewer == Party.APPRENTICE and employers and not gw.statement.current(Party.EMPLOYER):
        who = employers[0].name  # a button's label is plain text, never HTML
        rows.append([(texts.STATEMENT_ASK_EMPLOYER.format(who=who), StatementCB(p=pid, act="ask"))])
    text = "\n".join(lines)
    return (f"{lead}\n\n{text}" if lead else text), keyboard(rows)


def build_router() -> Router:
    router = Router(name="statement")

    @router.message(Command("statement"))
    async def statement(
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

    @router.callback_query(StatementCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: StatementCB,
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
        pid, act = callback_data.p, callback_data.act
        async with sessions() as session:
            viewer = await viewer_of(session, person, portfolio, pid)
            target_portfolio = await session.get(Portfolio, pid) if viewer else None
        target = query.message
        if viewer is None or person is None or target_portfolio is None or target is None:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        if not follows_st1379(target_portfolio) or act not in {"show", "ok", "ask"}:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        if act == "ask" and viewer != Party.APPRENTICE:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        gw, employers = await load(sessions, target_portfolio, files_root, now, today, registry)
        if act == "show":
            await query.answer()
            text, markup = render(gw, viewer, pid, employers)
            await reply(target, text, reply_markup=markup)
            return
        if act == "ask":
            await query.answer()
            if not employers:
                await reply(target, texts.GATEWAY_NO_EMPLOYER)
                return
            employer = employers[0]
            lead = texts.STATEMENT_ASK_LEAD.format(apprentice=texts.escape(gw.apprentice))
            text, markup = render(gw, Party.EMPLOYER, pid, employers, lead=lead)
            who = texts.escape(employer.name)
            delivered = await notify(bot, employer, text, markup)
            await reply(
                target,
                texts.STATEMENT_ASKED.format(who=who)
                if delivered
                else texts.GATEWAY_NOT_DELIVERED.format(who=who),
            )
            return
        # "ok": confirm, only for the evidence the button was made for.
        if gw.statement.current(viewer):
            await query.answer(texts.STATEMENT_ALREADY, show_alert=True)
            return
        if not may_confirm(gw.statement, viewer, callback_data.f):
            await query.answer()
            text, markup = render(gw, viewer, pid, employers, lead=texts.STATEMENT_CHANGED)
            await reply(target, text, reply_markup=markup)
            return
        try:
            async with writing(sessions, update_id) as session:
                row = await statement_repo.confirm(
                    session,
                    portfolio_id=pid,
                    party=viewer,
                    person=person,
                    text=statement_text(gw.apprentice),
                    fingerprint=gw.fingerprint,
                    pieces=gw.pieces,
                    now=now,
                )
                mentor = await session.get(Person, target_portfolio.mentor_id)
        except IntegrityError:
            row = None
        if row is None:
            # Another employer's tap of the same moment confirmed it: one confirmation, one notice.
            await query.answer(texts.STATEMENT_ALREADY, show_alert=True)
            return
        await query.answer()
        gw, employers = await load(sessions, target_portfolio, files_root, now, today, registry)
        text, markup = render(
            gw, viewer, pid, employers, lead=texts.STATEMENT_DONE.format(at=at_text(now))
        )
        await reply(target, text, reply_markup=markup)
        notice = texts.STATEMENT_NOTICE.format(who=texts.escape(person.name))
        if viewer == Party.EMPLOYER and mentor is not None:
            await notify(bot, mentor, notice, None)
        elif employers and not gw.statement.current(Party.EMPLOYER):
            # The employer's turn: the statement with their button, as "Ask" would send it.
            text, markup = render(gw, Party.EMPLOYER, pid, employers, lead=notice)
            await notify(bot, employers[0], text, markup)

    return router
