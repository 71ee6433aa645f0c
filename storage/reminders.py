"""Reminders planned from the journal: weekly nudges, quiet mentor-mentee pairs, goal reviews.

Each is a prompt row with a key, so planning the same reminder twice (or in two processes)
creates it once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.apprenticeship import otj_progress
from journal.entries import OPEN_GOAL_STATUSES, Kind
from journal.prompting import (
    PAIR_GAP_DAYS,
    WEEKLY_GAP,
    PromptKind,
    goal_review_due,
    goal_review_window,
    local_day,
    next_allowed,
    repeating_day,
    repeating_due,
)
from storage.apprenticeships import otj_totals, plan_of
from storage.models import (
    Apprenticeship,
    Entry,
    EntryMentee,
    Goal,
    Membership,
    Person,
    Portfolio,
)
from storage.people import Role
from storage.prompts import (
    quiet_of,
    schedule,
)


def _promptable_mentor() -> Any:
    """`Recipient.reachable` as a query: the same rule where many people are picked at once."""
    return (
        Person.telegram_id.is_not(None),
        Person.consent_at.is_not(None),
        Person.erased_at.is_(None),
        Person.blocked_at.is_(None),
        Person.prompts_paused.is_(False),
        Portfolio.closed_at.is_(None),
    )


async def _weekly(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    last = (
        select(Entry.portfolio_id, func.max(Entry.recorded_at).label("last"))
        .where(Entry.deleted_at.is_(None))
        .group_by(Entry.portfolio_id)
        .subquery()
    )
    rows = await session.execute(
        select(Portfolio, Person, last.c.last)
        .join(Person, Person.id == Portfolio.mentor_id)
        .outerjoin(last, last.c.portfolio_id == Portfolio.id)
        .where(*_promptable_mentor())
    )
    planned = []
    for portfolio, mentor, last_at in rows.unique().all():
        since = last_at or portfolio.created_at
        due = repeating_due(since, WEEKLY_GAP, now)
        if due is not None:
            planned.append(
                dict(
                    kind=PromptKind.WEEKLY,
                    person=mentor,
                    portfolio_id=portfolio.id,
                    due_at=next_allowed(due, mentor.timezone, quiet_of(mentor)),
                    key=f"weekly:{portfolio.id}:{due:%Y-%m-%dT%H:%M}",
                )
            )
    return planned


async def _quiet_pairs(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    last = (
        select(EntryMentee.membership_id, func.max(Entry.occurred_on).label("last"))
        .join(Entry, Entry.id == EntryMentee.entry_id)
        .where(Entry.kind == Kind.SESSION, Entry.deleted_at.is_(None))
        .group_by(EntryMentee.membership_id)
        .subquery()
    )
    rows = await session.execute(
        select(Membership, Portfolio, Person, last.c.last)
        .join(Portfolio, Portfolio.id == Membership.portfolio_id)
        .join(Person, Person.id == Portfolio.mentor_id)
        .outerjoin(last, last.c.membership_id == Membership.id)
        .where(Membership.role == Role.MENTEE, *_promptable_mentor())
    )
    planned = []
    for membership, portfolio, mentor, last_day in rows.unique().all():
        today = local_day(now, mentor.timezone)
        since = last_day or local_day(membership.joined_at, mentor.timezone)
        day = repeating_day(since, PAIR_GAP_DAYS, today)
        if day is not None:
            planned.append(
                dict(
                    kind=PromptKind.PAIR_QUIET,
                    person=mentor,
                    portfolio_id=portfolio.id,
                    due_at=next_allowed(now, mentor.timezone, quiet_of(mentor)),
                    payload={"membership_id": membership.id, "since": since.isoformat()},
                    key=f"pair:{membership.id}:{day.isoformat()}",
                )
            )
    return planned


async def _goal_reviews(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    window = goal_review_window(now.date())
    rows = await session.execute(
        select(Goal, Portfolio, Person)
        .join(Entry, Entry.id == Goal.entry_id)
        .join(Portfolio, Portfolio.id == Goal.portfolio_id)
        .join(Person, Person.id == Portfolio.mentor_id)
        .where(
            Goal.target_date.between(*window),
            Goal.status.in_(OPEN_GOAL_STATUSES),
            Entry.deleted_at.is_(None),
            *_promptable_mentor(),
        )
    )
    return [
        dict(
            kind=PromptKind.GOAL_REVIEW,
            person=mentor,
            portfolio_id=portfolio.id,
            due_at=goal_review_due(goal.target_date, mentor.timezone, quiet_of(mentor)),
            payload={"goal_id": goal.id, "target": goal.target_date.isoformat()},
            key=f"goal:{goal.id}:{goal.target_date.isoformat()}",
        )
        for goal, portfolio, mentor in rows.unique().all()
    ]


async def _otj_behind(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """An apprentice whose off-the-job hours fell behind plan: one reminder a week of the
    apprenticeship (its week number in the key), while behind."""
    rows = await session.execute(
        select(Apprenticeship, Portfolio, Person)
        .join(Portfolio, Portfolio.id == Apprenticeship.portfolio_id)
        .join(Person, Person.id == Portfolio.mentor_id)
        .where(*_promptable_mentor())
    )
    planned = []
    for row, portfolio, mentor in rows.unique().all():
        plan = plan_of(row)
        assert plan is not None
        logged, confirmed = await otj_totals(session, portfolio.id)
        found = otj_progress(plan, local_day(now, mentor.timezone), logged, confirmed)
        if found.behind is None:
            continue
        planned.append(
            dict(
                kind=PromptKind.OTJ_BEHIND,
                person=mentor,
                portfolio_id=portfolio.id,
                due_at=next_allowed(now, mentor.timezone, quiet_of(mentor)),
                payload={
                    "behind": str(found.behind),
                    "logged": logged,
                    "confirmed": confirmed,
                    "expected": found.expected_minutes,
                },
                key=f"otj:{portfolio.id}:{found.weeks}",
            )
        )
    return planned


async def plan_reminders(session: AsyncSession, now: datetime) -> int:
    """Create the weekly nudges, quiet-pair flags, goal reviews and off-the-job reminders that
    are due; each once."""
    planned = [
        *await _weekly(session, now),
        *await _quiet_pairs(session, now),
        *await _goal_reviews(session, now),
        *await _otj_behind(session, now),
    ]
    if not planned:
        return 0
    created = 0
    for values in planned:
        if await schedule(session, now=now, **values) is not None:
            created += 1
    return created
