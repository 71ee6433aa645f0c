"""The ST1379 gateway as the exports show it (workbook cover, diary front page and its own
section): the checklist the bot kept from the data, each item met (✓) or not (✗) with what it
rests on (who recorded it and when), the gateway date, and the recordings of mentoring sessions
after the gateway: how many are accepted of the two needed, and each one's date, length,
format, whether mentor and mentee are visible, and why it does not count when it does not.

The snapshot carries the checklist as kept on the day it was read (storage.gateway
`with_gateway`); nothing here decides an item again. Names shown are the apprentice's and the
employer's, who recorded the gateway facts: never a mentee's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from exports import ExportView
from journal.apprenticeship import anniversary
from journal.gateway import Item
from journal.hours import format_minutes
from journal.recordings import MIN_SECONDS, NEEDED, Problem, minutes_text
from journal.snapshot import GatewayFactRecord, GatewayItemRecord, RecordingRecord
from journal.st1379_rules import PIECES, ST1379

SECTION = "Gateway"  # the diary's section; the cover's line of totals
TITLE = "Gateway checklist (ST1379)"
RECORDINGS_TITLE = "Recordings after gateway"
MET, NOT_MET = "✓", "✗"
ITEM_LABELS = {
    Item.ON_PROGRAMME: "12 months on programme",
    Item.OTJ: "Off-the-job training",
    Item.ENGLISH_MATHS: "English and maths",
    Item.DECISION: "Employer's decision",
    Item.STATEMENT: "Employer and apprentice statement",
    Item.PORTFOLIO: "Portfolio of evidence",
}
BASIS = {"level2": "Level 2", "entry3": "Entry Level 3", "bsl": "British Sign Language (BSL)"}
FORMATS = {"one_to_one": "one-to-one", "group": "group"}
PROBLEMS = {
    Problem.SHORT: f"under {MIN_SECONDS // 60} minutes",
    Problem.LENGTH_UNKNOWN: "length not known",
    Problem.BEFORE_GATEWAY: "recorded before the gateway date ({gateway})",
    Problem.SENT_BEFORE_GATEWAY: "sent before the gateway was confirmed ({gateway})",
    Problem.DUPLICATE: "the same video as another recording (counts once)",
    Problem.NO_GATEWAY: "the gateway is not confirmed yet",
    Problem.NOT_VISIBLE: "mentor and mentee not confirmed visible",
}


def _day(value: date) -> str:
    return f"{value:%d %b %Y}"


def _at(value: datetime) -> str:
    return f"{value.astimezone(UTC):%d %b %Y %H:%M} UTC"


def _kept(view: ExportView) -> bool:
    s = view.snapshot
    return ST1379 in s.framework_ids and bool(s.gateway_items)


def _facts(view: ExportView) -> dict[str, GatewayFactRecord]:
    return {f.kind: f for f in view.snapshot.gateway_facts}


def _gateway(view: ExportView) -> tuple[GatewayFactRecord, date] | None:
    """The gateway as the employer confirmed it, and its date; None before."""
    found = _facts(view).get("gateway")
    if found is None or found.on_date is None:
        return None
    return found, found.on_date


SUBJECTS = (("english", "English"), ("maths", "maths"))


def _subject(found: GatewayFactRecord | None, name: str) -> str:
    if found is None:
        return f"{name}: not recorded"
    basis = BASIS.get(found.value, found.value)
    return f"{name}: {basis}, recorded by {found.person} ({found.role}), {_at(found.recorded_at)}"


def _detail(view: ExportView, record: GatewayItemRecord) -> str:
    """What one item rests on, in plain words."""
    s, facts = view.snapshot, _facts(view)
    plan = s.otj_plan
    item = Item(record.item)
    if item == Item.ON_PROGRAMME:
        if plan is None:
            return "not yet: no start date recorded"
        full = anniversary(plan.start_on)
        if record.met:
            return f"since {_day(plan.start_on)} (12 months on {_day(full)})"
        return f"not yet: started {_day(plan.start_on)}, 12 months on {_day(full)}"
    if item == Item.OTJ:
        confirmed = f"{format_minutes(record.count or 0)} confirmed by the employer"
        if plan is None:
            return f"{confirmed}; no minimum recorded"
        return f"{confirmed} of the {format_minutes(plan.minimum_minutes)} minimum"
    if item == Item.ENGLISH_MATHS:
        return "; ".join(_subject(facts.get(k), name) for k, name in SUBJECTS)
    if item == Item.DECISION:
        found = facts.get("decision")
        if found is None:
            return "not yet recorded by the employer"
        return (
            f"{found.person}, {_at(found.recorded_at)}: the apprentice works at or above the "
            "occupational standard"
        )
    if item == Item.STATEMENT:
        if record.met:
            return "confirmed by both for the evidence as it is"
        return "not yet confirmed by both for the evidence as it is (see the statement)"
    low, high = PIECES
    text = f"{record.count or 0} pieces selected (typically {low}-{high})"
    if record.missing:
        text += "; not ready: " + "; ".join(record.missing)
    return text


def gateway_lines(view: ExportView) -> list[tuple[str, str]]:
    """(label, text) lines: each item of the checklist with ✓ or ✗ and what it rests on, then
    the gateway date; none when the portfolio doesn't follow ST1379."""
    if not _kept(view):
        return []
    s = view.snapshot
    lines = [
        (f"{MET if r.met else NOT_MET} {ITEM_LABELS[Item(r.item)]}", _detail(view, r))
        for r in s.gateway_items
    ]
    met = sum(r.met for r in s.gateway_items)
    lines.append(("Items met", f"{met} of {len(s.gateway_items)} when this export was made"))
    gateway = _gateway(view)
    if gateway is None:
        lines.append(("Gateway date", "not yet: the employer confirms it once every item is met"))
    else:
        who, on = gateway
        lines.append(("Gateway date", f"{_day(on)}, confirmed by {who.person} ({who.role})"))
    return lines


def _recording(recording: RecordingRecord, gateway: date | None) -> str:
    visible = "mentor and mentee visible" if recording.visible else "mentor and mentee not visible"
    text = (
        f"{_day(recording.recorded_on)}, {minutes_text(recording.seconds)}, "
        f"{FORMATS.get(recording.format, recording.format)}, {visible}"
    )
    if not recording.problems:
        return f"{text}: accepted"
    day = _day(gateway) if gateway else "not yet"
    why = "; ".join(PROBLEMS[Problem(p)].format(gateway=day) for p in recording.problems)
    return f"{text}: FLAGGED, does not count: {why}"


def accepted(view: ExportView) -> int:
    return sum(1 for r in view.snapshot.recordings if not r.problems)


def recording_lines(view: ExportView) -> list[tuple[str, str]]:
    """(label, text) lines: how many recordings are accepted of the two needed, then each with
    its date, length, format, visibility and problems; none unless ST1379."""
    if not _kept(view):
        return []
    s = view.snapshot
    lines = [
        (
            "Accepted",
            f"{accepted(view)} of {NEEDED} recordings accepted (each at least "
            f"{MIN_SECONDS // 60} minutes, recorded on or after the gateway date, mentor and "
            "mentee visible; audio only is not accepted)",
        )
    ]
    gateway = _gateway(view)
    on = gateway[1] if gateway else None
    for n, recording in enumerate(s.recordings, 1):
        mark = NOT_MET if recording.problems else MET
        lines.append((f"{mark} Recording {n}", _recording(recording, on)))
    if not s.recordings:
        lines.append(("Recordings", "none added yet"))
    return lines


def cover_line(view: ExportView) -> str | None:
    """One line: the items met and the gateway date, or the recordings accepted after it."""
    if not _kept(view):
        return None
    s = view.snapshot
    gateway = _gateway(view)
    if gateway is None:
        met = sum(r.met for r in s.gateway_items)
        return f"{met} of {len(s.gateway_items)} items met; gateway not yet confirmed"
    return f"confirmed on {_day(gateway[1])}; {accepted(view)} of {NEEDED} recordings accepted"


def write_gateway_section(writer: Any, view: ExportView) -> None:
    """The diary's section: the checklist, then the recordings after gateway."""
    lines = gateway_lines(view)
    if not lines:
        return
    writer.new_page()
    writer.heading(SECTION, 14, 0)
    writer.block(TITLE, lines)
    writer.block(RECORDINGS_TITLE, recording_lines(view))
