"""Prompt rows: scheduling, claiming what is due, the state of each send, and reminder planning.

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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal.entries import OPEN_GOAL_STATUSES, Kind
from journal.frameworks.registry import Registry
from journal.prompting import (
    ANSWERABLE,
    FEEDBACK_OPEN,
    MAX_ATTEMPTS,
    NOTICE_WAITS_FOR_LINE,
    PAIR_GAP_DAYS,
    REQUEST_OPEN,
    WEEKLY_GAP,
    PromptKind,
    QuietHours,
    Recipient,
    RequestKind,
    feedback_criteria,
    feedback_due,
    goal_review_due,
    goal_review_window,
    local_day,
    next_allowed,
    reminder_due,
    repeating_day,
    repeating_due,
    retry_delay,
)
from storage import people
from storage.db import dialect_insert
from storage.entries import create_entry, revise_entry, toggle_tag
from storage.models import (
    Confirmation,
    Entry,
    EntryMentee,
    Goal,
    Membership,
    Person,
    Portfolio,
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
    session: AsyncSession, entry: Entry, now: datetime
) -> list[Prompt]:
    """One feedback prompt per mentee of a just-logged session who is on the bot."""
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
        due = feedback_due(now, mentee.timezone, quiet_of(mentee))
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


# --- Claiming and sending -----------------------------------------------------------------------


async def claim_due(
    session: AsyncSession, now: datetime, worker_id: str, limit: int
) -> list[Prompt]:
    """Take up to `limit` due prompts for `worker_id`; another worker can't take the same ones."""
    ids = list(
        await session.scalars(
            select(Prompt.id)
            .where(Prompt.state == State.PENDING, Prompt.due_at <= now)
            .order_by(Prompt.due_at, Prompt.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    await session.execute(
        update(Prompt)
        .where(Prompt.id.in_(ids), Prompt.state == State.PENDING)
        .values(state=State.CLAIMED, claimed_by=worker_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    claimed = await session.scalars(
        select(Prompt)
        .where(Prompt.id.in_(ids), Prompt.state == State.CLAIMED, Prompt.claimed_by == worker_id)
        .order_by(Prompt.due_at, Prompt.id)
        .execution_options(populate_existing=True)
    )
    return list(claimed)


async def release_stale_claims(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """Recover from a process that died: (claims given back, sends of unknown outcome)."""
    released = await session.execute(
        update(Prompt)
        .where(Prompt.state == State.CLAIMED, Prompt.claimed_at < now - CLAIM_TIMEOUT)
        .values(state=State.PENDING, claimed_by=None, claimed_at=None)
    )
    unknown = await session.execute(
        update(Prompt)
        .where(Prompt.state == State.SENDING, Prompt.claimed_at < now - SENDING_TIMEOUT)
        .values(state=State.UNKNOWN)
    )
    return released.rowcount or 0, unknown.rowcount or 0


async def _move(
    session: AsyncSession, prompt_id: int, token: str, frm: Sequence[State], **values: Any
) -> bool:
    result = await session.execute(
        update(Prompt)
        .where(Prompt.id == prompt_id, Prompt.claimed_by == token, Prompt.state.in_(frm))
        .values(**values)
    )
    return result.rowcount == 1


async def mark_sending(session: AsyncSession, prompt_id: int, token: str, now: datetime) -> bool:
    """Record the attempt before Telegram is called; False if the claim was lost meanwhile."""
    return await _move(
        session,
        prompt_id,
        token,
        [State.CLAIMED],
        state=State.SENDING,
        claimed_at=now,
        attempts=Prompt.attempts + 1,
    )


async def mark_sent(
    session: AsyncSession, prompt_id: int, token: str, now: datetime, message_id: int
) -> bool:
    # From `unknown` too: a slow answer that arrives after the timeout still tells the truth.
    return await _move(
        session,
        prompt_id,
        token,
        [State.SENDING, State.UNKNOWN],
        state=State.SENT,
        sent_at=now,
        message_id=message_id,
    )


async def mark_refused(session: AsyncSession, prompt_id: int, token: str) -> bool:
    """Telegram said "not now" (429): nothing was delivered, the claim is safe to retry, and
    the refusal doesn't count as an attempt."""
    return await _move(
        session,
        prompt_id,
        token,
        [State.SENDING],
        state=State.CLAIMED,
        attempts=Prompt.attempts - 1,
    )


async def mark_unknown(session: AsyncSession, prompt_id: int, token: str) -> bool:
    return await _move(session, prompt_id, token, [State.SENDING], state=State.UNKNOWN)


async def mark_failed(session: AsyncSession, prompt_id: int, token: str) -> bool:
    return await _move(session, prompt_id, token, [State.SENDING], state=State.FAILED)


async def mark_blocked(session: AsyncSession, prompt_id: int, token: str, now: datetime) -> bool:
    """The recipient blocked the bot: this prompt fails and they are never prompted again."""
    prompt = await session.get(Prompt, prompt_id)
    if prompt is None or not await mark_failed(session, prompt_id, token):
        return False
    person = await session.get(Person, prompt.person_id)
    person.blocked_at = person.blocked_at or now
    return True


async def retry_later(
    session: AsyncSession, prompt_id: int, token: str, now: datetime, delay: timedelta | None = None
) -> bool:
    """Back to pending after a refusal worth retrying (backoff by attempts unless `delay`);
    failed once it has had MAX_ATTEMPTS."""
    prompt = await session.get(Prompt, prompt_id)
    if prompt is None or prompt.claimed_by != token:
        return False
    if prompt.attempts >= MAX_ATTEMPTS:
        return await _move(
            session, prompt_id, token, [State.SENDING, State.CLAIMED], state=State.FAILED
        )
    return await _move(
        session,
        prompt_id,
        token,
        [State.SENDING, State.CLAIMED],
        state=State.PENDING,
        claimed_by=None,
        claimed_at=None,
        due_at=now + (delay if delay is not None else retry_delay(prompt.attempts)),
    )


async def settle(
    session: AsyncSession, prompt_id: int, token: str, state: State, due_at: datetime | None = None
) -> bool:
    """A claimed prompt that is not sent now: later (due_at), or not at all (state)."""
    if state == State.PENDING:
        return await _move(
            session,
            prompt_id,
            token,
            [State.CLAIMED],
            state=State.PENDING,
            claimed_by=None,
            claimed_at=None,
            due_at=due_at,
        )
    return await _move(session, prompt_id, token, [State.CLAIMED], state=state)


# --- What a claimed prompt needs to be written --------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One claimed prompt with everything its message needs, read in one go."""

    prompt_id: int
    kind: PromptKind
    recipient: Recipient
    expires_at: datetime | None
    wanted: bool
    # The prompt whose buttons the message carries: a reminder repeats its original's buttons.
    answers_to: int
    about: PromptKind
    fields: dict[str, Any]


async def _session_fields(session: AsyncSession, prompt: Prompt) -> tuple[bool, dict[str, Any]]:
    """The session a feedback prompt or request is about, and its mentor."""
    fields: dict[str, Any] = {}
    portfolio = await session.get(Portfolio, prompt.portfolio_id) if prompt.portfolio_id else None
    if portfolio is not None:
        mentor = await session.get(Person, portfolio.mentor_id)
        fields["mentor"] = mentor.name if mentor else ""
    if prompt.entry_id is None:
        return portfolio is not None, fields
    entry = await session.get(Entry, prompt.entry_id)
    if entry is None or entry.deleted_at is not None:
        return False, fields
    fields.update(
        ref=entry.ref,
        occurred_on=entry.occurred_on.isoformat(),
        minutes=entry.duration_minutes,
        topic=entry.data.get("plan") or "",
    )
    return portfolio is not None, fields


async def _facts(session: AsyncSession, prompt: Prompt) -> tuple[bool, dict[str, Any]]:
    """Whether the prompt is still wanted, and what its message shows."""
    kind = PromptKind(prompt.kind)
    if kind == PromptKind.FEEDBACK:
        wanted, fields = await _session_fields(session, prompt)
        return wanted and prompt.answered_at is None, fields
    if kind == PromptKind.REQUEST:
        wanted, fields = await _session_fields(session, prompt)
        return wanted and prompt.answered_at is None, {**fields, "what": prompt.payload.get("what")}
    if kind == PromptKind.NOTICE:
        return True, dict(prompt.payload)
    if kind == PromptKind.WEEKLY:
        newer = await session.scalar(
            select(func.count(Entry.id)).where(
                Entry.portfolio_id == prompt.portfolio_id,
                Entry.deleted_at.is_(None),
                Entry.recorded_at >= prompt.created_at,
            )
        )
        return not newer, {}
    if kind == PromptKind.GOAL_REVIEW:
        goal = await session.get(Goal, prompt.payload.get("goal_id", 0))
        entry = await session.get(Entry, goal.entry_id) if goal else None
        wanted = (
            goal is not None
            and entry is not None
            and entry.deleted_at is None
            and goal.status in OPEN_GOAL_STATUSES
            and goal.target_date is not None
            and goal.target_date.isoformat() == prompt.payload.get("target")
        )
        return wanted, {"statement": goal.statement if goal else ""}
    if kind == PromptKind.PAIR_QUIET:
        membership = await session.get(Membership, prompt.payload.get("membership_id", 0))
        if membership is None:
            return False, {}
        since = date.fromisoformat(prompt.payload["since"])
        later = await _last_session_day(session, membership.id)
        name = membership.person.name or membership.pseudonym or ""
        return later is None or later <= since, {"mentee": name}
    return False, {}


async def _last_session_day(session: AsyncSession, membership_id: int) -> date | None:
    return await session.scalar(
        select(func.max(Entry.occurred_on))
        .join(EntryMentee, EntryMentee.entry_id == Entry.id)
        .where(
            EntryMentee.membership_id == membership_id,
            Entry.kind == Kind.SESSION,
            Entry.deleted_at.is_(None),
        )
    )


async def _prefetch(session: AsyncSession, prompts: Sequence[Prompt]) -> list[Any]:
    """Load a batch's people, portfolios and sessions in a few queries, so that `session.get`
    finds them in the identity map. That map holds weak references: keep the result alive."""
    portfolio_ids = {p.portfolio_id for p in prompts if p.portfolio_id}
    portfolios = (
        (await session.scalars(select(Portfolio).where(Portfolio.id.in_(portfolio_ids))))
        .unique()
        .all()
    )
    person_ids = {p.person_id for p in prompts} | {p.mentor_id for p in portfolios}
    people_ = (await session.scalars(select(Person).where(Person.id.in_(person_ids)))).all()
    entry_ids = {p.entry_id for p in prompts if p.entry_id}
    entries = (await session.scalars(select(Entry).where(Entry.id.in_(entry_ids)))).all()
    return [*portfolios, *people_, *entries]


async def outgoing(session: AsyncSession, prompts: Sequence[Prompt]) -> list[Outgoing]:
    batch = await _prefetch(session, prompts)
    result = []
    for prompt in prompts:
        person = await session.get(Person, prompt.person_id)
        kind = PromptKind(prompt.kind)
        original = prompt
        if kind == PromptKind.REMINDER:
            original = await session.get(Prompt, prompt.payload.get("prompt_id", 0)) or prompt
        wanted, fields = await _facts(session, original)
        if kind == PromptKind.REMINDER:
            wanted = (
                original is not prompt
                and wanted
                and original.state in DELIVERED
                and original.answered_at is None
            )
        result.append(
            Outgoing(
                prompt_id=prompt.id,
                kind=kind,
                recipient=recipient_of(person),
                expires_at=prompt.expires_at,
                wanted=wanted,
                answers_to=original.id,
                about=PromptKind(original.kind),
                fields=fields,
            )
        )
    del batch  # held until here, for `session.get` above
    return result


# --- Answers ------------------------------------------------------------------------------------


class Refusal(StrEnum):
    NOT_YOURS = "not_yours"
    ANSWERED = "answered"
    CLOSED = "closed"


async def answerable(
    session: AsyncSession, prompt_id: int, person: Person, kind: PromptKind, now: datetime
) -> Prompt | Refusal:
    """The prompt this person may answer now, or why not."""
    prompt = await session.get(Prompt, prompt_id)
    if prompt is None or prompt.person_id != person.id or prompt.kind != kind:
        return Refusal.NOT_YOURS
    if prompt.answered_at is not None:
        return Refusal.ANSWERED
    if prompt.state not in DELIVERED or (
        prompt.expires_at is not None and now >= prompt.expires_at
    ):
        return Refusal.CLOSED
    return prompt


def _mark_answered(prompt: Prompt, now: datetime) -> None:
    prompt.state, prompt.answered_at = State.ANSWERED, now


@dataclass(frozen=True)
class Answered:
    """What the answering handler tells the person, and where a later optional line goes."""

    mentor_name: str
    entry_id: int | None = None
    notice_id: int | None = None


async def mentor_of(session: AsyncSession, prompt: Prompt) -> Person:
    portfolio = await session.get(Portfolio, prompt.portfolio_id)
    return await session.get(Person, portfolio.mentor_id)


async def _context(session: AsyncSession, prompt: Prompt) -> tuple[Portfolio, Person, Entry | None]:
    portfolio = await session.get(Portfolio, prompt.portfolio_id)
    mentor = await session.get(Person, portfolio.mentor_id)
    about = await session.get(Entry, prompt.entry_id) if prompt.entry_id else None
    return portfolio, mentor, about


def _feedback_tags(portfolio: Portfolio, registry: Registry) -> list[str]:
    followed = [pf.framework_id for pf in portfolio.frameworks]
    return [c for c in feedback_criteria(followed) if registry.criterion(c) is not None]


async def _feedback_entry(
    session: AsyncSession,
    portfolio: Portfolio,
    mentor: Person,
    about: Entry | None,
    *,
    giver: Person,
    data: dict[str, Any],
    registry: Registry,
    today: date,
    now: datetime,
    mentee_ids: Sequence[int] = (),
) -> Entry:
    """A feedback entry in the mentor's portfolio, tagged to the feedback criteria it evidences."""
    if about is not None:
        data = {**data, "about_ref": about.ref}
    entry = await create_entry(
        session,
        portfolio_id=portfolio.id,
        author_id=giver.id,
        kind=Kind.FEEDBACK,
        occurred_on=today,
        data=data,
        now=now,
        mentee_ids=mentee_ids,
        related_entry_id=about.id if about else None,
    )
    # The tag is the mentor's claim, made for them by rule; the assessor still decides.
    for criterion_id in _feedback_tags(portfolio, registry):
        await toggle_tag(session, entry, criterion_id, mentor.id, now)
    return entry


async def record_rating(
    session: AsyncSession,
    prompt: Prompt,
    mentee: Person,
    rating: int,
    *,
    registry: Registry,
    today: date,
    now: datetime,
) -> Answered:
    """The mentee's rating becomes a feedback entry at once; the optional line follows."""
    _mark_answered(prompt, now)
    portfolio, mentor, about = await _context(session, prompt)
    membership = await people.membership(session, portfolio.id, mentee.id, {Role.MENTEE})
    entry = await _feedback_entry(
        session,
        portfolio,
        mentor,
        about,
        giver=mentee,
        registry=registry,
        today=today,
        now=now,
        data={"source": "mentee", "rating": rating},
        mentee_ids=[membership.id] if membership else [],
    )
    notice = await schedule_notice(
        session,
        mentor=mentor,
        portfolio_id=portfolio.id,
        now=now,
        wait_for_line=True,
        payload={
            "event": "feedback",
            "who": mentee.name,
            "ref": about.ref if about else "",
            "day": about.occurred_on.isoformat() if about else today.isoformat(),
            "rating": rating,
            "saved": entry.ref,
        },
    )
    return Answered(mentor.name, entry.id, notice.id if notice else None)


async def add_feedback_line(
    session: AsyncSession,
    entry_id: int,
    notice_id: int | None,
    giver: Person,
    text: str,
    now: datetime,
) -> None:
    """The optional line: a new revision of the feedback entry, and the notice goes now."""
    entry = await session.get(Entry, entry_id)
    if entry is not None and entry.author_id == giver.id:
        await revise_entry(session, entry, author_id=giver.id, now=now, changes={"text": text})
    if notice_id is not None:
        await release_notice(session, notice_id, now, text=text)


async def _signed(
    session: AsyncSession,
    *,
    portfolio: Portfolio,
    mentor: Person,
    supervisor: Person,
    kind: RequestKind,
    about: Entry | None,
    now: datetime,
    notice: dict[str, Any],
    entry_id: int | None = None,
    minutes: int | None = None,
    text: str | None = None,
) -> None:
    """The supervisor's signed record (who, what, when), and the mentor is told."""
    session.add(
        Confirmation(
            portfolio_id=portfolio.id,
            supervisor_id=supervisor.id,
            kind=kind,
            entry_id=about.id if about else entry_id,
            minutes=minutes,
            text=text,
            confirmed_at=now,
        )
    )
    await schedule_notice(
        session,
        mentor=mentor,
        portfolio_id=portfolio.id,
        now=now,
        payload={"who": supervisor.name, "ref": about.ref if about else "", **notice},
    )


async def confirm_hours(
    session: AsyncSession, prompt: Prompt, supervisor: Person, now: datetime
) -> Answered:
    """The supervisor's signed record: who confirmed which session's minutes, and when."""
    _mark_answered(prompt, now)
    portfolio, mentor, about = await _context(session, prompt)
    minutes = about.duration_minutes if about else None
    await _signed(
        session,
        portfolio=portfolio,
        mentor=mentor,
        supervisor=supervisor,
        kind=RequestKind.HOURS,
        about=about,
        now=now,
        minutes=minutes,
        notice={"event": "hours", "minutes": minutes or 0},
    )
    return Answered(mentor.name)


async def dispute_hours(
    session: AsyncSession, prompt: Prompt, supervisor: Person, now: datetime
) -> Answered:
    """Not confirmed: no confirmation row, the mentor hears why (after the optional line)."""
    _mark_answered(prompt, now)
    portfolio, mentor, about = await _context(session, prompt)
    notice = await schedule_notice(
        session,
        mentor=mentor,
        portfolio_id=portfolio.id,
        now=now,
        wait_for_line=True,
        payload={"event": "disputed", "who": supervisor.name, "ref": about.ref if about else ""},
    )
    return Answered(mentor.name, notice_id=notice.id if notice else None)


async def record_supervisor_text(
    session: AsyncSession,
    prompt: Prompt,
    supervisor: Person,
    text: str,
    *,
    registry: Registry,
    today: date,
    now: datetime,
) -> Answered:
    """Feedback on a session or a witness testimony: a confirmation row and a portfolio entry."""
    _mark_answered(prompt, now)
    portfolio, mentor, about = await _context(session, prompt)
    what = RequestKind(prompt.payload.get("what"))
    if what == RequestKind.TESTIMONY:
        entry = await create_entry(
            session,
            portfolio_id=portfolio.id,
            author_id=supervisor.id,
            kind=Kind.EVIDENCE,
            occurred_on=today,
            data={"evidence_type": "witness", "caption": text, "from_name": supervisor.name},
            now=now,
        )
        event = "testimony"
    else:
        entry = await _feedback_entry(
            session,
            portfolio,
            mentor,
            about,
            giver=supervisor,
            registry=registry,
            today=today,
            now=now,
            data={"source": "supervisor", "from_name": supervisor.name, "text": text},
        )
        event = "supervisor_feedback"
    await _signed(
        session,
        portfolio=portfolio,
        mentor=mentor,
        supervisor=supervisor,
        kind=what,
        about=about,
        now=now,
        entry_id=entry.id,
        text=text,
        notice={"event": event, "saved": entry.ref},
    )
    return Answered(mentor.name, entry.id)


# --- Reminders planned from the journal ---------------------------------------------------------


def _promptable_mentor() -> Any:
    """`Recipient.reachable` as a query: the same rule where many people are picked at once."""
    return (
        Person.telegram_id.is_not(None),
        Person.consent_at.is_not(None),
        Person.erased_at.is_(None),
        Person.blocked_at.is_(None),
        Person.prompts_paused.is_(False),
        Portfolio.closed_at.is_(None),
    )


async def _weekly(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    last = (
        select(Entry.portfolio_id, func.max(Entry.recorded_at).label("last"))
        .where(Entry.deleted_at.is_(None))
        .group_by(Entry.portfolio_id)
        .subquery()
    )
    rows = await session.execute(
        select(Portfolio, Person, last.c.last)
        .join(Person, Person.id == Portfolio.mentor_id)
        .outerjoin(last, last.c.portfolio_id == Portfolio.id)
        .where(*_promptable_mentor())
    )
    planned = []
    for portfolio, mentor, last_at in rows.unique().all():
        since = last_at or portfolio.created_at
        due = repeating_due(since, WEEKLY_GAP, now)
        if due is not None:
            planned.append(
                dict(
                    kind=PromptKind.WEEKLY,
                    person=mentor,
                    portfolio_id=portfolio.id,
                    due_at=next_allowed(due, mentor.timezone, quiet_of(mentor)),
                    key=f"weekly:{portfolio.id}:{due:%Y-%m-%dT%H:%M}",
                )
            )
    return planned


async def _quiet_pairs(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    last = (
        select(EntryMentee.membership_id, func.max(Entry.occurred_on).label("last"))
        .join(Entry, Entry.id == EntryMentee.entry_id)
        .where(Entry.kind == Kind.SESSION, Entry.deleted_at.is_(None))
        .group_by(EntryMentee.membership_id)
        .subquery()
    )
    rows = await session.execute(
        select(Membership, Portfolio, Person, last.c.last)
        .join(Portfolio, Portfolio.id == Membership.portfolio_id)
        .join(Person, Person.id == Portfolio.mentor_id)
        .outerjoin(last, last.c.membership_id == Membership.id)
        .where(Membership.role == Role.MENTEE, *_promptable_mentor())
    )
    planned = []
    for membership, portfolio, mentor, last_day in rows.unique().all():
        today = local_day(now, mentor.timezone)
        since = last_day or local_day(membership.joined_at, mentor.timezone)
        day = repeating_day(since, PAIR_GAP_DAYS, today)
        if day is not None:
            planned.append(
                dict(
                    kind=PromptKind.PAIR_QUIET,
                    person=mentor,
                    portfolio_id=portfolio.id,
                    due_at=next_allowed(now, mentor.timezone, quiet_of(mentor)),
                    payload={"membership_id": membership.id, "since": since.isoformat()},
                    key=f"pair:{membership.id}:{day.isoformat()}",
                )
            )
    return planned


async def _goal_reviews(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    window = goal_review_window(now.date())
    rows = await session.execute(
        select(Goal, Portfolio, Person)
        .join(Entry, Entry.id == Goal.entry_id)
        .join(Portfolio, Portfolio.id == Goal.portfolio_id)
        .join(Person, Person.id == Portfolio.mentor_id)
        .where(
            Goal.target_date.between(*window),
            Goal.status.in_(OPEN_GOAL_STATUSES),
            Entry.deleted_at.is_(None),
            *_promptable_mentor(),
        )
    )
    return [
        dict(
            kind=PromptKind.GOAL_REVIEW,
            person=mentor,
            portfolio_id=portfolio.id,
            due_at=goal_review_due(goal.target_date, mentor.timezone, quiet_of(mentor)),
            payload={"goal_id": goal.id, "target": goal.target_date.isoformat()},
            key=f"goal:{goal.id}:{goal.target_date.isoformat()}",
        )
        for goal, portfolio, mentor in rows.unique().all()
    ]


async def plan_reminders(session: AsyncSession, now: datetime) -> int:
    """Create the weekly nudges, quiet-pair flags and goal reviews that are due; each once."""
    planned = [
        *await _weekly(session, now),
        *await _quiet_pairs(session, now),
        *await _goal_reviews(session, now),
    ]
    if not planned:
        return 0
    created = 0
    for values in planned:
        if await schedule(session, now=now, **values) is not None:
            created += 1
    return created
