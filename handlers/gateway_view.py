"""What the ST1379 gateway journey shows (handlers.gateway, handlers.statement): the
checklist of journal.gateway with a button to the next step of each missing item, for the
apprentice and for their employer; the buttons' payloads; who is looking; and the message to
the other party.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import ApprenticeshipCB, Id, InviteCB, OtjCB
from handlers.epa import EpaCB
from handlers.keyboards import Button, keyboard
from handlers.replies import reply
from handlers.st1379_access import follows_st1379
from journal.apprenticeship import FRAMEWORK
from journal.frameworks.registry import Registry
from journal.gateway import SUBJECTS, Item
from journal.hours import format_minutes
from journal.prompting import local_day
from journal.recordings import MIN_SECONDS, recordings_status
from journal.statement import Party
from storage import gateway as repo
from storage.gateway import Gateway
from storage.models import Person, Portfolio
from storage.people import Role, membership

log = logging.getLogger(__name__)


class GatewayCB(CallbackData, prefix="gw"):
    """A gateway button: `p` the portfolio (checked against who taps), `act` what to do:
    em (English and maths choices), en/ma (record English/maths, `v` the basis), ask (send the
    employer the checklist), dec (the employer's decision), ok (confirm the gateway), rec (add
    a recording)."""

    p: Id
    act: str
    v: str = ""


def at_text(value: datetime) -> str:
    return f"{value:%d %b %Y %H:%M} UTC"


def day_text(value: date) -> str:
    return f"{value:%d %b %Y}"


async def viewer_of(
    session: AsyncSession, person: Person | None, own: Portfolio | None, portfolio_id: int
) -> Party | None:
    """Who is looking at portfolio `portfolio_id`: its apprentice, its employer, or nobody."""
    if person is None:
        return None
    if own is not None and own.id == portfolio_id:
        return Party.APPRENTICE
    found = await membership(session, portfolio_id, person.id, {Role.EMPLOYER})
    return Party.EMPLOYER if found is not None else None


async def load(
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    files_root: Path,
    now: datetime,
    today: date,
    registry: Registry,
) -> tuple[Gateway, list[Person]]:
    async with sessions() as session:
        found = await repo.load(session, portfolio, files_root, now, today, registry.get(FRAMEWORK))
        employers = await repo.employers(session, portfolio.id)
    return found, employers


Render = Callable[[Gateway, Party, int, list[Person]], tuple[str, InlineKeyboardMarkup]]


async def show_every_side(
    message: Message,
    sessions: async_sessionmaker[AsyncSession],
    person: Person | None,
    portfolio: Portfolio | None,
    files_root: Path,
    registry: Registry,
    now: datetime,
    today: date,
    render: Render,
) -> None:
    """/gateway and /statement: the apprentice's own, then that of each apprentice this person
    is the employer of (one person can be both)."""
    if person is None:
        await reply(message, texts.NEEDS_START)
        return
    sides: list[tuple[Portfolio, Party]] = []
    if portfolio is not None and follows_st1379(portfolio):
        sides.append((portfolio, Party.APPRENTICE))
    async with sessions() as session:
        sides += [(theirs, Party.EMPLOYER) for theirs in await repo.employed(session, person)]
    for shown, party in sides:
        gw, employers = await load(sessions, shown, files_root, now, today, registry)
        text, markup = render(gw, party, shown.id, employers)
        await reply(message, text, reply_markup=markup)
    if not sides:
        await reply(
            message, texts.GATEWAY_ONLY_ST1379 if portfolio is not None else texts.NEEDS_PORTFOLIO
        )


def statement_state_text(gw: Gateway) -> str:
    state = gw.statement
    parts = []
    if state.missing:
        parts.append(
            texts.STATEMENT_STATE["missing"].format(parties=" and the ".join(state.missing))
        )
    if state.out_of_date:
        parts.append(
            texts.STATEMENT_STATE["stale"].format(parties=" and the ".join(state.out_of_date))
        )
    return "; ".join(parts)


def checklist_lines(gw: Gateway) -> list[str]:
    cl, facts = gw.checklist, gw.checklist.facts
    plan = facts.plan

    def mark(item: Item) -> str:
        return texts.GATEWAY_MET if cl.met[item] else texts.GATEWAY_TODO

    if plan is None:
        on_programme, otj = texts.GATEWAY_NO_PLAN, texts.GATEWAY_OTJ_NO_PLAN
    else:
        on_programme = (
            texts.GATEWAY_ON_PROGRAMME_MET.format(start=day_text(plan.start_on))
            if cl.met[Item.ON_PROGRAMME]
            else texts.GATEWAY_ON_PROGRAMME_FROM.format(day=day_text(cl.on_programme_from))
        )
        otj = texts.GATEWAY_OTJ.format(
            confirmed=format_minutes(facts.confirmed_minutes),
            minimum=format_minutes(plan.minimum_minutes),
        )
    subjects = {}
    for subject, found in (("english", facts.english), ("maths", facts.maths)):
        name = texts.GATEWAY_EM_SUBJECT[subject]
        subjects[subject] = (
            texts.GATEWAY_EM_ONE.format(
                subject=name,
                basis=texts.GATEWAY_BASIS.get(found.value, found.value),
                who=texts.escape(found.who),
            )
            if found
            else texts.GATEWAY_EM_NONE.format(subject=name)
        )
    decision = (
        texts.GATEWAY_DECISION_MET.format(
            who=texts.escape(facts.decision.who), at=at_text(facts.decision.at)
        )
        if facts.decision
        else texts.GATEWAY_DECISION_TODO
    )
    statement = (
        texts.GATEWAY_STATEMENT_MET
        if cl.met[Item.STATEMENT]
        else texts.GATEWAY_STATEMENT_TODO.format(state=statement_state_text(gw))
    )
    portfolio = texts.GATEWAY_PORTFOLIO.format(
        pieces=facts.portfolio.pieces, low=facts.portfolio.low, high=facts.portfolio.high
    )
    if facts.portfolio.missing:
        portfolio += "\n" + "\n".join(
            texts.GATEWAY_PORTFOLIO_MISSING.format(what=texts.escape(m))
            for m in facts.portfolio.missing
        )
    lines = [
        f"{mark(Item.ON_PROGRAMME)} {on_programme}",
        f"{mark(Item.OTJ)} {otj}",
        f"{mark(Item.ENGLISH_MATHS)} "
        + texts.GATEWAY_EM.format(english=subjects["english"], maths=subjects["maths"]),
        f"{mark(Item.DECISION)} {decision}",
        f"{mark(Item.STATEMENT)} {statement}",
        f"{mark(Item.PORTFOLIO)} {portfolio}",
    ]
    if facts.gateway is None or facts.gateway_on is None:
        if facts.reopened is not None:
            lines.append(texts.GATEWAY_REOPENED.format(at=at_text(facts.reopened.at)))
        lines.append(texts.GATEWAY_PENDING)
    else:
        lines.append(
            texts.GATEWAY_DONE.format(
                who=texts.escape(facts.gateway.who), day=day_text(facts.gateway_on)
            )
        )
        if cl.changed_since:
            changed = ", ".join(texts.GATEWAY_MISSING[i] for i in cl.changed_since)
            lines.append(texts.GATEWAY_CHANGED_SINCE.format(items=changed))
        status = recordings_status(gw.recordings, facts.gateway_on, facts.gateway.at)
        lines.append(
            texts.GATEWAY_RECORDINGS.format(
                accepted=status.accepted, needed=status.needed, minutes=MIN_SECONDS // 60
            )
        )
        if status.flagged:
            lines.append(texts.GATEWAY_RECORDINGS_FLAGGED.format(count=status.flagged))
    return lines


def apprentice_buttons(gw: Gateway, pid: int, employers: list[Person]) -> list[list[Button]]:
    cl = gw.checklist
    rows: list[list[Button]] = []
    if cl.facts.plan is None:
        rows.append([(texts.GATEWAY_SET_PLAN, ApprenticeshipCB(act="set"))])
    elif not cl.met[Item.OTJ]:
        rows.append([(texts.OTJ_LOG_BUTTON, OtjCB(act="log"))])
    if not cl.met[Item.ENGLISH_MATHS]:
        rows.append([(texts.GATEWAY_EM_BUTTON, GatewayCB(p=pid, act="em"))])
    if not employers:
        rows.append([(texts.GATEWAY_INVITE_EMPLOYER, InviteCB(role=Role.EMPLOYER))])
    elif not cl.met[Item.DECISION] or not cl.confirmed:
        who = employers[0].name  # a button's label is plain text, never HTML
        rows.append([(texts.GATEWAY_ASK_EMPLOYER.format(who=who), GatewayCB(p=pid, act="ask"))])
    if not gw.statement.current(Party.APPRENTICE) or not cl.met[Item.STATEMENT]:
        rows.append([(texts.GATEWAY_STATEMENT_BUTTON, statement_button(pid))])
    if not cl.met[Item.PORTFOLIO]:
        rows.append([(texts.GATEWAY_PORTFOLIO_BUTTON, EpaCB(a="p"))])
    if cl.confirmed:
        rows.append([(texts.GATEWAY_RECORDING_BUTTON, GatewayCB(p=pid, act="rec"))])
    return rows


def employer_buttons(gw: Gateway, pid: int) -> list[list[Button]]:
    cl = gw.checklist
    rows: list[list[Button]] = []
    if not cl.met[Item.DECISION]:
        label = texts.GATEWAY_DECIDE_BUTTON.format(apprentice=gw.apprentice)
        rows.append([(label, GatewayCB(p=pid, act="dec"))])
    if not cl.met[Item.ENGLISH_MATHS]:
        rows.append([(texts.GATEWAY_EM_BUTTON, GatewayCB(p=pid, act="em"))])
    if not gw.statement.current(Party.EMPLOYER):
        rows.append([(texts.GATEWAY_STATEMENT_BUTTON, statement_button(pid))])
    if not cl.confirmed:
        rows.append([(texts.GATEWAY_CONFIRM_BUTTON, GatewayCB(p=pid, act="ok"))])
    return rows


class StatementCB(CallbackData, prefix="sm"):
    """A statement button (handlers.statement): `p` the portfolio, `act` show, ok (confirm:
    `f` the short fingerprint of the evidence shown) or ask (send it to the employer)."""

    p: Id
    act: str
    f: str = ""


def statement_button(pid: int) -> CallbackData:
    return StatementCB(p=pid, act="show")


def render(
    gw: Gateway, viewer: Party, pid: int, employers: list[Person], *, lead: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    head = (
        texts.GATEWAY_HEAD
        if viewer == Party.APPRENTICE
        else texts.GATEWAY_HEAD_OF.format(apprentice=texts.escape(gw.apprentice))
    )
    lines = [head, *checklist_lines(gw)]
    if viewer == Party.APPRENTICE and not employers:
        lines.append(texts.GATEWAY_NO_EMPLOYER)
    rows = (
        apprentice_buttons(gw, pid, employers)
        if viewer == Party.APPRENTICE
        else employer_buttons(gw, pid)
    )
    text = "\n".join(lines)
    return (f"{lead}\n\n{text}" if lead else text), keyboard(rows)


def em_keyboard(pid: int) -> InlineKeyboardMarkup:
    rows = []
    for subject, bases in SUBJECTS.items():
        act = "en" if subject == "english" else "ma"
        rows += [
            [
                (
                    texts.GATEWAY_EM_CHOICE.format(
                        subject=texts.GATEWAY_EM_SUBJECT[subject].capitalize(),
                        basis=texts.GATEWAY_BASIS[basis],
                    ),
                    GatewayCB(p=pid, act=act, v=basis),
                )
            ]
            for basis in bases
        ]
    return keyboard(rows)


async def progress_lines(
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    files_root: Path,
    now: datetime,
    registry: Registry,
) -> list[str]:
    """The line of /progress for an ST1379 portfolio: how many gateway items are met."""
    if not follows_st1379(portfolio):
        return []
    async with sessions() as session:
        mentor = await session.get(Person, portfolio.mentor_id)
    today = local_day(now, mentor.timezone if mentor else "UTC")
    gw, _ = await load(sessions, portfolio, files_root, now, today, registry)
    cl = gw.checklist
    if cl.confirmed and cl.facts.gateway_on is not None:
        at = cl.facts.gateway.at if cl.facts.gateway else None
        status = recordings_status(gw.recordings, cl.facts.gateway_on, at)
        return [
            texts.PROGRESS_GATEWAY_DONE.format(
                day=day_text(cl.facts.gateway_on), accepted=status.accepted, needed=status.needed
            )
        ]
    met = sum(cl.met.values())
    return [texts.PROGRESS_GATEWAY.format(met=met, total=len(cl.met))]


async def notify(bot: Bot, person: Person, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Tell another person at once (they asked for nothing: the other party's tap did)."""
    if person.telegram_id is None:
        return False
    try:
        await bot.send_message(person.telegram_id, text, reply_markup=markup)
    except TelegramAPIError:
        log.warning("a gateway message to another party was not delivered", exc_info=True)
        return False
    return True
