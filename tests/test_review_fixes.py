"""Evidence stays as its author wrote it; drafts survive side trips; members are not stuck."""

from sqlalchemy import func, select

from handlers.callbacks import EntryCB
from storage.entries import create_entry
from storage.models import Entry, Mark, Person, Portfolio
from storage.uow import writing
from tests.conftest import invite_and_join, log_session, onboard_mentor


async def test_a_mentor_cannot_rewrite_or_delete_a_mentees_feedback(
    mentor, mentee, services, clock
):
    async with writing(services.sessions) as session:
        jon = await session.scalar(select(Person).where(Person.telegram_id == mentee.user.id))
        feedback = await create_entry(
            session,
            portfolio_id=1,
            author_id=jon.id,
            kind="feedback",
            occurred_on=clock().date(),
            data={"source": "mentee", "rating": 4, "text": "Useful"},
            now=clock(),
        )
    for act in ("edit", "del"):
        reply = await mentor.press(EntryCB(e=feedback.id, act=act).pack())
        assert "written by someone else" in reply.text
    reply = await mentor.press(EntryCB(e=feedback.id, act="field", v="text").pack())
    assert "written by someone else" in reply.text
    async with services.sessions() as session:
        kept = await session.get(Entry, feedback.id)
    assert kept.deleted_at is None and kept.data["text"] == "Useful" and kept.revision == 1


async def test_a_mentee_can_start_a_journal_of_their_own(mentee, services):
    reply = await mentee.send("/start")
    assert "Start your own journal" in reply.text
    await mentee.click("Yes, I'm a mentor")
    await mentee.click(lambda t: t.startswith("ST1379"))
    reply = await mentee.click("Done")
    assert "All set, Jon" in reply.text
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(Portfolio.id))) == 2


async def test_the_log_button_resumes_an_unfinished_session_instead_of_wiping_it(mentor, mentee):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.send("/help")
    reply = await mentor.click("Log a session")
    assert "unfinished session" in reply.text and "How long?" in reply.text


async def test_editing_waits_until_the_unfinished_session_is_done(mentor, mentee):
    await log_session(mentor)
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.send("/entries")
    await mentor.click(lambda t: t.startswith("E-0001"))
    await mentor.click("Edit")
    reply = await mentor.click("What was covered")
    assert "unfinished session" in reply.text and "When?" in reply.text


async def test_a_replayed_grade_tap_records_the_grades_once(make_client, services):
    bea, ada = make_client("Bea"), make_client("Ada")
    await onboard_mentor(bea, ("ST1379",))
    await invite_and_join(bea, ada, "Assessor")
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Grades")
    await ada.click("Pass")
    await ada.click("Pass")
    await ada.replay(ada.sent[-1])
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(Mark.id))) == 2


async def test_marks_are_refused_for_a_portfolio_without_ilm(make_client):
    bea, ada = make_client("Bea"), make_client("Ada")
    await onboard_mentor(bea, ("ST1379",))
    await invite_and_join(bea, ada, "Assessor")
    await ada.send("/candidates")
    await ada.click("Open")
    assert "Marks" not in ada.last.buttons()
