"""Quick capture, goals and reviews, edits with revisions, /progress and authorisation."""

import hashlib

from sqlalchemy import select

from handlers.callbacks import EntryCB, TagCB
from storage.models import Attachment, Entry, EntryRevision, Goal
from tests.conftest import log_session


async def all_entries(services) -> list[Entry]:
    async with services.sessions() as session:
        return list(await session.scalars(select(Entry).order_by(Entry.id)))


async def test_quick_capture_of_a_photo_stores_it_as_evidence_with_its_sha256(
    mentor, services, settings
):
    content = b"\xff\xd8\xff" + b"checklist photo" * 100
    reply = await mentor.send_photo(content, caption="Signed handover checklist")
    assert "Save this as" in reply.text
    reply = await mentor.click("Evidence")
    assert "What kind of evidence" in reply.text
    await mentor.click("Product evidence")
    reply = await mentor.click("Today")
    assert "Saved as <b>E-0001</b>" in reply.text
    [entry] = await all_entries(services)
    assert entry.kind == "evidence"
    assert entry.data == {"caption": "Signed handover checklist", "evidence_type": "product"}
    async with services.sessions() as session:
        attachment = await session.scalar(select(Attachment))
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert (settings.files_dir / attachment.path).read_bytes() == content


async def test_a_document_over_20_mb_is_refused_plainly(mentor, services):
    await mentor.send_document(b"%PDF-1.4 small", "big.pdf", size=25 * 1024 * 1024)
    reply = await mentor.click("Evidence")
    assert "20 MB" in reply.text
    assert await all_entries(services) == []


async def test_a_plain_note_becomes_a_reflection(mentor, services):
    await mentor.send("I talked too much in today's session; next time more open questions.")
    reply = await mentor.click("Reflection")
    assert "Saved as <b>E-0001</b>" in reply.text
    [entry] = await all_entries(services)
    assert entry.kind == "reflection" and "open questions" in entry.data["note"]


async def test_a_plain_note_can_start_a_session_log_with_the_summary_filled(
    mentor, mentee, services
):
    await mentor.send("Walked Jon through the fire drill.")
    reply = await mentor.click("Session note")
    assert "Who was the session with?" in reply.text
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.click("30 min")
    await mentor.click("In person")
    await mentor.click("Skip")
    await mentor.click("Skip")
    await mentor.click("Skip")
    reply = await mentor.click("Skip")
    assert "Saved" in reply.text
    [entry] = await all_entries(services)
    assert entry.data["summary"] == "Walked Jon through the fire drill."


async def test_a_goal_and_its_review(mentor, mentee, services):
    await mentor.send("/goal")
    await mentor.click("A mentee's goal")
    await mentor.click("Jon")
    await mentor.send("Run the shift handover without prompts")
    await mentor.send("Two handovers in a row with no prompts")
    reply = await mentor.send("20 Dec")
    assert "Saved as <b>E-0001</b>" in reply.text
    await mentor.send("/review")
    await mentor.click(lambda t: t.startswith("Run the shift handover"))
    await mentor.click("On track")
    await mentor.send("One handover without prompts so far.")
    reply = await mentor.click("Skip")
    assert "Saved as <b>E-0002</b>" in reply.text
    async with services.sessions() as session:
        goal = await session.scalar(select(Goal))
    assert goal.status == "on_track" and goal.target_date.isoformat() == "2026-12-20"
    review = (await all_entries(services))[1]
    assert review.kind == "goal_review" and review.data["goal_ref"] == "E-0001"
    assert review.related_entry_id == goal.entry_id


async def test_editing_an_entry_adds_a_revision_and_keeps_the_old_text(mentor, mentee, services):
    await log_session(mentor, summary="First version of the summary.")
    [entry] = await all_entries(services)
    await mentor.send("/entries")
    await mentor.click(lambda t: t.startswith("E-0001"))
    await mentor.click("Edit")
    await mentor.click("What was covered")
    reply = await mentor.send("Corrected summary.")
    assert "revision 2" in reply.text
    async with services.sessions() as session:
        revisions = list(
            await session.scalars(select(EntryRevision).order_by(EntryRevision.number))
        )
        current = await session.get(Entry, entry.id)
    assert [r.data["summary"] for r in revisions] == [
        "First version of the summary.",
        "Corrected summary.",
    ]
    assert current.data["summary"] == "Corrected summary." and current.revision == 2


async def test_delete_has_undo(mentor, mentee, services):
    await log_session(mentor)
    await mentor.send("/entries")
    await mentor.click(lambda t: t.startswith("E-0001"))
    reply = await mentor.click("Delete")
    assert "E-0001 deleted" in reply.text
    assert (await mentor.send("/entries")).text.startswith("Nothing logged yet")
    await mentor.click("Undo", reply)
    assert "E-0001 is back" in mentor.last.text


async def test_progress_after_six_hours_shows_d306_hours_met(mentor, mentee, services):
    for day in ("20/11", "19/11", "18/11", "17/11"):
        await log_session(mentor, when=day, duration="1h30")
        await mentor.click(lambda t: "D3.06 2.1" in t)
    reply = await mentor.send("/progress")
    assert "ILM D3.06: 6 h of 6 h ▓▓▓▓▓▓▓▓▓▓ 100%" in reply.text
    assert "ILM D3.07: 6 h of 20 h" in reply.text
    assert "D3.06 1/8 criteria" in reply.text
    assert "Biggest gaps" in reply.text
    reply = await mentor.click(lambda t: t.startswith("D3.01"))
    assert "Send a note, photo or document as evidence for D3.01" in reply.text


async def test_someone_elses_entry_button_is_refused(mentor, mentee, make_client, services):
    from tests.conftest import onboard_mentor

    await log_session(mentor)
    [entry] = await all_entries(services)
    bea = make_client("Bea")
    await onboard_mentor(bea)
    reply = await bea.press(EntryCB(e=entry.id, act="open").pack())
    assert reply.alerts == ["That button isn't for you."]
    reply = await bea.press(EntryCB(e=entry.id, act="del").pack())
    assert reply.alerts == ["That button isn't for you."]
    reply = await bea.press(TagCB(e=entry.id, act="x", c="ilm.0").pack())
    assert reply.alerts == ["That button isn't for you."]
    [entry] = await all_entries(services)
    assert entry.deleted_at is None and entry.tags == []


async def test_a_mentee_cannot_use_the_mentors_journal_commands(mentee, services):
    reply = await mentee.send("/log")
    assert "needs a mentor's journal" in reply.text
    reply = await mentee.send("/entries")
    assert "needs a mentor's journal" in reply.text


async def test_forged_callback_data_is_refused_politely(mentor):
    reply = await mentor.press("f:log:99:o:1")
    assert reply.alerts == ["That button is out of date. Send /help to see what you can do."]
    reply = await mentor.press("garbage-data")
    assert reply.alerts


async def test_a_stranger_is_asked_to_start_first(make_client):
    stranger = make_client("Zed")
    reply = await stranger.send("hello")
    assert "/start" in reply.text


async def test_a_photo_sent_during_log_is_attached_to_the_session(mentor, mentee, services):
    await mentor.send("/log")
    await mentor.click("Jon")
    reply = await mentor.send_photo(b"\xff\xd8" + b"whiteboard" * 50, file_id="wb")
    assert "Added the file to this entry." in reply.text and "When?" in reply.text
    await mentor.click("Today")
    await mentor.click("1 h")
    await mentor.click("In person")
    await mentor.click("Skip")
    await mentor.send("Mapped the escalation path on the whiteboard.")
    for _ in range(3):
        await mentor.click("Skip")
    [entry] = await all_entries(services)
    assert [a.kind for a in entry.attachments] == ["photo"]


async def test_entries_show_a_sessions_choices_as_people_read_them(mentor, mentee):
    await log_session(mentor)
    reply = await mentor.send("/entries")
    assert reply.buttons() == ["E-0001 · Session · 23 Nov · Shift handover checklist"]
    reply = await mentor.click(lambda t: t.startswith("E-0001"))
    assert "In person or remote:</b> In person" in reply.text
    assert "One-to-one or group:</b> One-to-one" in reply.text
    assert "in_person" not in reply.text and "one_to_one" not in reply.text


async def test_a_label_too_long_for_its_button_ends_with_an_ellipsis(mentor, mentee, services):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.click("45 min")
    await mentor.click("Remote")
    await mentor.send("Escalation paths for night-shift incidents and who to call first")
    await mentor.send("Covered it.")
    for _ in range(3):
        await mentor.click("Skip")
    await mentor.send("/entries")
    [label] = mentor.last.buttons()
    assert label == "E-0001 · Session · 23 Nov · Escalation paths for…"
    await mentor.click("More…", await mentor.click("Criteria", await mentor.click(label)))
    shown = [b for b in mentor.last.buttons() if b.startswith("D3.")]
    units = [f"{u.code} {u.title}" for u in services.registry.get("ilm").units]
    assert len(shown) == len(units) and all(len(b) <= 48 for b in shown)
    for label, full in zip(shown, units, strict=True):
        assert label == full or (label.endswith("…") and full.startswith(label[:-1]))
