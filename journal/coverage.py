"""Coverage of a framework's criteria by the entries tagged to them.

A tag is the mentor's claim that an entry evidences a criterion; the assessor's newest decision
on the criterion is kept beside it, never merged into it (DESIGN.md section 10: two stages,
shown apart). A centre may want a criterion evidenced more than once: `snapshot.targets`
holds a target per criterion id, 1 when absent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from journal.frameworks.model import Criterion, Framework
from journal.snapshot import DecisionRecord, EntryRecord, PortfolioSnapshot

MET = "met"


@dataclass(frozen=True)
class CriterionCoverage:
    framework_id: str
    criterion: Criterion
    refs: tuple[str, ...]
    target: int
    decision: DecisionRecord | None = None

    @property
    def count(self) -> int:
        return len(self.refs)

    @property
    def covered(self) -> bool:
        return self.count >= self.target

    @property
    def assessor_met(self) -> bool:
        return self.decision is not None and self.decision.outcome == MET


@dataclass(frozen=True)
class UnitCoverage:
    framework_id: str
    unit_code: str
    title: str
    criteria: int
    covered: int
    met: int


def tagged_refs(entries: Iterable[EntryRecord]) -> dict[str, tuple[str, ...]]:
    """Criterion id -> refs of the entries tagged to it, in date order, each ref once."""
    refs: dict[str, dict[str, None]] = {}
    for entry in sorted(entries, key=lambda e: (e.occurred_on, e.ref)):
        for tag in entry.tags:
            refs.setdefault(tag, {})[entry.ref] = None
    return {tag: tuple(found) for tag, found in refs.items()}


def latest_decisions(decisions: Iterable[DecisionRecord]) -> dict[str, DecisionRecord]:
    latest: dict[str, DecisionRecord] = {}
    for decision in decisions:
        known = latest.get(decision.criterion_id)
        if known is None or decision.decided_at >= known.decided_at:
            latest[decision.criterion_id] = decision
    return latest


def coverage(
    snapshot: PortfolioSnapshot,
    framework: Framework,
    refs: dict[str, tuple[str, ...]] | None = None,
) -> list[CriterionCoverage]:
    """One row per criterion of `framework`, in the framework's order.

    `refs` (from `tagged_refs`) may be passed when several frameworks are covered at once.
    """
    refs = tagged_refs(snapshot.entries) if refs is None else refs
    decisions = latest_decisions(snapshot.decisions)
    return [
        CriterionCoverage(
            framework_id=framework.id,
            criterion=c,
            refs=refs.get(c.id, ()),
            target=max(1, snapshot.targets.get(c.id, 1)),
            decision=decisions.get(c.id),
        )
        for c in framework.criteria
    ]


def without_evidence(rows: Iterable[CriterionCoverage]) -> list[CriterionCoverage]:
    """Criteria with fewer tagged entries than their target."""
    return [r for r in rows if not r.covered]


def unit_counts(framework: Framework, rows: Iterable[CriterionCoverage]) -> list[UnitCoverage]:
    by_id = {r.criterion.id: r for r in rows}
    result = []
    for unit in framework.units:
        unit_rows = [by_id[c.id] for c in unit.criteria if c.id in by_id]
        result.append(
            UnitCoverage(
                framework_id=framework.id,
                unit_code=unit.code,
                title=unit.title,
                criteria=len(unit_rows),
                covered=sum(r.covered for r in unit_rows),
                met=sum(r.assessor_met for r in unit_rows),
            )
        )
    return result


def biggest_gaps(
    per_framework: Iterable[tuple[Framework, list[CriterionCoverage]]], limit: int
) -> list[Criterion]:
    """Criteria still short of evidence, from the least covered units first.

    A gap in a unit with nothing yet matters more than the last gap of a unit nearly done.
    """
    ranked: list[tuple[float, int, Criterion]] = []
    for framework, rows in per_framework:
        ratio = {
            u.unit_code: u.covered / u.criteria if u.criteria else 1.0
            for u in unit_counts(framework, rows)
        }
        ranked += [
            (ratio[r.criterion.unit_code], len(ranked) + n, r.criterion)
            for n, r in enumerate(without_evidence(rows))
        ]
    return [criterion for _, _, criterion in sorted(ranked)[:limit]]
