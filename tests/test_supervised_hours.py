"""Hours the supervisor confirmed, apart from hours logged: in /progress, snapshot and checks."""

from __future__ import annotations

import pytest
from aiogram.types import User

from bot.app import build_dispatcher, build_services
from exports.summary import CONFIRM_ONLY, WHAT_TO_DO, what_to_do
from journal.hours import unit_hours
from journal.portfolio_rules import check_portfolio
from journal.rule_checks import RuleCheck, Status
from storage.db import snapshot_session
from storage.snapshots import load_snapshot
from tests.botkit import ChatClient, offline_bot, onboard_mentor
from tests.conftest import invite_and_join, log_session
from tests.test_prompts import buttons, deliver, outbox, sent  # noqa: F401 (fixture)


async def _confirm_first_session(mentor, maria, services, clock, outbox):  # noqa: F811
    await mentor.send("/request")
    await mentor.click("Confirm hours")
    await mentor.click(lambda t: t.startswith("E-0001"))
    await deliver(services, outbox, clock)
    [request] = sent(outbox, maria.user.id)
    clock.advance(hours=1)
    await maria.press(buttons(request)["Confirm"])


@pytest.fixture
async def maria(make_client, mentor):
    client = make_client("Maria")
    await invite_and_join(mentor, client, role="Supervisor")
    return client


def _hours_line(text: str, unit: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"ILM {unit}:"))


async def test_progress_shows_confirmed_beside_logged_hours_per_unit(
    mentor,
    mentee,
    maria,
    services,
    clock,
    outbox,  # noqa: F811
):
    await log_session(mentor)
    await log_session(mentor, duration="45 min")
    reply = await mentor.send("/progress")
    assert "0 h confirmed" in _hours_line(reply.text, "D3.07")
    await _confirm_first_session(mentor, maria, services, clock, outbox)
    reply = await mentor.send("/progress")
    assert "2 h of 20 h" in _hours_line(reply.text, "D3.07")
    assert "1 h 15 confirmed" in _hours_line(reply.text, "D3.07")
    # Missing coaching hours show as a gap of an ILM portfolio.
    assert "0 h of 6 h" in _hours_line(reply.text, "D3.03")


async def test_the_snapshot_and_checks_say_not_reached_when_confirmed_hours_fall_short(
    mentor,
    mentee,
    maria,
    services,
    clock,
    outbox,  # noqa: F811
):
    for _ in range(6):
        await log_session(mentor, duration="1h15")  # 7 h 30 logged: D3.06 minimum of 6 h
    await _confirm_first_session(mentor, maria, services, clock, outbox)
    async with snapshot_session(services.sessions) as session:
        snapshot = await load_snapshot(session, 1, services.files.root, clock())
    ilm = services.registry.get("ilm")
    units = {u.unit_code: u for u in unit_hours(snapshot, ilm)}
    assert (units["D3.07"].minutes, units["D3.07"].confirmed_minutes) == (450, 75)
    checks = {c.rule: c for c in check_portfolio(snapshot, services.registry)}
    assert checks["hours:D3.06"].status == Status.PASSED
    assert checks["hours:D3.07"].status == Status.FAILED
    assert "confirmed" in checks["hours:D3.07"].message


async def test_a_centre_that_needs_confirmed_hours_for_d306_says_so_in_settings(settings, clock):
    settings = settings.model_copy(update={"confirmed_hours_units": "ilm:D3.06"})
    services = build_services(settings, clock=clock)
    try:
        user = User(id=4242, is_bot=False, first_name="Anna", language_code="en")
        dp, bot = build_dispatcher(services), offline_bot()
        anna = ChatClient(dp=dp, bot=bot, user=user)
        await onboard_mentor(anna)
        jon = User(id=4243, is_bot=False, first_name="Jon", language_code="en")
        await invite_and_join(anna, ChatClient(dp=dp, bot=bot, user=jon))
        for _ in range(5):
            await log_session(anna, duration="1h15")  # 6 h 15 logged, none confirmed
        reply = await anna.send("/progress")
        assert "to confirm" in _hours_line(reply.text, "D3.06")
        assert "to confirm" not in _hours_line(reply.text, "D3.07")
        snapshot = await services.exporter.snapshot(1, clock())
        assert snapshot.confirmed_hours_units == ("ilm:D3.06",)
        checks = {c.rule: c for c in check_portfolio(snapshot, services.registry)}
        assert checks["hours:D3.06"].status == Status.FAILED
    finally:
        await services.engine.dispose()


def test_when_only_confirmations_are_short_the_summary_asks_for_them_not_for_more_sessions():
    short = RuleCheck("ilm", "hours:D3.07", Status.FAILED, "D3.07: only 12 h logged (8 h to go)")
    unconfirmed = RuleCheck(
        "ilm",
        "hours:D3.07",
        Status.FAILED,
        "D3.07: 24 h logged; 45 min confirmed (19 h 15 to confirm)",
    )
    assert what_to_do(short) == WHAT_TO_DO["hours"]
    assert what_to_do(unconfirmed) == CONFIRM_ONLY
