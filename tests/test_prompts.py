"""Feedback prompts, supervisor requests and reminders: due on time, sent once, answered once.

Everything runs through the real Dispatcher and real SQLite files; prompts go out through
`run_due_prompts` with the fake clock, to an offline Telegram that can be told to refuse.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter
from aiogram.methods import SendMessage, TelegramMethod
from sqlalchemy import select

from bot.app import build_dispatcher, build_services
from bot.prompter import Limiter, PromptJob, build_scheduler, run_due_prompts
from journal.prompting import PromptKind
from storage import outbox as outbox_repo
from storage import prompts as prompt_repo
from storage.models import Confirmation, Entry, Person, Prompt
from storage.uow import writing
from tests.botkit import BOT_USER, ChatClient, OfflineSession
from tests.conftest import invite_and_join, log_session


class ScriptedSession(OfflineSession):
    """An offline Telegram that raises the errors scripted for a chat, one per send."""

    def __init__(self) -> None:
        super().__init__()
        self.script: dict[int, list[Exception]] = {}

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> Any:
        if isinstance(method, SendMessage) and self.script.get(int(method.chat_id)):
            raise self.script[int(method.chat_id)].pop(0)
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def outbox() -> Bot:
    bot = Bot(token="42:TEST-token-not-real", session=ScriptedSession())
    bot._me = BOT_USER
    return bot


def sent(outbox: Bot, chat_id: int | None = None) -> list[SendMessage]:
    return [
        c
        for c in outbox.session.calls  # type: ignore[attr-defined]
        if isinstance(c, SendMessage) and (chat_id is None or c.chat_id == chat_id)
    ]


def buttons(message: SendMessage) -> dict[str, str]:
    return {b.text: b.callback_data for row in message.reply_markup.inline_keyboard for b in row}


async def deliver(services, outbox: Bot, clock, worker: str = "w1", **options: Any) -> int:
    limiter = Limiter(per_second=1000, per_chat_seconds=0)
    return await run_due_prompts(
        outbox, services.sessions, clock(), worker_id=worker, limiter=limiter, **options
    )


async def rows(services, model=Prompt, *where) -> list[Any]:
    async with services.sessions() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


async def move_to_kolkata(client: ChatClient) -> None:
    await client.send("/settings")
    await client.click("Time zone")
    await client.click("India (Kolkata)")


async def log_group_session(mentor: ChatClient, *names: str) -> None:
    await mentor.send("/log")
    await mentor.click("Group")
    for name in names:
        await mentor.click(name)
    await mentor.click("Done")
    await mentor.click("Today")
    await mentor.click("1 h")
    await mentor.click("In person")
    await mentor.send("Shift handover checklist")
    await mentor.send("Ran the handover twice; Jon led the second run, Priya took notes.")
    for _ in range(3):
        await mentor.click("Skip")


@pytest.fixture
async def priya(make_client, mentor) -> ChatClient:
    client = make_client("Priya")
    await invite_and_join(mentor, client)
    await move_to_kolkata(client)
    return client


async def test_each_mentee_is_asked_later_that_day_in_their_own_zone(
    mentor, mentee, priya, services, clock, outbox
):
    await log_group_session(mentor, "Jon", "Priya")
    by_person = {p.person_id: p for p in await rows(services, Prompt, Prompt.kind == "feedback")}
    people = {p.telegram_id: p.id for p in await rows(services, Person)}
    # Logged at 10:00 UTC: two hours later is 12:00 in London and 17:30 in Kolkata.
    assert by_person[people[mentee.user.id]].due_at == at(12)
    assert by_person[people[priya.user.id]].due_at == at(12)

    clock.advance(hours=7)  # 17:00 UTC: two hours later is 00:30 in Kolkata, inside quiet hours
    await log_session(mentor, who="Jon")
    later = await rows(services, Prompt, Prompt.kind == "feedback", Prompt.created_at == at(17))
    assert {p.person_id: p.due_at for p in later} == {people[mentee.user.id]: at(19)}


async def test_quiet_hours_hold_a_prompt_until_eight_local(mentor, priya, services, clock, outbox):
    clock.now = at(17)
    await log_session(mentor, who="Priya")
    [prompt] = await rows(services, Prompt, Prompt.kind == "feedback")
    assert prompt.due_at == at(2, 30, day=24)  # 08:00 in Kolkata

    clock.now = at(2, 29, day=24)
    assert await deliver(services, outbox, clock) == 0
    clock.now = at(2, 30, day=24)
    assert await deliver(services, outbox, clock) == 1
    [message] = sent(outbox, priya.user.id)
    assert message.text.startswith(
        "How useful was yesterday's session with Anna (Shift handover checklist)?"
    )


async def test_a_due_prompt_is_sent_once_and_names_only_the_mentor_and_plan(
    mentor, mentee, priya, services, clock, outbox
):
    await log_group_session(mentor, "Jon", "Priya")
    clock.now = at(11, 59)
    assert await deliver(services, outbox, clock) == 0
    clock.now = at(12)
    assert await deliver(services, outbox, clock) == 2
    assert await deliver(services, outbox, clock) == 0
    [to_jon] = sent(outbox, mentee.user.id)
    assert to_jon.text.startswith(
        "How useful was today's session with Anna (Shift handover checklist)?"
    )
    assert "Priya" not in to_jon.text and "Jon" not in sent(outbox, priya.user.id)[0].text
    assert list(buttons(to_jon)) == ["1", "2", "3", "4", "5"]
    assert {p.state for p in await rows(services, Prompt, Prompt.kind == "feedback")} == {"sent"}


async def prompted(mentor, mentee, services, clock, outbox) -> SendMessage:
    await log_session(mentor)
    clock.now = at(12)
    await deliver(services, outbox, clock)
    [message] = sent(outbox, mentee.user.id)
    return message


async def test_rating_and_a_line_become_tagged_feedback_and_the_mentor_is_told(
    mentor, mentee, services, clock, outbox
):
    prompt = await prompted(mentor, mentee, services, clock, outbox)
    shown = mentee._message(text=prompt.text, from_user=BOT_USER)
    reply = await mentee.press(buttons(prompt)["4"], shown)
    assert "One line on what helped or what you'd change? (optional)" in reply.text
    assert reply.buttons() == ["Skip"]
    reply = await mentee.send("Doing it for real was better than reading the checklist.")
    assert reply.text == "Sent to Anna. Thank you."

    session_entry, feedback = await rows(services, Entry)
    assert feedback.kind == "feedback" and feedback.related_entry_id == session_entry.id
    assert feedback.data == {
        "source": "mentee",
        "rating": 4,
        "question": "How useful was today's session with Anna (Shift handover checklist)?",
        "about_ref": "E-0001",
        "text": "Doing it for real was better than reading the checklist.",
    }
    assert [t.criterion_id for t in feedback.tags] == ["ilm:D3.07/3.2"]
    assert feedback.portfolio_id == session_entry.portfolio_id

    assert await deliver(services, outbox, clock) == 1
    [notice] = sent(outbox, mentor.user.id)
    assert notice.text.startswith("Jon rated E-0001 (Mon 23 Nov) 4/5. Saved as E-0002.")
    assert "“Doing it for real was better than reading the checklist.”" in notice.text


async def test_without_the_line_the_mentor_hears_after_a_quarter_of_an_hour(
    mentor, mentee, services, clock, outbox
):
    prompt = await prompted(mentor, mentee, services, clock, outbox)
    await mentee.press(buttons(prompt)["5"])
    assert await deliver(services, outbox, clock) == 0
    clock.advance(minutes=15)
    assert await deliver(services, outbox, clock) == 1
    assert sent(outbox, mentor.user.id)[0].text.startswith("Jon rated E-0001 (Mon 23 Nov) 5/5.")


async def test_a_replayed_tap_writes_once_and_a_second_tap_is_told_it_was_answered(
    mentor, mentee, services, clock, outbox
):
    prompt = await prompted(mentor, mentee, services, clock, outbox)
    await mentee.press(buttons(prompt)["4"])
    tap = mentee.sent[-1]
    await mentee.click("Skip")
    assert (await mentee.replay(tap)).messages == []
    again = await mentee.press(buttons(prompt)["2"])
    assert again.alerts == ["You've answered this already. Thank you!"]
    assert len(await rows(services, Entry, Entry.kind == "feedback")) == 1


async def test_someone_elses_tap_is_refused(mentor, mentee, priya, services, clock, outbox):
    prompt = await prompted(mentor, mentee, services, clock, outbox)
    reply = await priya.press(buttons(prompt)["1"])
    assert reply.alerts == ["That button isn't for you."]
    assert await rows(services, Entry, Entry.kind == "feedback") == []


async def test_a_reminder_before_closing_and_a_closed_prompt(
    mentor, mentee, services, clock, outbox
):
    prompt = await prompted(mentor, mentee, services, clock, outbox)
    clock.now = at(12, day=25)  # a day before the prompt closes (three days after 12:00 on 23rd)
    assert await deliver(services, outbox, clock) == 1
    reminder = sent(outbox, mentee.user.id)[-1]
    assert reminder.text.startswith(
        "<i>Reminder: this closes within a day.</i>\nHow useful was your session"
    )
    assert buttons(reminder) == buttons(prompt)
    clock.now = at(12, day=26)
    reply = await mentee.press(buttons(reminder)["3"])
    assert reply.alerts == ["This request has closed."]


async def test_a_process_that_died_after_claiming_leaves_the_prompt_to_be_sent_once(
    mentor, mentee, services, settings, clock, outbox
):
    await log_session(mentor)
    clock.now = at(12)
    async with writing(services.sessions) as session:
        assert len(await outbox_repo.claim_due(session, clock(), "dead/1", 10)) == 1
    await services.engine.dispose()  # the process is gone before it called Telegram

    restarted = build_services(settings, clock=clock)
    try:
        assert await deliver(restarted, outbox, clock, worker="w2") == 0  # the claim is still young
        clock.advance(minutes=3)
        assert await deliver(restarted, outbox, clock, worker="w2") == 1
        assert await deliver(restarted, outbox, clock, worker="w2") == 0
        assert len(sent(outbox, mentee.user.id)) == 1
    finally:
        await restarted.engine.dispose()


async def test_a_process_that_died_while_sending_never_sends_twice_and_the_reminder_still_asks(
    mentor, mentee, services, settings, clock, outbox, bot
):
    await log_session(mentor)
    clock.now = at(12)
    async with writing(services.sessions) as session:
        [claimed] = await outbox_repo.claim_due(session, clock(), "dead/1", 10)
    async with writing(services.sessions) as session:
        assert await outbox_repo.mark_sending(session, claimed.id, "dead/1", clock())
    await services.engine.dispose()  # gone while Telegram had the request: delivered or not?

    restarted = build_services(settings, clock=clock)
    try:
        clock.advance(minutes=11)
        assert await deliver(restarted, outbox, clock, worker="w2") == 0
        assert sent(outbox, mentee.user.id) == []
        [feedback] = await rows(restarted, Prompt, Prompt.kind == "feedback")
        assert feedback.state == "unknown"

        clock.now = at(12, day=25)
        assert await deliver(restarted, outbox, clock, worker="w2") == 1
        [reminder] = sent(outbox, mentee.user.id)
        client = ChatClient(dp=build_dispatcher(restarted), bot=bot, user=mentee.user)
        reply = await client.press(buttons(reminder)["4"])
        assert "One line" in reply.text
    finally:
        await restarted.engine.dispose()


def forbidden() -> TelegramForbiddenError:
    method = SendMessage(chat_id=0, text="")
    return TelegramForbiddenError(method=method, message="Forbidden: bot was blocked by the user")


async def test_a_user_who_blocked_the_bot_is_marked_and_not_prompted_again(
    mentor, mentee, services, clock, outbox
):
    outbox.session.script[mentee.user.id] = [forbidden()]
    await log_session(mentor)
    clock.now = at(12)
    assert await deliver(services, outbox, clock) == 0
    [jon] = await rows(services, Person, Person.telegram_id == mentee.user.id)
    assert jon.blocked_at == at(12)
    assert [p.state for p in await rows(services, Prompt, Prompt.kind == "feedback")] == ["failed"]

    await log_session(mentor)
    assert len(await rows(services, Prompt, Prompt.kind == "feedback")) == 1
    clock.advance(days=3)
    await deliver(services, outbox, clock)
    assert sent(outbox, mentee.user.id) == []


async def test_429_waits_retry_after_and_delivers_once(mentor, mentee, services, clock, outbox):
    method = SendMessage(chat_id=mentee.user.id, text="")
    outbox.session.script[mentee.user.id] = [
        TelegramRetryAfter(method=method, message="Too Many Requests: retry after 1", retry_after=1)
    ]
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    await log_session(mentor)
    clock.now = at(12)
    assert await deliver(services, outbox, clock, sleep=sleep) == 1
    assert waited == [1]
    assert len(sent(outbox, mentee.user.id)) == 1
    [prompt] = await rows(services, Prompt, Prompt.kind == "feedback")
    assert prompt.state == "sent" and prompt.attempts == 1


async def test_a_timeout_is_not_retried_but_a_failed_connection_is(
    mentor, mentee, services, clock, outbox
):
    from aiohttp import ClientConnectorError

    method = SendMessage(chat_id=mentee.user.id, text="")
    refused = TelegramNetworkError(method=method, message="ClientConnectorError")
    refused.__cause__ = ClientConnectorError(None, OSError(111, "Connection refused"))  # type: ignore[arg-type]
    outbox.session.script[mentee.user.id] = [refused]
    await log_session(mentor)
    clock.now = at(12)
    assert await deliver(services, outbox, clock) == 0
    [prompt] = await rows(services, Prompt, Prompt.kind == "feedback")
    assert prompt.state == "pending" and prompt.due_at == at(12, 0) + timedelta(seconds=30)
    clock.advance(seconds=30)
    assert await deliver(services, outbox, clock) == 1

    outbox.session.script[mentor.user.id] = [
        TelegramNetworkError(method=method, message="Request timeout error")
    ]
    await mentee.press(buttons(sent(outbox, mentee.user.id)[0])["4"])
    await mentee.click("Skip")
    assert await deliver(services, outbox, clock) == 0
    clock.advance(hours=1)
    assert await deliver(services, outbox, clock) == 0
    assert sent(outbox, mentor.user.id) == []
    notice = (await rows(services, Prompt, Prompt.kind == "notice"))[0]
    assert notice.state == "unknown"


async def test_two_schedulers_over_one_database_send_each_prompt_exactly_once(
    mentor, mentee, services, settings, clock
):
    async with writing(services.sessions) as session:
        [anna] = await session.scalars(select(Person).where(Person.telegram_id == mentor.user.id))
        for n in range(60):
            await prompt_repo.schedule(
                session,
                kind=PromptKind.NOTICE,
                person=anna,
                due_at=clock(),
                now=clock(),
                payload={"event": "hours", "who": f"P{n}", "ref": "E-0001", "minutes": 60},
            )
    other = build_services(settings, clock=clock)
    bots = [Bot(token="42:TEST-token-not-real", session=OfflineSession()) for _ in range(2)]
    limiter = Limiter(per_second=1000, per_chat_seconds=0)

    async def drain(sessions, bot, worker: str) -> None:
        sent_now = 1
        while sent_now:
            sent_now = await run_due_prompts(
                bot, sessions, clock(), worker_id=worker, limiter=limiter, batch=7
            )
            await asyncio.sleep(0)  # let the other process claim between batches

    try:
        await asyncio.gather(
            drain(services.sessions, bots[0], "one"), drain(other.sessions, bots[1], "two")
        )
    finally:
        await other.engine.dispose()
    # Which worker sends how many depends on SQLite's lock timing; what must hold is that
    # together they send every prompt exactly once.
    texts = [m.text.split()[0] for bot in bots for m in sent(bot)]
    assert sorted(texts) == sorted(f"P{n}" for n in range(60))
    assert {p.state for p in await rows(services, Prompt, Prompt.kind == "notice")} == {"sent"}


async def test_a_supervisor_confirms_hours_and_the_record_keeps_who_and_when(
    mentor, mentee, make_client, services, clock, outbox
):
    maria = make_client("Maria")
    await invite_and_join(mentor, maria, role="Supervisor")
    await log_session(mentor)
    await mentor.send("/request")
    await mentor.click("Confirm hours")
    reply = await mentor.click(lambda t: t.startswith("E-0001"))
    assert (
        reply.text == "Asked Maria to confirm the hours of E-0001. I'll tell you when they answer."
    )

    await deliver(services, outbox, clock)
    [request] = sent(outbox, maria.user.id)
    assert request.text == (
        "Anna asks you to confirm 1 h 15 of mentoring on Mon 23 Nov: "
        "Shift handover checklist (E-0001)."
    )
    clock.advance(hours=1)
    reply = await maria.press(buttons(request)["Confirm"])
    assert reply.text == "Confirmed, thank you. I'll let Anna know."
    [confirmation] = await rows(services, Confirmation)
    [maria_row] = await rows(services, Person, Person.telegram_id == maria.user.id)
    [session_entry] = await rows(services, Entry)
    assert (confirmation.kind, confirmation.supervisor_id, confirmation.entry_id) == (
        "hours",
        maria_row.id,
        session_entry.id,
    )
    assert confirmation.minutes == 75 and confirmation.confirmed_at == at(11)
    assert (await maria.press(buttons(request)["Not right"])).alerts == [
        "You've answered this already. Thank you!"
    ]

    await deliver(services, outbox, clock)
    assert (
        sent(outbox, mentor.user.id)[-1].text == "Maria confirmed 1 h 15 of mentoring for E-0001."
    )


async def test_a_supervisors_testimony_is_kept_as_witness_evidence(
    mentor, make_client, services, clock, outbox
):
    maria = make_client("Maria")
    await invite_and_join(mentor, maria, role="Supervisor")
    await mentor.send("/request")
    reply = await mentor.click("Witness testimony")
    assert "for a witness testimony" in reply.text
    await deliver(services, outbox, clock)
    [request] = sent(outbox, maria.user.id)
    assert request.text.startswith("Anna asks you for a witness testimony")
    assert (
        await maria.press(buttons(request)["Write it"])
    ).text == "Type your answer in one message."
    reply = await maria.send("Anna runs calm, well-planned sessions & listens first.")
    assert reply.text == "Sent to Anna. Thank you."
    [evidence] = await rows(services, Entry)
    assert evidence.kind == "evidence" and evidence.data["evidence_type"] == "witness"
    assert evidence.data["caption"] == "Anna runs calm, well-planned sessions & listens first."
    [confirmation] = await rows(services, Confirmation)
    assert confirmation.kind == "testimony" and confirmation.entry_id == evidence.id
    await deliver(services, outbox, clock)
    assert sent(outbox, mentor.user.id)[-1].text.startswith(
        "Maria sent a witness testimony. Saved as E-0001."
    )


async def test_a_paused_person_gets_nothing(mentor, mentee, services, clock, outbox):
    await log_session(mentor)
    reply = await mentee.send("/settings")
    assert "Prompts and reminders: on" in reply.text
    reply = await mentee.click("Pause prompts")
    assert "Prompts and reminders: paused" in reply.text
    await log_session(mentor)
    assert [p.state for p in await rows(services, Prompt, Prompt.kind == "feedback")] == [
        "cancelled"
    ]
    clock.advance(days=3)
    await deliver(services, outbox, clock)
    assert sent(outbox, mentee.user.id) == []


async def test_typed_quiet_hours_are_kept_and_used(mentor, mentee, services, clock):
    await mentee.send("/settings")
    await mentee.click("Quiet hours")
    assert "couldn't read" in (await mentee.send("late evenings")).text
    reply = await mentee.send("11-15")
    assert "Quiet hours: 11:00–15:00" in reply.text
    await log_session(mentor)
    [prompt] = await rows(services, Prompt, Prompt.kind == "feedback")
    assert prompt.due_at == at(15)


async def test_a_week_without_entries_brings_one_nudge(mentor, mentee, services, clock, outbox):
    await log_session(mentor)

    async def tick() -> list[str]:
        job = PromptJob(outbox, services.sessions, clock, worker_id="w1", limiter=Limiter(1000, 0))
        await job.tick()
        return [m.text for m in sent(outbox, mentor.user.id) if m.text.startswith("Nothing logged")]

    clock.advance(days=6, hours=23)
    assert await tick() == []
    clock.advance(hours=1)  # seven days after the last entry, 10:00 in London
    assert len(await tick()) == 1
    clock.advance(days=1)
    assert len(await tick()) == 1
    clock.advance(days=6)
    assert len(await tick()) == 2


async def test_a_pair_without_a_session_for_three_weeks_is_flagged(
    mentor, mentee, services, clock, outbox
):
    await log_session(mentor)
    clock.advance(days=21)
    job = PromptJob(outbox, services.sessions, clock, worker_id="w1", limiter=Limiter(1000, 0))
    await job.tick()
    texts = [m.text for m in sent(outbox, mentor.user.id)]
    assert (
        "No session with Jon for three weeks. Time to catch up? Log it with /log when you've met."
        in texts
    )


async def test_the_limiter_spaces_messages_to_one_chat():
    limiter = Limiter(per_second=1000, per_chat_seconds=0.05)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(3):
        await limiter.wait(1)
    await limiter.wait(2)
    assert 0.1 <= loop.time() - start < 0.5


async def test_the_started_scheduler_sends_a_due_prompt(mentor, mentee, services, clock, outbox):
    """As `mentorlog run` starts it: APScheduler must await the job, not drop its coroutine."""
    await log_session(mentor)
    clock.advance(hours=3)
    limiter = Limiter(per_second=1000, per_chat_seconds=0)
    scheduler = build_scheduler(
        outbox, services.sessions, clock, worker_id="w1", limiter=limiter, every_seconds=0.05
    )
    scheduler.start()
    try:
        for _ in range(100):
            if sent(outbox, mentee.user.id):
                break
            await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)
    [prompt] = sent(outbox, mentee.user.id)
    assert prompt.text.startswith("How useful was")


def test_the_scheduler_runs_one_coalescing_job(services, outbox, clock):
    scheduler = build_scheduler(outbox, services.sessions, clock, worker_id="w1")
    [job] = scheduler.get_jobs()
    assert inspect.iscoroutinefunction(job.func)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
    assert job.trigger.interval == timedelta(seconds=5)
