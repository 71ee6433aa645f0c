"""The ST1379 gateway through the running process (issue 11): the apprentice records English
and maths and asks the employer, who records the decision, confirms the statement after the
apprentice did, and confirms the gateway in the chat; each hears of the other's confirmation."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.offline import invite_and_join, onboard_mentor
from journal.entries import Kind
from journal.frameworks.registry import load_registry
from journal.prompting import RequestKind
from storage import entries as entry_repo
from storage.db import create_engine, session_factory
from storage.models import Confirmation, Person, Portfolio
from storage.uow import writing
from tests.fake_bot_api import FakeBotApi
from tests.running import RunningBot
from tests.test_gateway_chat import curate


@pytest.fixture
async def running(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[RunningBot]:
    async with RunningBot(tmp_path, api, FEEDBACK_DELAY_MINUTES="0") as process:
        yield process
    assert process.problems() == []


def now() -> datetime:
    return datetime.now(UTC)


async def a_year_of_training_and_a_selection(db: Path, employer: int = 779) -> None:
    """What a year of /otj with the employer's taps and of /epa leaves in the database (both
    played through the Dispatcher in tests/test_otj.py and tests/test_gateway_chat.py); the
    employer is found by Telegram id."""
    engine = create_engine(f"sqlite:///{db}")
    sessions = session_factory(engine)
    try:
        async with writing(sessions) as session:
            portfolio = await session.get(Portfolio, 1)
            ella = await session.scalar(select(Person).where(Person.telegram_id == employer))
            for week in range(16):
                entry = await entry_repo.create_entry(
                    session,
                    portfolio_id=1,
                    author_id=portfolio.mentor_id,
                    kind=Kind.OTJ,
                    occurred_on=date(2026, 1, 5 + week),
                    data={"learned": "Questioning techniques", "ksbs": "K14"},
                    now=now(),
                    duration_minutes=12 * 60,
                )
                session.add(
                    Confirmation(
                        portfolio_id=1,
                        supervisor_id=ella.id,
                        kind=RequestKind.OTJ,
                        entry_id=entry.id,
                        minutes=12 * 60,
                        confirmed_at=now(),
                    )
                )
        await curate(SimpleNamespace(registry=load_registry(None), sessions=sessions), now)
    finally:
        await engine.dispose()


async def test_the_employer_confirms_the_statement_and_the_gateway_in_the_chat(running, api):
    anna = running.client("Anna", 777)
    ella = running.client("Ella", 779)
    await onboard_mentor(anna, frameworks=("ST1379",))
    await invite_and_join(anna, ella, role="Employer")
    for name, user_id in (("Jon", 781), ("Ola", 783)):
        await invite_and_join(anna, running.client(name, user_id))
    await anna.send("/apprenticeship")
    await anna.click("Set dates and hours")
    await anna.send("1 Nov 2025")
    await anna.send("31 Dec 2027")
    await anna.send("318")
    await anna.click("187 h")
    await a_year_of_training_and_a_selection(running.db)

    checklist = await anna.send("/gateway")
    assert checklist.text.count("✅") == 3  # 12 months, off-the-job hours, the selection
    routes = await anna.click("Record English and maths", checklist)
    await anna.click("English: Level 2", routes)
    recorded = await anna.click("Maths: Level 2", routes)
    assert "English Level 2 (recorded by Anna); maths Level 2 (recorded by Anna)" in recorded.text
    asked = await anna.click("Ask Ella for the decision", recorded)
    assert asked.text == "I've sent Ella your gateway checklist."

    look = await ella.expect("Anna asks you to look at their gateway.")
    not_yet = await ella.tap(look, "Confirm gateway")
    assert "Not yet" in not_yet.text and "the employer's decision" in not_yet.text
    decided = await ella.tap(look, "Anna works at or above the standard")
    assert "Recorded: your decision that Anna works at or above the standard." in decided.text

    await anna.send("/statement")
    mine = await anna.click("I confirm")
    assert "Apprentice: confirmed by Anna" in mine.text
    theirs = await ella.expect("Anna confirmed the employer and apprentice statement.")
    assert "valid and attributable to the apprentice, Anna" in theirs["text"]
    confirmed = await ella.tap(theirs, "I confirm")
    assert "Employer: confirmed by Ella" in confirmed.text
    await anna.expect("Ella confirmed the employer and apprentice statement.")

    ready = await ella.send("/gateway")
    assert ready.text.count("✅") == 6
    done = await ella.click("Confirm gateway", ready)
    today = date.today()  # the process and the test share a clock
    assert done.text.startswith("Gateway confirmed on ")
    await anna.expect("Ella confirmed your gateway on")
    with sqlite3.connect(running.db) as conn:
        gateway = conn.execute(
            "SELECT role, on_date FROM gateway_records WHERE kind = 'gateway'"
        ).fetchall()
        parties = conn.execute("SELECT party FROM statement_confirmations ORDER BY id").fetchall()
    assert [role for role, _ in gateway] == ["employer"]
    assert abs((date.fromisoformat(gateway[0][1]) - today).days) <= 1
    assert parties == [("apprentice",), ("employer",)]
