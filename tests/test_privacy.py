"""/mydata and /forget: a copy of everything at once, erasure that keeps others' records."""

import json

from aiogram.methods import SendDocument
from sqlalchemy import func, select

from storage.models import Attachment, Entry, FsmRecord, Person, Portfolio
from storage.snapshots import load_snapshot
from tests.conftest import log_session


async def test_mydata_sends_a_machine_readable_copy_at_once(mentor, mentee):
    await log_session(mentor)
    reply = await mentor.send("/mydata")
    [document] = [c for c in reply.calls if isinstance(c, SendDocument)]
    copy = json.loads(document.document.data)
    assert copy["person"]["name"] == "Anna"
    assert [e["ref"] for e in copy["entries"]] == ["E-0001"]
    assert copy["portfolios"][0]["frameworks"] == ["ilm"]


async def test_a_mentees_copy_holds_the_sessions_about_them(mentor, mentee):
    await log_session(mentor)
    reply = await mentee.send("/mydata")
    [document] = [c for c in reply.calls if isinstance(c, SendDocument)]
    copy = json.loads(document.document.data)
    assert [e["ref"] for e in copy["entries"]] == ["E-0001"]
    assert copy["memberships"][0]["pseudonym"] == "Mentee A"


async def test_forgetting_a_mentee_keeps_the_mentors_record_under_the_pseudonym(
    mentor, mentee, services, settings, clock
):
    await log_session(mentor)
    await mentee.send("/forget")
    reply = await mentee.click("Erase everything")
    assert "erased" in reply.text
    async with services.sessions() as session:
        person = await session.scalar(select(Person).where(Person.erased_at.is_not(None)))
        snapshot = await load_snapshot(session, 1, settings.files_dir, clock())
        mine = FsmRecord.key.like(f"%:{mentee.user.id}:%")
        leftover = await session.scalar(select(func.count()).select_from(FsmRecord).where(mine))
    assert person.name == "" and person.telegram_id is None
    assert snapshot.entries[0].mentees == ("Mentee A",)
    assert leftover == 0
    assert "/start" in (await mentee.send("hello")).text


async def test_forgetting_a_mentor_erases_the_portfolio_and_its_files(mentor, services, settings):
    await mentor.send_photo(b"\xff\xd8" + b"x" * 500, caption="Checklist")
    await mentor.click("Evidence")
    await mentor.click("Product evidence")
    await mentor.click("Today")
    async with services.sessions() as session:
        stored = settings.files_dir / (await session.scalar(select(Attachment))).path
    assert stored.is_file()
    await mentor.send("/forget")
    await mentor.click("Erase everything")
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(Portfolio.id))) == 0
        assert await session.scalar(select(func.count(Entry.id))) == 0
    assert not stored.exists()


async def test_forgetting_a_mentor_drops_the_texts_the_tagger_remembers(mentor, services):
    await mentor.send("Need to ask Jon more open questions about the rota.")
    await mentor.click("Reflection")
    assert services.tagger._ranked.cache_info().currsize > 0
    await mentor.send("/forget")
    await mentor.click("Erase everything")
    assert services.tagger._ranked.cache_info().currsize == 0


async def test_keeping_data_erases_nothing(mentor, services):
    await mentor.send("/forget")
    reply = await mentor.click("Keep my data")
    assert "Nothing was erased" in reply.text
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(Portfolio.id))) == 1


async def test_forgetting_a_mentee_cancels_the_notice_that_carries_their_words(
    mentor, mentee, services, clock, bot
):
    from bot.prompter import Limiter, run_due_prompts
    from storage.models import Prompt

    await log_session(mentor)
    clock.advance(hours=3)
    await run_due_prompts(bot, services.sessions, clock(), worker_id="t", limiter=Limiter())
    prompt = next(
        c for c in reversed(bot.session.calls) if getattr(c, "chat_id", None) == mentee.user.id
    )
    rating = next(b for row in prompt.reply_markup.inline_keyboard for b in row if b.text == "4")
    await mentee.press(rating.callback_data)
    await mentee.send("Doing it for real helped.")
    await mentee.send("/forget")
    await mentee.click("Erase everything")
    async with services.sessions() as session:
        notices = list(await session.scalars(select(Prompt).where(Prompt.kind == "notice")))
    assert notices and all(n.state in {"cancelled", "sent"} for n in notices)
    clock.advance(hours=1)
    sent_before = len(bot.session.calls)
    await run_due_prompts(bot, services.sessions, clock(), worker_id="t", limiter=Limiter())
    texts_to_mentor = [
        c.text
        for c in bot.session.calls[sent_before:]
        if getattr(c, "chat_id", None) == mentor.user.id
    ]
    assert not any("Doing it for real" in t for t in texts_to_mentor)
