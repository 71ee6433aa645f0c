"""Prompt rows: their states, and scheduling them. Claims and sends are in `storage.outbox`,
answers in `storage.answers`, reminders planned from the journal in `storage.reminders`.

A prompt moves pending -> claimed -> sending -> sent (-> answered). Other ends: skipped (the
recipient paused prompts, blocked the bot or was erased), expired, cancelled (no longer
relevant), failed (Telegram refused it for good) and unknown (see below).

Claiming is one conditional update: `UPDATE ... SET state='claimed' WHERE id IN (...) AND
state='pending'`, inside a write transaction (BEGIN IMMEDIATE on SQLite, so two processes
claim one after the other; on PostgreSQL the ids are first picked with FOR UPDATE SKIP LOCKED).
Whoever's update changed the row owns it; the owner's token in `claimed_by` guards every later
step, so a slow process that lost its claim can't send.

Crashes: the attempt is recorded (claimed -> sending, committed) *before* Telegram is called.
- A row left `claimed` was never handed to Telegram: after CLAIM_TIMEOUT it goes back to
  pending and is sent once, by whoever claims it next.
- A row left `sending` was handed to Telegram, and nothing tells us whether Telegram took it
  (the Bot API has no idempotency key and no way to ask). We choose AT MOST ONCE: after
  SENDING_TIMEOUT it becomes `unknown` and is never sent again. The product promises "sent
  once", a duplicate lands on a third person (a mentee or supervisor) who was asked for one
  tap, and the window is one HTTP round trip. Nothing is lost for good either: an `unknown`
  prompt stays answerable (its buttons work if it did arrive), and the reminder planned a day
  before it closes carries the same buttons. The same rule covers a timeout or dropped
  connection during the request; a refusal (429, 5xx, no connection) is retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal.prompting import (
    ANSWERABLE,
    FEEDBACK_DELAY,
    FEEDBACK_OPEN,
    NOTICE_WAITS_FOR_LINE,
    REQUEST_OPEN,
    PromptKind,
    QuietHours,
    Recipient,
    feedback_due,
    next_allowed,
    reminder_due,
)
from storage.db import dialect_insert
from storage.models import (
    Entry,
    Membership,
    Person,
    Prompt,
)
from storage.people import Role


class State(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    ANSWERED = "answered"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    FAILED = "failed"


# A claim is a few seconds old when its turn comes; minutes mean the process died.
CLAIM_TIMEOUT = timedelta(minutes=2)
# Longer than aiogram's request timeout (60 s) and any retry_after we wait for in place.
SENDING_TIMEOUT = timedelta(minutes=10)
# Reached by Telegram (or maybe reached): these can be answered.
DELIVERED = (State.SENT, State.UNKNOWN)


def quiet_of(person: Person) -> QuietHours:
    return QuietHours.of(person.quiet_start, person.quiet_end)


def may_prompt(person: Person) -> bool:
    return recipient_of(person).reachable


def recipient_of(person: Person) -> Recipient:
    return Recipient(
        chat_id=person.telegram_id if person.consent_at is not None else None,
        timezone=person.timezone,
        quiet=quiet_of(person),
        paused=person.prompts_paused,
        blocked=person.blocked_at is not None,
        erased=person.erased_at is not None,
    )


# --- Scheduling ---------------------------------------------------------------------------------


async def schedule(
    session: AsyncSession,
    *,
    kind: PromptKind,
    person: Person,
    due_at: datetime,
    now: datetime,
    portfolio_id: int | None = None,
    entry_id: int | None = None,
    expires_at: datetime | None = None,
    payload: dict[str, Any] | None = None,
    key: str | None = None,
) -> Prompt | None:
    """A new pending prompt, or None if one with the same key exists already."""
    # One INSERT that skips a taken key and returns the row: no query first, no flush after.
    statement = dialect_insert((await session.connection()).dialect.name)(Prompt).values(
        kind=kind,
        person_id=person.id,
        portfolio_id=portfolio_id,
        entry_id=entry_id,
        due_at=due_at,
        expires_at=expires_at,
        state=State.PENDING,
        attempts=0,
        payload=payload or {},
        created_at=now,
        key=key,
    )
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=[Prompt.key])
    prompt = await session.scalar(statement.returning(Prompt))
    if prompt is None:
        return None
    if kind in ANSWERABLE and expires_at is not None:
        await _schedule_reminder(session, prompt, person, now)
    return prompt


async def _schedule_reminder(
    session: AsyncSession, prompt: Prompt, person: Person, now: datetime
) -> None:
    """Planned with the prompt; at its time it goes out only if the prompt is still unanswered."""
    assert prompt.expires_at is not None
    due = reminder_due(prompt.expires_at, person.timezone, quiet_of(person), prompt.due_at)
    if due is None:
        return
    await schedule(
        session,
        kind=PromptKind.REMINDER,
        person=person,
        due_at=due,
        now=now,
        portfolio_id=prompt.portfolio_id,
        entry_id=prompt.entry_id,
        expires_at=prompt.expires_at,
        payload={"prompt_id": prompt.id},
        key=f"reminder:{prompt.id}",
    )


async def schedule_session_feedback(
    session: AsyncSession, entry: Entry, now: datetime, delay: timedelta = FEEDBACK_DELAY
) -> list[Prompt]:
    """One feedback prompt per mentee of a just-logged session who is on the bot, `delay`
    after it was logged (quiet hours allowing)."""
    member_ids = [m.membership_id for m in entry.mentees]
    if not member_ids:
        return []
    mentees = await session.scalars(
        select(Membership).where(Membership.id.in_(member_ids), Membership.role == Role.MENTEE)
    )
    scheduled = []
    for membership in mentees:
        mentee = membership.person
        if not may_prompt(mentee):
            continue
        due = feedback_due(now, mentee.timezone, quiet_of(mentee), delay)
        prompt = await schedule(
            session,
            kind=PromptKind.FEEDBACK,
            person=mentee,
            due_at=due,
            now=now,
            portfolio_id=entry.portfolio_id,
            entry_id=entry.id,
            expires_at=due + FEEDBACK_OPEN,
            key=f"feedback:{entry.id}:{mentee.id}",
        )
        if prompt is not None:
            scheduled.append(prompt)
    return scheduled


async def schedule_request(
    session: AsyncSession,
    *,
    supervisor: Person,
    portfolio_id: int,
    what: str,
    entry_id: int | None,
    now: datetime,
) -> Prompt | None:
    """A supervisor's request, unless the same one is still waiting for an answer."""
    waiting = await session.scalars(
        select(Prompt).where(
            Prompt.kind == PromptKind.REQUEST,
            Prompt.person_id == supervisor.id,
            Prompt.portfolio_id == portfolio_id,
            Prompt.entry_id.is_(None) if entry_id is None else Prompt.entry_id == entry_id,
            Prompt.answered_at.is_(None),
            Prompt.state.in_([State.PENDING, State.CLAIMED, State.SENDING, *DELIVERED]),
            Prompt.expires_at > now,
        )
    )
    if any(p.payload.get("what") == what for p in waiting):
        return None
    due = next_allowed(now, supervisor.timezone, quiet_of(supervisor))
    return await schedule(
        session,
        kind=PromptKind.REQUEST,
        person=supervisor,
        due_at=due,
        now=now,
        portfolio_id=portfolio_id,
        entry_id=entry_id,
        expires_at=now + REQUEST_OPEN,
        payload={"what": what},
    )


async def schedule_notice(
    session: AsyncSession,
    *,
    mentor: Person,
    portfolio_id: int,
    payload: dict[str, Any],
    now: datetime,
    wait_for_line: bool = False,
) -> Prompt | None:
    """Tell the mentor what arrived; `payload` holds everything the message shows."""
    due = now + NOTICE_WAITS_FOR_LINE if wait_for_line else now
    return await schedule(
        session,
        kind=PromptKind.NOTICE,
        person=mentor,
        due_at=next_allowed(due, mentor.timezone, quiet_of(mentor)),
        now=now,
        portfolio_id=portfolio_id,
        payload=payload,
    )


async def release_notice(
    session: AsyncSession, notice_id: int, now: datetime, **changes: Any
) -> None:
    """Add the optional line to a waiting notice and let it go now (quiet hours allowing)."""
    notice = await session.get(Prompt, notice_id)
    if notice is None or notice.state != State.PENDING:
        return
    notice.payload = {**notice.payload, **changes}
    mentor = await session.get(Person, notice.person_id)
    notice.due_at = next_allowed(now, mentor.timezone, quiet_of(mentor))


async def cancel(session: AsyncSession, *, person_id: int) -> int:
    """Cancel everything still waiting to go to a person (pause, erasure)."""
    result = await session.execute(
        update(Prompt)
        .where(Prompt.person_id == person_id, Prompt.state == State.PENDING)
        .values(state=State.CANCELLED)
    )
    return result.rowcount or 0
