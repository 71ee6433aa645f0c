"""The ST1379 gateway in the exports (issue 11), through the real Dispatcher: the workbook's
cover and the diary show the gateway checklist going from "not yet" to met item by item with
who recorded what and the gateway date, and the recordings after gateway ("1 of 2 recordings
accepted") with a flagged one listed with its problem; never a mentee's name, never a formula,
and nothing of the kind for a portfolio that doesn't follow ST1379."""

from __future__ import annotations

import re
import zipfile
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.offline import onboard_mentor as onboard_process
from tests.conftest import invite_and_join
from tests.fake_bot_api import FakeBotApi
from tests.running import RunningBot
from tests.test_gateway_chat import (  # noqa: F401 (fixtures)
    apprentice,
    both_confirm_the_statement,
    curate,
    employer,
    log_and_confirm_otj,
    mentees,
)
from tests.test_otj import set_plan
from tests.test_otj_exports import download
from tests.test_prompts import outbox  # noqa: F401 (fixture)
from tests.test_recordings_chat import answer, gateway_on, send_video
from tests.workbooks import sheet_rows

MB = 1024 * 1024
ITEMS = (
    "12 months on programme",
    "Off-the-job training",
    "English and maths",
    "Employer's decision",
    "Employer and apprentice statement",
    "Portfolio of evidence",
)


def cover_of(workbook: Path) -> dict[str, str]:
    return {r[0]: r[1] for r in sheet_rows(workbook, "Cover") if r and r[0] and len(r) > 1}


def text_of(diary: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(diary).pages)


async def exported(client) -> tuple[dict[str, str], str]:
    """The cover of the workbook and the text of the diary the bot sends `client`."""
    cover = cover_of(await download(client, "Portfolio .xlsx"))
    return cover, text_of(await download(client, "Diary .pdf"))


def marks(cover: dict[str, str]) -> dict[str, str]:
    """Each checklist item's mark on the cover: "✓" or "✗"."""
    found = {}
    for label in cover:
        mark, _, item = label.partition(" ")
        if item in ITEMS and mark in "✓✗":
            found[item] = mark
    return found


def names_no_mentee(cover: dict[str, str], diary: str) -> bool:
    words = " ".join(f"{k} {v}" for k, v in cover.items() if v) + " " + diary
    return not re.search(r"\b(Jon|Ola)\b", words)


async def test_the_exported_checklist_goes_from_not_yet_to_met_with_the_gateway_date(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    mentees,  # noqa: F811
    services,
    clock,
    outbox,  # noqa: F811
):
    cover, diary = await exported(apprentice)
    assert marks(cover) == dict.fromkeys(ITEMS, "✗")
    assert cover["Gateway"] == "0 of 6 items met; gateway not yet confirmed"
    assert cover["✗ 12 months on programme"] == "not yet: no start date recorded"
    assert cover["✗ Employer's decision"] == "not yet recorded by the employer"
    assert cover["✗ English and maths"] == "English: not recorded; maths: not recorded"
    assert cover["Gateway date"].startswith("not yet")
    assert cover["Accepted"].startswith("0 of 2 recordings accepted")
    assert cover["Recordings"] == "none added yet"
    assert "Gateway checklist (ST1379)" in diary and "Recordings after gateway" in diary
    assert "not yet recorded by the employer" in diary

    await set_plan(apprentice)
    await apprentice.send("/gateway")
    await apprentice.click("Record English and maths")
    await apprentice.click("English: Level 2")
    theirs = await employer.send("/gateway")
    await employer.click("Record English and maths")
    await employer.click("Maths: Entry Level 3")
    await employer.click("Anna works at or above the standard", theirs)
    cover, diary = await exported(apprentice)
    assert cover["Gateway"] == "2 of 6 items met; gateway not yet confirmed"
    assert cover["✗ 12 months on programme"] == (
        "not yet: started 01 Dec 2025, 12 months on 01 Dec 2026"
    )
    assert cover["✓ English and maths"] == (
        "English: Level 2, recorded by Anna (apprentice), 23 Nov 2026 10:00 UTC; "
        "maths: Entry Level 3, recorded by Ella (employer), 23 Nov 2026 10:00 UTC"
    )
    assert cover["✓ Employer's decision"].startswith("Ella, 23 Nov 2026 10:00 UTC: the apprentice")
    assert cover["✗ Off-the-job training"] == "0 h confirmed by the employer of the 187 h minimum"
    assert "Ella, 23 Nov 2026 10:00 UTC: the apprentice works at or above" in diary

    await log_and_confirm_otj(apprentice, employer, services, clock, outbox, times=16)
    await curate(services, clock)
    await both_confirm_the_statement(apprentice, employer)
    clock.advance(days=8)  # 1 Dec 2026: twelve months on programme
    ready = await employer.send("/gateway")
    await employer.click("Confirm gateway", ready)

    cover, diary = await exported(apprentice)
    assert marks(cover) == dict.fromkeys(ITEMS, "✓")
    assert cover["✓ 12 months on programme"] == "since 01 Dec 2025 (12 months on 01 Dec 2026)"
    assert cover["✓ Off-the-job training"] == (
        "192 h confirmed by the employer of the 187 h minimum"
    )
    assert cover["✓ Portfolio of evidence"] == "10 pieces selected (typically 10-16)"
    assert cover["✓ Employer and apprentice statement"].startswith("confirmed by both")
    assert cover["Items met"] == "6 of 6 when this export was made"
    assert cover["Gateway date"] == "01 Dec 2026, confirmed by Ella (employer)"
    assert cover["Gateway"] == "confirmed on 01 Dec 2026; 0 of 2 recordings accepted"
    assert "Gateway date 01 Dec 2026, confirmed by Ella (employer)" in diary
    assert "Gateway confirmed on 01 Dec 2026; 0 of 2 recordings accepted" in diary
    assert "✓" in diary and "✗" not in diary
    assert names_no_mentee(cover, diary)


async def test_the_exports_count_the_recordings_accepted_and_list_a_flagged_one_with_why(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    services,
):
    await gateway_on(services, date(2026, 11, 20))
    await apprentice.send("/recording")
    await send_video(apprentice, seconds=32 * 60, size=3 * MB)
    await answer(apprentice, "18 Nov")
    await apprentice.send("/recording")
    await send_video(apprentice, seconds=31 * 60, size=MB, kind="video_note", name="n1")
    await answer(apprentice, "Today", fmt="Group")
    await apprentice.send("/recording")
    await send_video(apprentice, seconds=20 * 60, size=MB, name="v3")
    await answer(apprentice, "Yesterday", visible="No")

    cover, diary = await exported(apprentice)
    assert cover["Accepted"].startswith("1 of 2 recordings accepted (each at least 30 minutes")
    assert cover["✗ Recording 1"] == (
        "18 Nov 2026, 32 min, one-to-one, mentor and mentee visible: FLAGGED, does not count: "
        "recorded before the gateway date (20 Nov 2026)"
    )
    # In the order they were recorded: the 22 Nov one before the 23 Nov one.
    assert cover["✗ Recording 2"] == (
        "22 Nov 2026, 20 min, one-to-one, mentor and mentee not visible: FLAGGED, does not "
        "count: under 30 minutes; mentor and mentee not confirmed visible"
    )
    assert (
        cover["✓ Recording 3"] == "23 Nov 2026, 31 min, group, mentor and mentee visible: accepted"
    )
    assert cover["Gateway"] == "confirmed on 20 Nov 2026; 1 of 2 recordings accepted"
    assert cover["Gateway date"] == "20 Nov 2026, confirmed by Ella (employer)"
    assert "1 of 2 recordings accepted" in diary
    assert "recorded before the gateway date (20 Nov 2026)" in diary
    assert "23 Nov 2026, 31 min, group, mentor and mentee visible: accepted" in diary


async def test_an_employer_named_like_a_formula_stays_text_on_the_cover(
    apprentice,  # noqa: F811
    make_client,
):
    boss = make_client('=HYPERLINK("http://x")')
    await invite_and_join(apprentice, boss, role="Employer")
    theirs = await boss.send("/gateway")
    await boss.click(lambda label: label.endswith("works at or above the standard"), theirs)
    path = await download(apprentice, "Portfolio .xlsx")
    book = load_workbook(path)
    try:
        [cell] = [
            c
            for row in book["Cover"].iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
        ]
        assert cell.data_type == "s" and cell.quotePrefix
    finally:
        book.close()
    with zipfile.ZipFile(path) as zf:
        assert not any(b"<f>" in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets"))


async def test_a_portfolio_that_does_not_follow_st1379_has_no_gateway_in_its_exports(mentor):
    cover, diary = await exported(mentor)
    assert "Gateway" not in cover and "Gateway checklist (ST1379)" not in cover
    assert "Recordings after gateway" not in cover
    assert "Gateway" not in diary


@pytest.fixture
async def running(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[RunningBot]:
    async with RunningBot(tmp_path, api) as process:
        yield process
    assert process.problems() == []


async def test_the_running_process_sends_a_workbook_with_the_gateway_checklist(running, api):
    anna = running.client("Anna", 777)
    await onboard_process(anna, frameworks=("ST1379",))
    await anna.send("/export")
    await anna.click("Portfolio .xlsx")
    [workbook] = [p for m, p in api.calls if m == "sendDocument"]
    path = running.root / "received.xlsx"
    path.write_bytes(workbook["document"])
    cover = cover_of(path)
    assert cover["Gateway"] == "0 of 6 items met; gateway not yet confirmed"
    assert marks(cover) == dict.fromkeys(ITEMS, "✗")
    assert cover["Accepted"].startswith("0 of 2 recordings accepted")
