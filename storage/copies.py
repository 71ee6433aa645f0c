"""Copies of a person's data (DESIGN.md section 8): everything held about them, for /mydata,
and what others wrote about them, for the centre to read and release on request.

What each copy shows of a record is journal.copies' rule (whole, their part, or redacted);
this module finds the rows and makes them plain JSON-ready data. Erasure (storage.erasure) and
retention (storage.retention) are the other ends of a person's data and have their own modules.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.copies import (
    FORMER_MEMBER,
    REDACTED,
    RELEASE_NOTE,
    Share,
    entry_share,
    invitation_record,
    own_entry_data,
    prompt_record,
    released_data,
    session_record,
)
from storage.models import (
    AnonymisationName,
    Apprenticeship,
    Confirmation,
    Decision,
    Entry,
    EntryMentee,
    EntryRevision,
    Goal,
    Invitation,
    Mark,
    Membership,
    Person,
    Portfolio,
    Prompt,
)
from storage.written_records import GATEWAY_RECORDS, WRITTEN


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}


async def copy_of(session: AsyncSession, person: Person) -> dict[str, Any]:
    """Everything held about one person, as plain JSON-ready data (rules: journal.copies)."""
    memberships = list(
        await session.scalars(select(Membership).where(Membership.person_id == person.id))
    )
    own = list(
        (await session.scalars(select(Portfolio).where(Portfolio.mentor_id == person.id))).unique()
    )
    own_ids = {p.id for p in own}
    about_me = select(EntryMentee.entry_id).where(
        EntryMentee.membership_id.in_([m.id for m in memberships])
    )
    linked = set(await session.scalars(about_me))
    rows = list(
        await session.scalars(
            select(Entry)
            .where(
                or_(
                    Entry.portfolio_id.in_(own_ids),
                    Entry.author_id == person.id,
                    Entry.id.in_(linked),
                )
            )
            .order_by(Entry.portfolio_id, Entry.id)
        )
    )
    owners = dict(
        (
            await session.execute(
                select(Portfolio.id, Portfolio.mentor_id).where(
                    Portfolio.id.in_({e.portfolio_id for e in rows})
                )
            )
        ).all()
    )
    whole = [
        e
        for e in rows
        if entry_share(
            person.id,
            author_id=e.author_id,
            owner_id=owners[e.portfolio_id],
            about_them=e.id in linked,
        )
        is Share.WHOLE
    ]
    whole_ids = {e.id for e in whole}
    revisions: dict[int, list[EntryRevision]] = {}
    for revision in await session.scalars(
        select(EntryRevision)
        .where(EntryRevision.entry_id.in_(whole_ids))
        .order_by(EntryRevision.entry_id, EntryRevision.number)
    ):
        revisions.setdefault(revision.entry_id, []).append(revision)

    def entry(e: Entry) -> dict[str, Any]:
        owner = e.portfolio_id in own_ids
        return {
            **_row(e, "data"),
            "data": own_entry_data(e.data, owner=owner),
            "tags": [t.criterion_id for t in e.tags] if owner else [],
            "attachments": [_row(a, "entry_id") for a in e.attachments],
            "revisions": [
                {**_row(r, "entry_id", "data"), "data": own_entry_data(r.data, owner=owner)}
                for r in revisions.get(e.id, [])
                if owner or r.author_id == person.id
            ],
        }

    mine_or_on_mine = {
        model: or_(column == person.id, model.portfolio_id.in_(own_ids))
        for model, column in (
            (Confirmation, Confirmation.supervisor_id),
            (Decision, Decision.assessor_id),
            (Mark, Mark.assessor_id),
            *((model, writer) for model, writer, _, _ in WRITTEN),
            *((model, writer) for model, writer, _ in GATEWAY_RECORDS),
        )
    }

    async def rows_of(model: Any) -> list[dict[str, Any]]:
        found = await session.scalars(
            select(model).where(mine_or_on_mine[model]).order_by(model.id)
        )
        return [_row(r) for r in found]

    invitations = await session.scalars(
        select(Invitation)
        .where(or_(Invitation.created_by == person.id, Invitation.used_by == person.id))
        .order_by(Invitation.id)
    )
    prompts = await session.scalars(
        select(Prompt).where(Prompt.person_id == person.id).order_by(Prompt.id)
    )
    return {
        "person": _row(person),
        "memberships": [_row(m) for m in memberships],
        "portfolios": [
            {**_row(p), "frameworks": [f.framework_id for f in p.frameworks]} for p in own
        ],
        "entries": [entry(e) for e in whole],
        "sessions_attended": [
            session_record(_row(e)) for e in rows if e.id not in whole_ids and e.id in linked
        ],
        "prompts": [prompt_record(_row(p)) for p in prompts],
        "confirmations": await rows_of(Confirmation),
        "decisions": await rows_of(Decision),
        "marks": await rows_of(Mark),
        **{model.__tablename__: await rows_of(model) for model, *_ in WRITTEN},
        **{model.__tablename__: await rows_of(model) for model, *_ in GATEWAY_RECORDS},
        "apprenticeships": [
            _row(a)
            for a in await session.scalars(
                select(Apprenticeship).where(Apprenticeship.portfolio_id.in_(own_ids))
            )
        ],
        # The names they added to their portfolios for anonymisation (what they gave).
        "anonymisation_names": [
            _row(n)
            for n in await session.scalars(
                select(AnonymisationName)
                .where(AnonymisationName.portfolio_id.in_(own_ids))
                .order_by(AnonymisationName.id)
            )
        ],
        "invitations": [invitation_record(_row(i)) for i in invitations],
    }


# --- What others wrote about a person, released by the centre on request -------------------------


async def find_person(
    session: AsyncSession, *, person_id: int | None = None, telegram_id: int | None = None
) -> Person | None:
    if person_id is not None:
        return await session.get(Person, person_id)
    return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


async def written_about(session: AsyncSession, person: Person, now: datetime) -> dict[str, Any]:
    """What others wrote about one person in each portfolio they belong to, other people
    redacted (journal.copies.released_data): for the centre to read, then release."""
    released = []
    for membership in await session.scalars(
        select(Membership).where(Membership.person_id == person.id).order_by(Membership.id)
    ):
        portfolio = await session.get(Portfolio, membership.portfolio_id)
        mentor = await session.get(Person, portfolio.mentor_id)
        others = [
            text
            for m in await session.scalars(
                select(Membership).where(
                    Membership.portfolio_id == portfolio.id, Membership.person_id != person.id
                )
            )
            if m.person_id != mentor.id
            for text in (m.person.name, m.pseudonym)
            if text
        ]
        entries = await session.scalars(
            select(Entry)
            .join(EntryMentee, EntryMentee.entry_id == Entry.id)
            .where(
                EntryMentee.membership_id == membership.id,
                or_(Entry.author_id.is_(None), Entry.author_id != person.id),
                Entry.deleted_at.is_(None),
            )
            .order_by(Entry.occurred_on, Entry.id)
        )
        goals = await session.scalars(
            select(Goal).where(Goal.mentee_membership_id == membership.id).order_by(Goal.id)
        )
        released.append(
            {
                "portfolio_id": portfolio.id,
                "role": membership.role,
                "pseudonym": membership.pseudonym,
                "mentor": mentor.name or FORMER_MEMBER,
                "entries": [
                    {
                        **session_record(_row(e)),
                        "written_by": "mentor" if e.author_id == mentor.id else REDACTED,
                        "data": released_data(e.data, others=others),
                    }
                    for e in entries
                ],
                "goals": [
                    {
                        **released_data(
                            {"statement": g.statement, "measure": g.measure}, others=others
                        ),
                        "target_date": _plain(g.target_date),
                        "status": g.status,
                    }
                    for g in goals
                ],
            }
        )
    return {
        "note": RELEASE_NOTE,
        "person": {"id": person.id, "name": person.name},
        "prepared_at": _plain(now),
        "portfolios": released,
    }
