"""Assessors in the chat: candidates, the three files, decisions, ILM marks, ST1379 grades."""

import asyncio
import io
import threading
import zipfile

import pytest
from aiogram.methods import SendDocument
from sqlalchemy import select

from bot import exporting
from handlers.callbacks import AssessCB
from storage.models import Decision, Mark
from tests.conftest import invite_and_join, log_session, onboard_mentor
from tests.workbooks import sheet_rows


@pytest.fixture
async def assessor(make_client, mentor, mentee):
    ada = make_client("Ada")
    await invite_and_join(mentor, ada, "Assessor")
    return ada


def sent_document(reply):
    [doc] = [c for c in reply.calls if isinstance(c, SendDocument)]
    return doc


async def test_assessor_sees_the_candidate_with_headline_figures(mentor, assessor):
    await log_session(mentor)
    reply = await assessor.send("/candidates")
    assert "Anna · ILM Level 3 · 1 entry · 1 h 15 · 0/55 criteria" in reply.text
    reply = await assessor.click("Open")
    assert reply.buttons()[:3] == ["Portfolio .xlsx", "Diary .pdf", "Bundle .zip"]


async def test_assessor_downloads_the_workbook_with_the_entries(mentor, assessor):
    await log_session(mentor)
    await mentor.click(lambda t: "D3.06 2.1" in t)
    await assessor.send("/candidates")
    await assessor.click("Open")
    reply = await assessor.click("Portfolio .xlsx")
    document = sent_document(reply).document
    assert document.filename.startswith("anna-ilm-portfolio-")
    criteria = sheet_rows(document.path, "Criteria map")
    row = next(r for r in criteria if "ilm:D3.06/2.1" in [str(v) for v in r])
    assert "E-0001" in " ".join(str(v) for v in row if v)


async def test_bundle_sent_in_chat_is_a_zip_with_a_manifest(mentor, assessor):
    await log_session(mentor)
    await assessor.send("/candidates")
    await assessor.click("Open")
    reply = await assessor.click("Bundle .zip")
    with zipfile.ZipFile(sent_document(reply).document.path) as bundle:
        names = bundle.namelist()
    # The workbook and diary are named by candidate, qualification and date inside it too.
    assert "manifest.json" in names
    assert [n.rsplit("-", 3)[0] for n in names if n.endswith((".xlsx", ".pdf"))] == [
        "anna-ilm-portfolio",
        "anna-ilm-diary",
    ]


async def test_decision_met_with_a_comment_is_recorded_beside_the_evidence(
    mentor, assessor, services
):
    await log_session(mentor)
    await mentor.click(lambda t: "D3.06 2.1" in t)
    await assessor.send("/candidates")
    await assessor.click("Open")
    await assessor.click("Decisions")
    await assessor.click(lambda t: t.startswith("D3.06"))
    reply = await assessor.click(lambda t: t.startswith("D3.06 2.1 (1)"))
    assert "Evidence: E-0001" in reply.text
    await assessor.click("Met")
    reply = await assessor.send("Hours evidenced by the diary.")
    assert "Recorded: D3.06 2.1 met." in reply.text
    assert any(b.startswith("✓ D3.06 2.1") for b in reply.buttons())
    async with services.sessions() as session:
        decision = await session.scalar(select(Decision))
    assert (decision.criterion_id, decision.outcome, decision.comment) == (
        "ilm:D3.06/2.1",
        "met",
        "Hours evidenced by the diary.",
    )


async def test_ilm_marks_give_pass_or_referral_by_the_mark_sheet_rule(mentor, assessor, services):
    await assessor.send("/candidates")
    await assessor.click("Open")
    await assessor.click("Marks")
    reply = await assessor.click("D3.06")
    assert "0 to 40, minimum 20" in reply.text
    assert "Type a whole number" in (await assessor.send("41")).text
    await assessor.send("18")
    reply = await assessor.send("40")
    assert "REFERRAL" in reply.text and "Planning and organising mentoring sessions" in reply.text
    await assessor.send("/candidates")
    await assessor.click("Open")
    await assessor.click("Marks")
    await assessor.click("D3.06")
    await assessor.send("25")
    reply = await assessor.send("30")
    assert "PASS, total 55 of 100" in reply.text
    async with services.sessions() as session:
        assert len(list(await session.scalars(select(Mark)))) == 4


async def test_st1379_grades_combine_into_the_overall_grade(make_client):
    bea = make_client("Bea")
    await onboard_mentor(bea, ("ST1379",))
    ada = make_client("Ada")
    await invite_and_join(bea, ada, "Assessor")
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Grades")
    await ada.click("Pass")
    reply = await ada.click("Distinction")
    assert "Overall grade: <b>Merit</b>" in reply.text


async def test_someone_who_is_not_the_assessor_cannot_open_the_portfolio(
    mentor, assessor, make_client
):
    eve = make_client("Eve")
    await onboard_mentor(eve)
    reply = await eve.press(AssessCB(p=1, act="x", v="xlsx").pack())
    assert reply.alerts == ["You're not an assessor of that portfolio."]
    assert not [c for c in reply.calls if isinstance(c, SendDocument)]


async def test_assessors_cannot_edit_evidence(mentor, assessor):
    await log_session(mentor)
    reply = await assessor.send("/entries")
    assert "needs a mentor's journal" in reply.text


async def test_mentor_sends_the_bundle_to_the_assessor(mentor, assessor):
    await log_session(mentor)
    await mentor.send("/export")
    reply = await mentor.click("Send to my assessor")
    assert "Sent to 1 assessor(s)." in reply.text
    documents = [c for c in mentor.session.calls if isinstance(c, SendDocument)]
    assert [d.chat_id for d in documents] == [assessor.user.id]


async def test_another_user_is_answered_while_a_large_export_is_built(
    mentor, assessor, make_client, monkeypatch
):
    release = threading.Event()
    building = threading.Event()
    real = exporting.BUILDERS[exporting.Format.XLSX]

    def slow_build(snapshot, registry, out):
        building.set()
        assert release.wait(10), "the export was never released"
        return real(snapshot, registry, out)

    monkeypatch.setitem(exporting.BUILDERS, exporting.Format.XLSX, slow_build)
    await assessor.send("/candidates")
    await assessor.click("Open")
    export = asyncio.create_task(assessor.click("Portfolio .xlsx"))
    assert await asyncio.to_thread(building.wait, 5)
    other = make_client("Zoe")
    reply = await asyncio.wait_for(other.send("/help"), timeout=5)
    assert "/start" in reply.text or "What I can do" in reply.text
    assert not export.done()
    release.set()
    await export


async def test_cli_export_writes_the_file_and_verify_catches_one_changed_byte(
    mentor, mentee, settings, monkeypatch, tmp_path, capsys
):
    from bot.cli import main

    await log_session(mentor)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(settings.files_dir))
    monkeypatch.setenv("SIGNING_KEY_FILE", str(settings.signing_key_file))
    out = tmp_path / "b.zip"
    code = await asyncio.to_thread(
        main, ["export", "--portfolio", "1", "--format", "zip", "--out", str(out)]
    )
    assert code == 0
    assert await asyncio.to_thread(main, ["verify", str(out)]) == 0
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as bundle:
        [info] = [i for i in bundle.infolist() if i.filename.startswith("anna-ilm-diary-")]
    data[info.header_offset + 30 + len(info.filename) + 10] ^= 0xFF
    out.write_bytes(bytes(data))
    assert await asyncio.to_thread(main, ["verify", str(out)]) == 1
    assert info.filename in capsys.readouterr().err


async def test_cli_export_of_an_unknown_portfolio_says_so(settings, monkeypatch, tmp_path, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    code = await asyncio.to_thread(
        main, ["export", "--portfolio", "99", "--format", "pdf", "--out", str(tmp_path / "x.pdf")]
    )
    assert code == 2
    assert "no portfolio 99" in capsys.readouterr().err
