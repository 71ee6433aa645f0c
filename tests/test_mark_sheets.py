"""ILM mark sheets as seed 004 prints them: one sheet for D3.01 and D3.02, the sheet's fields."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from journal.assessment_lines import assessment_lines
from journal.frameworks.registry import load_registry
from journal.ilm_marks import PASS, REFERRAL, ilm_statuses, mark_sheet, mark_sheets
from journal.ilm_sheet_forms import sheet_forms
from journal.snapshot import MarkRecord, PortfolioSnapshot, SheetNoteRecord
from storage.db import snapshot_session
from storage.models import Mark, Portfolio
from storage.snapshots import load_snapshot
from tests.conftest import invite_and_join, log_session

ILM = load_registry(None).frameworks["ilm"]
JOINT = "D3.01+D3.02"


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, tzinfo=UTC)


def _mark(sheet: str, section: int, value: int, day: int = 20, role: str = "assessor"):
    who = "Ada" if role == "assessor" else "Quinn"
    return MarkRecord("ilm", sheet, str(section), str(value), who, _at(day), role=role)


# Domain, no database -----------------------------------------------------------------------


def test_d301_and_d302_are_one_sheet_named_for_both_units():
    sheets = [s["key"] for s in mark_sheets(ILM)]
    assert sheets == [JOINT, "D3.03", "D3.04", "D3.05", "D3.06", "D3.07"]
    assert mark_sheet(ILM, "D3.02")["key"] == mark_sheet(ILM, "D3.01")["key"] == JOINT
    assert mark_sheet(ILM, JOINT)["units"] == ("D3.01", "D3.02")


def test_one_script_marked_under_either_unit_has_one_outcome():
    # Marks recorded before the joint sheet, under D3.01 and under D3.02, are one script:
    # the newest mark of each section counts, so it cannot be PASS and REFERRAL at once.
    records = [_mark("D3.01", i, 20) for i in (1, 2, 3, 4)] + [_mark("D3.02", 1, 5, day=21)]
    [status] = [s for s in ilm_statuses(ILM, records) if s.key == JOINT]
    assert status.result.outcome == REFERRAL
    assert [line for line in assessment_lines(ILM, records) if "D3.0" in line[0]] == [
        ("Marks: D3.01 and D3.02 Work-Based Assignment", status.result.summary())
    ]


def test_the_sheet_form_holds_every_field_the_seed_prints():
    snapshot = PortfolioSnapshot(
        portfolio_id=1,
        candidate="Anna Kowalska",
        framework_ids=("ilm",),
        generated_at=_at(30),
        marks=tuple(_mark("D3.06", i, m) for i, m in ((1, 32), (2, 44)))
        + tuple(_mark("D3.06", i, m, day=25, role="qa") for i, m in ((1, 30), (2, 40))),
        sheet_notes=(
            SheetNoteRecord("ilm", "D3.06", "strengths", "1", "Clear plan", "Ada", _at(20)),
            SheetNoteRecord("ilm", "D3.06", "weaknesses", "2", "Thin impact", "Ada", _at(20)),
            SheetNoteRecord("ilm", "*", "authentic", "", "yes", "Anna Kowalska", _at(19)),
            SheetNoteRecord("ilm", "*", "opt_out", "", "yes", "Anna Kowalska", _at(19)),
        ),
        centre_name="Northside College",
        centre_number="123456",
        learner_registration="R-998877",
    )
    form = {f.key: f for f in sheet_forms(snapshot, ILM)}["D3.06"]
    assert (form.centre_name, form.centre_number) == ("Northside College", "123456")
    assert (form.learner_name, form.learner_registration) == ("Anna Kowalska", "R-998877")
    assert form.authenticity.startswith("confirmed by Anna Kowalska on 19 Nov 2026")
    assert form.anonymous_use == "refused (opt-out ticked)"
    first, second = form.sections
    assert (first.assessor_mark, first.qa_mark, first.strengths) == (32, 30, "Clear plan")
    assert second.weaknesses == "Thin impact"
    assert (form.assessor_total, form.assessor_outcome) == (76, PASS)
    assert (form.qa_total, form.qa_outcome) == (70, PASS)
    assert (form.assessor_name, form.assessor_date) == ("Ada", "20 Nov 2026")
    assert (form.iqa_name, form.iqa_date) == ("Quinn", "25 Nov 2026")
    assert form.section_referral == ""
    assert snapshot.centre == "Northside College (centre number 123456)"


# Through the Dispatcher and the CLI --------------------------------------------------------


@pytest.fixture
async def assessor(make_client, mentor, mentee):
    ada = make_client("Ada")
    await invite_and_join(mentor, ada, "Assessor")
    return ada


async def _snapshot(services, clock):
    async with snapshot_session(services.sessions) as session:
        return await load_snapshot(session, 1, services.files.root, clock())


async def test_the_assessor_marks_the_joint_sheet_once_with_strengths_and_weaknesses(
    mentor, assessor, services, clock
):
    await log_session(mentor)
    await assessor.send("/candidates")
    await assessor.click("Open")
    reply = await assessor.click("Marks")
    assert reply.buttons()[0] == "D3.01 and D3.02"
    assert "D3.01" not in reply.buttons()[1:] and "D3.02" not in reply.buttons()
    await assessor.click("D3.01 and D3.02")
    for mark in ("20", "20", "20", "5"):
        reply = await assessor.send(mark)
    assert reply.text.startswith("D3.01 and D3.02: REFERRAL")
    reply = await assessor.click("Strengths and weaknesses")
    assert "Strengths" in reply.text and "Ensuring good practice in coaching" in reply.text
    await assessor.send("Clear account of the coach's role.")
    reply = await assessor.click("Skip")  # no weaknesses for the first section
    for _ in range(6):
        reply = await assessor.click("Skip")
    assert reply.text == "Kept with the D3.01 and D3.02 mark sheet."
    async with services.sessions() as session:
        sheets = {m.sheet for m in await session.scalars(select(Mark))}
    assert sheets == {JOINT}
    snapshot = await _snapshot(services, clock)
    [form] = [f for f in sheet_forms(snapshot, ILM) if f.key == JOINT]
    assert form.sections[0].strengths == "Clear account of the coach's role."
    assert form.assessor_outcome == REFERRAL and form.assessor_name == "Ada"
    assert form.section_referral == "Your strengths and weaknesses in coaching skills"


async def test_the_mentor_sets_registration_confirms_authenticity_and_opts_out(
    mentor, services, clock
):
    reply = await mentor.send("/details")
    assert "Learner registration number: not recorded" in reply.text
    await mentor.click("Registration number")
    await mentor.send("R-998877")
    reply = await mentor.click("I confirm it is my own work")
    assert "Authenticity: confirmed by Anna" in reply.text
    reply = await mentor.click("Refuse ILM's anonymous use")
    assert "Anonymous use by ILM: refused" in reply.text
    snapshot = await _snapshot(services, clock)
    form = sheet_forms(snapshot, ILM)[0]
    assert form.learner_registration == "R-998877"
    assert form.authenticity.startswith("confirmed by Anna")
    assert form.anonymous_use == "refused (opt-out ticked)"


async def test_the_assessor_sets_the_centre_and_the_mentor_cannot_be_refused_hers(
    mentor, assessor, services, clock
):
    await assessor.send("/candidates")
    await assessor.click("Open")
    await assessor.click("Centre and learner")
    await assessor.click("Centre name")
    reply = await assessor.send("Northside <College>")
    assert "Centre: Northside &lt;College&gt;" in reply.text
    snapshot = await _snapshot(services, clock)
    assert snapshot.centre_name == "Northside <College>"
    # The assessor cannot confirm authenticity in the learner's name.
    assert "I confirm it is my own work" not in reply.buttons()


async def test_the_centre_sets_centre_and_learner_numbers_from_the_command_line(
    mentor, settings, services, monkeypatch, capsys
):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    code = await asyncio.to_thread(
        main,
        ["portfolio", "details", "--portfolio", "1", "--centre-name", "Northside College",
         "--centre-number", "123456", "--learner-number", "R-1"],
    )  # fmt: skip
    assert code == 0
    assert "Northside College" in capsys.readouterr().out
    async with services.sessions() as session:
        portfolio = await session.get(Portfolio, 1)
    assert (portfolio.centre_name, portfolio.centre_number, portfolio.learner_registration) == (
        "Northside College",
        "123456",
        "R-1",
    )
    code = await asyncio.to_thread(main, ["portfolio", "details", "--portfolio", "9"])
    assert code == 2
