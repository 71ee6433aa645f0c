"""`mentorlog demo`: one portfolio per qualification, played through the real handlers offline.

Anna Kowalska works towards the ILM Level 3 Certificate in Workplace Coaching & Mentoring and
the EcoMentor qualification: eight weeks of mentoring Jon and Ola and coaching Kai and Lee
(bot.demo_ilm), her EcoMentor knowledge answers and observation records (bot.demo_ecomentor),
an assessor's decisions, marks and records and an internal quality assurer's sample
(bot.demo_assessment). Every step is a real Telegram update through the real Dispatcher,
middlewares and handlers, over a fresh SQLite database; no token and no network. Each
qualification's workbook, diary and bundle are then written to its own folder, `DIR/ilm/`,
`DIR/ecomentor/`, named as an assessor receives them. Every task element of each is evidenced
but one, left open on purpose so that the gap shows (bot.demo_ilm.LEFT_OPEN,
bot.demo_ecomentor.left_open).
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

from aiogram.types import User
from sqlalchemy import select

from bot.app import Services, build_dispatcher, build_services
from bot.demo_assessment import play_assessment_record
from bot.demo_ecomentor import play_ecomentor
from bot.demo_ilm import play_ilm_journal
from bot.demo_st1379 import play_apprentice
from bot.exporting import Format
from bot.offline import ChatClient, FakeClock, invite_and_join, offline_bot, starts_with
from bot.settings import Settings
from storage.migrate import upgrade_async
from storage.models import Person, Portfolio

START = datetime(2026, 9, 28, 8, 0, tzinfo=UTC)
CANDIDATE = "Anna Kowalska"
# Each qualification's folder and the candidate whose portfolio it holds (a Telegram id).
DEMO_QUALIFICATIONS = ("ilm", "ecomentor", "st1379")
CANDIDATES = {"ilm": 501, "ecomentor": 501, "st1379": 601}
PEOPLE = ((501, "Anna"), (502, "Jon"), (503, "Ola"), (504, "Sam"), (505, "Ada"), (507, "Kai"))
PEOPLE += ((508, "Lee"), (601, "Priya"), (602, "Dan"), (603, "Eve"), (604, "Tom"))


def _fresh_folder(out: Path) -> Path:
    """DIR/demo-data, emptied: the demo always starts from a new database."""
    out.mkdir(parents=True, exist_ok=True)
    work = out / "demo-data"
    shutil.rmtree(work, ignore_errors=True)
    for framework in DEMO_QUALIFICATIONS:
        shutil.rmtree(out / framework, ignore_errors=True)
    return work


async def run_demo(out: Path) -> list[Path]:
    work = await asyncio.to_thread(_fresh_folder, out)
    database = f"sqlite:///{work / 'mentorlog.db'}"
    await upgrade_async(database)
    settings = Settings(
        _env_file=None,
        bot_token=None,
        database_url=database,
        files_dir=work / "files",
        frameworks_dir=work / "frameworks",
        exports_dir=work / "exports",
        # The demo signs with a key of its own, never with the centre's.
        signing_key_file=work / "signing_key.pem",
    )
    clock = FakeClock(START)
    services = build_services(settings, clock=clock)
    try:
        return await _play(services, clock, out)
    finally:
        await services.engine.dispose()


async def _play(services: Services, clock: FakeClock, out: Path) -> list[Path]:
    dp, bot = build_dispatcher(services), offline_bot()
    people = {
        name: ChatClient(
            dp=dp, bot=bot, user=User(id=uid, is_bot=False, first_name=name, language_code="en")
        )
        for uid, name in PEOPLE
    }
    # Priya's year before her gateway comes first: the demo's one clock only moves forward.
    await play_apprentice(services, clock, people)
    clock.now = START
    anna = people["Anna"]
    # Anna types her full name (the exports name the candidate by it) instead of "Anna".
    await anna.send("/start")
    await anna.click("I agree")
    await anna.send(CANDIDATE)
    await anna.click("London")
    await anna.click("Yes, I'm a mentor")
    for prefix in ("ILM", "EcoMentor"):
        await anna.click(starts_with(prefix))
    await anna.click("Done")
    for name in ("Jon", "Ola", "Kai", "Lee"):
        await invite_and_join(anna, people[name], "Mentee")
    await invite_and_join(anna, people["Sam"], "Supervisor")
    await invite_and_join(anna, people["Ada"], "Assessor")
    await play_ilm_journal(services, clock, people, START)
    await play_ecomentor(anna, clock, services.registry.get("ecomentor"))

    ada = people["Ada"]
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Decisions")
    await ada.click(starts_with("D3.06"))
    for code in ("D3.06 1.2", "D3.06 2.1", "D3.06 4.1"):
        await ada.click(lambda t, c=code: c in t)
        await ada.click("Met")
        await ada.send("Clear evidence in the diary and contracts.")
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Marks")
    await ada.click("D3.06")
    await ada.send("32")
    await ada.send("44")
    await play_assessment_record(anna, ada)  # details, EcoMentor record, QA (issue 10 part B)

    # One folder per qualification, its files named as an assessor receives them:
    # ilm/anna-kowalska-ilm-portfolio-<date>.xlsx, ...-diary-<date>.pdf, ...-bundle-<date>.zip.
    written = []
    for framework in DEMO_QUALIFICATIONS:
        portfolio_id = await _portfolio_of(services, CANDIDATES[framework])
        folder = out / framework
        folder.mkdir()
        for fmt in (Format.XLSX, Format.PDF, Format.ZIP):
            written.append(
                await services.exporter.build(
                    portfolio_id, fmt, clock(), folder, framework=framework
                )
            )
    return written


async def _portfolio_of(services: Services, telegram_id: int) -> int:
    async with services.sessions() as session:
        found = await session.scalar(
            select(Portfolio.id).join(Person).where(Person.telegram_id == telegram_id)
        )
    assert found is not None, telegram_id
    return found
