"""The EPA portfolio through the running process (issue 11): the apprentice tags two entries,
selects one for the gateway portfolio with /epa and writes its KSB line; the workbook the
process sends holds that piece alone, with its line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.offline import onboard_mentor
from tests.fake_bot_api import FakeBotApi
from tests.running import ProcessClient, RunningBot
from tests.workbooks import sheet_rows


@pytest.fixture
async def running(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[RunningBot]:
    async with RunningBot(tmp_path, api) as process:
        yield process
    assert process.problems() == []


async def cpd_tagged(anna: ProcessClient, activity: str, code: str) -> None:
    """A CPD activity, tagged by Anna to one KSB by typing its code."""
    await anna.send("/cpd")
    await anna.click("Today")
    await anna.send(activity)
    await anna.click("Skip")
    await anna.click("Skip")
    await anna.click("Type a code")
    reply = await anna.send(code)
    assert code in reply.text, reply.text


async def test_the_apprentice_selects_a_piece_and_the_export_holds_the_selection(running, api):
    anna = running.client("Anna", 777)
    await onboard_mentor(anna, frameworks=("ST1379",))
    await cpd_tagged(anna, "Read a study of mentoring models", "K16")
    await cpd_tagged(anna, "Shadowed a senior mentor", "K14")

    reply = await anna.send("/epa")
    assert "0 pieces selected" in reply.text
    reply = await anna.click(lambda t: t.startswith("▫️ E-0002"))
    assert "E-0002 is mapped to <b>K14</b>" in reply.text
    reply = await anna.send("Planned my CPD from what I saw the senior mentor do")
    assert "Every selected piece has its KSB lines" in reply.text
    assert "1 piece selected" in reply.text

    await anna.send("/export")
    await anna.click("Portfolio .xlsx")
    [workbook] = [p for m, p in api.calls if m == "sendDocument"]
    path = running.root / "received.xlsx"
    path.write_bytes(workbook["document"])
    assert [r[0] for r in sheet_rows(path, "Evidence index")[1:]] == ["E-0002"]
    rows = sheet_rows(path, "EPA portfolio")[1:]
    pieces = [(r[0], r[1], r[4], r[5]) for r in rows if r[1]]
    assert pieces == [
        (
            "Professional practice",
            "E-0002",
            "K14",
            "Planned my CPD from what I saw the senior mentor do",
        )
    ]
    # The discussion's KSBs without a selected piece follow: K16's piece was not selected.
    assert ("Without a selected piece", "K16") in {(r[0], r[4]) for r in rows if not r[1]}
