"""Anonymisation that is checked, through the real Dispatcher (issue 11): an ST1379 export is
held back while an attachment or a text still names someone, the chat says which file and
which name with buttons to fix it, and every form of a name is gone from what is exported."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pytest
from aiogram.methods import SendDocument
from aiogram.types import User
from fpdf import FPDF
from openpyxl import load_workbook

from bot.offline import ChatClient, Reply
from journal.anonymity_rules import NamesFound
from tests.botkit import invite_and_join, onboard_mentor
from tests.conftest import log_session
from tests.test_attachment_check import docx, huge_png, jpeg, pdf, zip_bomb_docx

_file_ids = itertools.count(1)


def person(dp, bot, user_id: int, first_name: str, username: str | None = None) -> ChatClient:
    user = User(
        id=user_id, is_bot=False, first_name=first_name, username=username, language_code="en"
    )
    return ChatClient(dp=dp, bot=bot, user=user)


@pytest.fixture
async def anna(dp, bot) -> ChatClient:
    """An ST1379 apprentice with a mentee Jon Baker (@jbaker on Telegram)."""
    client = person(dp, bot, 2001, "Anna")
    await onboard_mentor(client, frameworks=("ST1379",))
    await invite_and_join(client, person(dp, bot, 2002, "Jon Baker", "jbaker"))
    return client


async def attach(client: ChatClient, content: bytes, name: str, caption: str) -> Reply:
    await client.send_document(content, name, file_id=f"doc{next(_file_ids)}")
    await client.click("Evidence")
    await client.click("Product evidence")
    reply = await client.click("Today")
    if "caption" in reply.text:
        reply = await client.send(caption)
    assert "Saved as" in reply.text, reply.text
    return reply


def documents(reply: Reply) -> list[SendDocument]:
    return [c for c in reply.calls if isinstance(c, SendDocument)]


async def export(client: ChatClient, label: str = "Portfolio .xlsx") -> Reply:
    await client.send("/export")
    return await client.click(label)


def workbook_texts(reply: Reply) -> str:
    [sent] = documents(reply)
    book = load_workbook(Path(sent.document.path), read_only=True)
    try:
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    finally:
        book.close()


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("notes.pdf", pdf("Observed Jon Baker leading the huddle"), "“Jon Baker” (page 1 text)"),
        ("plan.pdf", pdf("Agenda", author="Jon Baker"), "“Jon Baker” (PDF metadata Author)"),
        ("contract.docx", docx("Agreed", author="Jon Baker"), "“Jon Baker” (core.xml creator)"),
        ("board.jpg", jpeg(artist="Jon Baker"), "“Jon Baker” (EXIF Artist)"),
    ],
)
async def test_an_attachment_naming_a_mentee_holds_the_export_back_naming_the_file(
    anna, name: str, content: bytes, found: str
):
    await attach(anna, content, name, "Mentoring record")
    reply = await export(anna)
    assert documents(reply) == []
    assert "Not exported." in reply.text
    assert f"<b>{name}</b> (E-0001) names {found}." in reply.text
    assert "Remove the file from its entry, or replace it" in reply.text
    assert f"Remove {name}" in reply.buttons()


async def test_removing_the_file_lets_the_export_through(anna, services):
    await attach(anna, pdf("Observed Jon Baker"), "notes.pdf", "Observation")
    reply = await export(anna)
    assert "Clean notes.pdf" not in reply.buttons()  # a name in the text cannot be cleaned
    reply = await anna.click("Remove notes.pdf", reply)
    assert "Removed <b>notes.pdf</b> from E-0001." in reply.text
    assert len(documents(await export(anna))) == 1
    assert not any((services.files.root).rglob("*.pdf"))


async def test_cleaning_a_photos_exif_is_checked_again_and_lets_the_export_through(anna):
    await attach(anna, jpeg(artist="Jon Baker", gps=True), "board.jpg", "Whiteboard")
    reply = await export(anna)
    assert "a GPS position (EXIF: where the picture was taken)" in reply.text
    reply = await anna.click("Clean board.jpg", reply)
    assert "Cleaned <b>board.jpg</b> and checked it again" in reply.text
    reply = await export(anna)
    assert len(documents(reply)) == 1
    assert "look at each for a name" in workbook_texts(reply)  # a picture is for a person too


async def test_cleaning_a_pdfs_metadata_is_checked_again_and_lets_the_export_through(anna):
    await attach(anna, pdf("Agenda", author="Jon Baker"), "plan.pdf", "Plan")
    reply = await export(anna)
    reply = await anna.click("Clean plan.pdf", reply)
    assert "Cleaned <b>plan.pdf</b>" in reply.text
    assert len(documents(await export(anna))) == 1


async def test_a_bundle_naming_someone_reaches_no_assessor_and_the_apprentice_is_told(
    anna, dp, bot
):
    assessor = person(dp, bot, 2004, "Sam")
    await invite_and_join(anna, assessor, role="Assessor")
    await attach(anna, pdf("Jon Baker's plan"), "plan.pdf", "Plan")
    await anna.send("/export")
    reply = await anna.click("Send to my assessor")
    assert "<b>plan.pdf</b> (E-0001) names “Jon Baker” (page 1 text)." in reply.text
    to_assessor = [c for c in bot.session.calls if getattr(c, "chat_id", None) == assessor.user.id]
    assert not any(isinstance(c, SendDocument) for c in to_assessor)
    assert not any(
        "sent you their portfolio" in (getattr(c, "text", "") or "") for c in to_assessor
    )


async def test_an_assessor_downloading_is_told_the_export_waits_without_the_name(anna, dp, bot):
    assessor = person(dp, bot, 2005, "Sam")
    await invite_and_join(anna, assessor, role="Assessor")
    await attach(anna, pdf("Jon Baker's plan"), "plan.pdf", "Plan")
    await assessor.send("/candidates")
    await assessor.click("Open")
    reply = await assessor.click("Portfolio .xlsx")
    assert documents(reply) == []
    assert "This ST1379 export is held back" in reply.text
    assert "Jon" not in reply.text and "plan.pdf" not in reply.text


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("bomb.docx", zip_bomb_docx(), "it unpacks to far more than its size (a zip bomb"),
        ("broken.pdf", b"%PDF-1.4 small", "it is not a readable PDF"),
        ("huge.png", huge_png(), "the picture is too large to check"),
    ],
)
async def test_a_hostile_file_gets_a_clear_answer_and_no_traceback(
    anna, name: str, content: bytes, problem: str, caplog
):
    await attach(anna, content, name, "Evidence")
    reply = await export(anna)
    assert documents(reply) == []
    assert f"<b>{name}</b> (E-0001) can't be checked: {problem}" in reply.text
    assert "Traceback" not in caplog.text


async def test_every_form_of_a_mentees_name_is_gone_from_the_exported_text(anna):
    summary = "J. Baker and J Baker led it; @jbaker wrote to jon.baker@example.com; jon smiled."
    await log_session(anna, who="Jon Baker", summary=summary)
    reply = await export(anna)
    text = workbook_texts(reply)
    assert "Mentee A and Mentee A led it; Mentee A wrote to [email]; Mentee A smiled." in text
    for form in ("Baker", "jbaker", "jon.baker", "example.com", "jon ", "Jon"):
        assert form not in text


async def test_a_colleague_added_with_names_is_replaced_in_the_export(anna, services):
    reply = await anna.send("/names")
    assert "No names added yet." in reply.text
    await anna.click("Add a colleague")
    reply = await anna.send("Priya Shah")
    assert "<b>Priya Shah</b> shows as <b>Colleague A</b>" in reply.text
    assert "• Priya Shah → Colleague A" in reply.text
    await log_session(anna, who="Jon Baker", summary="Priya observed; P. Shah signed it off.")
    text = workbook_texts(await export(anna))
    assert "Colleague A observed; Colleague A signed it off." in text
    assert "Priya" not in text and "Shah" not in text

    reply = await anna.send("/names")
    reply = await anna.click("Remove Priya Shah", reply)
    assert "Colleague A won't be given to anyone else" in reply.text
    with sqlite3.connect(services.settings.database_url.removeprefix("sqlite:///")) as db:
        assert db.execute("SELECT name, label FROM anonymisation_names").fetchall() == [
            ("", "Colleague A")
        ]


async def test_names_buttons_are_checked(anna, dp, bot):
    reply = await anna.press("nm:rm:999")
    assert reply.alerts == ["That name isn't on the list any more."]
    other = person(dp, bot, 2003, "Ilm")
    await onboard_mentor(other)
    assert "ST1379 portfolios" in (await other.send("/names")).text
    assert (await other.press("nm:add:colleague")).alerts == ["That button isn't for you."]
    assert (await other.press("hb:rm:E-0001:0123456789abcdef")).alerts == [
        "That file isn't in the entry any more."
    ]


async def test_a_cpd_self_assessment_and_a_personal_statement_are_left_out_and_said(anna):
    await anna.send("/cpd")
    await anna.click("Today")
    await anna.send("Self-assessment against the KSBs")
    await anna.click("Skip")
    await anna.click("Skip")
    await anna.send_document(pdf("My statement"), "statement.pdf", file_id="statement")
    await anna.click("Evidence")
    await anna.click("Personal statement")
    reply = await anna.click("Today")
    if "caption" in reply.text:
        await anna.send("Personal statement")
    text = workbook_texts(await export(anna))
    assert "2 reflective account(s) or self-assessment(s) left out of the export: " in text
    assert "E-0001 CPD self-assessment, E-0002 personal statement" in text
    assert "Self-assessment against the KSBs" not in text


async def test_mydata_holds_the_names_a_mentor_added(anna):
    await anna.send("/names")
    await anna.click("Add a manager")
    await anna.send("Tom Reed")
    reply = await anna.send("/mydata")
    [sent] = documents(reply)
    data = json.loads(sent.document.data)
    assert [(n["name"], n["label"]) for n in data["anonymisation_names"]] == [
        ("Tom Reed", "Manager A")
    ]


async def test_a_name_on_many_pages_is_said_once_with_a_count(anna):
    document = FPDF()
    document.set_font("helvetica", size=12)
    for _ in range(8):
        document.add_page()
        document.cell(text="Jon Baker attended")
    await attach(anna, bytes(document.output()), "log.pdf", "Attendance")
    reply = await export(anna)
    assert "names “Jon Baker” (page 1 text; page 2 text; page 3 text and 5 more)." in reply.text


async def test_the_command_line_export_is_refused_with_the_file_and_the_name(anna, services):
    await attach(anna, pdf("Observed Jon Baker"), "notes.pdf", "Observation")
    with pytest.raises(NamesFound) as refused:
        await services.exporter.build(1, "zip", services.clock(), framework="st1379")
    assert isinstance(refused.value, LookupError)  # `mentorlog export` prints it, exit 2
    assert "E-0001 notes.pdf: “Jon Baker” (page 1 text)" in str(refused.value)


async def test_forgetting_a_person_blanks_their_username_and_a_name_added_for_them(
    anna, dp, bot, services
):
    ola = person(dp, bot, 2006, "Ola Nowak", "olanowak")
    await invite_and_join(anna, ola)
    await anna.send("/names")
    await anna.click("Add someone else")
    await anna.send("Ola Nowak")
    database = services.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT username FROM people WHERE telegram_id = 2006").fetchone() == (
            "olanowak",
        )
    await ola.send("/forget")
    await ola.click("Erase everything")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM people WHERE username = 'olanowak'").fetchone() == (
            0,
        )
        assert db.execute("SELECT name, label FROM anonymisation_names").fetchall() == [
            ("", "Person A")
        ]
