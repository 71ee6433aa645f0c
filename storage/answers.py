"""Answers to prompts: a mentee's rating and line, a supervisor's confirmation, feedback and
testimony, each recorded once and turned into evidence in the mentor's journal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from journal.entries import Kind
from journal.frameworks.registry import Registry
from journal.prompting import (
    PromptKind,
    RequestKind,
    feedback_criteria,
)
from storage import people
from storage.entries import create_entry, revise_entry, toggle_tag
from storage.models import (
    TAG_BY_RULE,
    Confirmation,
    Entry,
    Person,
    Portfolio,
    Prompt,
)
from storage.people import Role
from storage.prompts import (
    DELIVERED,
    State,
    release_notice,
    schedule_notice,
)


class Refusal(StrEnum):
    NOT_YOURS = "not_yours"
    ANSWERED = "answered"
    CLOSED = "closed"


async def answerable(
    session: AsyncSession, prompt_id: int, person: Person, kind: PromptKind, now: datetime
) -> Prompt | Refusal:
    """The prompt this person may answer now, or why not."""
    prompt = await session.get(Prompt, prompt_id)
    if prompt is None or prompt.person_id != person.id or prompt.kind != kind:
        return Refusal.NOT_YOURS
    if prompt.answered_at is not None:
        return Refusal.ANSWERED
    if prompt.state not in DELIVERED or (
        prompt.expires_at is not None and now >= prompt.expires_at
    ):
        return Refusal.CLOSED
    return prompt


def _mark_answered(prompt: Prompt, now: datetime) -> None:
    prompt.state, prompt.answered_at = State.ANSWERED, now


@dataclass(frozen=True)
class Answered:
    """What the answering handler tells the person, and where a later optional line goes."""

    mentor_name: str
    entry_id: int | None = None
    notice_id: int | None = None


async def mentor_of(session: AsyncSession, prompt: Prompt) -> Person:
    portfolio = await session.get(Portfolio, prompt.portfolio_id)
    return await session.get(Person, portfolio.mentor_id)


async def _context(session: AsyncSession, prompt: Prompt) -> tuple[Portfolio, Person, Entry | None]:
    portfolio = await session.get(Portfolio, prompt.portfolio_id)
    mentor = await session.get(Person, portfolio.mentor_id)
    about = await session.get(Entry, prompt.entry_id) if prompt.entry_id else None
    return portfolio, mentor, about


def _feedback_tags(portfolio: Portfolio, registry: Registry) -> list[str]:
    followed = [pf.framework_id for pf in portfolio.frameworks]
    return [c for c in feedback_criteria(followed) if registry.criterion(c) is not None]


async def _feedback_entry(
    session: AsyncSession,
    portfolio: Portfolio,
    mentor: Person,
    about: Entry | None,
    *,
    giver: Person,
    data: dict[str, Any],
    registry: Registry,
    today: date,
    now: datetime,
    mentee_ids: Sequence[int] = (),
) -> Entry:
    """A feedback entry in the mentor's portfolio, tagged to the feedback criteria it evidences."""
    if about is not None:
        data = {**data, "about_ref": about.ref}
    entry = await create_entry(
        session,
        portfolio_id=portfolio.id,
        author_id=giver.id,
        kind=Kind.FEEDBACK,
        occurred_on=today,
        data=data,
        now=now,
        mentee_ids=mentee_ids,
        related_entry_id=about.id if about else None,
    )
    # The tag is the mentor's claim, made for them by rule; the assessor still decides.
    for criterion_id in _feedback_tags(portfolio, registry):
        await toggle_tag(session, entry, criterion_id, mentor.id, now, source=TAG_BY_RULE)
    return entry


async def record_rating(
    session: AsyncSession,
    prompt: Prompt,
    mentee: Person,
    rating: int,
    *,
    registry: Registry,
    today: date,
    now: datetime,
    question: str | None = None,
) -> Answered:
    """The mentee's rating becomes a feedback entry at once; the optional line follows.
    `question` is what the mentee was asked, as they read it; the exports show it."""
    _mark_answered(prompt, now)
    portfolio, mentor, about = await _context(session, prompt)
    membership = await people.membership(session, portfolio.id, mentee.id, {Role.MENTEE})
    entry = await _feedback_entry(
        session,
        portfolio,
        mentor,
        about,
        giver=mentee,
        registry=registry,
        today=today,
        now=now,
        data={"source": "mentee", "rating": rating, **({"question": question} if question else {})},
        mentee_ids=[membership.id] if membership else [],
    )
    notice = await schedule_notice(
        session,
        mentor=mentor,
        portfolio_id=portfolio.id,
        now=now,
        wait_for_line=True,
        payload={
            "event": "feedback",
            "who": mentee.name,
            "ref": about.ref if about else "",
            "day": about.occurred_on.isoformat() if about else today.isoformat(),
            "rating": rating,
            "saved": entry.ref,
        },
    )
    return Answered(mentor.name, entry.id, notice.id if notice else None)


async def add_feedback_line(
    session: AsyncSession,
    entry_id: int,
    notice_id: int | None,
    giver: Person,
    text: str,
    now: datetime,
) -> None:
    """The optional line: a new revision of the feedback entry, and the notice goes now."""
    entry = await session.get(Entry, entry_id)
    if entry is not None and entry.author_id == giver.id:
        await revise_entry(session, entry, author_id=giver.id, now=now, changes={"text": text})
    if notice_id is not None:
        await release_notice(session, notice_id, now, text=text)


async def _signed(
    session: AsyncSession,
    *,
    portfolio: Portfolio,
    mentor: Person,
    supervisor: Person,
    kind: RequestKind,
    about: Entry | None,
    now: datetime,
    notice: dict[str, Any],
    entry_id: int | None = None,
    minutes: int | None = None,
    text: str | None = None,
) -> None:
    """The supervisor's signed record (who, what, when), and the mentor is told."""
    session.add(
        Confirmation(
            portfolio_id=portfolio.id,
            supervisor_id=supervisor.id,
            kind=kind,
            entry_id=about.id if about else entry_id,
            minutes=minutes,
            text=text,
            confirmed_at=now,
        )
    )
    await schedule_notice(
        session,
        mentor=mentor,
        portfolio_id=portfolio.id,
        now=now,
        payload={"who": supervisor.name, "ref": about.ref if about else "", **notice},
    )


async def confirm_hours(
    session: AsyncSession,
    prompt: Prompt,
    supervisor: Person,
    now: datetime,
    kind: RequestKind = RequestKind.HOURS,
) -> Answered:
    """The signed record of who confirmed which entry's minutes, and when: a supervisor's of a
    session (`HOURS`), an employer's of an apprentice's off-the-job training (`OTJ`); the
    mentor is told."""
    _mark_answered(prompt, now)
    portfolio, mentor, about = await _context(session, prompt)
    minutes = about.duration_minutes if about else None
    await _signed(
        session,
        portfolio=portfolio,
        mentor=mentor,
        supervisor=supervisor,
        kind=kind,
        about=about,
        now=now,
        minutes=minutes,
        notice={"event": str(kind), "minutes": minutes or 0},
    )
    return Answered(mentor.name)


async def dispute_hours(
    session: AsyncSession, prompt: Prompt, supervisor: Person, now: datetime
) -> Answered:
    """Not confirmed: no confirmation row, the mentor hears why (after the optional line)."""
    _mark_answered(prompt, now)
    portfolio, mentor, about = await _context(session, prompt)
    notice = await schedule_notice(
        session,
        mentor=mentor,
        portfolio_id=portfolio.id,
        now=now,
        wait_for_line=True,
        payload={"event": "disputed", "who": supervisor.name, "ref": about.ref if about else ""},
    )
    return Answered(mentor.name, notice_id=notice.id if notice else None)


async def record_supervisor_text(
    session: AsyncSession,
    prompt: Prompt,
    supervisor: Person,
    text: str,
    *,
    registry: Registry,
    today: date,
    now: datetime,
) -> Answered:
    """Feedback on a session or a witness testimony: a confirmation row and a portfolio entry."""
    _mark_answered(prompt, now)
    portfolio, mentor, about = await _context(session, prompt)
    what = RequestKind(prompt.payload.get("what"))
    if what == RequestKind.TESTIMONY:
        entry = await create_entry(
            session,
            portfolio_id=portfolio.id,
            author_id=supervisor.id,
            kind=Kind.EVIDENCE,
            occurred_on=today,
            data={"evidence_type": "witness", "caption": text, "from_name": supervisor.name},
            now=now,
        )
        event = "testimony"
    else:
        entry = await _feedback_entry(
            session,
            portfolio,
            mentor,
            about,
            giver=supervisor,
            registry=registry,
            today=today,
            now=now,
            data={"source": "supervisor", "from_name": supervisor.name, "text": text},
        )
        event = "supervisor_feedback"
    await _signed(
        session,
        portfolio=portfolio,
        mentor=mentor,
        supervisor=supervisor,
        kind=what,
        about=about,
        now=now,
        entry_id=entry.id,
        text=text,
        notice={"event": event, "saved": entry.ref},
    )
    return Answered(mentor.name, entry.id)
