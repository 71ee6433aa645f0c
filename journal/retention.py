"""What a centre's retention period selects for destruction (DESIGN.md section 8).

The certification body keeps the records of candidates "for an appropriate period of time (as
defined by the certification body), for a minimum of one full certification cycle", then
disposes of them so as to keep them confidential (seeds/000, sections 4.15 and 4.16). Here the
period counts from a portfolio's last activity: its creation, its closing, the latest entry
recorded or revised, and the latest decision, mark or confirmation. A portfolio whose last
activity is older than the period is destroyed whole; so is an entry its mentor deleted longer
ago than the period, and a person with nothing of theirs left who joined before it began.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Activity:
    """When a portfolio was last worked on; `latest` holds the newest time of each kind of
    record in it (None where it has none)."""

    portfolio_id: int
    created_at: datetime
    latest: tuple[datetime | None, ...] = ()
    closed_at: datetime | None = None

    @property
    def last(self) -> datetime:
        return max(t for t in (self.created_at, self.closed_at, *self.latest) if t is not None)


def retention_period(days: int | None) -> timedelta | None:
    """The centre's period; none set (or 0) means nothing is destroyed for age."""
    return timedelta(days=days) if days else None


def cutoff(now: datetime, period: timedelta) -> datetime:
    """Records whose last activity is before this moment are past retention."""
    return now - period


def past_retention(activities: Iterable[Activity], now: datetime, period: timedelta) -> list[int]:
    limit = cutoff(now, period)
    return sorted(a.portfolio_id for a in activities if a.last < limit)


def person_past_retention(
    created_at: datetime, *, holds_records: bool, now: datetime, period: timedelta
) -> bool:
    """A person with no portfolio or membership left, who joined before the period began."""
    return not holds_records and created_at < cutoff(now, period)


def deleted_entry_past_retention(
    deleted_at: datetime | None, now: datetime, period: timedelta
) -> bool:
    return deleted_at is not None and deleted_at < cutoff(now, period)
