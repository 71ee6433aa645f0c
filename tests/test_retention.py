"""Retention: what a centre's period selects (no database), and the daily job that erases it."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from pydantic import ValidationError
from sqlalchemy import func, select, update

from bot.retention import add_retention_job, run_retention
from bot.settings import Settings
from exports.bundle import verify_bundle
from exports.signing import read_public_key
from journal.retention import (
    Activity,
    deleted_entry_past_retention,
    past_retention,
    person_past_retention,
    retention_period,
)
from storage.models import (
    Attachment,
    Entry,
    EntryRevision,
    FsmRecord,
    Person,
    Portfolio,
    Prompt,
)
from tests.botkit import onboard_mentor
from tests.conftest import log_session

NOW = datetime(2030, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


# --- The rule -------------------------------------------------------------------------------


def test_a_portfolio_is_past_retention_when_its_last_activity_is_older_than_the_period():
    idle = Activity(1, created_at=at(900), latest=(at(400), None, at(500)))
    busy = Activity(2, created_at=at(900), latest=(at(400), at(10)))
    assert past_retention([idle, busy], NOW, YEAR) == [1]


def test_a_new_portfolio_without_entries_counts_from_its_creation():
    assert past_retention([Activity(1, created_at=at(366))], NOW, YEAR) == [1]
    assert past_retention([Activity(2, created_at=at(364))], NOW, YEAR) == []


def test_a_portfolio_closed_recently_is_kept_for_the_whole_period_after():
    closed = Activity(1, created_at=at(900), latest=(at(800),), closed_at=at(100))
    assert past_retention([closed], NOW, YEAR) == []


def test_no_period_means_no_retention():
    assert retention_period(None) is None
    assert retention_period(0) is None
    assert retention_period(30) == timedelta(days=30)


def test_a_person_goes_only_once_nothing_of_theirs_is_left_and_they_are_old_enough():
    assert person_past_retention(at(400), holds_records=False, now=NOW, period=YEAR)
    assert not person_past_retention(at(400), holds_records=True, now=NOW, period=YEAR)
    assert not person_past_retention(at(10), holds_records=False, now=NOW, period=YEAR)


def test_an_entry_deleted_longer_ago_than_the_period_is_destroyed():
    assert deleted_entry_past_retention(at(400), NOW, YEAR)
    assert not deleted_entry_past_retention(at(10), NOW, YEAR)
    assert not deleted_entry_past_retention(None, NOW, YEAR)


# --- The job --------------------------------------------------------------------------------


def skip_ahead(clock, days: float) -> None:
    """Past the real time too: portfolios and people are stamped when created, not by `clock`."""
    clock.now = max(clock.now, datetime.now(UTC)) + timedelta(days=days)


async def join_another(mentor, member) -> None:
    await mentor.send("/invite")
    reply = await mentor.click("Mentee")
    await member.send(f"/start {reply.text.rsplit('start=', 1)[1].split()[0]}")


def retaining(settings, days=365, **more):
    return settings.model_copy(update={"retention_days": days, **more})


async def count(services, model, *where) -> int:
    async with services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def evidence_photo(mentor) -> None:
    await mentor.send_photo(b"\xff\xd8" + b"x" * 500, caption="Checklist")
    await mentor.click("Evidence")
    await mentor.click("Product evidence")
    await mentor.click("Today")


async def test_an_idle_portfolio_is_erased_with_its_people_files_and_exports(
    mentor, mentee, services, settings, clock, caplog
):
    await log_session(mentor)
    await evidence_photo(mentor)
    await services.exporter.build(1, "xlsx", clock())
    assert any(settings.files_dir.rglob("*.*")) and any(settings.exports_dir.rglob("*.xlsx"))
    skip_ahead(clock, 366)
    with caplog.at_level(logging.INFO, logger="bot.retention"):
        done = await run_retention(services.sessions, retaining(settings), clock)
    assert done.portfolios == [1]
    for model in (Portfolio, Entry, Attachment, Prompt, Person):
        assert await count(services, model) == 0, model.__name__
    assert await count(services, FsmRecord) == 0
    assert not any(p.is_file() for p in settings.files_dir.rglob("*"))
    assert not any(p.is_file() for p in settings.exports_dir.rglob("*"))
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.retention"]
    assert "1 portfolio" in line and "[1]" in line and "2 people" in line
    assert "Anna" not in line and "Jon" not in line


async def test_a_portfolio_active_within_the_period_is_kept(
    mentor, mentee, services, settings, clock
):
    await log_session(mentor)
    skip_ahead(clock, 300)
    await log_session(mentor, when="Today")
    clock.advance(days=100)
    done = await run_retention(services.sessions, retaining(settings), clock)
    assert done.portfolios == [] and done.people == []
    assert await count(services, Entry) == 2


async def test_a_person_still_in_a_live_portfolio_is_kept(
    mentor, mentee, make_client, services, settings, clock
):
    await log_session(mentor)
    skip_ahead(clock, 300)
    bea = make_client("Bea")
    await onboard_mentor(bea)
    await join_another(bea, mentee)
    await log_session(bea, who="Jon")
    clock.advance(days=100)
    done = await run_retention(services.sessions, retaining(settings), clock)
    assert done.portfolios == [1]
    async with services.sessions() as session:
        names = set(await session.scalars(select(Person.name)))
    assert names == {"Bea", "Jon"}


async def test_an_entry_deleted_long_ago_goes_from_a_live_portfolio(
    mentor, mentee, services, settings, clock
):
    await log_session(mentor)
    await mentor.send("/entries")
    await mentor.click(lambda t: t.startswith("E-0001"))
    await mentor.click("Delete")
    skip_ahead(clock, 366)
    await log_session(mentor)
    done = await run_retention(services.sessions, retaining(settings), clock)
    assert done.portfolios == [] and done.entries == 1
    async with services.sessions() as session:
        assert list(await session.scalars(select(Entry.ref))) == ["E-0002"]


async def test_retention_is_off_unless_the_centre_sets_a_period(mentor, services, settings, clock):
    assert settings.retention_days is None
    skip_ahead(clock, 5000)
    done = await run_retention(services.sessions, settings, clock)
    assert done.portfolios == [] and await count(services, Portfolio) == 1


async def test_with_an_archive_the_bundle_is_kept_there_before_the_erasure(
    mentor, mentee, services, settings, clock, tmp_path
):
    await log_session(mentor)
    skip_ahead(clock, 366)
    archive = tmp_path / "archive"
    done = await run_retention(
        services.sessions, retaining(settings, retention_archive_dir=archive), clock
    )
    [bundle] = archive.glob("*.zip")
    assert done.archived == [bundle]
    assert verify_bundle(bundle, read_public_key(settings.signing_key_file)) == []
    assert await count(services, Portfolio) == 0


async def test_the_daily_job_is_a_coroutine_that_runs_at_start_and_after_downtime(
    services, settings, clock
):
    scheduler = AsyncIOScheduler(timezone=UTC)
    assert add_retention_job(scheduler, services.sessions, settings, clock) is None
    job = add_retention_job(scheduler, services.sessions, retaining(settings), clock)
    assert job.func is run_retention
    assert job.coalesce is True and job.misfire_grace_time is None and job.max_instances == 1
    assert job.trigger.interval == timedelta(days=1)
    assert abs(job.next_run_time - datetime.now(UTC)) < timedelta(minutes=1)


def test_an_empty_retention_setting_keeps_everything_and_zero_days_is_refused(monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "")
    monkeypatch.setenv("RETENTION_ARCHIVE_DIR", "")
    assert Settings(_env_file=None).retention_days is None
    assert Settings(_env_file=None).retention_archive_dir is None
    monkeypatch.setenv("RETENTION_DAYS", "0")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


async def test_the_centre_can_apply_retention_once_from_the_command_line(
    mentor, mentee, services, settings, monkeypatch, capsys
):
    from bot.cli import main

    await log_session(mentor)
    old = datetime.now(UTC) - timedelta(days=800)
    async with services.sessions() as session, session.begin():
        for model, column in (
            (Portfolio, "created_at"),
            (Person, "created_at"),
            (Entry, "recorded_at"),
            (EntryRevision, "created_at"),
        ):
            await session.execute(update(model).values({column: old}))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(settings.files_dir))
    monkeypatch.setenv("EXPORTS_DIR", str(settings.exports_dir))
    assert await asyncio.to_thread(main, ["privacy", "retention"]) == 2
    assert "RETENTION_DAYS is not set" in capsys.readouterr().err
    monkeypatch.setenv("RETENTION_DAYS", "365")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        assert await asyncio.to_thread(main, ["privacy", "retention"]) == 0
    finally:  # the command sets up logging as `mentorlog run` does
        root.handlers[:], root.level = handlers, level
    assert await count(services, Portfolio) == 0 and await count(services, Person) == 0
