"""Hours per unit, taken from the session log itself (DESIGN.md section 10: nothing typed twice).

Which unit a session counts toward (the ILM diaries need D3.06 >= 6 h, D3.07 >= 20 h for
mentoring, D3.03 >= 6 h and D3.04 >= 30 h for coaching):

- Only units with `min_hours` keep hours.
- The product logs mentoring, so the "mentoring" hours units (whose title names mentoring:
  D3.06, D3.07) are the default: a session counts toward every one of them.
- A session tagged to a criterion of another hours unit (the coaching units D3.03, D3.04) is a
  coaching session: it counts toward the hours units it is tagged to, and toward a mentoring
  unit only when it is tagged to that unit too. Coaching and mentoring hours are different
  practice, so one session never fills both diaries unless the mentor claims both.
- A framework whose hours units never name mentoring treats them all as default.

The same rule places contracts, reflections and feedback in the diary's unit parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from journal.entries import Kind
from journal.frameworks.model import Framework, Unit
from journal.snapshot import ConfirmationRecord, EntryRecord, PortfolioSnapshot


@dataclass(frozen=True)
class SessionHours:
    ref: str
    occurred_on: date
    minutes: int
    running_minutes: int


@dataclass(frozen=True)
class UnitHours:
    framework_id: str
    unit_code: str
    title: str
    min_hours: float
    sessions: tuple[SessionHours, ...]
    confirmed_minutes: int = 0

    @property
    def minutes(self) -> int:
        return self.sessions[-1].running_minutes if self.sessions else 0

    @property
    def minimum_minutes(self) -> int:
        return round(self.min_hours * 60)

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def met(self) -> bool:
        return self.minutes >= self.minimum_minutes

    @property
    def remaining_minutes(self) -> int:
        return max(0, self.minimum_minutes - self.minutes)

    @cached_property
    def _running(self) -> dict[str, int]:
        return {s.ref: s.running_minutes for s in self.sessions}

    def running_at(self, ref: str) -> int | None:
        """Minutes logged up to and including the session `ref`, None if it does not count."""
        return self._running.get(ref)


def hours_units(framework: Framework) -> tuple[Unit, ...]:
    return tuple(u for u in framework.units if u.min_hours is not None)


@dataclass(frozen=True)
class HoursRule:
    """Which hours units of one framework an entry belongs to, from its tags."""

    units: tuple[Unit, ...]
    defaults: tuple[Unit, ...]
    unit_of: dict[str, str]

    def units_for(self, tags: Iterable[str]) -> tuple[Unit, ...]:
        tagged = {self.unit_of[t] for t in tags if t in self.unit_of}
        default_codes = {u.code for u in self.defaults}
        if tagged - default_codes:
            return tuple(u for u in self.units if u.code in tagged)
        return self.defaults


def hours_rule(framework: Framework) -> HoursRule:
    units = hours_units(framework)
    mentoring = tuple(u for u in units if "mentoring" in u.title.lower())
    return HoursRule(
        units=units,
        defaults=mentoring or units,
        unit_of={c.id: u.code for u in units for c in u.criteria},
    )


def unit_hours(
    source: PortfolioSnapshot | Iterable[EntryRecord],
    framework: Framework,
    confirmations: Iterable[ConfirmationRecord] = (),
) -> list[UnitHours]:
    """Running hours per hours unit of `framework`, sessions in date order.

    Given a snapshot, its supervisor confirmations are used; `confirmed_minutes` is the time of
    the counted sessions that a supervisor confirmed.
    """
    if isinstance(source, PortfolioSnapshot):
        entries: Iterable[EntryRecord] = source.entries
        confirmations = source.confirmations
    else:
        entries = source
    sessions = sorted(
        (e for e in entries if e.kind == Kind.SESSION),
        key=lambda e: (e.occurred_on, e.ref),
    )
    confirmed = {c.entry_ref for c in confirmations if c.entry_ref}
    rule = hours_rule(framework)
    per_unit: dict[str, list[EntryRecord]] = {u.code: [] for u in rule.units}
    for entry in sessions:
        for unit in rule.units_for(entry.tags):
            per_unit[unit.code].append(entry)
    result = []
    for unit in rule.units:
        running = 0
        rows = []
        for entry in per_unit[unit.code]:
            minutes = entry.duration_minutes or 0
            running += minutes
            rows.append(SessionHours(entry.ref, entry.occurred_on, minutes, running))
        result.append(
            UnitHours(
                framework_id=framework.id,
                unit_code=unit.code,
                title=unit.title,
                min_hours=unit.min_hours or 0.0,
                sessions=tuple(rows),
                confirmed_minutes=sum(
                    e.duration_minutes or 0 for e in per_unit[unit.code] if e.ref in confirmed
                ),
            )
        )
    return result


def format_minutes(minutes: int) -> str:
    """'4 h 45', '6 h', '45 min', '0 h': the way the bot shows hours."""
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return f"{rest} min" if rest else "0 h"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def format_hours(hours: float) -> str:
    return format_minutes(round(hours * 60))


def progress_text(unit: UnitHours) -> str:
    """'12h30 of 20 h (7h30 to go)': one unit's hours as the exports show them."""
    state = "reached" if unit.met else f"{format_minutes(unit.remaining_minutes)} to go"
    return f"{format_minutes(unit.minutes)} of {format_hours(unit.min_hours)} ({state})"


def units_in_use(hours: Iterable[UnitHours], framework: Framework) -> list[UnitHours]:
    """The units a portfolio works toward: the default ones, and any other with sessions."""
    defaults = {u.code for u in hours_rule(framework).defaults}
    return [u for u in hours if u.unit_code in defaults or u.sessions]
