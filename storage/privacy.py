"""A person's data: a copy on request, and erasure (DESIGN.md section 8)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Attachment,
    Confirmation,
    Decision,
    Entry,
    EntryMentee,
    Invitation,
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
    """Everything held about one person, as plain JSON-ready data."""
    memberships = list(
        await session.scalars(select(Membership).where(Membership.person_id == person.id))
    )
    own = list(
        (await session.scalars(select(Portfolio).where(Portfolio.mentor_id == person.id))).unique()
    )
    portfolio_ids = [p.id for p in own]
    about_me = select(EntryMentee.entry_id).where(
        EntryMentee.membership_id.in_([m.id for m in memberships])
    )
    entries = list(
        await session.scalars(
            select(Entry)
            .where(
                or_(
                    Entry.portfolio_id.in_(portfolio_ids),
                    Entry.author_id == person.id,
                    Entry.id.in_(about_me),
                ),
                Entry.deleted_at.is_(None),
            )
            .order_by(Entry.portfolio_id, Entry.id)
        )
    )
    prompts = list(await session.scalars(select(Prompt).where(Prompt.person_id == person.id)))
    confirmations = list(
        await session.scalars(select(Confirmation).where(Confirmation.supervisor_id == person.id))
    )
    decisions = list(
        await session.scalars(select(Decision).where(Decision.assessor_id == person.id))
    )
    return {
        "person": _row(person),
        "memberships": [_row(m) for m in memberships],
        "portfolios": [
            {**_row(p), "frameworks": [f.framework_id for f in p.frameworks]} for p in own
        ],
        "entries": [
            {
                **_row(e),
                # Someone else's entry about them: other mentees' names are not theirs to get.
                "data": e.data
                if e.author_id == person.id or e.portfolio_id in portfolio_ids
                else {k: v for k, v in e.data.items() if k != "mentee_names"},
                "tags": [t.criterion_id for t in e.tags],
                "attachments": [_row(a, "entry_id") for a in e.attachments],
            }
            for e in entries
        ],
        "prompts": [_row(p) for p in prompts],
        "confirmations": [_row(c) for c in confirmations],
        "decisions": [_row(d) for d in decisions],
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
