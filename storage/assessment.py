"""What assessors may see and what they record: decisions per criterion, marks and grades."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.ecomentor_record import QUALITIES
from journal.entries import Kind
from storage.models import (
    TAG_BY_RULE,
    AssessmentRecordRow,
    Decision,
    Entry,
    EvidenceJudgement,
    Mark,
    Membership,
    Person,
    Portfolio,
    QaSample,
    SheetNote,
    Tag,
)
from storage.people import Role


@dataclass(frozen=True)
class Candidate:
    portfolio_id: int
    name: str
    framework_ids: tuple[str, ...]
    entries: int
    minutes: int
    tagged_criteria: int
    role: str = Role.ASSESSOR  # or Role.IQA: sampled for quality assurance


async def candidates(session: AsyncSession, assessor_id: int) -> list[Candidate]:
    """The portfolios this person was invited to assess or quality-assure, with their headline
    figures."""
    rows = (
        await session.execute(
            select(Portfolio, Membership.role)
            .join(Membership, Membership.portfolio_id == Portfolio.id)
            .where(
                Membership.person_id == assessor_id,
                Membership.role.in_((Role.ASSESSOR, Role.IQA)),
            )
            .order_by(Portfolio.id)
        )
    ).unique()
    result = []
    for portfolio, role in rows:
        mentor = await session.get(Person, portfolio.mentor_id)
        live = (Entry.portfolio_id == portfolio.id) & Entry.deleted_at.is_(None)
        count, minutes = (
            await session.execute(
                select(
                    func.count(Entry.id),
                    func.coalesce(
                        func.sum(Entry.duration_minutes).filter(Entry.kind == Kind.SESSION), 0
                    ),
                ).where(live)
            )
        ).one()
        tagged = await session.scalar(  # the mentor's claims: not tags added by rule
            select(func.count(func.distinct(Tag.criterion_id)))
            .join(Entry, Entry.id == Tag.entry_id)
            .where(live, Tag.source != TAG_BY_RULE)
        )
        result.append(
            Candidate(
                portfolio_id=portfolio.id,
                name=mentor.name,
                framework_ids=tuple(pf.framework_id for pf in portfolio.frameworks),
                entries=int(count),
                minutes=int(minutes),
                tagged_criteria=int(tagged or 0),
                role=role,
            )
        )
    return result


async def assessed_portfolio(
    session: AsyncSession, portfolio_id: int, person_id: int
) -> Portfolio | None:
    """The portfolio only if this person is one of its assessors."""
    member = await session.scalar(
        select(Membership).where(
            Membership.portfolio_id == portfolio_id,
            Membership.person_id == person_id,
            Membership.role == Role.ASSESSOR,
        )
    )
    return await session.get(Portfolio, portfolio_id) if member else None


async def sampled_portfolio(
    session: AsyncSession, portfolio_id: int, person_id: int
) -> Portfolio | None:
    """The portfolio only if this person is its internal quality assurer (read-only)."""
    member = await session.scalar(
        select(Membership).where(
            Membership.portfolio_id == portfolio_id,
            Membership.person_id == person_id,
            Membership.role == Role.IQA,
        )
    )
    return await session.get(Portfolio, portfolio_id) if member else None


async def current_decisions(session: AsyncSession, portfolio_id: int) -> list[Decision]:
    """The newest decision on each criterion: what an IQA samples."""
    latest: dict[str, Decision] = {}
    for decision in await session.scalars(
        select(Decision)
        .where(Decision.portfolio_id == portfolio_id)
        .order_by(Decision.decided_at, Decision.id)
    ):
        latest[decision.criterion_id] = decision
    return list(latest.values())


async def decision_in(
    session: AsyncSession, portfolio_id: int, decision_id: int
) -> Decision | None:
    decision = await session.get(Decision, decision_id)
    return decision if decision is not None and decision.portfolio_id == portfolio_id else None


def record_sample(
    session: AsyncSession,
    *,
    portfolio_id: int,
    decision_id: int,
    iqa_id: int,
    outcome: str,
    comment: str | None,
    now: datetime,
) -> QaSample:
    sample = QaSample(
        portfolio_id=portfolio_id,
        decision_id=decision_id,
        iqa_id=iqa_id,
        outcome=outcome,
        comment=comment,
        sampled_at=now,
    )
    session.add(sample)
    return sample


async def sampled_by(session: AsyncSession, iqa_id: int) -> list[int]:
    """The portfolios in which this person sampled at least one decision."""
    found = await session.scalars(
        select(QaSample.portfolio_id).where(QaSample.iqa_id == iqa_id).distinct()
    )
    return sorted(found)


async def portfolio_exists(session: AsyncSession, portfolio_id: int) -> bool:
    """False once the portfolio was erased (by its owner, or past retention)."""
    found = await session.scalar(select(Portfolio.id).where(Portfolio.id == portfolio_id))
    return found is not None


def record_decision(
    session: AsyncSession,
    *,
    portfolio_id: int,
    criterion_id: str,
    assessor_id: int,
    outcome: str,
    comment: str | None,
    now: datetime,
) -> Decision:
    decision = Decision(
        portfolio_id=portfolio_id,
        criterion_id=criterion_id,
        assessor_id=assessor_id,
        outcome=outcome,
        comment=comment,
        decided_at=now,
    )
    session.add(decision)
    return decision


def record_mark(
    session: AsyncSession,
    *,
    portfolio_id: int,
    framework_id: str,
    sheet: str,
    section: str,
    value: str,
    assessor_id: int,
    now: datetime,
    role: str = "assessor",
) -> Mark:
    mark = Mark(
        portfolio_id=portfolio_id,
        framework_id=framework_id,
        sheet=sheet,
        section=section,
        value=value,
        assessor_id=assessor_id,
        decided_at=now,
        role=role,
    )
    session.add(mark)
    return mark


def record_sheet_marks(
    session: AsyncSession,
    *,
    portfolio_id: int,
    sheet: str,
    marks: dict[str, int],
    marker_id: int,
    now: datetime,
    role: str = "assessor",
) -> None:
    """Every section mark of one ILM sheet, by its assessor or (role "qa") quality assurer."""
    for section, value in marks.items():
        record_mark(
            session,
            portfolio_id=portfolio_id,
            framework_id="ilm",
            sheet=sheet,
            section=section,
            value=str(value),
            assessor_id=marker_id,
            now=now,
            role=role,
        )


# The portfolio's identity on every mark sheet, set once (by the mentor, an assessor or the CLI).
DETAIL_FIELDS = {"centre_name": 120, "centre_number": 32, "learner_registration": 32}


async def set_detail(session: AsyncSession, portfolio_id: int, field: str, value: str) -> bool:
    """Set one of DETAIL_FIELDS; False when the portfolio is gone."""
    if field not in DETAIL_FIELDS:
        raise ValueError(f"not a portfolio detail: {field}")
    portfolio = await session.get(Portfolio, portfolio_id)
    if portfolio is None:
        return False
    setattr(portfolio, field, value.strip()[: DETAIL_FIELDS[field]] or None)
    return True


def record_sheet_note(
    session: AsyncSession,
    *,
    portfolio_id: int,
    framework_id: str,
    sheet: str,
    field: str,
    text: str,
    person_id: int,
    now: datetime,
    section: str = "",
) -> SheetNote:
    note = SheetNote(
        portfolio_id=portfolio_id,
        framework_id=framework_id,
        sheet=sheet,
        field=field,
        section=section,
        text=text,
        person_id=person_id,
        recorded_at=now,
    )
    session.add(note)
    return note


def record_judgement(
    session: AsyncSession,
    *,
    portfolio_id: int,
    entry_id: int,
    assessor_id: int,
    qualities: dict[str, bool],
    comment: str | None,
    now: datetime,
) -> EvidenceJudgement:
    judgement = EvidenceJudgement(
        portfolio_id=portfolio_id,
        entry_id=entry_id,
        assessor_id=assessor_id,
        comment=comment,
        judged_at=now,
        **{q: bool(qualities.get(q)) for q in QUALITIES},
    )
    session.add(judgement)
    return judgement


def record_assessment(
    session: AsyncSession,
    *,
    portfolio_id: int,
    framework_id: str,
    kind: str,
    person_id: int,
    now: datetime,
    key: str = "",
    outcome: str = "",
    text: str = "",
) -> AssessmentRecordRow:
    row = AssessmentRecordRow(
        portfolio_id=portfolio_id,
        framework_id=framework_id,
        kind=kind,
        key=key,
        outcome=outcome,
        text=text,
        person_id=person_id,
        recorded_at=now,
    )
    session.add(row)
    return row


async def live_entry(session: AsyncSession, portfolio_id: int, entry_id: int) -> Entry | None:
    """An entry of this portfolio that is not deleted (what an assessor may judge)."""
    return await session.scalar(
        select(Entry).where(
            Entry.id == entry_id, Entry.portfolio_id == portfolio_id, Entry.deleted_at.is_(None)
        )
    )


async def entry_ids(session: AsyncSession, portfolio_id: int) -> dict[str, int]:
    """Ref -> id of the portfolio's live entries (buttons carry ids, never text)."""
    rows = await session.execute(
        select(Entry.ref, Entry.id).where(
            Entry.portfolio_id == portfolio_id, Entry.deleted_at.is_(None)
        )
    )
    return {ref: entry_id for ref, entry_id in rows}
