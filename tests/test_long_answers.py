"""A long answer that Telegram's app sent as several messages is kept whole, in its own field."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import build_dispatcher, build_services
from journal.answers import PART_GAP, continues, joined, may_have_more
from storage.models import Entry, EntryRevision
from tests.botkit import FIXED_DATE, ChatClient

# Telegram's apps cut a long text into messages of at most 4,096 characters, a moment apart.
FIRST = ("We went through the handover checklist line by line and he led it. " * 61)[:4090].strip()
REST = "Then he ran it alone, and only needed one prompt at the end."


async def send_at(client: ChatClient, text: str, seconds_later: float):
    """A message sent `seconds_later` than the others (they are all dated FIXED_DATE)."""
    message = client._message(text=text).model_copy(
        update={"date": FIXED_DATE + timedelta(seconds=seconds_later)}
    )
    return await client.feed(client.update(message=message))


async def start_log_at_the_plan(mentor: ChatClient) -> None:
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.click("45 min")
    await mentor.click("In person")


async def finish_log(mentor: ChatClient, summary: str = "Covered escalation paths.") -> None:
    await mentor.send(summary)
    for _ in range(3):
        await mentor.click("Skip")


async def saved(services) -> list[Entry]:
    async with services.sessions() as session:
        return list(await session.scalars(select(Entry).order_by(Entry.id)))


def test_only_a_message_as_long_as_telegrams_cut_may_have_a_rest():
    assert may_have_more("x" * 4096) and may_have_more("x" * 4000)
    assert not may_have_more("x" * 3000)


def test_a_part_continues_a_long_one_sent_moments_before():
    assert continues(4096, FIXED_DATE, FIXED_DATE + timedelta(seconds=1))
    assert continues(4096, FIXED_DATE, FIXED_DATE + PART_GAP)
    assert not continues(4096, FIXED_DATE, FIXED_DATE + PART_GAP + timedelta(seconds=1))
    assert not continues(1200, FIXED_DATE, FIXED_DATE)


def test_parts_join_as_one_text():
    assert joined("he led it", "and then") == "he led it and then"
    assert joined("He led it.", "Then alone.") == "He led it.\nThen alone."


async def test_the_rest_of_a_long_answer_joins_it_instead_of_answering_the_next_question(
    mentor, mentee, services
):
    await start_log_at_the_plan(mentor)
    reply = await mentor.send(FIRST)
    assert "What did you actually cover" in reply.text
    reply = await send_at(mentor, REST, 1)
    assert "added that to your last answer" in reply.text
    assert "What did you actually cover" in reply.text
    await mentor.replay(mentor.sent[-1])  # Telegram sending the part again changes nothing
    await finish_log(mentor)
    [entry] = await saved(services)
    assert entry.data["plan"] == joined(FIRST, REST)
    assert entry.data["summary"] == "Covered escalation paths."


async def test_a_message_long_after_a_long_answer_answers_the_next_question(
    mentor, mentee, services
):
    await start_log_at_the_plan(mentor)
    await mentor.send(FIRST)
    reply = await send_at(mentor, "Covered escalation paths.", 60)
    assert "How is Jon progressing" in reply.text
    for _ in range(3):
        await mentor.click("Skip")
    [entry] = await saved(services)
    assert entry.data["plan"] == FIRST and entry.data["summary"] == "Covered escalation paths."


async def test_a_short_answer_is_never_joined(mentor, mentee, services):
    await start_log_at_the_plan(mentor)
    await mentor.send("Shift handover checklist")
    reply = await mentor.send("Covered escalation paths.")
    assert "How is Jon progressing" in reply.text


async def test_the_rest_joins_after_a_restart(mentor, mentee, services, settings, clock, bot):
    await start_log_at_the_plan(mentor)
    await mentor.send(FIRST)
    await services.engine.dispose()
    restarted = build_services(settings, clock=clock)
    try:
        again = ChatClient(dp=build_dispatcher(restarted), bot=bot, user=mentor.user)
        reply = await send_at(again, REST, 2)
        assert "What did you actually cover" in reply.text
        await finish_log(again)
        [entry] = await saved(restarted)
        assert entry.data["plan"] == joined(FIRST, REST)
    finally:
        await restarted.engine.dispose()


async def test_a_long_last_answer_waits_for_its_rest_before_the_entry_is_saved(mentor, services):
    await mentor.send("/supervision")
    await mentor.click("Today")
    await mentor.send("Boundaries with a mentee who is also a friend.")
    reply = await mentor.send(FIRST)
    assert "Save" in reply.buttons() and await saved(services) == []
    reply = await send_at(mentor, REST, 1)
    assert "added that to your last answer" in reply.text and "Save" in reply.buttons()
    reply = await mentor.click("Save")
    assert "Saved as <b>E-0001</b>" in reply.text
    [entry] = await saved(services)
    assert entry.data["actions"] == joined(FIRST, REST)


async def test_a_long_edit_sent_as_two_messages_is_one_revision(mentor, mentee, services):
    await start_log_at_the_plan(mentor)
    await mentor.click("Skip")
    await finish_log(mentor)
    await mentor.send("/entries")
    await mentor.click(lambda t: t.startswith("E-0001"))
    await mentor.click("Edit")
    await mentor.click("What was covered")
    reply = await mentor.send(FIRST)
    assert "Save" in reply.buttons()
    await send_at(mentor, REST, 1)
    reply = await mentor.click("Save")
    assert "revision 2" in reply.text
    async with services.sessions() as session:
        revisions = list(await session.scalars(select(EntryRevision)))
    assert [r.data["summary"] for r in revisions] == [
        "Covered escalation paths.",
        joined(FIRST, REST),
    ]


async def test_a_long_note_sent_in_two_parts_is_captured_whole(mentor, services):
    reply = await mentor.send(FIRST)
    assert "Save this as" in reply.text
    reply = await send_at(mentor, REST, 1)
    assert "added that to your last answer" in reply.text and "Reflection" in reply.buttons()
    await mentor.click("Reflection")
    [entry] = await saved(services)
    assert entry.data["note"] == joined(FIRST, REST)
