"""Assessor decisions as the assessment record keeps them (DESIGN.md section 7).

Every decision is kept: the newest one on a criterion is current, the earlier ones are its
trail (who, when, what, why). "Met" is refused when no entry the candidate confirmed is tagged
to the criterion: a judgement needs evidence to stand on, and an assessor who has observed the
candidate records that observation as evidence first. A "met" whose evidence has since gone
(untagged, deleted) is not rewritten; it is flagged wherever it is shown.

Tags the bot added by rule (feedback tagged to the feedback criteria) are `auto_tags` of an
entry, never its `tags`: only a tag the mentor made or confirmed is the candidate's claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from journal.coverage import tagged_refs
from journal.snapshot import DecisionRecord, PortfolioSnapshot

MET = "met"
NOT_YET = "not_yet"
OUTCOMES = (MET, NOT_YET)
OUTCOME_WORDS = {MET: "met", NOT_YET: "not yet"}

MET_NEEDS_EVIDENCE = (
    "Met needs evidence: no entry the candidate confirmed is tagged to this criterion yet."
)
FLAG_NO_EVIDENCE = "met without evidence the candidate confirmed"


def decision_problem(outcome: str, evidence_refs: Iterable[str]) -> str | None:
    """Why this decision cannot be recorded, or None when it can."""
    if outcome not in OUTCOMES:
        return f"“{outcome}” is not a decision (met or not yet)"
    if outcome == MET and not tuple(evidence_refs):
        return MET_NEEDS_EVIDENCE
    return None


@dataclass(frozen=True)
class CriterionDecisions:
    criterion_id: str
    current: DecisionRecord
    earlier: tuple[DecisionRecord, ...]  # oldest first
    flag: str | None = None


def decision_trail(decisions: Iterable[DecisionRecord]) -> dict[str, tuple[DecisionRecord, ...]]:
    """Criterion id -> every decision on it, oldest first (a stable sort keeps ties in order)."""
    trail: dict[str, list[DecisionRecord]] = {}
    for decision in sorted(decisions, key=lambda d: d.decided_at):
        trail.setdefault(decision.criterion_id, []).append(decision)
    return {cid: tuple(found) for cid, found in trail.items()}


def decision_rows(snapshot: PortfolioSnapshot) -> list[CriterionDecisions]:
    """One row per decided criterion: the current decision, the trail, and any flag."""
    refs = tagged_refs(snapshot.entries)
    rows = []
    for cid, trail in decision_trail(snapshot.decisions).items():
        current = trail[-1]
        flag = FLAG_NO_EVIDENCE if current.outcome == MET and not refs.get(cid) else None
        rows.append(CriterionDecisions(cid, current, trail[:-1], flag))
    return rows


def decision_line(decision: DecisionRecord) -> str:
    """'met, Ada, 25 Nov 2026: the comment'."""
    when = f"{decision.decided_at.day} {decision.decided_at:%b %Y}"
    line = f"{OUTCOME_WORDS.get(decision.outcome, decision.outcome)}, {decision.assessor}, {when}"
    return f"{line}: {decision.comment}" if decision.comment else line


def trail_text(row: CriterionDecisions) -> str:
    """The current decision, then the earlier ones newest first, as one cell or paragraph."""
    parts = [decision_line(row.current)]
    if row.flag:
        parts.append(f"FLAG: {row.flag}")
    parts += [f"earlier: {decision_line(d)}" for d in reversed(row.earlier)]
    return "\n".join(parts)
