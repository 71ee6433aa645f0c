"""EcoMentor's assessment record (seed 000, 3.2, 3.3, 3.8-3.10): evidence judged on five
qualities, eligibility, assessment plan, assessor feedback, the validation stages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from journal.ecomentor_record import (
    ELIGIBILITY,
    QUALITIES,
    STAGE_OUTCOMES,
    STAGES,
    judgement_rows,
    picked,
    record_summary,
    unjudged_or_lacking,
)
from journal.snapshot import AssessmentRecord, JudgementRecord
from storage.db import snapshot_session
from storage.models import EvidenceJudgement
from storage.snapshots import load_snapshot
from tests.botkit import onboard_mentor
from tests.conftest import invite_and_join, log_session
from tests.snapshots import ecomentor_snapshot


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, tzinfo=UTC)


ALL_YES = dict.fromkeys(QUALITIES, True)


# Domain, no database -----------------------------------------------------------------------


def test_the_five_qualities_and_four_stages_are_the_seeds():
    assert QUALITIES == ("valid", "authentic", "reliable", "current", "sufficient")
    assert [s.key for s in STAGES] == [
        "identification",
        "documentation",
        "assessment",
        "certification",
    ]
    assert len(ELIGIBILITY) == 4
    assert ELIGIBILITY[0].text.startswith("Must hold a minimum of 5 years of experience")


def test_the_newest_judgement_of_an_item_counts_and_the_older_ones_are_kept():
    old = JudgementRecord("E-0001", {**ALL_YES, "current": False}, "Dated 2019.", "Ada", _at(20))
    new = JudgementRecord("E-0001", ALL_YES, "Re-dated copy supplied.", "Ada", _at(22))
    [row] = judgement_rows(replace(ecomentor_snapshot(), judgements=(new, old)))
    assert row.current == new and row.earlier == (old,)
    assert row.lacking == ()
    assert row.text.startswith("valid ✓ · authentic ✓ · reliable ✓ · current ✓ · sufficient ✓")


def test_evidence_not_judged_or_judged_lacking_is_named():
    snap = ecomentor_snapshot(covered=3)  # E-0001..E-0003 evidence criteria
    lacking = JudgementRecord("E-0002", {**ALL_YES, "sufficient": False}, "", "Ada", _at(20))
    good = JudgementRecord("E-0001", ALL_YES, "", "Ada", _at(20))
    found = unjudged_or_lacking(replace(snap, judgements=(good, lacking)))
    assert found == {"E-0002": "not sufficient", "E-0003": "not judged"}


def test_the_record_summary_holds_eligibility_plan_feedback_and_stages():
    records = (
        AssessmentRecord("ecomentor", "eligibility", "1", "met", "", "Ada", _at(20)),
        AssessmentRecord("ecomentor", "plan", "", "", "Observe two sessions.", "Ada", _at(20)),
        AssessmentRecord("ecomentor", "stage", "identification", "completed", "", "Ada", _at(21)),
        AssessmentRecord("ecomentor", "stage", "identification", "repeat", "", "Ada", _at(22)),
        AssessmentRecord("ecomentor", "feedback", "", "", "Unit 2 not yet.", "Ada", _at(22)),
    )
    summary = dict(record_summary(replace(ecomentor_snapshot(), records=records)))
    assert summary["Eligibility (3.3) 1"].startswith("met")
    assert summary["Eligibility (3.3) 2"] == "not recorded"
    assert summary["Assessment plan"].startswith("Observe two sessions.")
    assert summary["Assessor feedback"].startswith("Unit 2 not yet.")
    assert summary["Stage: identification"].startswith("repeat")
    assert summary["Stage: certification"] == "not recorded"


# Through the Dispatcher ----------------------------------------------------------------------


@pytest.fixture
async def eco(make_client):
    """A mentor following EcoMentor, a mentee, and an assessor."""
    anna = make_client("Anna")
    await onboard_mentor(anna, frameworks=("EcoMentor",))
    jon = make_client("Jon")
    await invite_and_join(anna, jon)
    ada = make_client("Ada")
    await invite_and_join(anna, ada, "Assessor")
    return anna, ada


async def _open(ada, button: str):
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("EcoMentor record")
    return await ada.click(button)


async def test_the_assessor_judges_an_evidence_item_on_five_qualities(eco, services, clock):
    anna, ada = eco
    await log_session(anna)
    reply = await _open(ada, "Judge evidence")
    reply = await ada.click(lambda t: t.startswith("E-0001"))
    assert reply.buttons()[:5] == [f"✓ {q}" for q in QUALITIES]
    await ada.click("✓ current")  # tap to say it is not current
    reply = await ada.click("Save")
    assert "comment" in reply.text.lower()
    reply = await ada.send("Dated <2019>, ask for a current one.")
    assert "E-0001: valid ✓ · authentic ✓ · reliable ✓ · current ✗ · sufficient ✓" in reply.text
    async with services.sessions() as session:
        [row] = list(await session.scalars(select(EvidenceJudgement)))
    assert (row.current, row.valid) == (False, True)
    assert row.comment == "Dated <2019>, ask for a current one."
    async with snapshot_session(services.sessions) as session:
        snapshot = await load_snapshot(session, 1, services.files.root, clock())
    assert unjudged_or_lacking(snapshot) == {"E-0001": "not current"}


async def test_the_assessor_records_eligibility_plan_stages_and_feedback(eco, services, clock):
    _, ada = eco
    reply = await _open(ada, "Eligibility (3.3)")
    assert "Must hold a minimum of 5 years" in reply.text
    await ada.click("1 met")
    reply = await _open(ada, "Assessment plan")
    reply = await ada.send("Observe two sessions; professional discussion in March.")
    assert "Assessment plan: Observe two sessions" in reply.text
    reply = await _open(ada, "Validation stages")
    await ada.click(lambda t: t.startswith("Identification"))
    reply = await ada.click("Completed")
    assert "Identification: completed" in reply.text
    await _open(ada, "Assessor feedback")
    await ada.send("Unit 2 outcomes not yet confirmed: repeat documentation.")
    async with snapshot_session(services.sessions) as session:
        snapshot = await load_snapshot(session, 1, services.files.root, clock())
    summary = dict(record_summary(snapshot))
    assert summary["Eligibility (3.3) 1"].startswith("met, Ada")
    assert summary["Stage: identification"].startswith("completed, Ada")
    assert summary["Assessor feedback"].startswith("Unit 2 outcomes not yet confirmed")


async def test_a_mentor_cannot_judge_their_own_evidence(eco):
    anna, _ = eco
    await log_session(anna)
    from handlers.callbacks import AssessCB

    reply = await anna.press(AssessCB(p=1, act="eco").pack())
    assert reply.alerts == ["You're not an assessor of that portfolio."]


def test_the_checks_ask_for_every_claimed_item_to_be_judged_on_the_five_qualities():
    from journal.frameworks.registry import load_registry
    from journal.portfolio_rules import check_portfolio
    from journal.rule_checks import Status

    registry = load_registry(None)
    snap = ecomentor_snapshot(covered=2)
    checks = {c.rule: c for c in check_portfolio(snap, registry)}
    assert checks["evidence_judged"].status == Status.CHECK
    assert "E-0001 not judged" in checks["evidence_judged"].message
    lacking = JudgementRecord("E-0001", {**ALL_YES, "current": False}, "", "Ada", _at(20))
    good = JudgementRecord("E-0002", ALL_YES, "", "Ada", _at(20))
    checks = {c.rule: c for c in check_portfolio(replace(snap, judgements=(lacking,)), registry)}
    assert checks["evidence_judged"].status == Status.FAILED
    assert "E-0001 not current" in checks["evidence_judged"].message
    both = replace(snap, judgements=(replace(lacking, qualities=ALL_YES), good))
    checks = {c.rule: c for c in check_portfolio(both, registry)}
    assert checks["evidence_judged"].status == Status.PASSED


def test_a_button_names_a_known_key_and_an_outcome_or_nothing():
    keys = ("s1", "s2")
    assert picked("s2|1", keys, STAGE_OUTCOMES) == ("s2", "in progress")
    for forged in ("s3|0", "s1|3", "s1|-1", "s1", "|0", "s1|x"):
        assert picked(forged, keys, STAGE_OUTCOMES) is None, forged
