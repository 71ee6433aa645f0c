"""The assessment record (mark-sheet notes, evidence judgements, EcoMentor records, QA samples)
under the privacy rules: in the copy of whoever wrote them, scrubbed of an erased person's
name, and counted as activity for retention."""

from __future__ import annotations

from sqlalchemy import select

from storage import assessment
from storage.copies import copy_of
from storage.erasure import erase
from storage.models import Entry, Person, Portfolio
from storage.retention import portfolio_activity
from storage.uow import writing
from tests.conftest import log_session

NOTE = "jon led the second run well; JON needs a prompt less"


async def record_everything(services, clock) -> tuple[int, int]:
    """Anna's portfolio gets one of each record, written by Anna, naming Jon in lower case."""
    async with writing(services.sessions) as session:
        portfolio = await session.scalar(select(Portfolio))
        entry = await session.scalar(select(Entry))
        anna = await session.get(Person, portfolio.mentor_id)
        at = dict(portfolio_id=portfolio.id, now=clock())
        assessment.record_sheet_note(
            session,
            **at,
            framework_id="ilm",
            sheet="D3.06",
            field="strengths",
            text=NOTE,
            person_id=anna.id,
        )
        assessment.record_judgement(
            session,
            **at,
            entry_id=entry.id,
            assessor_id=anna.id,
            qualities={"valid": True},
            comment=NOTE,
        )
        assessment.record_assessment(
            session,
            **at,
            framework_id="ecomentor",
            kind="feedback",
            person_id=anna.id,
            text=NOTE,
        )
        decision = assessment.record_decision(
            session,
            portfolio_id=portfolio.id,
            criterion_id="ilm:D3.06/2.1",
            outcome="met",
            comment=None,
            assessor_id=anna.id,
            now=clock(),
        )
        await session.flush()
        assessment.record_sample(
            session,
            **at,
            decision_id=decision.id,
            iqa_id=anna.id,
            outcome="agree",
            comment=NOTE,
        )
        return portfolio.id, anna.id


async def test_the_writer_of_assessment_records_finds_them_in_their_copy(
    mentor, mentee, services, clock
):
    await log_session(mentor)
    _, anna_id = await record_everything(services, clock)
    async with services.sessions() as session:
        copy = await copy_of(session, await session.get(Person, anna_id))
    for table in ("sheet_notes", "evidence_judgements", "assessment_records", "qa_samples"):
        assert [row["id"] for row in copy[table]] == [1], table


async def test_an_erased_mentees_name_leaves_the_assessment_record_in_any_case(
    mentor, mentee, services, clock
):
    await log_session(mentor)
    await record_everything(services, clock)
    async with writing(services.sessions) as session:
        jon = await session.scalar(select(Person).where(Person.telegram_id == mentee.user.id))
        await erase(session, jon, clock())
    async with services.sessions() as session:
        anna = await session.scalar(select(Person).where(Person.telegram_id == mentor.user.id))
        copy = await copy_of(session, anna)
    for table, field in (
        ("sheet_notes", "text"),
        ("evidence_judgements", "comment"),
        ("assessment_records", "text"),
        ("qa_samples", "comment"),
    ):
        [row] = copy[table]
        assert "jon" not in row[field].lower(), (table, row[field])
        assert "Mentee A" in row[field]


async def test_a_judgement_counts_as_activity_for_retention(mentor, mentee, services, clock):
    await log_session(mentor)
    clock.advance(days=400)
    async with writing(services.sessions) as session:
        portfolio = await session.scalar(select(Portfolio))
        entry = await session.scalar(select(Entry))
        assessment.record_judgement(
            session,
            portfolio_id=portfolio.id,
            entry_id=entry.id,
            assessor_id=portfolio.mentor_id,
            qualities={"valid": True},
            comment=None,
            now=clock(),
        )
    async with services.sessions() as session:
        [activity] = [
            a for a in await portfolio_activity(session) if a.portfolio_id == portfolio.id
        ]
    assert activity.last == clock()
