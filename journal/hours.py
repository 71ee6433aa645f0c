"""Hours per unit, taken from the session log itself (DESIGN.md section 10: nothing typed twice).

Which unit a session counts toward (the ILM diaries need D3.06 >= 6 h, D3.07 >= 20 h for
mentoring, D3.03 >= 6 h and D3.04 >= 30 h for coaching):

- Only units with `min_hours` keep hours.
- Each hours unit belongs to a practice: mentoring when its title names mentoring (D3.06,
  D3.07), coaching otherwise (D3.03, D3.04).
- One session counts toward every hours unit of its practice: a mentoring session toward
  D3.06 and D3.07 both, a coaching session toward D3.03 and D3.04 both (the seed asks for a
  diary of the first six hours and a log of the extended period; it never says the six hours
  cannot be part of the extended period, and a session is not split between them).
- A session is a mentoring session unless it is tagged to a criterion of a coaching hours unit;
  it then counts toward the coaching units, and toward the mentoring units only when it is
  tagged to a mentoring unit too. Coaching and mentoring are different practice: one session
  fills both practices' diaries only when the mentor claims both.
- A framework whose hours units never name mentoring has one practice: every unit.
- Every hours unit of a framework is shown (units_in_use), so an ILM portfolio without coaching
  sessions shows D3.03 and D3.04 at 0 h: a gap, not an absence.

Supervised hours: `confirmed_minutes` is the time a supervisor confirmed (confirmations of kind
"hours", up to each counted session's length). The centre setting CONFIRMED_HOURS_UNITS names
the units whose minimum needs confirmed hours (default D3.04 and D3.07, the "supervised"
extended periods): for those, `met` needs the confirmed hours to reach the minimum too.

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

# "framework:UNIT" codes whose minimum needs hours confirmed by the supervisor.
DEFAULT_CONFIRMED_HOURS_UNITS: tuple[str, ...] = ("ilm:D3.04", "ilm:D3.07")
HOURS_CONFIRMATION = "hours"


def parse_units(text: str) -> tuple[str, ...]:
    """'ilm:D3.04, ilm:d3.07' -> ('ilm:D3.04', 'ilm:D3.07'): a setting's list of units."""
    result = []
    for item in text.split(","):
        framework, _, unit = item.strip().partition(":")
        if framework and unit:
            result.append(f"{framework.strip().lower()}:{unit.strip().upper()}")
    return tuple(dict.fromkeys(result))


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
    needs_confirmed: bool = False  # the minimum needs hours confirmed by the supervisor

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
    def logged_met(self) -> bool:
        return self.minutes >= self.minimum_minutes

    @property
    def confirmed_short_minutes(self) -> int:
        """Confirmed time still missing, 0 when the unit needs none."""
        if not self.needs_confirmed:
            return 0
        return max(0, self.minimum_minutes - self.confirmed_minutes)

    @property
    def met(self) -> bool:
        return self.logged_met and not self.confirmed_short_minutes

    @property
    def remaining_minutes(self) -> int:
        """Logged time still missing (the confirmed time missing is `confirmed_short_minutes`)."""
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
            # A coaching session: every unit of each practice it is tagged to.
            practices = {u.code in default_codes for u in self.units if u.code in tagged}
            return tuple(u for u in self.units if (u.code in default_codes) in practices)
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
    *,
    confirmed_units: Iterable[str] | None = None,
) -> list[UnitHours]:
    """Running hours per hours unit of `framework`, sessions in date order.

    Given a snapshot, its supervisor confirmations and its centre's `confirmed_hours_units` are
    used; `confirmed_minutes` is the time of the counted sessions that a supervisor confirmed.
    """
    if isinstance(source, PortfolioSnapshot):
        entries: Iterable[EntryRecord] = source.entries
        confirmations = source.confirmations
        if confirmed_units is None:
            confirmed_units = source.confirmed_hours_units
    else:
        entries = source
    needing = set(DEFAULT_CONFIRMED_HOURS_UNITS if confirmed_units is None else confirmed_units)
    sessions = sorted(
        (e for e in entries if e.kind == Kind.SESSION),
        key=lambda e: (e.occurred_on, e.ref),
    )
    confirmed: dict[str, int | None] = {}
    for c in confirmations:
        if c.kind == HOURS_CONFIRMATION and c.entry_ref:
            confirmed[c.entry_ref] = c.minutes  # the newest confirmation of a session counts
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
                    _confirmed_minutes(e, confirmed[e.ref])
                    for e in per_unit[unit.code]
                    if e.ref in confirmed
                ),
                needs_confirmed=f"{framework.id}:{unit.code}" in needing,
            )
        )
    return result


def _confirmed_minutes(entry: EntryRecord, minutes: int | None) -> int:
    """What a confirmation counts for: the minutes confirmed, never more than the session."""
    logged = entry.duration_minutes or 0
    return logged if minutes is None else max(0, min(minutes, logged))


def format_minutes(minutes: int) -> str:
    """'4 h 45', '6 h', '45 min', '0 h': the way the bot shows hours."""
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return f"{rest} min" if rest else "0 h"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def format_hours(hours: float) -> str:
    return format_minutes(round(hours * 60))


def confirmed_text(unit: UnitHours) -> str:
    """'3 h confirmed by the supervisor (17 h to confirm)' or '3 h confirmed by the supervisor'."""
    text = f"{format_minutes(unit.confirmed_minutes)} confirmed by the supervisor"
    if unit.confirmed_short_minutes:
        text += f" ({format_minutes(unit.confirmed_short_minutes)} to confirm)"
    return text


def progress_text(unit: UnitHours) -> str:
    """'12 h 30 of 20 h, 3 h confirmed by the supervisor (not reached: 17 h to confirm)'."""
    logged = f"{format_minutes(unit.minutes)} of {format_hours(unit.min_hours)}"
    if unit.met:
        return f"{logged}, {confirmed_text(unit)} (reached)"
    short = []
    if not unit.logged_met:
        short.append(f"{format_minutes(unit.remaining_minutes)} to go")
    if unit.confirmed_short_minutes:
        short.append(f"{format_minutes(unit.confirmed_short_minutes)} to confirm")
    confirmed = f"{format_minutes(unit.confirmed_minutes)} confirmed by the supervisor"
    return f"{logged}, {confirmed} (not reached: {', '.join(short)})"


def units_in_use(hours: Iterable[UnitHours], framework: Framework) -> list[UnitHours]:
    """The units a portfolio works toward: every hours unit of its framework, so that a unit
    without sessions (ILM coaching, D3.03 and D3.04) shows as a gap."""
    return list(hours)
