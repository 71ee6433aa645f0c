"""/mydata and /forget: a copy of everything at once, erasure that keeps others' records."""

import asyncio
import json

from aiogram.methods import SendDocument
from sqlalchemy import func, select

from handlers import texts
from storage.models import Attachment, Entry, FsmRecord, Mark, Person, Portfolio, Prompt
from storage.snapshots import load_snapshot
from tests.conftest import invite_and_join, log_session
from tests.raw_files import traces


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
    assert [e["ref"] for e in copy["sessions_attended"]] == ["E-0001"]
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


async def copy_of(client) -> dict:
    reply = await client.send("/mydata")
    [document] = [c for c in reply.calls if isinstance(c, SendDocument)]
    return json.loads(document.document.data)


async def log_group_session(mentor, *names: str, summary: str) -> None:
    await mentor.send("/log")
    await mentor.click("Group")
    for name in names:
        await mentor.click(name)
    await mentor.click("Done")
    await mentor.click("Today")
    await mentor.click("1 h")
    await mentor.click("In person")
    await mentor.send("Shift handover checklist")
    await mentor.send(summary)
    for _ in range(3):
        await mentor.click("Skip")


async def test_a_mentees_copy_holds_no_mentor_notes_about_others(mentor, mentee, make_client):
    priya = make_client("Priya")
    await invite_and_join(mentor, priya)
    await log_group_session(
        mentor, "Jon", "Priya", summary="Priya mentioned her asthma flare-up; Jon led the run."
    )
    await mentor.send("I was impatient with both of them today.")
    await mentor.click("Reflection")
    copy = await copy_of(mentee)
    assert copy["entries"] == []
    assert copy["sessions_attended"] == [
        {"ref": "E-0001", "kind": "session", "occurred_on": "2026-11-23", "duration_minutes": 60}
    ]
    dumped = json.dumps(copy)
    for words in ("asthma", "Priya", "impatient", "handover", "Mentee B"):
        assert words not in dumped


async def test_a_mentors_copy_holds_earlier_revisions_marks_and_invitations(
    mentor, mentee, make_client
):
    await log_session(mentor, summary="First version of the summary.")
    await mentor.send("/entries")
    await mentor.click(lambda t: t.startswith("E-0001"))
    await mentor.click("Edit")
    await mentor.click("What was covered")
    await mentor.send("Corrected summary.")
    ada = make_client("Ada")
    await invite_and_join(mentor, ada, "Assessor")
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Marks")
    await ada.click("D3.06")
    await ada.send("25")
    await ada.send("30")

    copy = await copy_of(mentor)
    [entry] = copy["entries"]
    assert [r["data"]["summary"] for r in entry["revisions"]] == [
        "First version of the summary.",
        "Corrected summary.",
    ]
    assert sorted(i["role"] for i in copy["invitations"]) == ["assessor", "mentee"]
    assert all("code" not in i for i in copy["invitations"])
    assert sorted(m["value"] for m in copy["marks"]) == ["25", "30"]

    given = await copy_of(ada)
    assert sorted(m["value"] for m in given["marks"]) == ["25", "30"]
    assert [i["role"] for i in given["invitations"]] == ["assessor"]
    assert [i["role"] for i in (await copy_of(mentee))["invitations"]] == ["mentee"]


async def test_no_thanks_at_the_privacy_notice_leaves_nothing(make_client, services):
    stranger = make_client("Kim")
    await stranger.send("/start")
    reply = await stranger.click("No thanks")
    assert "nothing was kept" in reply.text
    async with services.sessions() as session:
        mine = FsmRecord.key.like(f"%:{stranger.user.id}:%")
        states = await session.scalar(select(func.count()).select_from(FsmRecord).where(mine))
        people = await session.scalar(
            select(func.count(Person.id)).where(Person.telegram_id == stranger.user.id)
        )
    assert (states, people) == (0, 0)


async def test_a_mark_after_the_portfolio_was_erased_is_answered_plainly(
    mentor, make_client, services
):
    ada = make_client("Ada")
    await invite_and_join(mentor, ada, "Assessor")
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Marks")
    await ada.click("D3.06")
    await ada.send("25")
    await mentor.send("/forget")
    await mentor.click("Erase everything")
    reply = await ada.send("30")
    assert "no longer exists" in reply.text
    assert (await ada.send("/candidates")).text == texts.CANDIDATES_NONE
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(Mark.id))) == 0


async def test_a_decision_after_the_portfolio_was_erased_is_answered_plainly(
    mentor, mentee, make_client
):
    ada = make_client("Ada")
    await invite_and_join(mentor, ada, "Assessor")
    await log_session(mentor)
    await mentor.click(lambda t: "D3.06 2.1" in t)  # evidence: "Met" needs some
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Decisions")
    await ada.click(lambda t: t.startswith("D3.06"))
    await ada.click(lambda t: t.startswith("D3.06 2.1"))
    criterion = ada.last
    await ada.click("Met")
    await mentor.send("/forget")
    await mentor.click("Erase everything")
    reply = await ada.send("Hours evidenced by the diary.")
    assert "no longer exists" in reply.text
    reply = await ada.click("Not yet", criterion)
    assert reply.alerts == [texts.PORTFOLIO_GONE]


async def answer_feedback(mentee, bot, services, clock, line: str) -> None:
    from bot.prompter import Limiter, run_due_prompts

    clock.advance(hours=3)
    await run_due_prompts(bot, services.sessions, clock(), worker_id="t", limiter=Limiter())
    prompt = next(
        c for c in reversed(bot.session.calls) if getattr(c, "chat_id", None) == mentee.user.id
    )
    rating = next(b for row in prompt.reply_markup.inline_keyboard for b in row if b.text == "4")
    await mentee.press(rating.callback_data)
    await mentee.send(line)
    clock.advance(hours=1)
    await run_due_prompts(bot, services.sessions, clock(), worker_id="t", limiter=Limiter())


async def test_forget_leaves_nothing_of_the_person_in_the_raw_files(
    mentor, make_client, services, clock, bot, tmp_path
):
    zebedee = make_client("Zebedee")
    await invite_and_join(mentor, zebedee)
    await log_session(mentor, who="Zebedee", summary="Zebedee rehearsed the handover twice.")
    await answer_feedback(zebedee, bot, services, clock, "Quokkas make patient mentors.")
    async with services.sessions() as session:
        notice = await session.scalar(select(Prompt).where(Prompt.kind == "notice"))
    assert notice.state == "sent" and "Quokkas" in notice.payload["text"]
    await mentor.send("/export")
    await mentor.click("Portfolio .xlsx")
    await mentor.send("/export")
    await mentor.click("Bundle .zip")
    before = traces(tmp_path, b"Zebedee", b"Quokkas")
    assert "mentorlog.db-wal" in before or "mentorlog.db" in before
    assert any(name.startswith("exports/") and name.endswith(".xlsx") for name in before)

    await zebedee.send("/forget")
    await zebedee.click("Erase everything")
    assert traces(tmp_path, b"Zebedee", b"Quokkas") == []
    async with services.sessions() as session:
        [entry] = list(await session.scalars(select(Entry)))
    assert entry.data["summary"] == "Mentee A rehearsed the handover twice."


async def test_every_database_connection_overwrites_deleted_content(services):
    # SQLite builds differ in their default (this one may have SECURE_DELETE compiled in).
    async with services.sessions() as session:
        connection = await session.connection()
        assert (await connection.exec_driver_sql("PRAGMA secure_delete")).scalar() == 1


async def test_the_centre_releases_what_a_mentor_wrote_about_a_mentee_with_others_redacted(
    mentor, mentee, make_client, settings, monkeypatch, tmp_path, capsys
):
    from bot.cli import main

    priya = make_client("Priya")
    await invite_and_join(mentor, priya)
    await mentor.send("/log")
    await mentor.send("Jon, Priya, Ola")
    await mentor.click("Today")
    await mentor.click("1 h")
    await mentor.click("In person")
    await mentor.send("Shift handover checklist")
    await mentor.send("Priya mentioned her asthma; Ola and Jon led the run.")
    for _ in range(3):
        await mentor.click("Skip")
    await mentor.send("I was impatient with both of them today.")
    await mentor.click("Reflection")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    out = tmp_path / "released.json"
    argv = ["privacy", "release", "--telegram-id", str(mentee.user.id), "--out", str(out)]
    assert await asyncio.to_thread(main, argv) == 0
    assert "read it" in capsys.readouterr().err.lower()
    released = json.loads(out.read_text())
    [portfolio] = released["portfolios"]
    assert portfolio["mentor"] == "Anna" and portfolio["pseudonym"] == "Mentee A"
    [entry] = portfolio["entries"]
    assert entry["ref"] == "E-0001" and entry["written_by"] == "mentor"
    assert (
        entry["data"]["summary"]
        == "[redacted] mentioned her asthma; [redacted] and Jon led the run."
    )
    dumped = json.dumps(released)
    for other in ("Priya", "Ola", "Mentee B", "impatient"):
        assert other not in dumped


async def test_releasing_for_someone_unknown_says_so(settings, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert await asyncio.to_thread(main, ["privacy", "release", "--person", "99"]) == 2
    assert "no person" in capsys.readouterr().err.lower()
