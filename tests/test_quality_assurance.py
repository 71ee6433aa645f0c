"""Internal quality assurance (DESIGN.md 1 and 7; seed 000, 3.13): an IQA, invited like an
assessor, reads the portfolio, samples assessors' decisions and agrees or disagrees."""

from __future__ import annotations

import asyncio
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handlers.callbacks import AssessCB, EntryCB
from journal.quality import qa_lines, qa_rows
from journal.snapshot import DecisionRecord, QaSampleRecord
from storage.db import snapshot_session
from storage.models import Decision, QaSample
from storage.snapshots import load_snapshot
from tests.conftest import invite_and_join, log_session
from tests.snapshots import ilm_snapshot


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, tzinfo=UTC)


# Domain, no database -----------------------------------------------------------------------


def test_a_sample_keeps_the_decision_it_judged_and_says_when_it_was_superseded():
    first = DecisionRecord("ilm:D3.06/2.1", "met", "Diary shows it.", "Ada", _at(20))
    later = DecisionRecord("ilm:D3.06/2.1", "not_yet", "On reflection, no.", "Ada", _at(24))
    sample = QaSampleRecord(
        "ilm:D3.06/2.1", "met", "Ada", _at(20), "disagree", "No safe-environment plan.", "Quinn",
        _at(22),
    )  # fmt: skip
    snap = replace(ilm_snapshot(), decisions=(first, later), qa_samples=(sample,))
    [row] = qa_rows(snap)
    assert (row.sample.outcome, row.superseded) == ("disagree", True)
    lines = dict(qa_lines(snap))
    assert lines["QA sample"] == "1 decision sampled: 0 agreed, 1 disagreed"
    assert lines["QA ilm:D3.06/2.1"].startswith(
        "disagree, Quinn, 22 Nov 2026: No safe-environment plan. (sampled: met, Ada, 20 Nov 2026;"
    )


# Through the Dispatcher and the CLI --------------------------------------------------------


@pytest.fixture
async def team(make_client, mentor, mentee):
    ada = make_client("Ada")
    await invite_and_join(mentor, ada, "Assessor")
    quinn = make_client("Quinn")
    await invite_and_join(mentor, quinn, "Internal quality assurer")
    await log_session(mentor)
    await mentor.click(lambda t: "D3.06 2.1" in t)
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Decisions")
    await ada.click(lambda t: t.startswith("D3.06"))
    await ada.click(lambda t: t.startswith("D3.06 2.1"))
    await ada.click("Met")
    await ada.send("The diary shows it.")
    return ada, quinn


async def test_an_iqa_samples_a_decision_and_disagrees_with_a_comment(
    mentor, team, services, clock
):
    _, quinn = team
    reply = await quinn.send("/candidates")
    assert "Anna" in reply.text and "quality assurance" in reply.text
    reply = await quinn.click("Open")
    assert "Sample decisions" in reply.buttons() and "Decisions" not in reply.buttons()
    reply = await quinn.click("Sample decisions")
    reply = await quinn.click(lambda t: "D3.06 2.1" in t)
    assert "met, Ada" in reply.text and "E-0001" in reply.text
    await quinn.click("Disagree")
    reply = await quinn.send("No plan for a <safe> environment.")
    assert reply.text.startswith("Sampled D3.06 2.1: disagree.")
    async with services.sessions() as session:
        [sample] = list(await session.scalars(select(QaSample)))
        [decision] = list(await session.scalars(select(Decision)))
    assert (sample.decision_id, sample.outcome) == (decision.id, "disagree")
    async with snapshot_session(services.sessions) as session:
        snapshot = await load_snapshot(session, 1, services.files.root, clock())
    [row] = qa_rows(snapshot)
    assert row.sample.comment == "No plan for a <safe> environment." and row.sample.iqa == "Quinn"


async def test_an_iqa_reads_but_cannot_decide_mark_or_edit(mentor, team, services):
    _, quinn = team
    reply = await quinn.press(AssessCB(p=1, act="dec", v="met|0").pack())
    assert reply.alerts == ["You're not an assessor of that portfolio."]
    reply = await quinn.press(AssessCB(p=1, act="sheets").pack())
    assert reply.alerts == ["You're not an assessor of that portfolio."]
    reply = await quinn.press(EntryCB(e=1, act="del").pack())
    async with services.sessions() as session:
        assert [d.outcome for d in await session.scalars(select(Decision))] == ["met"]
    await quinn.send("/candidates")
    await quinn.click("Open")
    reply = await quinn.click("Diary .pdf")
    assert reply.calls[-1].document.filename.startswith("anna-ilm-diary-")


async def test_the_centre_exports_every_portfolio_an_iqa_sampled(
    mentor, team, settings, monkeypatch, tmp_path, capsys
):
    from bot.cli import main

    _, quinn = team
    await quinn.send("/candidates")
    await quinn.click("Open")
    await quinn.click("Sample decisions")
    await quinn.click(lambda t: "D3.06 2.1" in t)
    await quinn.click("Agree")
    await quinn.click("Skip")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(settings.files_dir))
    monkeypatch.setenv("SIGNING_KEY_FILE", str(settings.signing_key_file))
    out = tmp_path / "sampled"
    code = await asyncio.to_thread(
        main, ["iqa", "export", "--telegram-id", str(quinn.user.id), "--out", str(out)]
    )
    assert code == 0
    [bundle] = sorted(out.iterdir())
    assert bundle.name.startswith("anna-ilm-bundle-")
    with zipfile.ZipFile(bundle) as z:
        assert "manifest.json" in z.namelist()
    assert "1 portfolio" in capsys.readouterr().out
    code = await asyncio.to_thread(
        main, ["iqa", "export", "--telegram-id", "424242", "--out", str(out)]
    )
    assert code == 2


async def test_an_iqa_gives_the_qa_marks_of_a_mark_sheet(mentor, team, services, clock):
    from journal.ilm_sheet_forms import sheet_forms

    _, quinn = team
    await quinn.send("/candidates")
    await quinn.click("Open")
    reply = await quinn.click("QA marks")
    assert reply.buttons()[0] == "D3.01 and D3.02"
    await quinn.click("D3.06")
    await quinn.send("30")
    reply = await quinn.send("40")
    assert reply.text == "QA marks, D3.06: PASS, total 70 of 100"
    async with snapshot_session(services.sessions) as session:
        snapshot = await load_snapshot(session, 1, services.files.root, clock())
    form = next(f for f in sheet_forms(snapshot, services.registry.get("ilm")) if f.key == "D3.06")
    assert [s.qa_mark for s in form.sections] == [30, 40]
    assert [s.assessor_mark for s in form.sections] == [None, None]
    assert (form.qa_outcome, form.iqa_name) == ("PASS", "Quinn")


async def test_the_assessor_cannot_also_quality_assure_their_own_decisions(mentor, team):
    ada, _ = team
    await mentor.send("/invite")
    reply = await mentor.click("Internal quality assurer")
    code = reply.text.rsplit("start=", 1)[1].split()[0]
    reply = await ada.send(f"/start {code}")
    assert "one person can only hold one" in reply.text
