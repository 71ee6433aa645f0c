"""Coverage of criteria by tagged entries, against targets (journal.coverage)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from journal.coverage import (
    CriterionCoverage,
    coverage,
    latest_decisions,
    tagged_refs,
    unit_counts,
    without_evidence,
)
from journal.frameworks.registry import load_registry
from journal.snapshot import DecisionRecord, EntryRecord, PortfolioSnapshot
from tests.snapshots import GENERATED, ilm_snapshot, session

ILM = load_registry(None).frameworks["ilm"]
CONTRACT = "ilm:D3.06/1.2"


def portfolio(*entries: EntryRecord, **fields: Any) -> PortfolioSnapshot:
    return PortfolioSnapshot(1, "Anna", ("ilm",), GENERATED, entries=entries, **fields)


def row(rows: list[CriterionCoverage], criterion_id: str) -> CriterionCoverage:
    return next(r for r in rows if r.criterion.id == criterion_id)


def test_every_criterion_of_the_framework_gets_a_row_in_its_order() -> None:
    rows = coverage(portfolio(), ILM)
    assert len(rows) == 55
    assert [r.criterion.id for r in rows] == [c.id for c in ILM.criteria]
    assert all(r.count == 0 and r.target == 1 and not r.covered for r in rows)


def test_entries_tagged_to_a_criterion_are_its_evidence_in_date_order() -> None:
    rows = coverage(
        portfolio(
            session(1, 9, 60, tags=(CONTRACT,)), session(2, 3, 60, tags=(CONTRACT, CONTRACT))
        ),
        ILM,
    )
    assert row(rows, CONTRACT).refs == ("E-0002", "E-0001")
    assert row(rows, CONTRACT).covered


def test_a_centre_target_asks_for_more_than_one_piece_of_evidence() -> None:
    snapshot = portfolio(session(1, 1, 60, tags=(CONTRACT,)), targets={CONTRACT: 2})
    contract = row(coverage(snapshot, ILM), CONTRACT)
    assert (contract.count, contract.target, contract.covered) == (1, 2, False)
    assert CONTRACT in {r.criterion.id for r in without_evidence(coverage(snapshot, ILM))}


def test_criteria_without_evidence_are_those_below_their_target() -> None:
    rows = coverage(portfolio(session(1, 1, 60, tags=(CONTRACT, "ilm:D3.06/2.1"))), ILM)
    missing = without_evidence(rows)
    assert len(missing) == 53
    assert CONTRACT not in {r.criterion.id for r in missing}


def test_tags_to_criteria_of_other_frameworks_or_unknown_ids_are_ignored() -> None:
    rows = coverage(portfolio(session(1, 1, 60, tags=("st1379:K1", "ilm:D9.99/1.1"))), ILM)
    assert not any(r.count for r in rows)


def test_the_assessors_newest_decision_is_kept_beside_the_mentors_claim() -> None:
    rows = coverage(ilm_snapshot(), ILM)
    contract = row(rows, CONTRACT)
    assert contract.refs == ("E-0001",)
    assert contract.decision is not None
    assert (contract.decision.outcome, contract.decision.comment) == (
        "met",
        "Contract now attached",
    )
    assert contract.assessor_met


def test_a_decision_does_not_count_as_evidence() -> None:
    decided = DecisionRecord(
        "ilm:D3.01/1.1", "met", None, "Peter", datetime(2026, 3, 1, tzinfo=UTC)
    )
    first = row(coverage(portfolio(decisions=(decided,)), ILM), "ilm:D3.01/1.1")
    assert first.assessor_met and not first.covered


def test_latest_decision_wins_whatever_the_order_given() -> None:
    old = DecisionRecord(CONTRACT, "met", None, "P", datetime(2026, 3, 1, tzinfo=UTC))
    new = replace(old, outcome="not_yet", decided_at=datetime(2026, 4, 1, tzinfo=UTC))
    assert latest_decisions([new, old])[CONTRACT].outcome == "not_yet"


def test_unit_counts_give_criteria_covered_and_met_per_unit() -> None:
    snapshot = ilm_snapshot()
    units = {u.unit_code: u for u in unit_counts(ILM, coverage(snapshot, ILM))}
    assert (units["D3.06"].criteria, units["D3.06"].covered, units["D3.06"].met) == (8, 3, 1)
    assert units["D3.01"].covered == 0


def test_tagged_refs_serve_several_frameworks_at_once() -> None:
    snapshot = portfolio(session(1, 1, 60, tags=(CONTRACT, "st1379:K2")))
    refs = tagged_refs(snapshot.entries)
    assert refs == {CONTRACT: ("E-0001",), "st1379:K2": ("E-0001",)}
    assert row(coverage(snapshot, ILM, refs), CONTRACT).count == 1


def test_biggest_gaps_come_from_the_least_covered_units_first():
    from datetime import UTC, date, datetime

    from journal.coverage import biggest_gaps, coverage
    from journal.frameworks.registry import load_registry
    from journal.snapshot import EntryRecord, PortfolioSnapshot

    ilm = load_registry(None).get("ilm")
    d306 = [c.id for c in ilm.unit("D3.06").criteria]
    entry = EntryRecord(
        ref="E-0001",
        kind="session",
        occurred_on=date(2026, 11, 1),
        recorded_at=datetime(2026, 11, 1, tzinfo=UTC),
        author="Anna",
        data={},
        tags=tuple(d306[:-1]),
    )
    snapshot = PortfolioSnapshot(
        portfolio_id=1,
        candidate="Anna",
        framework_ids=("ilm",),
        generated_at=datetime(2026, 11, 2, tzinfo=UTC),
        entries=(entry,),
    )
    gaps = biggest_gaps([(ilm, coverage(snapshot, ilm))], limit=60)
    assert gaps[0].unit_code == "D3.01"
    assert gaps[-1].id == d306[-1]
