"""Internal quality assurance (DESIGN.md 1 and 7; seed 000, 3.13): an internal quality assurer
samples assessors' decisions and agrees or disagrees, with a comment.

A sample names the decision as it was when sampled (outcome, assessor, date); a later decision
on the same criterion does not rewrite it, the sample is then shown as superseded.
"""

from __future__ import annotations

from dataclasses import dataclass

from journal.assessment import OUTCOME_WORDS, decision_trail
from journal.snapshot import PortfolioSnapshot, QaSampleRecord

AGREE, DISAGREE = "agree", "disagree"
QA_OUTCOMES = (AGREE, DISAGREE)
COMMENT_NEEDED = "Say why you disagree: the assessor and the candidate read it."


def _day(moment: object) -> str:
    return f"{moment.day} {moment:%b %Y}"  # type: ignore[attr-defined]


def sample_problem(outcome: str, comment: str | None) -> str | None:
    """Why this sample cannot be recorded: a disagreement needs its reason."""
    if outcome not in QA_OUTCOMES:
        return f"“{outcome}” is not a QA outcome (agree or disagree)"
    if outcome == DISAGREE and not (comment or "").strip():
        return COMMENT_NEEDED
    return None


@dataclass(frozen=True)
class QaRow:
    sample: QaSampleRecord
    superseded: bool  # a newer decision on the criterion was recorded after the sampled one

    @property
    def text(self) -> str:
        s = self.sample
        line = f"{s.outcome}, {s.iqa}, {_day(s.sampled_at)}"
        if s.comment:
            line += f": {s.comment}"
        decision = OUTCOME_WORDS.get(s.decision_outcome, s.decision_outcome)
        line += f" (sampled: {decision}, {s.decision_assessor}, {_day(s.decided_at)}"
        line += "; since superseded)" if self.superseded else "; still current)"
        return line


def qa_rows(snapshot: PortfolioSnapshot) -> list[QaRow]:
    trail = decision_trail(snapshot.decisions)
    rows = []
    for sample in sorted(snapshot.qa_samples, key=lambda q: q.sampled_at):
        latest = trail.get(sample.criterion_id, ())
        superseded = bool(latest) and latest[-1].decided_at > sample.decided_at
        rows.append(QaRow(sample, superseded))
    return rows


def qa_lines(snapshot: PortfolioSnapshot) -> list[tuple[str, str]]:
    """(label, text) lines: the sample's size and outcome, then each sampled decision."""
    rows = qa_rows(snapshot)
    if not rows:
        return []
    agreed = sum(r.sample.outcome == AGREE for r in rows)
    noun = "decision" if len(rows) == 1 else "decisions"
    head = f"{len(rows)} {noun} sampled: {agreed} agreed, {len(rows) - agreed} disagreed"
    return [("QA sample", head)] + [(f"QA {r.sample.criterion_id}", r.text) for r in rows]
