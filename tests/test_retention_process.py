"""Retention and erasure in the running `mentorlog run` process, against the fake Bot API.

The daily retention job is something the process does on its own: it is proved here, where a
scheduler that dropped its coroutine could not hide behind a test that calls the job itself.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.offline import invite_and_join, onboard_mentor
from journal.entries import Kind
from storage import people
from storage.db import create_engine, session_factory, write_session
from storage.entries import add_attachment, create_entry
from storage.migrate import upgrade_async
from tests.conftest import log_session
from tests.fake_bot_api import FakeBotApi
from tests.raw_files import traces
from tests.running import RunningBot

NEWCOMER = people.Newcomer(timezone="Europe/London", quiet_start="21:00", quiet_end="08:00")


async def seed_portfolio(url: str, telegram_id: int, name: str, when: datetime) -> int:
    """A mentor with one session and a stored photo, all stamped `when`; returns the portfolio."""
    engine = create_engine(url)
    try:
        async with write_session(session_factory(engine)) as session:
            mentor = await people.ensure_person(session, telegram_id, NEWCOMER)
            mentor.name, mentor.consent_at, mentor.created_at = name, when, when
            portfolio = await people.create_portfolio(session, mentor, ["ilm"])
            portfolio.created_at = when
            entry = await create_entry(
                session,
                portfolio_id=portfolio.id,
                author_id=mentor.id,
                kind=Kind.SESSION,
                occurred_on=when.date(),
                data={"summary": f"{name} walked through the handover."},
                now=when,
                duration_minutes=60,
            )
            add_attachment(
                entry, kind="photo", path=f"{portfolio.id}/board.jpg", size=3, sha256="0", now=when
            )
            return portfolio.id
    finally:
        await engine.dispose()


def portfolio_ids(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM portfolios ORDER BY id")]


async def test_the_running_process_erases_a_portfolio_past_retention_at_start(
    tmp_path: Path, api: FakeBotApi
):
    db = tmp_path / "bot.db"
    url = f"sqlite:///{db}"
    await upgrade_async(url)
    now = datetime.now(UTC)
    old = await seed_portfolio(url, 555, "Oldfield", now - timedelta(days=800))
    recent = await seed_portfolio(url, 556, "Newbold", now - timedelta(days=30))
    photos = [tmp_path / "data" / "files" / str(pid) / "board.jpg" for pid in (old, recent)]
    for photo in photos:
        photo.parent.mkdir(parents=True)
        photo.write_bytes(b"\xff\xd8x")

    async with RunningBot(tmp_path, api, RETENTION_DAYS="365") as process:
        await process.wait_for(lambda: portfolio_ids(db) == [recent], "the old portfolio to go")
        await process.wait_for(
            lambda: "retention of 365 days" in process.output, "the retention log line"
        )
        newbold = process.client("Newbold", 556)
        assert "set up already" in (await newbold.send("/start")).text
    [line] = [line for line in process.lines if "retention of 365 days" in line]
    assert f"1 portfolio(s) [{old}]" in line and "1 people" in line
    assert not photos[0].exists() and photos[1].exists()
    assert traces(tmp_path, b"Oldfield") == []
    assert "Oldfield" not in process.output and "Newbold" not in process.output
    assert process.problems() == []


async def test_forget_in_the_running_process_leaves_nothing_in_the_raw_files(
    tmp_path: Path, api: FakeBotApi
):
    async with RunningBot(tmp_path, api, FEEDBACK_DELAY_MINUTES="0") as process:
        anna = process.client("Anna", 777)
        zebedee = process.client("Zebedee", 778)
        await onboard_mentor(anna)
        await invite_and_join(anna, zebedee)
        await log_session(anna, who="Zebedee", summary="Zebedee rehearsed the handover twice.")
        prompt = await zebedee.expect("How useful was today's session with Anna")
        await zebedee.tap(prompt, "4")
        await zebedee.send("Quokkas make patient mentors.")
        await anna.expect("Quokkas make patient mentors.")
        await anna.send("/export")
        await anna.click("Bundle .zip")
        assert any(name.startswith("data/exports/") for name in traces(tmp_path, b"Zebedee"))

        await zebedee.send("/forget")
        reply = await zebedee.click("Erase everything")
        assert "erased" in reply.text
        assert traces(tmp_path, b"Zebedee", b"Quokkas") == []
    assert traces(tmp_path, b"Zebedee", b"Quokkas") == []
    assert "Quokkas" not in process.output
    assert process.problems() == []
