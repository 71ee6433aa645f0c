"""Journal entries with their revisions, mentees, tags, attachments and goals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, raiseload

from journal.entries import OPEN_GOAL_STATUSES, Kind, format_ref
from journal.snapshot import EntryRecord
from storage.models import (
    TAG_BY_MENTOR,
    TAG_BY_RULE,
    Attachment,
    Entry,
    EntryMentee,
    EntryRevision,
    Goal,
    Portfolio,
    Tag,
)


async def _next_ref(session: AsyncSession, portfolio_id: int) -> str:
    # One statement, and the portfolio is not loaded and dirtied: the people cache (which
    # drops a mentor's answer when their portfolio changes) stays warm while entries are saved.
    last = await session.scalar(
        update(Portfolio)
        .where(Portfolio.id == portfolio_id)
        .values(last_ref=Portfolio.last_ref + 1)
        .returning(Portfolio.last_ref),
        execution_options={"synchronize_session": False},
    )
    return format_ref(last)


async def create_entry(
    session: AsyncSession,
    *,
    portfolio_id: int,
    author_id: int,
    kind: Kind,
    occurred_on: date,
    data: dict[str, Any],
    now: datetime,
    duration_minutes: int | None = None,
    mentee_ids: Sequence[int] = (),
    related_entry_id: int | None = None,
) -> Entry:
    entry = Entry(
        portfolio_id=portfolio_id,
        ref=await _next_ref(session, portfolio_id),
        author_id=author_id,
        kind=kind,
        occurred_on=occurred_on,
        recorded_at=now,
        duration_minutes=duration_minutes,
        data=data,
        related_entry_id=related_entry_id,
    )
    entry.mentees = [EntryMentee(membership_id=m) for m in dict.fromkeys(mentee_ids)]
    entry.tags, entry.attachments = [], []
    session.add(entry)
    await session.flush()
    session.add(
        EntryRevision(
            entry_id=entry.id,
            number=1,
            author_id=author_id,
            created_at=now,
            occurred_on=occurred_on,
            duration_minutes=duration_minutes,
            data=data,
        )
    )
    if kind == Kind.GOAL:
        session.add(_goal_from(entry))
    return entry


def _goal_from(entry: Entry) -> Goal:
    data = entry.data
    return Goal(
        portfolio_id=entry.portfolio_id,
        entry_id=entry.id,
        mentee_membership_id=entry.mentees[0].membership_id if entry.mentees else None,
        statement=data["statement"],
        measure=data.get("measure"),
        target_date=date.fromisoformat(data["target_date"]) if data.get("target_date") else None,
        status=data.get("status", "open"),
    )


async def revise_entry(
    session: AsyncSession,
    entry: Entry,
    *,
    author_id: int,
    now: datetime,
    changes: dict[str, Any],
    occurred_on: date | None = None,
    duration_minutes: int | None = None,
) -> EntryRevision:
    """An edit adds a revision; earlier revisions stay as they were."""
    entry.data = {**entry.data, **changes}
    entry.occurred_on = occurred_on or entry.occurred_on
    if duration_minutes is not None:
        entry.duration_minutes = duration_minutes
    entry.revision += 1
    revision = EntryRevision(
        entry_id=entry.id,
        number=entry.revision,
        author_id=author_id,
        created_at=now,
        occurred_on=entry.occurred_on,
        duration_minutes=entry.duration_minutes,
        data=entry.data,
    )
    session.add(revision)
    if entry.kind == Kind.GOAL:
        goal = await session.scalar(select(Goal).where(Goal.entry_id == entry.id))
        goal.statement = entry.data["statement"]
        goal.measure = entry.data.get("measure")
    return revision


async def revisions(session: AsyncSession, entry_id: int) -> list[EntryRevision]:
    rows = await session.scalars(
        select(EntryRevision)
        .where(EntryRevision.entry_id == entry_id)
        .order_by(EntryRevision.number)
    )
    return list(rows)


async def entry_in_portfolio(
    session: AsyncSession,
    entry_id: int,
    portfolio_id: int,
    *,
    include_deleted: bool = False,
    tags_only: bool = False,
) -> Entry | None:
    """The entry only if it belongs to the portfolio: the check behind every button.

    `tags_only` loads the tags in the same query and skips mentees and attachments, for the
    tagging buttons that run often.
    """
    options = (
        [joinedload(Entry.tags), raiseload(Entry.mentees), raiseload(Entry.attachments)]
        if tags_only
        else []
    )
    entry = await session.get(Entry, entry_id, options=options)
    if entry is None or entry.portfolio_id != portfolio_id:
        return None
    if entry.deleted_at is not None and not include_deleted:
        return None
    return entry


async def recent_entries(session: AsyncSession, portfolio_id: int, limit: int = 10) -> list[Entry]:
    rows = await session.scalars(
        select(Entry)
        .where(Entry.portfolio_id == portfolio_id, Entry.deleted_at.is_(None))
        .order_by(Entry.recorded_at.desc(), Entry.id.desc())
        .limit(limit)
    )
    return list(rows)


async def session_records(session: AsyncSession, portfolio_id: int) -> list[EntryRecord]:
    """The portfolio's sessions with their tags as plain records: what hours are counted from.

    Plain column reads through Core, no ORM objects: this runs after every logged session.
    """
    live = (
        (Entry.portfolio_id == portfolio_id)
        & (Entry.kind == Kind.SESSION)
        & Entry.deleted_at.is_(None)
    )
    connection = await session.connection()
    rows = await connection.execute(
        select(
            Entry.id,
            Entry.ref,
            Entry.occurred_on,
            Entry.recorded_at,
            Entry.duration_minutes,
            Tag.criterion_id,
        )
        .outerjoin(Tag, Tag.entry_id == Entry.id)
        .where(live)
    )
    sessions: dict[int, tuple[str, date, datetime, int | None]] = {}
    tags: dict[int, list[str]] = {}
    for entry_id, ref, occurred_on, recorded_at, minutes, criterion_id in rows:
        sessions[entry_id] = (ref, occurred_on, recorded_at, minutes)
        if criterion_id is not None:
            tags.setdefault(entry_id, []).append(criterion_id)
    return [
        EntryRecord(
            ref=ref,
            kind=Kind.SESSION,
            occurred_on=occurred_on,
            recorded_at=recorded_at,
            author="",
            data={},
            duration_minutes=minutes,
            tags=tuple(tags.get(entry_id, ())),
        )
        for entry_id, (ref, occurred_on, recorded_at, minutes) in sessions.items()
    ]


async def toggle_tag(
    session: AsyncSession,
    entry: Entry,
    criterion_id: str,
    person_id: int,
    now: datetime,
    source: str = TAG_BY_MENTOR,
) -> bool:
    """Confirm a tag, or remove it if it was confirmed: untagging is one tap. True if now tagged.

    A tag the bot added by rule (`source` "rule") is confirmed by the tap, not removed; `source`
    "rule" adds such a tag (it is then shown apart and is not the mentor's claim)."""
    existing = next((t for t in entry.tags if t.criterion_id == criterion_id), None)
    if existing is not None and existing.source == TAG_BY_RULE and source != TAG_BY_RULE:
        existing.source, existing.tagged_by, existing.tagged_at = TAG_BY_MENTOR, person_id, now
        return True
    if existing is not None:
        entry.tags.remove(existing)
        return False
    entry.tags.append(
        Tag(criterion_id=criterion_id, tagged_by=person_id, tagged_at=now, source=source)
    )
    return True


def add_attachment(
    entry: Entry,
    *,
    kind: str,
    path: str,
    size: int,
    sha256: str,
    now: datetime,
    original_name: str | None = None,
    mime_type: str | None = None,
) -> Attachment:
    attachment = Attachment(
        kind=kind,
        path=path,
        size=size,
        sha256=sha256,
        created_at=now,
        original_name=original_name,
        mime_type=mime_type,
    )
    entry.attachments.append(attachment)
    return attachment


async def goals(session: AsyncSession, portfolio_id: int, *, open_only: bool = False) -> list[Goal]:
    query = (
        select(Goal)
        .join(Entry, Entry.id == Goal.entry_id)
        .where(Goal.portfolio_id == portfolio_id, Entry.deleted_at.is_(None))
        .order_by(Goal.id)
    )
    if open_only:
        query = query.where(Goal.status.in_(OPEN_GOAL_STATUSES))
    return list(await session.scalars(query))


async def review_goal(
    session: AsyncSession, goal_id: int, portfolio_id: int, status: str | None
) -> Entry | None:
    """A review moves its goal to the status it reports; returns the goal's own entry."""
    goal = await goal_in_portfolio(session, goal_id, portfolio_id)
    if goal is None:
        return None
    goal.status = status or goal.status
    return await session.get(Entry, goal.entry_id)


async def goal_in_portfolio(session: AsyncSession, goal_id: int, portfolio_id: int) -> Goal | None:
    goal = await session.get(Goal, goal_id)
    return goal if goal is not None and goal.portfolio_id == portfolio_id else None
