"""Anonymisation through the running process (issue 11): a document naming a mentee holds the
ST1379 export back, and the chat names the file and the name; removing it lets it through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.offline import invite_and_join, onboard_mentor
from tests.fake_bot_api import FakeBotApi
from tests.running import ProcessClient, RunningBot
from tests.test_attachment_check import pdf
from tests.workbooks import sheet_rows


@pytest.fixture
async def running(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[RunningBot]:
    async with RunningBot(tmp_path, api) as process:
        yield process
    assert process.problems() == []


async def test_a_document_naming_a_mentee_holds_the_st1379_export_back_naming_the_file(
    running, api
):
    anna = running.client("Anna", 777)
    jon = running.client("Jon Baker", 778)
    await onboard_mentor(anna, frameworks=("ST1379",))
    await invite_and_join(anna, jon)

    content = pdf("Observed Jon Baker leading the huddle")
    await anna.send_document(content, "observation.pdf", file_id="obs1")
    await save_as_observation(anna)

    await anna.send("/export")
    reply = await anna.click("Portfolio .xlsx")
    assert "Not exported." in reply.text
    assert "<b>observation.pdf</b> (E-0001) names “Jon Baker” (page 1 text)." in reply.text
    assert not any(method == "sendDocument" for method, _ in api.calls)

    reply = await anna.click("Remove observation.pdf", reply)
    assert "Removed <b>observation.pdf</b> from E-0001." in reply.text
    await anna.send("/export")
    await anna.click("Portfolio .xlsx")
    await running.wait_for(
        lambda: any(method == "sendDocument" for method, _ in api.calls), "the workbook"
    )


async def test_a_colleague_added_with_names_is_redacted_in_the_workbook_the_process_sends(
    running, api
):
    anna = running.client("Anna", 777)
    jon = running.client("Jon Baker", 778)
    await onboard_mentor(anna, frameworks=("ST1379",))
    await invite_and_join(anna, jon)
    reply = await anna.send("/names")
    assert "No names added yet." in reply.text
    await anna.click("Add a colleague")
    reply = await anna.send("Priya Shah")
    assert "<b>Priya Shah</b> shows as <b>Colleague A</b>" in reply.text
    await anna.send("/cpd")
    await anna.click("Today")
    await anna.send("Priya observed my session with Jon; P. Shah signed it off")
    await anna.click("Skip")
    await anna.click("Skip")
    await anna.click("Type a code")
    await anna.send("K14")

    await anna.send("/export")
    await anna.click("Portfolio .xlsx")
    await running.wait_for(
        lambda: any(method == "sendDocument" for method, _ in api.calls), "the workbook"
    )
    [workbook] = [p for m, p in api.calls if m == "sendDocument"]
    path = running.root / "received.xlsx"
    path.write_bytes(workbook["document"])
    text = " ".join(str(cell) for row in sheet_rows(path, "Evidence index") for cell in row)
    assert "Colleague A observed my session with Mentee A; Colleague A signed it off" in text
    assert "Priya" not in text and "Shah" not in text and "Jon" not in text


async def save_as_observation(anna: ProcessClient) -> None:
    """The document just sent, saved as an observation record dated today."""
    await anna.click("Evidence")
    await anna.click("Observation record")
    reply = await anna.click("Today")
    if "caption" in reply.text:
        reply = await anna.send("Observation of a huddle")
    assert "Saved as" in reply.text
