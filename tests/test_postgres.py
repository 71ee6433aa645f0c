"""The same journal on PostgreSQL: the schema, a logged session and prompts claimed with
FOR UPDATE SKIP LOCKED by two schedulers. Runs where MENTORLOG_TEST_POSTGRES_URL names an
empty database (e.g. postgresql+asyncpg://mentorlog:mentorlog@127.0.0.1:5432/mentorlog_test)."""

import asyncio
import os

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.types import User
from sqlalchemy import select, text

from bot.app import build_dispatcher, build_services
from bot.prompter import Limiter, run_due_prompts
from bot.settings import Settings
from journal.prompting import PromptKind
from storage import prompts as prompt_repo
from storage.assessment import record_mark
from storage.migrate import upgrade_async
from storage.models import Base, Entry, Mark, Person, Prompt
from storage.people import create_portfolio
from storage.uow import writing
from tests.botkit import ChatClient, OfflineSession, invite_and_join, onboard_mentor
from tests.conftest import log_session
from tests.test_invitation_race import ONE_JOINS, two_people_open_one_link_at_once

URL = os.environ.get("MENTORLOG_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(
    not URL, reason="set MENTORLOG_TEST_POSTGRES_URL to run on PostgreSQL"
)


@pytest.fixture
async def pg_services(tmp_path, clock):
    settings = Settings(_env_file=None, database_url=URL, files_dir=tmp_path / "files")
    services = build_services(settings, clock=clock)
    async with services.engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await upgrade_async(URL)
    yield services
    await services.engine.dispose()


async def test_a_session_logged_on_postgresql_is_claimed_once_by_two_schedulers(
    pg_services, bot, clock
):
    dp = build_dispatcher(pg_services)
    anna = ChatClient(dp=dp, bot=bot, user=User(id=901, is_bot=False, first_name="Anna"))
    jon = ChatClient(dp=dp, bot=bot, user=User(id=902, is_bot=False, first_name="Jon"))
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await log_session(anna)
    assert "Saved as <b>E-0001</b>" in anna.last.text
    async with pg_services.sessions() as session:
        assert (await session.scalar(select(Entry))).duration_minutes == 75

    async with writing(pg_services.sessions) as session:
        mentor = await session.scalar(select(Person).where(Person.telegram_id == 901))
        for n in range(40):
            await prompt_repo.schedule(
                session,
                kind=PromptKind.NOTICE,
                person=mentor,
                due_at=clock(),
                now=clock(),
                payload={"event": "hours", "who": f"P{n}", "ref": "E-0001", "minutes": 60},
            )
    other = build_services(pg_services.settings, clock=clock)
    bots = [Bot(token="42:TEST-token-not-real", session=OfflineSession()) for _ in range(2)]
    limiter = Limiter(per_second=1000, per_chat_seconds=0)

    async def drain(services, outbox: Bot, worker: str) -> None:
        sent_now = 1
        while sent_now:
            sent_now = await run_due_prompts(
                outbox, services.sessions, clock(), worker_id=worker, limiter=limiter, batch=5
            )
            await asyncio.sleep(0)

    try:
        await asyncio.gather(drain(pg_services, bots[0], "one"), drain(other, bots[1], "two"))
    finally:
        await other.engine.dispose()
    texts = [
        c.text.split()[0]
        for outbox in bots
        for c in outbox.session.calls
        if isinstance(c, SendMessage) and c.chat_id == 901
    ]
    assert sorted(texts) == sorted(f"P{n}" for n in range(40))
    async with pg_services.sessions() as session:
        states = set(await session.scalars(select(Prompt.state).where(Prompt.kind == "notice")))
    assert states == {"sent"}


async def test_every_ilm_mark_sheet_section_fits_on_postgresql(pg_services, clock):
    # PostgreSQL enforces column lengths, which SQLite ignores.
    ilm = pg_services.registry.get("ilm")
    async with writing(pg_services.sessions) as session:
        assessor = Person(telegram_id=903, timezone="Europe/London")
        session.add(assessor)
        await session.flush()
        portfolio = await create_portfolio(session, assessor, ["ilm"])
        for sheet in ilm.extra["mark_sheets"]:
            for section in sheet["sections"]:
                record_mark(
                    session,
                    portfolio_id=portfolio.id,
                    framework_id="ilm",
                    sheet=sheet["unit"],
                    section=section["title"],
                    value="10",
                    assessor_id=assessor.id,
                    now=clock(),
                )
    async with pg_services.sessions() as session:
        titles = set(await session.scalars(select(Mark.section)))
    assert max(map(len, titles)) > 32


async def test_two_people_opening_one_invitation_at_once_on_postgresql_one_joins(
    pg_services, clock
):
    other = build_services(pg_services.settings, clock=clock)
    try:
        outcomes = await two_people_open_one_link_at_once(pg_services, other, clock, trials=20)
    finally:
        await other.engine.dispose()
    wrong = sum(outcome != ONE_JOINS for outcome in outcomes)
    assert outcomes == [ONE_JOINS] * 20, f"{wrong} of 20 trials let both in"
