"""Onboarding and invitations, played through the real Dispatcher."""

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import Invitation, Membership, Person, Portfolio
from tests.botkit import starts_with
from tests.conftest import invite_and_join, onboard_mentor


async def test_start_shows_the_privacy_notice_and_keeps_nothing_before_consent(
    make_client, services
):
    anna = make_client("Anna")
    reply = await anna.send("/start")
    assert "Do you agree" in reply.text
    assert reply.buttons() == ["I agree", "No thanks"]
    await anna.click("No thanks")
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(Person.id))) == 0


async def test_mentor_onboarding_creates_a_portfolio_on_the_chosen_frameworks(
    make_client, services
):
    anna = make_client("Anna")
    await onboard_mentor(anna, ("ILM", "ST1379"))
    assert "All set, Anna" in anna.last.text
    assert "/log" in anna.last.text
    async with services.sessions() as session:
        person = await session.scalar(select(Person))
        portfolio = await session.scalar(select(Portfolio))
    assert person.consent_at is not None and person.timezone == "Europe/London"
    assert sorted(pf.framework_id for pf in portfolio.frameworks) == ["ilm", "st1379"]


async def test_typed_city_sets_the_time_zone(make_client, services):
    anna = make_client("Anna")
    await anna.send("/start")
    await anna.click("I agree")
    await anna.send("Anna Kowalska")
    reply = await anna.send("Atlantis")
    assert "don't know that place" in reply.text
    reply = await anna.send("Warsaw")
    assert "Time zone set to Europe/Warsaw (it's 11:00 there now)" in reply.text
    async with services.sessions() as session:
        person = await session.scalar(select(Person))
    assert (person.name, person.timezone) == ("Anna Kowalska", "Europe/Warsaw")


async def test_done_without_a_framework_asks_for_one(make_client):
    anna = make_client("Anna")
    await anna.send("/start")
    await anna.click("I agree")
    await anna.click(lambda t: t.startswith("Use “"))
    await anna.click("London")
    await anna.click("Yes, I'm a mentor")
    reply = await anna.click("Done")
    assert "at least one qualification" in reply.text


async def test_mentee_joins_with_one_invitation_and_gets_a_pseudonym(mentor, make_client, services):
    jon = make_client("Jon")
    await invite_and_join(mentor, jon)
    assert "joined Anna's mentoring journal as a mentee" in jon.last.text
    assert "Mentee A" in jon.last.text
    async with services.sessions() as session:
        membership = await session.scalar(select(Membership).where(Membership.role == "mentee"))
    assert membership.pseudonym == "Mentee A"


async def test_invitation_link_is_single_use_and_unguessable(mentor, make_client, services):
    jon, ola = make_client("Jon"), make_client("Ola")
    code = await invite_and_join(mentor, jon)
    assert len(code) >= 22
    await ola.send(f"/start {code}")
    await ola.click("I agree")
    await ola.click(lambda t: t.startswith("Use “"))
    reply = await ola.click("London")
    assert "already been used" in reply.text
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(Membership.id))) == 2


async def test_expired_invitation_is_refused(mentor, make_client, clock):
    await mentor.send("/invite")
    reply = await mentor.click("Supervisor")
    code = reply.text.rsplit("start=", 1)[1].split()[0]
    clock.advance(days=8)
    sam = make_client("Sam")
    await sam.send(f"/start {code}")
    await sam.click("I agree")
    await sam.click(lambda t: t.startswith("Use “"))
    reply = await sam.click("London")
    assert "expired" in reply.text


async def test_a_made_up_invitation_code_is_refused(make_client):
    eve = make_client("Eve")
    await eve.send("/start AAAAAAAAAAAAAAAAAAAAAA")
    await eve.click("I agree")
    await eve.click(lambda t: t.startswith("Use “"))
    reply = await eve.click("London")
    assert "isn't valid" in reply.text


async def test_invitations_expire_after_seven_days(mentor, services, clock):
    await mentor.send("/invite")
    await mentor.click("Assessor")
    async with services.sessions() as session:
        invitation = await session.scalar(select(Invitation))
    assert invitation.expires_at - clock.now == timedelta(days=7)


async def test_a_newcomer_gets_the_centres_quiet_hours(settings, clock, bot):
    from aiogram.types import User

    from bot.app import build_dispatcher, build_services
    from tests.botkit import ChatClient

    centre = settings.model_copy(update={"quiet_start": "20:00", "quiet_end": "09:30"})
    services = build_services(centre, clock=clock)
    try:
        anna = ChatClient(
            dp=build_dispatcher(services),
            bot=bot,
            user=User(id=4242, is_bot=False, first_name="Anna"),
        )
        await anna.send("/start")
        await anna.click("I agree")
        async with services.sessions() as session:
            person = await session.scalar(select(Person))
        assert (person.quiet_start, person.quiet_end) == ("20:00", "09:30")
    finally:
        await services.engine.dispose()


def test_a_quiet_hour_that_is_not_a_time_is_refused_at_start_up():
    import pytest
    from pydantic import ValidationError

    from bot.settings import Settings

    with pytest.raises(ValidationError, match="not a time of day"):
        Settings(_env_file=None, quiet_start="late")


async def test_a_sticker_during_start_gets_the_step_asked_again_with_its_buttons(make_client):
    anna = make_client("Anna")
    await anna.send("/start")
    await anna.click("I agree")
    await anna.click(starts_with("Use “"))
    reply = await anna.send_photo(b"\xff\xd8" + b"x" * 100)
    assert "London" in reply.buttons()


async def invitation_code(mentor, role: str) -> str:
    await mentor.send("/invite")
    reply = await mentor.click(role)
    return reply.text.rsplit("start=", 1)[1].split()[0]


async def test_a_mentee_cannot_also_be_the_supervisor_or_assessor_of_the_same_journal(
    mentor, mentee, services
):
    for role in ("Supervisor", "Assessor"):
        reply = await mentee.send(f"/start {await invitation_code(mentor, role)}")
        assert "already have another role in that journal" in reply.text
    async with services.sessions() as session:
        roles = await session.scalars(
            select(Membership.role).join(Person).where(Person.name == "Jon")
        )
        unused = await session.scalars(
            select(Invitation.used_at).where(Invitation.role != "mentee")
        )
        assert list(roles) == ["mentee"] and list(unused) == [None, None]


async def test_after_a_refused_invitation_start_offers_a_journal_not_feedback_requests(
    mentor, make_client, clock
):
    code = await invitation_code(mentor, "Supervisor")
    clock.advance(days=8)
    sam = make_client("Sam")
    await sam.send(f"/start {code}")
    await sam.click("I agree")
    await sam.click(starts_with("Use “"))
    reply = await sam.click("London")
    assert "expired" in reply.text and "I have an invitation" in reply.buttons()
    reply = await sam.send("/start")
    assert "feedback" not in reply.text
    assert reply.buttons() == ["Yes, I'm a mentor", "I have an invitation"]


async def test_a_name_too_long_is_refused_without_mentioning_other_answers(make_client):
    anna = make_client("Anna")
    await anna.send("/start")
    await anna.click("I agree")
    reply = await anna.send("A" * 70)
    assert "70 characters" in reply.text and "other answers" not in reply.text
