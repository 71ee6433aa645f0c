"""A person's data: a copy on request, and erasure (DESIGN.md section 8)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.copies import (
    Share,
    entry_share,
    invitation_record,
    own_entry_data,
    prompt_record,
    session_record,
)
from storage.models import (
    Attachment,
    Confirmation,
    Decision,
    Entry,
    EntryMentee,
    EntryRevision,
    Invitation,
    Mark,
    Membership,
    Person,
    Portfolio,
    Prompt,
)
from storage.prompts import PromptKind, State, cancel


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
        "invitations": [invitation_record(_row(i)) for i in invitations],
    }


async def erase(
    session: AsyncSession, person: Person, now: datetime
) -> tuple[list[str], list[int]]:
    """Erase a person; returns the stored files and the portfolios whose export files to delete
    once the transaction has committed.

    Their own portfolio goes entirely. What they wrote elsewhere (a mentee's feedback) goes;
    what others wrote about them stays, shown under their pseudonym, because it is the other
    person's record.
    """
    files: list[str] = []
    owned = select(Portfolio).where(Portfolio.mentor_id == person.id)
    portfolios = list((await session.scalars(owned)).unique())
    for portfolio in portfolios:
        files += [
            a.path
            for a in await session.scalars(
                select(Attachment).join(Entry).where(Entry.portfolio_id == portfolio.id)
            )
        ]
        await session.delete(portfolio)
    authored = list(await session.scalars(select(Entry).where(Entry.author_id == person.id)))
    for entry in authored:
        files += [a.path for a in entry.attachments]
        await session.delete(entry)
    await cancel(session, person_id=person.id)
    # Notices still waiting to tell a mentor what this person said carry their name and words.
    member_of = select(Membership.portfolio_id).where(Membership.person_id == person.id)
    for notice in await session.scalars(
        select(Prompt).where(
            Prompt.kind == PromptKind.NOTICE,
            Prompt.state == State.PENDING,
            Prompt.portfolio_id.in_(member_of),
        )
    ):
        if notice.payload.get("who") == person.name:
            notice.state = State.CANCELLED
    for confirmation in await session.scalars(
        select(Confirmation).where(Confirmation.supervisor_id == person.id)
    ):
        confirmation.text = None
    await session.execute(delete(Invitation).where(Invitation.created_by == person.id))
    person.name = ""
    person.telegram_id = None
    person.erased_at = now
    person.consent_at = None
    return files, [p.id for p in portfolios]
