"""/log: the guided session log, restarts in the middle, replays and bad input."""

from sqlalchemy import func, select

from bot.app import build_dispatcher, build_services
from storage.models import Entry, EntryRevision
from tests.botkit import ChatClient
from tests.conftest import log_session


async def entries(services) -> list[Entry]:
    async with services.sessions() as session:
        return list(await session.scalars(select(Entry).order_by(Entry.id)))


async def test_full_log_saves_the_session_with_hours_and_suggestions(mentor, mentee, services):
    await log_session(mentor)
    reply = mentor.last
    assert "Saved as <b>E-0001</b>" in reply.text
    assert "ILM D3.06: 1 h 15 of 6 h" in reply.text
    assert any("D3.06 2.1" in b for b in reply.buttons())
    [entry] = await entries(services)
    assert entry.kind == "session" and entry.duration_minutes == 75
    assert entry.data["mode"] == "in_person" and entry.data["format"] == "one_to_one"
    assert entry.data["plan"] == "Shift handover checklist"
    assert len(entry.mentees) == 1


async def test_tapping_a_suggestion_confirms_the_tag_and_again_removes_it(mentor, mentee, services):
    await log_session(mentor)
    reply = await mentor.click(lambda t: "D3.06 2.1" in t)
    assert any(b.startswith("✓ D3.06 2.1") for b in reply.buttons())
    [entry] = await entries(services)
    assert [t.criterion_id for t in entry.tags] == ["ilm:D3.06/2.1"]
    await mentor.click(lambda t: t.startswith("✓ D3.06 2.1"))
    [entry] = await entries(services)
    assert entry.tags == []


async def test_typed_criterion_code_tags_the_entry(mentor, mentee, services):
    await log_session(mentor)
    await mentor.click("Type a code")
    reply = await mentor.send("D3.06 3.1")
    assert "Tagged E-0001 to D3.06 3.1" in reply.text
    reply = await mentor.send("/nonsense")
    [entry] = await entries(services)
    assert [t.criterion_id for t in entry.tags] == ["ilm:D3.06/3.1"]


async def test_restart_in_the_middle_of_log_continues_where_the_user_was(
    mentor, mentee, services, settings, clock, bot
):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Yesterday")
    await mentor.send("45")
    await services.engine.dispose()

    restarted = build_services(settings, clock=clock)
    try:
        again = ChatClient(dp=build_dispatcher(restarted), bot=bot, user=mentor.user)
        reply = await again.send("/log")
        assert "unfinished session" in reply.text and "In person or remote?" in reply.text
        await again.click("Remote")
        await again.click("Skip")
        await again.send("Covered escalation paths.")
        await again.click("Skip")
        await again.click("Skip")
        reply = await again.click("Skip")
        assert "Saved as <b>E-0001</b>" in reply.text
        async with restarted.sessions() as session:
            entry = await session.scalar(select(Entry))
        assert entry.duration_minutes == 45 and entry.data["mode"] == "remote"
        assert entry.occurred_on.isoformat() == "2026-11-22"
    finally:
        await restarted.engine.dispose()


async def test_the_same_update_twice_saves_one_entry(mentor, mentee, services):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.click("1 h")
    await mentor.click("In person")
    await mentor.click("Skip")
    await mentor.send("Role-played a difficult customer call.")
    await mentor.click("Skip")
    await mentor.click("Skip")
    final = mentor.sent[-1]
    await mentor.click("Skip")
    assert len(await entries(services)) == 1
    replayed = await mentor.replay(final)
    assert replayed.messages == []
    last_save = mentor.sent[-1]
    await mentor.replay(last_save)
    assert len(await entries(services)) == 1


async def test_an_impossible_date_is_refused_and_the_draft_kept(mentor, mentee, services):
    await mentor.send("/log")
    await mentor.click("Jon")
    reply = await mentor.send("31/02")
    assert "isn't a real date" in reply.text
    assert "Today" in reply.buttons()
    reply = await mentor.send("40 Nov")
    assert "When?" in reply.text
    await mentor.send("yesterday")
    assert "How long?" in mentor.last.text


async def test_a_future_date_is_refused(mentor, mentee):
    await mentor.send("/log")
    await mentor.click("Jon")
    reply = await mentor.send("tomorrow")
    assert "future" in reply.text


async def test_durations_of_zero_and_25_hours_are_refused(mentor, mentee, services):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    assert "at least a minute" in (await mentor.send("0")).text
    assert "at most 12 hours" in (await mentor.send("25h")).text
    assert "In person or remote?" in (await mentor.send("1:30")).text
    assert await entries(services) == []


async def test_an_answer_over_12000_characters_is_refused_and_the_earlier_answers_kept(
    mentor, mentee, services
):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.click("45 min")
    await mentor.click("In person")
    await mentor.click("Skip")
    reply = await mentor.send("x" * 13_000)
    assert "13,000 characters" in reply.text and "12,000" in reply.text
    assert "Your other answers are kept" in reply.text
    await mentor.send("Short summary instead.")
    await mentor.click("Skip")
    await mentor.click("Skip")
    await mentor.click("Skip")
    [entry] = await entries(services)
    assert entry.duration_minutes == 45 and entry.data["summary"] == "Short summary instead."


async def test_back_returns_to_the_previous_step_and_cancel_saves_nothing(mentor, mentee, services):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    reply = await mentor.click("Back")
    assert "When?" in reply.text
    reply = await mentor.click("Cancel")
    assert "Nothing was saved" in reply.text
    assert await entries(services) == []


async def test_a_button_from_an_earlier_step_is_recognised_as_stale(mentor, mentee):
    await mentor.send("/log")
    first = await mentor.click("Jon")
    await mentor.click("Today")
    reply = await mentor.click("Yesterday", first)
    assert "earlier step" in reply.text and "How long?" in reply.text


async def test_unknown_command_gets_help_and_the_draft_survives(mentor, mentee, services):
    await mentor.send("/log")
    await mentor.click("Jon")
    reply = await mentor.send("/frobnicate")
    assert "don't know that command" in reply.text
    reply = await mentor.click("Today", await mentor.send("/log"))
    assert "How long?" in reply.text


async def test_group_session_with_two_mentees(mentor, mentee, make_client, services):
    from tests.conftest import invite_and_join

    await invite_and_join(mentor, make_client("Ola"))
    await mentor.send("/log")
    await mentor.click("Group")
    await mentor.click("Jon")
    await mentor.click("Ola")
    await mentor.click("Done")
    assert "When?" in mentor.last.text
    await mentor.click("Today")
    await mentor.click("1 h")
    await mentor.click("Remote")
    await mentor.click("Skip")
    await mentor.send("Team huddle on the new rota.")
    reply = await mentor.send("/cancel")
    assert "Nothing was saved" in reply.text
    await mentor.send("/log")
    await mentor.send("Jon, Ola")
    assert "When?" in mentor.last.text


async def test_revisions_are_counted_one_per_saved_entry(mentor, mentee, services):
    await log_session(mentor)
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(EntryRevision.id))) == 1


async def test_the_summary_question_names_the_mentee_tapped(mentor, mentee):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.send("45")
    await mentor.click("In person")
    reply = await mentor.send("Shift handover checklist")
    assert "how did Jon do?" in reply.text


async def test_done_counts_the_criteria_in_plain_english(mentor, mentee):
    await log_session(mentor)
    suggestions = mentor.last
    reply = await mentor.click("Done")
    assert "Saved E-0001 with no criteria yet." in reply.text
    await mentor.click(lambda t: "D3.06 2.1" in t, suggestions)
    reply = await mentor.click("Done", suggestions)
    assert "Saved E-0001 with 1 criterion." in reply.text
    await mentor.click(lambda t: t.startswith("D3.07"), suggestions)
    reply = await mentor.click("Done", suggestions)
    assert "Saved E-0001 with 2 criteria." in reply.text
