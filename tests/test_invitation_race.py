"""A single-use invitation opened by two people at the same moment lets exactly one of them in.

Each person's update is handled by a dispatcher of its own over an engine of its own, as two
processes behind a webhook would. The PostgreSQL run of the same race is in test_postgres.py.
"""

from __future__ import annotations

import asyncio
import itertools

from aiogram.types import User
from sqlalchemy import func, select

from bot.app import Services, build_dispatcher, build_services
from handlers import texts
from storage.models import Invitation, Membership, Person
from storage.uow import writing
from tests.botkit import ChatClient, FakeClock, offline_bot, onboard_mentor

_people = itertools.count(5001)
JOINED = texts.JOINED_MENTEE.split("{")[0]
# What each trial should end with: one told they joined, the other that the link was used,
# one new mentee in the portfolio, and the invitation naming the one who joined.
ONE_JOINS = (tuple(sorted(("joined", texts.JOIN_USED))), 1, True)


async def _consented_person(services: Services, name: str, clock: FakeClock) -> User:
    """Someone who has been through /start before (consent given), not yet in any portfolio."""
    user = User(id=next(_people), is_bot=False, first_name=name, language_code="en")
    async with writing(services.sessions) as session:
        session.add(
            Person(telegram_id=user.id, name=name, timezone="Europe/London", consent_at=clock())
        )
    return user


async def two_people_open_one_link_at_once(
    first: Services, second: Services, clock: FakeClock, trials: int
) -> list[tuple[tuple[str, ...], int, bool]]:
    """`trials` times a new link that two people open together: what each trial ended with."""
    first_dp, second_dp = build_dispatcher(first), build_dispatcher(second)
    anna_user = User(id=4001, is_bot=False, first_name="Anna", language_code="en")
    anna = ChatClient(dp=first_dp, bot=offline_bot(), user=anna_user)
    await onboard_mentor(anna)
    outcomes = []
    mentees_before = 0
    for _ in range(trials):
        await anna.send("/invite")
        code = (await anna.click("Mentee")).text.rsplit("start=", 1)[1].split()[0]
        jon = ChatClient(first_dp, offline_bot(), await _consented_person(first, "Jon", clock))
        kim = ChatClient(second_dp, offline_bot(), await _consented_person(first, "Kim", clock))
        replies = await asyncio.gather(jon.send(f"/start {code}"), kim.send(f"/start {code}"))
        told = tuple(sorted("joined" if r.text.startswith(JOINED) else r.text for r in replies))
        async with first.sessions() as session:
            invitation = await session.scalar(select(Invitation).where(Invitation.code == code))
            mentees = await session.scalar(
                select(func.count(Membership.id)).where(
                    Membership.portfolio_id == invitation.portfolio_id,
                    Membership.role == "mentee",
                )
            )
            winner = await session.get(Person, invitation.used_by)
        joined = [c.user.id for c, r in zip((jon, kim), replies, strict=True) if JOINED in r.text]
        outcomes.append((told, mentees - mentees_before, joined == [winner.telegram_id]))
        mentees_before = mentees
    return outcomes


async def test_two_people_opening_one_invitation_at_once_on_sqlite_one_joins(
    services: Services, clock: FakeClock
) -> None:
    other = build_services(services.settings, clock=clock)
    try:
        outcomes = await two_people_open_one_link_at_once(services, other, clock, trials=10)
    finally:
        await other.engine.dispose()
    wrong = sum(outcome != ONE_JOINS for outcome in outcomes)
    assert outcomes == [ONE_JOINS] * 10, f"{wrong} of 10 trials let both in"
