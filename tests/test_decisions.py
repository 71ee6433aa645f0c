"""Assessor decisions keep their history; 'met' needs evidence; rule tags are not claims."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from journal.assessment import (
    MET_NEEDS_EVIDENCE,
    NOT_YET,
    decision_problem,
    decision_rows,
    trail_text,
)
from journal.coverage import coverage, tagged_refs
from journal.frameworks.registry import load_registry
from journal.snapshot import DecisionRecord, EntryRecord, PortfolioSnapshot
from storage.db import snapshot_session
from storage.models import Decision, Tag
from storage.snapshots import load_snapshot
from tests.conftest import invite_and_join, log_session
from tests.test_prompts import at, buttons, deliver, outbox, sent  # noqa: F401 (fixture)

D306 = "ilm:D3.06/2.1"


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, tzinfo=UTC)


def _snapshot(decisions, entries=()) -> PortfolioSnapshot:
    return PortfolioSnapshot(
        portfolio_id=1,
        candidate="Anna",
        framework_ids=("ilm",),
        generated_at=_at(30),
        entries=tuple(entries),
        decisions=tuple(decisions),
    )


def _entry(ref: str, tags=(), auto_tags=()) -> EntryRecord:
    return EntryRecord(
        ref=ref,
        kind="session",
        occurred_on=date(2026, 11, 20),
        recorded_at=_at(20),
        author="Anna",
        data={},
        tags=tuple(tags),
        auto_tags=tuple(auto_tags),
    )


# Domain, no database -----------------------------------------------------------------------


def test_met_without_evidence_is_refused_and_not_yet_is_not():
    assert decision_problem("met", ()) == MET_NEEDS_EVIDENCE
    assert decision_problem("met", ("E-0001",)) is None
    assert decision_problem(NOT_YET, ()) is None


def test_the_latest_decision_is_current_and_the_earlier_ones_are_its_trail():
    first = DecisionRecord(D306, "not_yet", "No plan yet.", "Ada", _at(21))
    second = DecisionRecord(D306, "met", "Plan in E-0003.", "Ben", _at(25))
    [row] = decision_rows(_snapshot([second, first], [_entry("E-0003", [D306])]))
    assert row.criterion_id == D306
    assert row.current == second and row.earlier == (first,)
    assert row.flag is None
    text = trail_text(row)
    assert text.startswith("met, Ben, 25 Nov 2026: Plan in E-0003.")
    assert "earlier: not yet, Ada, 21 Nov 2026: No plan yet." in text


def test_a_met_whose_evidence_went_is_flagged():
    met = DecisionRecord(D306, "met", None, "Ada", _at(25))
    # The only tag left is one the bot added by rule: not the mentor's claim.
    [row] = decision_rows(_snapshot([met], [_entry("E-0001", auto_tags=[D306])]))
    assert row.flag == "met without evidence the candidate confirmed"


def test_rule_tags_are_not_the_mentors_claims_in_coverage():
    registry = load_registry()
    snap = _snapshot([], [_entry("E-0001", tags=["ilm:D3.07/1.1"], auto_tags=["ilm:D3.07/3.2"])])
    assert tagged_refs(snap.entries) == {"ilm:D3.07/1.1": ("E-0001",)}
    rows = {r.criterion.id: r for r in coverage(snap, registry.get("ilm"))}
    assert rows["ilm:D3.07/3.2"].refs == ()
    assert rows["ilm:D3.07/1.1"].refs == ("E-0001",)


# Through the Dispatcher ----------------------------------------------------------------------


@pytest.fixture
async def assessor(make_client, mentor, mentee):
    ada = make_client("Ada")
    await invite_and_join(mentor, ada, "Assessor")
    return ada


async def _open_criterion(assessor, code: str):
    await assessor.send("/candidates")
    await assessor.click("Open")
    await assessor.click("Decisions")
    await assessor.click(lambda t: t.startswith(code.split()[0]))
    return await assessor.click(lambda t: t.startswith(code + " ("))


async def test_a_met_on_a_criterion_without_evidence_is_refused_in_the_chat(
    mentor, assessor, services
):
    await log_session(mentor)
    reply = await _open_criterion(assessor, "D3.06 2.1")
    assert "Evidence: none yet" in reply.text
    reply = await assessor.click("Met")
    assert "needs evidence" in reply.text
    assert reply.buttons() == ["Not yet"]
    async with services.sessions() as session:
        assert list(await session.scalars(select(Decision))) == []


async def test_a_new_decision_keeps_the_old_one_and_both_show(mentor, assessor, services, clock):
    await log_session(mentor)
    await mentor.click(lambda t: "D3.06 2.1" in t)
    await _open_criterion(assessor, "D3.06 2.1")
    await assessor.click("Not yet")
    await assessor.send("Say more on the safe environment.")
    clock.advance(hours=2)
    reply = await assessor.click(lambda t: t.startswith("✗ D3.06 2.1"))
    assert "Now: not yet, Ada" in reply.text
    assert "Say more on the safe environment." in reply.text
    await assessor.click("Met")
    await assessor.click("Skip")
    reply = await assessor.click(lambda t: t.startswith("✓ D3.06 2.1"))
    assert "Now: met, Ada" in reply.text and "earlier: not yet, Ada" in reply.text
    async with services.sessions() as session:
        kept = list(await session.scalars(select(Decision).order_by(Decision.id)))
    assert [d.outcome for d in kept] == ["not_yet", "met"]
    async with snapshot_session(services.sessions) as session:
        snapshot = await load_snapshot(session, kept[0].portfolio_id, services.files.root, clock())
    [row] = decision_rows(snapshot)
    assert row.current.outcome == "met" and [d.outcome for d in row.earlier] == ["not_yet"]


async def test_feedback_tagged_by_rule_is_kept_apart_until_the_mentor_confirms_it(
    make_client,
    mentor,
    mentee,
    services,
    clock,
    outbox,  # noqa: F811
):
    await log_session(mentor)
    clock.now = at(12)
    await deliver(services, outbox, clock)
    [prompt] = sent(outbox, mentee.user.id)
    await mentee.press(buttons(prompt)["4"])
    await mentee.send("Doing it for real helped.")
    async with services.sessions() as session:
        [tag] = list(await session.scalars(select(Tag)))
    assert (tag.criterion_id, tag.source) == ("ilm:D3.07/3.2", "rule")
    async with snapshot_session(services.sessions) as session:
        snapshot = await load_snapshot(session, 1, services.files.root, clock())
    feedback = snapshot.entries[-1]
    assert feedback.tags == () and feedback.auto_tags == ("ilm:D3.07/3.2",)
    # Nor does an assessor's candidate list count it as a criterion claimed.
    ada = make_client("Ada")
    await invite_and_join(mentor, ada, "Assessor")
    assert "· 0/55 criteria" in (await ada.send("/candidates")).text

    # Tapping the rule's tag confirms it as the mentor's own claim (it is not removed).
    await mentor.send("/entries")
    await mentor.click(lambda t: t.startswith("E-0002"))
    await mentor.click("Criteria")
    await mentor.click(lambda t: "D3.07 3.2" in t)
    async with services.sessions() as session:
        [tag] = list(await session.scalars(select(Tag)))
    assert tag.source == "mentor"
