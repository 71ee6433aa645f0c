"""People and their portfolios, memberships and invitations."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from journal.anonymisation import mentee_label
from journal.permissions import INVITATION_DAYS, JoinProblem, invitation_problem, role_problem
from storage.models import Invitation, Membership, Person, Portfolio, PortfolioFramework


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    SUPERVISOR = "supervisor"
    ASSESSOR = "assessor"
    IQA = "iqa"  # internal quality assurer: reads, samples assessors' decisions
    EMPLOYER = "employer"  # an apprentice's employer: confirms off-the-job hours


async def person_by_telegram(session: AsyncSession, telegram_id: int) -> Person | None:
    return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


@dataclass(frozen=True)
class Newcomer:
    """What a person starts with before choosing for themselves: the centre's defaults."""

    timezone: str
    quiet_start: str
    quiet_end: str


async def ensure_person(session: AsyncSession, telegram_id: int, defaults: Newcomer) -> Person:
    person = await person_by_telegram(session, telegram_id)
    if person is None:
        person = Person(
            telegram_id=telegram_id,
            timezone=defaults.timezone,
            quiet_start=defaults.quiet_start,
            quiet_end=defaults.quiet_end,
        )
        session.add(person)
        await session.flush()
    return person


async def person_and_portfolio(
    session: AsyncSession, telegram_id: int
) -> tuple[Person | None, Portfolio | None]:
    """The person behind a Telegram user and their open mentor portfolio, in one query."""
    row = (
        (
            await session.execute(
                select(Person, Portfolio)
                .outerjoin(
                    Portfolio, (Portfolio.mentor_id == Person.id) & Portfolio.closed_at.is_(None)
                )
                .where(Person.telegram_id == telegram_id)
                .order_by(Portfolio.id.desc())
                .limit(1)
            )
        )
        .unique()
        .first()
    )
    return (row[0], row[1]) if row else (None, None)


async def mentor_portfolio(session: AsyncSession, person_id: int) -> Portfolio | None:
    return await session.scalar(
        select(Portfolio)
        .where(Portfolio.mentor_id == person_id, Portfolio.closed_at.is_(None))
        .order_by(Portfolio.id.desc())
    )


async def create_portfolio(
    session: AsyncSession, mentor: Person, framework_ids: list[str]
) -> Portfolio:
    portfolio = Portfolio(mentor_id=mentor.id)
    portfolio.frameworks = [PortfolioFramework(framework_id=f) for f in framework_ids]
    session.add(portfolio)
    await session.flush()
    session.add(Membership(portfolio_id=portfolio.id, person_id=mentor.id, role=Role.MENTOR))
    return portfolio


async def set_frameworks(
    session: AsyncSession, portfolio: Portfolio, framework_ids: list[str]
) -> None:
    keep = set(framework_ids)
    portfolio.frameworks = [pf for pf in portfolio.frameworks if pf.framework_id in keep] + [
        PortfolioFramework(framework_id=f)
        for f in framework_ids
        if f not in {pf.framework_id for pf in portfolio.frameworks}
    ]


async def members(session: AsyncSession, portfolio_id: int, role: Role) -> list[Membership]:
    rows = await session.scalars(
        select(Membership)
        .where(Membership.portfolio_id == portfolio_id, Membership.role == role)
        .order_by(Membership.id)
    )
    return list(rows)


async def mentee_names(session: AsyncSession, portfolio_id: int) -> list[tuple[int, str]]:
    """(membership id, name or pseudonym) of the portfolio's mentees, for the mentee buttons.

    Plain columns through Core, not Membership and Person objects: this runs on every /log.
    """
    connection = await session.connection()
    rows = await connection.execute(
        select(Membership.id, Person.name, Membership.pseudonym)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.portfolio_id == portfolio_id, Membership.role == Role.MENTEE)
        .order_by(Membership.id)
    )
    return [(member_id, name or pseudonym or "") for member_id, name, pseudonym in rows]


async def membership(
    session: AsyncSession, portfolio_id: int, person_id: int, roles: set[Role] | None = None
) -> Membership | None:
    query = select(Membership).where(
        Membership.portfolio_id == portfolio_id, Membership.person_id == person_id
    )
    if roles:
        query = query.where(Membership.role.in_([str(r) for r in roles]))
    return await session.scalar(query.limit(1))


async def roles_held(
    session: AsyncSession, person_id: int, portfolio_id: int | None = None
) -> list[str]:
    """The roles a person holds in one portfolio, or in any when `portfolio_id` is None."""
    query = select(Membership.role).where(Membership.person_id == person_id)
    if portfolio_id is not None:
        query = query.where(Membership.portfolio_id == portfolio_id)
    return [str(role) for role in await session.scalars(query)]


def _invitation_code() -> str:
    # 16 random bytes: 128 bits, URL-safe, fits Telegram's 64-character start parameter.
    return secrets.token_urlsafe(16)


async def create_invitation(
    session: AsyncSession, portfolio: Portfolio, role: Role, created_by: Person, now: datetime
) -> Invitation:
    invitation = Invitation(
        code=_invitation_code(),
        portfolio_id=portfolio.id,
        role=role,
        created_by=created_by.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    await session.flush()
    return invitation


@dataclass(frozen=True)
class Joined:
    membership: Membership
    mentor_name: str


async def find_invitation(session: AsyncSession, code: str) -> Invitation | None:
    if not code or len(code) > 64:
        return None
    return await session.scalar(select(Invitation).where(Invitation.code == code))


async def _claim(
    session: AsyncSession, invitation: Invitation, person: Person, now: datetime
) -> bool:
    """Mark the invitation used by this person, unless someone else got there first.

    One conditional UPDATE: on PostgreSQL a second redeemer that read the invitation unused
    waits for the first one's row lock, then finds `used_at` set and updates nothing.
    """
    claimed = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_by=person.id, used_at=now)
        .returning(Invitation.id),
        execution_options={"synchronize_session": False},
    )
    if claimed.first() is None:
        return False
    # What the row now holds, without marking the object for a second UPDATE at flush.
    set_committed_value(invitation, "used_by", person.id)
    set_committed_value(invitation, "used_at", now)
    return True


async def redeem_invitation(
    session: AsyncSession, code: str, person: Person, now: datetime
) -> Joined | JoinProblem:
    invitation = await find_invitation(session, code)
    if invitation is None:
        return JoinProblem.UNKNOWN
    problem = invitation_problem(
        used_at=invitation.used_at,
        expires_at=invitation.expires_at,
        created_by=invitation.created_by,
        person_id=person.id,
        now=now,
    )
    if problem is not None:
        return problem
    held = await roles_held(session, person.id, invitation.portfolio_id)
    if (problem := role_problem(held=held, offered=invitation.role)) is not None:
        return problem
    alias = None
    if invitation.role == Role.MENTEE:
        count = await session.scalar(
            select(func.count(Membership.id)).where(
                Membership.portfolio_id == invitation.portfolio_id, Membership.role == Role.MENTEE
            )
        )
        alias = mentee_label(count or 0)
    if not await _claim(session, invitation, person, now):
        return JoinProblem.USED
    joined = Membership(
        portfolio_id=invitation.portfolio_id,
        person_id=person.id,
        role=invitation.role,
        pseudonym=alias,
    )
    session.add(joined)
    await session.flush()
    portfolio = await session.get(Portfolio, invitation.portfolio_id)
    mentor = await session.get(Person, portfolio.mentor_id)
    return Joined(membership=joined, mentor_name=mentor.name)
