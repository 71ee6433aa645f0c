"""An apprentice's plan and off-the-job hours: the plan row, the totals, and the employer's
confirmation request (a supervisor's request of kind `otj`, storage.prompts.schedule_request)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.apprenticeship import Plan, confirmed_of
from journal.entries import Kind
from journal.prompting import RequestKind, local_day
from storage import people
from storage.models import Apprenticeship, Confirmation, Entry, Person, Prompt
from storage.people import Role
from storage.prompts import schedule_request

# Who confirms an apprentice's off-the-job hours: the employer, or the supervisor acting for
# the employer when no employer joined.
CONFIRMERS = (Role.EMPLOYER, Role.SUPERVISOR)


def plan_of(row: Apprenticeship | None) -> Plan | None:
    if row is None:
        return None
    return Plan(row.start_on, row.planned_end_on, row.planned_hours, row.minimum_hours)


async def get_plan(session: AsyncSession, portfolio_id: int) -> Plan | None:
    return plan_of(await session.get(Apprenticeship, portfolio_id))


async def set_plan(session: AsyncSession, portfolio_id: int, plan: Plan, now: datetime) -> None:
    """Set (or change) the plan: `plan` is one journal.apprenticeship.check_plan accepted."""
    row = await session.get(Apprenticeship, portfolio_id)
    if row is None:
        row = Apprenticeship(portfolio_id=portfolio_id)
        session.add(row)
    row.start_on, row.planned_end_on = plan.start_on, plan.planned_end_on
    row.planned_hours, row.minimum_hours = plan.planned_hours, plan.minimum_hours
    row.updated_at = now
    await session.flush()


def _live_otj(portfolio_id: int) -> ColumnElement[bool]:
    return (
        (Entry.portfolio_id == portfolio_id) & (Entry.kind == Kind.OTJ) & Entry.deleted_at.is_(None)
    )


async def otj_totals(session: AsyncSession, portfolio_id: int) -> tuple[int, int]:
    """(minutes logged, minutes confirmed) of off-the-job training; a confirmation counts up to
    its entry's length, and an entry confirmed twice counts once."""
    logged = await session.scalar(
        select(func.coalesce(func.sum(Entry.duration_minutes), 0)).where(_live_otj(portfolio_id))
    )
    rows = await session.execute(
        select(Entry.id, Entry.duration_minutes, func.max(Confirmation.minutes))
        .join(Confirmation, Confirmation.entry_id == Entry.id)
        .where(_live_otj(portfolio_id), Confirmation.kind == RequestKind.OTJ)
        .group_by(Entry.id, Entry.duration_minutes)
    )
    confirmed = sum(confirmed_of(minutes, done) for _, minutes, done in rows)
    return int(logged or 0), confirmed


async def confirmed_entry_ids(session: AsyncSession, portfolio_id: int) -> set[int]:
    rows = await session.scalars(
        select(Confirmation.entry_id).where(
            Confirmation.portfolio_id == portfolio_id, Confirmation.kind == RequestKind.OTJ
        )
    )
    return {r for r in rows if r is not None}


async def confirmer(session: AsyncSession, portfolio_id: int) -> Person | None:
    """The employer (the first to join), else the supervisor acting for them, else None."""
    for role in CONFIRMERS:
        found = await people.members(session, portfolio_id, role)
        if found:
            return found[0].person
    return None


async def request_confirmation(
    session: AsyncSession, entry: Entry, now: datetime
) -> tuple[Person | None, Prompt | None]:
    """Ask the employer to confirm a just-logged off-the-job entry (one tap); who was asked."""
    person = await confirmer(session, entry.portfolio_id)
    if person is None:
        return None, None
    prompt = await schedule_request(
        session,
        supervisor=person,
        portfolio_id=entry.portfolio_id,
        what=RequestKind.OTJ,
        entry_id=entry.id,
        now=now,
    )
    return person, prompt


async def plans_with_totals(
    session: AsyncSession,
) -> list[tuple[int, Plan, int, int]]:
    """Every plan with its portfolio's totals: (portfolio id, plan, logged, confirmed)."""
    found = []
    for row in await session.scalars(select(Apprenticeship)):
        logged, confirmed = await otj_totals(session, row.portfolio_id)
        plan = plan_of(row)
        assert plan is not None
        found.append((row.portfolio_id, plan, logged, confirmed))
    return found


def local_today(now: datetime, person: Person) -> date:
    return local_day(now, person.timezone)
