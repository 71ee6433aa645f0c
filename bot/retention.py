"""The daily retention job: what is past the centre's period is archived (if asked) and erased.

`RETENTION_DAYS` unset means the job is not scheduled. The rule is `journal.retention`; the job
is a plain `async def` function, because APScheduler 3 awaits only coroutine functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.exporting import Exporter, Format
from bot.settings import Settings
from journal.clock import utcnow
from journal.frameworks.registry import load_registry
from journal.retention import past_retention, retention_period
from storage.erasure import leave_no_trace
from storage.files import FileStore
from storage.retention import Destroyed, destroy_past_retention, portfolio_activity
from storage.uow import writing

log = logging.getLogger(__name__)
JOB_ID = "retention"


def _exporter(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Exporter:
    registry = load_registry(settings.frameworks_dir)
    return Exporter(
        sessions,
        registry,
        settings.files_dir,
        settings.exports_dir,
        signing_key_file=settings.signing_key_file,
        confirmed_hours_units=settings.confirmed_units,
        # The centre's archive, not an export for an assessor: never held back for a name.
        check_names=False,
    )


async def _archive(
    exporter: Exporter, archive_dir: Path, portfolio_ids: list[int], now: datetime
) -> tuple[list[int], list[Path]]:
    """The bundle of each portfolio into the centre's archive; one that fails is kept for now."""
    ready: list[int] = []
    written: list[Path] = []
    for portfolio_id in portfolio_ids:
        out = archive_dir / f"portfolio-{portfolio_id}-{now:%Y-%m-%d}.zip"
        try:
            written.append(await exporter.build(portfolio_id, Format.ZIP, now, out))
        except Exception as exc:  # one portfolio that fails must not stop the others
            # The type only: a message could carry a file name or someone's words.
            log.error(
                "retention: portfolio %d could not be archived (%s); kept until the next run",
                portfolio_id,
                type(exc).__name__,
            )
            continue
        ready.append(portfolio_id)
    return ready, written


async def run_retention(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
) -> Destroyed:
    """Erase what is past retention; logs what went, as counts and internal ids only."""
    period = retention_period(settings.retention_days)
    if period is None:
        return Destroyed()
    now = clock()
    async with sessions() as session:
        expired = past_retention(await portfolio_activity(session), now, period)
    exporter = _exporter(sessions, settings) if expired else None
    archived: list[Path] = []
    if exporter is not None and settings.retention_archive_dir is not None:
        expired, archived = await _archive(exporter, settings.retention_archive_dir, expired, now)
    async with writing(sessions) as session:
        destroyed = await destroy_past_retention(session, expired, now, period)
    destroyed.archived = archived
    store = FileStore(settings.files_dir)
    for path in destroyed.files:
        store.remove(path)
    if exporter is not None:
        for portfolio_id in destroyed.portfolios:
            await exporter.forget(portfolio_id)
    if destroyed.anything:
        await leave_no_trace(sessions)
    log.info(
        "retention of %d days: erased %d portfolio(s) %s, %d deleted entries, "
        "%d people %s; archived %d",
        settings.retention_days,
        len(destroyed.portfolios),
        destroyed.portfolios,
        destroyed.entries,
        len(destroyed.people),
        destroyed.people,
        len(archived),
    )
    return destroyed


def add_retention_job(
    scheduler: AsyncIOScheduler,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
    *,
    first_run: datetime | None = None,
) -> Job | None:
    """Once a day, and once at start-up (or at `first_run`); nothing without a period.

    Coalescing and no misfire limit: after downtime the job runs once, at once.
    """
    if retention_period(settings.retention_days) is None:
        return None
    return scheduler.add_job(
        run_retention,
        "interval",
        days=1,
        kwargs={"sessions": sessions, "settings": settings, "clock": clock},
        id=JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=first_run or datetime.now(UTC),
    )
