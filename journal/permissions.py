"""Who may change what, and who may join: evidence stays as its author wrote it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

# An invitation link works once, for this many days.
INVITATION_DAYS = 7


class JoinProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    OWN = "own"
    ALREADY = "already"
    OTHER_ROLE = "other_role"


def invitation_problem(
    *,
    used_at: datetime | None,
    expires_at: datetime,
    created_by: int,
    person_id: int,
    now: datetime,
) -> JoinProblem | None:
    """Why an invitation cannot be redeemed by this person now, or None if it can."""
    if used_at is not None:
        return JoinProblem.USED
    if expires_at <= now:
        return JoinProblem.EXPIRED
    if created_by == person_id:
        return JoinProblem.OWN
    return None


def role_problem(*, held: Collection[str], offered: str) -> JoinProblem | None:
    """One person, one role in a portfolio: why joining it in the `offered` role is refused.

    A mentee who also supervised or assessed the same mentor would confirm or judge evidence
    about themselves; a mentor is never their own mentee, supervisor or assessor; and the
    internal quality assurer who samples an assessor's decisions is never that assessor.
    """
    if offered in held:
        return JoinProblem.ALREADY
    if held:
        return JoinProblem.OTHER_ROLE
    return None


def may_change(author_id: int | None, person_id: int) -> bool:
    """Only the author edits or deletes an entry.

    A mentee's feedback or a supervisor's testimony sits in the mentor's portfolio, but it is
    their evidence: the mentor may tag it, never rewrite or remove it.
    """
    return author_id is not None and author_id == person_id
