"""Read a whole portfolio into the plain `PortfolioSnapshot` that exports and progress use."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.ecomentor_record import QUALITIES
from journal.entries import Kind
from journal.frameworks.registry import load_registry
from journal.prompting import local_day
from journal.snapshot import (
    AssessmentRecord,
    AttachmentRecord,
    ConfirmationRecord,
    DecisionRecord,
    EntryRecord,
    GoalRecord,
    GoalReviewRecord,
    JudgementRecord,
    MarkRecord,
    PortfolioSnapshot,
    QaSampleRecord,
    SheetNoteRecord,
)
from journal.st1379_rules import ST1379
from storage.anonymisation_names import records as added_names
from storage.apprenticeships import get_plan
from storage.epa_selection import load_pieces
from storage.models import (
    TAG_BY_RULE,
    AssessmentRecordRow,
    Confirmation,
    Decision,
    Entry,
    EvidenceJudgement,
    Goal,
    Mark,
    Membership,
    Person,
    Portfolio,
    QaSample,
    SheetNote,
)
from storage.people import Role
from storage.statements import records as statement_records


def _display(person: Person | None, membership: Membership | None = None) -> str:
    if person is None or person.erased_at is not None:
        return (membership.pseudonym if membership else None) or "Former member"
    return person.name or (membership.pseudonym if membership else None) or "Unnamed"


async def load_snapshot(
    session: AsyncSession,
    portfolio_id: int,
    files_root: Path,
    now: datetime,
    *,
    confirmed_hours_units: tuple[str, ...] | None = None,
    gateway: bool = True,
) -> PortfolioSnapshot:
    """The portfolio as plain data; `confirmed_hours_units` is the centre's setting (None: the
    default of journal.hours). An ST1379 portfolio's snapshot carries its gateway checklist on
    the apprentice's day at `now`, and its recordings, unless `gateway` is False (the caller
    keeps the checklist itself: storage.gateway.load)."""
    portfolio = await session.get(Portfolio, portfolio_id)
    memberships = {
        m.id: m
        for m in await session.scalars(
            select(Membership).where(Membership.portfolio_id == portfolio_id)
        )
    }
    people = {m.person_id: m.person for m in memberships.values()}
    mentor = await session.get(Person, portfolio.mentor_id)
    people[mentor.id] = mentor
    rows = list(
        await session.scalars(
            select(Entry)
            .where(Entry.portfolio_id == portfolio_id, Entry.deleted_at.is_(None))
            .order_by(Entry.occurred_on, Entry.id)
        )
    )
    by_id = {e.id: e for e in rows}
    entries = tuple(
        EntryRecord(
            ref=e.ref,
            kind=e.kind,
            occurred_on=e.occurred_on,
            recorded_at=e.recorded_at,
            author=_display(people.get(e.author_id)),
            data=dict(e.data),
            mentees=tuple(
                _display(memberships[m.membership_id].person, memberships[m.membership_id])
                for m in e.mentees
                if m.membership_id in memberships
            )
            + tuple(e.data.get("mentee_names", [])),
            duration_minutes=e.duration_minutes,
            tags=tuple(t.criterion_id for t in e.tags if t.source != TAG_BY_RULE),
            auto_tags=tuple(t.criterion_id for t in e.tags if t.source == TAG_BY_RULE),
            attachments=tuple(
                AttachmentRecord(
                    entry_ref=e.ref,
                    kind=a.kind,
                    path=files_root / a.path,
                    original_name=a.original_name,
                    size=a.size,
                    sha256=a.sha256,
                    mime_type=a.mime_type,
                )
                for a in e.attachments
            ),
            revision=e.revision,
        )
        for e in rows
    )
    goals = []
    for goal in await session.scalars(
        select(Goal).where(Goal.portfolio_id == portfolio_id).order_by(Goal.id)
    ):
        goal_entry = by_id.get(goal.entry_id)
        if goal_entry is None:
            continue
        owner_membership = memberships.get(goal.mentee_membership_id or -1)
        reviews = tuple(
            GoalReviewRecord(
                ref=r.ref,
                reviewed_on=r.occurred_on,
                progress=str(r.data.get("progress", "")),
                note=r.data.get("note"),
                status=str(r.data.get("status", "")),
            )
            for r in rows
            if r.kind == Kind.GOAL_REVIEW and r.related_entry_id == goal.entry_id
        )
        goals.append(
            GoalRecord(
                ref=goal_entry.ref,
                owner=_display(owner_membership.person, owner_membership)
                if owner_membership
                else "Mentor",
                statement=goal.statement,
                measure=goal.measure,
                target_date=goal.target_date,
                status=goal.status,
                reviews=reviews,
            )
        )
    decisions = tuple(
        DecisionRecord(
            d.criterion_id, d.outcome, d.comment, _display(people.get(d.assessor_id)), d.decided_at
        )
        for d in await session.scalars(
            select(Decision)
            .where(Decision.portfolio_id == portfolio_id)
            .order_by(Decision.decided_at)
        )
    )
    marks = tuple(
        MarkRecord(
            m.framework_id,
            m.sheet,
            m.section,
            m.value,
            _display(people.get(m.assessor_id)),
            m.decided_at,
            role=m.role,
        )
        for m in await session.scalars(
            select(Mark).where(Mark.portfolio_id == portfolio_id).order_by(Mark.id)
        )
    )
    refs = {e.id: e.ref for e in rows}
    confirmations = tuple(
        ConfirmationRecord(
            c.kind,
            _display(people.get(c.supervisor_id)),
            refs.get(c.entry_id or -1),
            c.minutes,
            c.text,
            c.confirmed_at,
        )
        for c in await session.scalars(
            select(Confirmation)
            .where(Confirmation.portfolio_id == portfolio_id)
            .order_by(Confirmation.id)
        )
    )
    sheet_notes = tuple(
        SheetNoteRecord(
            n.framework_id,
            n.sheet,
            n.field,
            n.section,
            n.text,
            _display(people.get(n.person_id)),
            n.recorded_at,
        )
        for n in await session.scalars(
            select(SheetNote).where(SheetNote.portfolio_id == portfolio_id).order_by(SheetNote.id)
        )
    )
    judgements = tuple(
        JudgementRecord(
            refs[j.entry_id],
            {q: bool(getattr(j, q)) for q in QUALITIES},
            j.comment,
            _display(people.get(j.assessor_id)),
            j.judged_at,
        )
        for j in await session.scalars(
            select(EvidenceJudgement)
            .where(EvidenceJudgement.portfolio_id == portfolio_id)
            .order_by(EvidenceJudgement.id)
        )
        if j.entry_id in refs  # a deleted entry's judgements leave with it
    )
    records = tuple(
        AssessmentRecord(
            r.framework_id,
            r.kind,
            r.key,
            r.outcome,
            r.text,
            _display(people.get(r.person_id)),
            r.recorded_at,
        )
        for r in await session.scalars(
            select(AssessmentRecordRow)
            .where(AssessmentRecordRow.portfolio_id == portfolio_id)
            .order_by(AssessmentRecordRow.id)
        )
    )
    sampled = {
        d.id: d
        for d in await session.scalars(
            select(Decision).where(Decision.portfolio_id == portfolio_id)
        )
    }
    qa_samples = tuple(
        QaSampleRecord(
            sampled[q.decision_id].criterion_id,
            sampled[q.decision_id].outcome,
            _display(people.get(sampled[q.decision_id].assessor_id)),
            sampled[q.decision_id].decided_at,
            q.outcome,
            q.comment,
            _display(people.get(q.iqa_id)),
            q.sampled_at,
        )
        for q in await session.scalars(
            select(QaSample).where(QaSample.portfolio_id == portfolio_id).order_by(QaSample.id)
        )
        if q.decision_id in sampled
    )
    mentee_rows = [m for m in memberships.values() if m.role == Role.MENTEE]
    mentees = tuple(_display(m.person, m) for m in mentee_rows)
    pseudonyms = {_display(m.person, m): m.pseudonym for m in mentee_rows if m.pseudonym}
    # Every member's username but the candidate's (their own name stays in their portfolio).
    usernames = {
        _display(m.person, m): m.person.username
        for m in memberships.values()
        if m.person.username and m.person.erased_at is None and m.person_id != mentor.id
    }
    snapshot = PortfolioSnapshot(
        portfolio_id=portfolio_id,
        candidate=mentor.name,
        framework_ids=tuple(pf.framework_id for pf in portfolio.frameworks),
        generated_at=now,
        entries=entries,
        goals=tuple(goals),
        decisions=decisions,
        marks=marks,
        confirmations=confirmations,
        mentees=mentees,
        pseudonyms=pseudonyms,
        confirmed_hours_units=confirmed_hours_units,
        centre_name=portfolio.centre_name,
        centre_number=portfolio.centre_number,
        learner_registration=portfolio.learner_registration,
        sheet_notes=sheet_notes,
        judgements=judgements,
        records=records,
        qa_samples=qa_samples,
        statements=await statement_records(session, portfolio_id),
        added_names=await added_names(session, portfolio_id),
        usernames=usernames,
        epa_pieces=await load_pieces(session, portfolio_id),
        otj_plan=await get_plan(session, portfolio_id),
    )
    if not gateway or ST1379 not in snapshot.framework_ids:
        return snapshot
    # Imported here: storage.gateway reads snapshots with this module.
    from storage.gateway import with_gateway

    # The built-in ST1379 framework: a centre's file may not replace it (load_registry).
    framework = load_registry().get(ST1379)
    today = local_day(now, mentor.timezone or "UTC")
    return await with_gateway(session, snapshot, today, framework)
