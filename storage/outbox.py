"""The outbox: claiming due prompts and recording the state of each send.

What "sent once" means across crashes, and why a row left `sending` is never sent again, is
explained in `storage.prompts`; `bot.prompter` maps each outcome of a send onto these steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal.entries import OPEN_GOAL_STATUSES, Kind
from journal.prompting import (
    MAX_ATTEMPTS,
    PromptKind,
    Recipient,
    retry_delay,
)
from storage.models import (
    Entry,
    EntryMentee,
    Goal,
    Membership,
    Person,
    Portfolio,
    Prompt,
)
from storage.prompts import (
    CLAIM_TIMEOUT,
    DELIVERED,
    SENDING_TIMEOUT,
    State,
    recipient_of,
)


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
        topic=entry.data.get("plan") or entry.data.get("learned") or "",
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
    if kind == PromptKind.OTJ_BEHIND:
        return True, dict(prompt.payload)
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
