"""EcoMentor's assessment record (seed 000): what the assessor judges and records beside the
decisions per criterion.

- Evidence (3.8, 3.10): "all supporting evidence used is; Valid, Authentic, Reliable, Current
  and Sufficient". The assessor judges each evidence item on the five, with a comment; every
  judgement is kept and the newest of an item counts.
- Candidate selection (3.3): the four requirements a candidate must meet, word for word; the
  centre records each as met or not met ("It is the responsibility of the assessment centre to
  assess the candidate").
- The portfolio's products (3.9): the assessment plan and the assessor feedback.
- Validation (3.2) in four stages (identification, documentation, assessment, certification),
  each with its outcome; outcomes not confirmed send stages 2 and 3 round again ("repeat").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from journal.snapshot import AssessmentRecord, JudgementRecord, PortfolioSnapshot

ECOMENTOR = "ecomentor"
QUALITIES = ("valid", "authentic", "reliable", "current", "sufficient")
NOT_RECORDED = "not recorded"

ELIGIBILITY_KIND, PLAN_KIND, FEEDBACK_KIND, STAGE_KIND = "eligibility", "plan", "feedback", "stage"
ELIGIBILITY_OUTCOMES = ("met", "not met")
STAGE_OUTCOMES = ("completed", "in progress", "repeat")


@dataclass(frozen=True)
class Requirement:
    key: str
    text: str


# Seed 000, 3.3 "Candidate Selection Criteria": "Candidates must meet the following requirements".
ELIGIBILITY = (
    Requirement(
        "1",
        "Must hold a minimum of 5 years of experience in a mentoring/management/leadership/"
        "senior technical role within the Eco Industry",
    ),
    Requirement(
        "2",
        "Must hold a current professional position which adequately lends itself to mentoring "
        "activities",
    ),
    Requirement(
        "3",
        "Must have met all of the candidate suitability assessment criteria determined by each "
        "individual assessment centre (and those in Section 3.6)",
    ),
    Requirement(
        "4",
        "Have agreed to the code of ethics and signed all disclosures and documents required by "
        "the assessment centre.",
    ),
)


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    description: str


# Seed 000, 3.2 "Stages of the validation of learning outcomes".
STAGES = (
    Stage("identification", "Identification", "Identification knowledge, skills and competences."),
    Stage(
        "documentation",
        "Documentation",
        "Collect evidence pertaining to achieved learning outcomes (e.g. certificates, product "
        "evidence).",
    ),
    Stage(
        "assessment",
        "Assessment",
        "Using appropriate methods, confirm that the specific learning outcomes have been "
        "attained.",
    ),
    Stage(
        "certification",
        "Certification",
        "The person undergoing the validation process should receive feedback about the "
        "learning outcomes which have not been confirmed and the justification for such a "
        "decision.",
    ),
)


def picked(value: str, keys: Iterable[str], outcomes: tuple[str, ...]) -> tuple[str, str] | None:
    """The key and outcome a button's `key|index` names, or None for a stale or forged one."""
    key, _, index = value.partition("|")
    if key not in set(keys) or not index.isdigit() or int(index) >= len(outcomes):
        return None
    return key, outcomes[int(index)]


def _day(record: AssessmentRecord | JudgementRecord) -> str:
    moment = record.recorded_at if isinstance(record, AssessmentRecord) else record.judged_at
    return f"{moment.day} {moment:%b %Y}"


def qualities_text(qualities: dict[str, bool]) -> str:
    """'valid ✓ · authentic ✓ · reliable ✓ · current ✗ · sufficient ✓'."""
    return " · ".join(f"{q} {'✓' if qualities.get(q) else '✗'}" for q in QUALITIES)


@dataclass(frozen=True)
class JudgementRow:
    entry_ref: str
    current: JudgementRecord
    earlier: tuple[JudgementRecord, ...]  # oldest first

    @property
    def lacking(self) -> tuple[str, ...]:
        return tuple(q for q in QUALITIES if not self.current.qualities.get(q))

    @property
    def text(self) -> str:
        line = f"{qualities_text(self.current.qualities)}, {self.current.assessor}, "
        line += _day(self.current)
        if self.current.comment:
            line += f": {self.current.comment}"
        for old in reversed(self.earlier):
            line += f"\nearlier: {qualities_text(old.qualities)}, {old.assessor}, {_day(old)}"
            if old.comment:
                line += f": {old.comment}"
        return line


def judgement_rows(snapshot: PortfolioSnapshot) -> list[JudgementRow]:
    """One row per judged evidence item, in reference order."""
    by_ref: dict[str, list[JudgementRecord]] = {}
    for judgement in sorted(snapshot.judgements, key=lambda j: j.judged_at):
        by_ref.setdefault(judgement.entry_ref, []).append(judgement)
    return [
        JudgementRow(ref, found[-1], tuple(found[:-1])) for ref, found in sorted(by_ref.items())
    ]


def evidence_refs(snapshot: PortfolioSnapshot, framework_id: str = ECOMENTOR) -> list[str]:
    """The entries the candidate claims for the framework's criteria (confirmed tags only)."""
    prefix = f"{framework_id}:"
    return [e.ref for e in snapshot.entries if any(t.startswith(prefix) for t in e.tags)]


def unjudged_or_lacking(snapshot: PortfolioSnapshot) -> dict[str, str]:
    """Evidence items (claimed or judged) not yet judged, or judged lacking a quality (3.10)."""
    rows = {r.entry_ref: r for r in judgement_rows(snapshot)}
    live = {e.ref for e in snapshot.entries}
    refs = sorted({*evidence_refs(snapshot), *(r for r in rows if r in live)})
    found = {}
    for ref in refs:
        row = rows.get(ref)
        if row is None:
            found[ref] = "not judged"
        elif row.lacking:
            found[ref] = "not " + ", ".join(row.lacking)
    return found


def _latest(records: Iterable[AssessmentRecord]) -> dict[tuple[str, str], AssessmentRecord]:
    latest: dict[tuple[str, str], AssessmentRecord] = {}
    for record in sorted(records, key=lambda r: r.recorded_at):
        latest[(record.kind, record.key)] = record
    return latest


def _line(record: AssessmentRecord | None, *, outcome: bool) -> str:
    if record is None:
        return NOT_RECORDED
    head = record.outcome if outcome else record.text
    line = f"{head}, {record.person}, {_day(record)}"
    if outcome and record.text:
        line += f": {record.text}"
    return line


def record_summary(snapshot: PortfolioSnapshot) -> list[tuple[str, str]]:
    """(label, text) lines of the record: eligibility, plan, feedback, stages (exports, chat)."""
    latest = _latest(r for r in snapshot.records if r.framework_id == ECOMENTOR)
    lines = [
        (
            f"Eligibility (3.3) {req.key}",
            _line(latest.get((ELIGIBILITY_KIND, req.key)), outcome=True),
        )
        for req in ELIGIBILITY
    ]
    lines.append(("Assessment plan", _line(latest.get((PLAN_KIND, "")), outcome=False)))
    lines.append(("Assessor feedback", _line(latest.get((FEEDBACK_KIND, "")), outcome=False)))
    lines += [
        (f"Stage: {stage.key}", _line(latest.get((STAGE_KIND, stage.key)), outcome=True))
        for stage in STAGES
    ]
    return lines
