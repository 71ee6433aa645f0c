"""The summary an assessor reads first, as plain data: the workbook's cover, the diary's first
page and the /progress picture draw it.

Candidate and centre, the qualification, the period, hours logged and confirmed against each
minimum, coverage per unit ("D3.06: 6 of 8 criteria evidenced"), the checks that failed with
what to do, and a red/amber/green map of every criterion (green: enough evidence, amber:
some, red: none).
"""

from __future__ import annotations

from dataclasses import dataclass

from exports import ExportView, framework_line, period_text
from journal.coverage import coverage, tagged_refs, unit_counts
from journal.hours import format_hours, format_minutes, unit_hours, units_in_use
from journal.rule_checks import RuleCheck, Status

NOT_RECORDED = "not recorded"
RAG_RGB = {"green": (87, 187, 138), "amber": (246, 178, 63), "red": (230, 124, 115)}
# What a candidate does about a failed check, by the check's rule (before any ":").
WHAT_TO_DO = {
    "hours": "log more sessions tagged to this unit (/log), and ask the supervisor to confirm",
    "pieces": "tag more entries to KSBs, or choose the 10-16 strongest pieces (/epa)",
    "mentees": "log and tag sessions with a second mentee",
    "statement": "both of you confirm the employer and apprentice statement (/statement)",
    "discussion_ksbs": "log evidence tagged to the KSBs listed (see /progress for the gaps)",
    "selection": "choose the 10-16 pieces of the gateway portfolio with /epa",
    "ksb_lines": "write a line for each KSB of the pieces listed (/epa, Write KSB lines)",
    "criteria_evidenced": "log evidence for the criteria listed (tap a gap in /progress)",
    "criteria_met": "ask the assessor to review the evidence and decide each criterion",
    "evidence_judged": "add to or replace the evidence judged lacking, then ask for a judgement",
    "attachments": "look through each photo and document before it is sent",
    "framework": "ask the centre to load the qualification's framework",
}


@dataclass(frozen=True)
class HoursLine:
    unit: str
    logged: str
    confirmed: str
    minimum: str
    met: bool

    @property
    def text(self) -> str:
        state = "reached" if self.met else "not reached"
        return (
            f"{self.unit}: {self.logged} logged, {self.confirmed} confirmed by the supervisor, "
            f"of the {self.minimum} minimum ({state})"
        )


@dataclass(frozen=True)
class UnitLine:
    unit: str
    evidenced: int
    total: int

    @property
    def text(self) -> str:
        return f"{self.unit}: {self.evidenced} of {self.total} criteria evidenced"


@dataclass(frozen=True)
class MapUnit:
    unit: str
    cells: tuple[tuple[str, str], ...]  # (criterion code, "red" | "amber" | "green")


@dataclass(frozen=True)
class Summary:
    candidate: str
    centre: str
    qualifications: tuple[str, ...]
    period: str
    hours: tuple[HoursLine, ...]
    units: tuple[UnitLine, ...]
    failed: tuple[tuple[RuleCheck, str], ...]
    to_check: tuple[RuleCheck, ...]
    map: tuple[MapUnit, ...]


# An hours check failed with the logged hours enough: only the supervisor's confirmations are
# short (journal.portfolio_rules says "N to go" when logged hours are short).
CONFIRM_ONLY = "ask the supervisor to confirm the hours of the sessions logged (/request)"


def what_to_do(check: RuleCheck) -> str:
    rule = check.rule.split(":")[0]
    if rule == "hours" and "to go" not in check.message:
        return CONFIRM_ONLY
    return WHAT_TO_DO.get(rule, "see the message")


def summary(view: ExportView) -> Summary:
    s = view.snapshot
    refs = tagged_refs(s.entries)
    hours, units, maps = [], [], []
    for fw in view.frameworks:
        for unit in units_in_use(unit_hours(s, fw), fw):
            hours.append(
                HoursLine(
                    unit.unit_code,
                    format_minutes(unit.minutes),
                    format_minutes(unit.confirmed_minutes),
                    format_hours(unit.min_hours),
                    unit.met,
                )
            )
        rows = coverage(s, fw, refs)
        units += [UnitLine(u.unit_code, u.covered, u.criteria) for u in unit_counts(fw, rows)]
        by_unit: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            colour = "green" if row.covered else "amber" if row.count else "red"
            by_unit.setdefault(row.criterion.unit_code, []).append((row.criterion.code, colour))
        maps += [MapUnit(unit, tuple(cells)) for unit, cells in by_unit.items()]
    return Summary(
        candidate=s.candidate,
        centre=getattr(s, "centre", None) or NOT_RECORDED,
        qualifications=tuple(framework_line(f) for f in view.frameworks),
        period=period_text(s),
        hours=tuple(hours),
        units=tuple(units),
        failed=tuple((c, what_to_do(c)) for c in view.checks if c.status == Status.FAILED),
        to_check=tuple(c for c in view.checks if c.status == Status.CHECK),
        map=tuple(maps),
    )
