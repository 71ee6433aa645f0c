"""ST1379 off-the-job training through the real Dispatcher (issue 11): the plan on the portfolio
(the 187-hour floor refused in the chat), /otj logged by the apprentice and confirmed by the
employer in one tap, /progress with planned, logged, confirmed and expected by now, a late
entry, the weekly reminder when behind, and who may confirm what."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage import reminders
from storage.models import Apprenticeship, Confirmation, Entry, Prompt, Tag
from storage.uow import writing
from tests.botkit import onboard_mentor
from tests.conftest import invite_and_join
from tests.test_prompts import buttons, deliver, outbox, sent  # noqa: F401 (fixture)


@pytest.fixture
async def apprentice(make_client):
    client = make_client("Anna")
    await onboard_mentor(client, frameworks=("ST1379",))
    return client


@pytest.fixture
async def employer(make_client, apprentice):
    client = make_client("Ella")
    await invite_and_join(apprentice, client, role="Employer")
    return client


async def set_plan(apprentice) -> None:
    """Started 1 Dec 2025 (51 weeks before the tests' 23 Nov 2026), 53 weeks planned, 318 h:
    6 h a week, so 306 h expected by now."""
    await apprentice.send("/apprenticeship")
    await apprentice.click("Set dates and hours")
    await apprentice.send("1 Dec 2025")
    await apprentice.send("7 Dec 2026")
    await apprentice.send("318")
    refused = await apprentice.send("150")
    assert "150 hours is below the funding rules' floor of 187 hours" in refused.text
    saved = await apprentice.click("187 h")
    assert "Planned off-the-job hours: 318 h" in saved.text
    assert "Minimum (funding rules): 187 h" in saved.text


async def log_otj(apprentice, when: str = "Today", hours: str = "3h"):
    await apprentice.send("/otj")
    await (apprentice.click(when) if when in {"Today", "Yesterday"} else apprentice.send(when))
    await apprentice.send(hours)
    await apprentice.send("Questioning techniques workshop: open and probing questions.")
    return await apprentice.send("K14, S13 and K99")


def _otj_lines(text: str) -> str:
    return text.split("Off-the-job training", 1)[1]


async def test_an_apprentice_logs_off_the_job_hours_and_the_employer_confirms_them(
    apprentice,
    employer,
    services,
    clock,
    outbox,  # noqa: F811
):
    await set_plan(apprentice)
    saved = await log_otj(apprentice)
    assert "Off-the-job training: <b>3 h</b> on Mon 23 Nov." in saved.text
    assert "I've asked Ella to confirm it." in saved.text
    assert "Not ST1379 KSBs, left out: K99." in saved.text
    assert "Late" not in saved.text
    async with services.sessions() as session:
        entry = await session.scalar(select(Entry).where(Entry.kind == "otj"))
        tags = set(await session.scalars(select(Tag.criterion_id).where(Tag.entry_id == entry.id)))
    assert (entry.duration_minutes, entry.recorded_at) == (180, clock())
    assert tags == {"st1379:K14", "st1379:S13"}

    progress = await apprentice.send("/progress")
    lines = _otj_lines(progress.text)
    assert "Planned 318 h · minimum 187 h" in lines
    assert "Logged 3 h · confirmed 0 h · expected by now 306 h" in lines
    assert "Logged hours are behind plan" in lines
    assert "12 months on programme: from 01 Dec 2026" in lines

    await deliver(services, outbox, clock)
    [request] = sent(outbox, employer.user.id)
    assert "Anna asks you to confirm 3 h of off-the-job training on Mon 23 Nov" in request.text
    assert "Questioning techniques workshop" in request.text
    clock.advance(hours=1)
    thanks = await employer.press(buttons(request)["Confirm"])
    assert thanks.text == "Confirmed, thank you. I'll let Anna know."
    await deliver(services, outbox, clock)
    [notice] = [m for m in sent(outbox, apprentice.user.id) if "confirmed" in m.text]
    assert notice.text == "Ella confirmed 3 h of off-the-job training for E-0001."
    again = await employer.press(buttons(request)["Confirm"])
    assert again.alerts == ["You've answered this already. Thank you!"]

    progress = await apprentice.send("/progress")
    assert "Logged 3 h · confirmed 3 h · expected by now 306 h" in _otj_lines(progress.text)
    async with services.sessions() as session:
        [confirmation] = await session.scalars(select(Confirmation))
    assert (confirmation.kind, confirmation.minutes, confirmation.entry_id) == ("otj", 180, 1)


async def test_nobody_else_confirms_the_employers_request_and_the_employer_sees_no_journal(
    apprentice,
    employer,
    make_client,
    services,
    clock,
    outbox,  # noqa: F811
):
    other = make_client("Olga")
    await invite_and_join(apprentice, other, role="Supervisor")
    await set_plan(apprentice)
    await log_otj(apprentice)
    await deliver(services, outbox, clock)
    [request] = sent(outbox, employer.user.id)
    refused = await other.press(buttons(request)["Confirm"])
    assert refused.alerts == ["That button isn't for you."]
    mine = await apprentice.press(buttons(request)["Confirm"])
    assert mine.alerts == ["That button isn't for you."]
    async with services.sessions() as session:
        assert list(await session.scalars(select(Confirmation))) == []
    for command in ("/progress", "/otj", "/apprenticeship"):
        reply = await employer.send(command)  # no journal of theirs: what is theirs instead
        assert "As Anna's employer, yours are /gateway" in reply.text


async def test_without_an_employer_the_supervisor_confirms_for_them(
    apprentice,
    make_client,
    services,
    clock,
    outbox,  # noqa: F811
):
    maria = make_client("Maria")
    await invite_and_join(apprentice, maria, role="Supervisor")
    saved = await log_otj(apprentice)
    assert "I've asked Maria to confirm it." in saved.text
    await deliver(services, outbox, clock)
    [request] = sent(outbox, maria.user.id)
    await maria.press(buttons(request)["Confirm"])
    async with services.sessions() as session:
        [confirmation] = await session.scalars(select(Confirmation))
    assert confirmation.kind == "otj"


async def test_an_entry_recorded_more_than_seven_days_later_shows_as_late(apprentice):
    saved = await log_otj(apprentice, when="12 Nov")
    assert "Late: recorded 11 days after the training" in saved.text
    assert "Invite your employer with /invite" in saved.text
    on_time = await log_otj(apprentice, when="16 Nov")
    assert "Late" not in on_time.text


async def test_an_apprentice_behind_plan_is_reminded_once_a_week(
    apprentice,
    services,
    clock,
    outbox,  # noqa: F811
):
    await set_plan(apprentice)
    await log_otj(apprentice)
    for _ in range(2):  # planned twice in the same week: one reminder
        async with writing(services.sessions) as session:
            await reminders.plan_reminders(session, clock())
    await deliver(services, outbox, clock)
    [nudge] = [m for m in sent(outbox, apprentice.user.id) if "behind plan" in m.text]
    assert "3 h logged and 0 h confirmed, 306 h expected by now" in nudge.text
    started = await apprentice.press(buttons(nudge)["Log off-the-job hours"])
    assert "When was the training?" in started.text
    clock.advance(days=7)
    async with writing(services.sessions) as session:
        await reminders.plan_reminders(session, clock())
    async with services.sessions() as session:
        kinds = list(await session.scalars(select(Prompt.key).where(Prompt.kind == "otj_behind")))
    assert kinds == ["otj:1:51", "otj:1:52"]


async def test_otj_is_for_st1379_portfolios(mentor):
    reply = await mentor.send("/otj")
    assert "for ST1379 apprentices" in reply.text
    reply = await mentor.send("/apprenticeship")
    assert "for ST1379 apprentices" in reply.text


async def confirmed_otj(apprentice, employer, services, clock, bot) -> None:
    """A plan set, three hours of off-the-job training logged and the employer's confirmation."""
    await set_plan(apprentice)
    await log_otj(apprentice)
    await deliver(services, bot, clock)
    [request] = sent(bot, employer.user.id)
    await employer.press(buttons(request)["Confirm"])


async def test_forgetting_the_apprentice_erases_the_plan_and_the_off_the_job_record(
    apprentice,
    employer,
    services,
    clock,
    outbox,  # noqa: F811
):
    await confirmed_otj(apprentice, employer, services, clock, outbox)
    await apprentice.send("/forget")
    await apprentice.click("Erase everything")
    async with services.sessions() as session:
        assert list(await session.scalars(select(Apprenticeship))) == []
        assert list(await session.scalars(select(Entry))) == []
        assert list(await session.scalars(select(Confirmation))) == []


async def test_forgetting_the_employer_keeps_the_apprentices_confirmed_hours(
    apprentice,
    employer,
    services,
    clock,
    outbox,  # noqa: F811
):
    await confirmed_otj(apprentice, employer, services, clock, outbox)
    await employer.send("/forget")
    await employer.click("Erase everything")
    async with services.sessions() as session:
        [confirmation] = await session.scalars(select(Confirmation))
        assert await session.get(Apprenticeship, 1) is not None
    assert (confirmation.kind, confirmation.minutes) == ("otj", 180)
    progress = await apprentice.send("/progress")
    assert "confirmed 3 h" in _otj_lines(progress.text)


async def test_the_centre_sets_the_plan_from_the_command_line_and_the_floor_is_refused(
    apprentice, settings, monkeypatch, capsys
):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(settings.files_dir))
    monkeypatch.setenv("FRAMEWORKS_DIR", str(settings.frameworks_dir))
    args = ["apprenticeship", "--portfolio", "1", "--start", "2025-12-01", "--end", "2026-12-07"]
    refused = await asyncio.to_thread(
        main, [*args, "--planned-hours", "318", "--minimum-hours", "150"]
    )
    assert refused == 2
    assert "below the funding rules' floor of 187 hours" in capsys.readouterr().err
    done = await asyncio.to_thread(
        main, [*args, "--planned-hours", "318", "--minimum-hours", "200"]
    )
    assert done == 0
    assert "Minimum (funding rules): 200 h" in capsys.readouterr().out
    reply = await apprentice.send("/apprenticeship")
    assert "Start: 01 Dec 2025" in reply.text and "Planned off-the-job hours: 318 h" in reply.text
