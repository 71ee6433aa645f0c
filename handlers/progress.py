"""/progress: hours against each unit minimum, criteria covered per unit, the biggest gaps."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exports import export_view
from exports.picture import progress_png
from exports.summary import summary
from handlers import texts
from handlers.callbacks import GapCB, MenuCB
from handlers.criteria import criterion_key, short_code
from handlers.keyboards import Button, keyboard
from handlers.replies import reply
from journal.bars import bar
from journal.coverage import biggest_gaps, coverage, tagged_refs, unit_counts
from journal.frameworks.registry import Registry
from journal.hours import format_minutes, unit_hours, units_in_use
from journal.snapshot import EntryRecord, PortfolioSnapshot
from journal.textnorm import shorten
from storage import entries as entry_repo
from storage.db import snapshot_session
from storage.files import FileStore
from storage.models import Portfolio
from storage.snapshots import load_snapshot

GAPS_SHOWN = 5


def _hours_text(
    records: list[EntryRecord] | PortfolioSnapshot, portfolio: Portfolio, registry: Registry
) -> list[str]:
    """Hours per unit; given a snapshot, the hours the supervisor confirmed beside them."""
    lines = []
    for framework_id in (pf.framework_id for pf in portfolio.frameworks):
        framework = registry.get(framework_id)
        if framework is None:
            continue
        for unit in units_in_use(unit_hours(records, framework), framework):
            cells, pct = bar(unit.minutes, unit.minimum_minutes)
            line = texts.PROGRESS_HOURS.format(
                unit=texts.escape(f"{framework.title.split()[0]} {unit.unit_code}"),
                done=format_minutes(unit.minutes),
                need=f"{unit.min_hours:g}",
                bar=cells,
                pct=pct,
            )
            if isinstance(records, PortfolioSnapshot):
                line += texts.PROGRESS_CONFIRMED.format(
                    confirmed=format_minutes(unit.confirmed_minutes)
                )
                if unit.confirmed_short_minutes:
                    short = format_minutes(unit.confirmed_short_minutes)
                    line += texts.PROGRESS_TO_CONFIRM.format(short=short)
            lines.append(line)
    return lines


async def hours_lines(
    sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio, registry: Registry
) -> list[str]:
    """Hours so far against each unit minimum, read from the session log only."""
    async with sessions() as session:
        records = await entry_repo.session_records(session, portfolio.id)
    return _hours_text(records, portfolio, registry)


async def send_progress(
    target: Message,
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    registry: Registry,
    files_root: Path,
    now: datetime,
    confirmed_hours_units: tuple[str, ...] | None = None,
) -> None:
    async with snapshot_session(sessions) as session:
        snapshot = await load_snapshot(
            session, portfolio.id, files_root, now, confirmed_hours_units=confirmed_hours_units
        )
    frameworks = [f for f in (registry.get(i) for i in snapshot.framework_ids) if f]
    if not frameworks:
        await reply(target, texts.PROGRESS_EMPTY)
        return
    lines = [texts.PROGRESS_HEAD, *_hours_text(snapshot, portfolio, registry)]
    refs = tagged_refs(snapshot.entries)
    covered = [(f, coverage(snapshot, f, refs)) for f in frameworks]
    for framework, rows in covered:
        lines.append(f"\n<b>{texts.escape(framework.title)}</b>")
        lines += [
            texts.PROGRESS_UNIT.format(
                unit=texts.escape(u.unit_code), covered=u.covered, total=u.criteria
            )
            for u in unit_counts(framework, rows)
        ]
    buttons: list[list[Button]] = [
        [(shorten(f"{short_code(c)} {c.text}", 48), GapCB(c=criterion_key(registry, c.id)))]
        for c in biggest_gaps(covered, GAPS_SHOWN)
    ]
    if buttons:
        lines.append(f"\n{texts.PROGRESS_GAPS}")
    buttons.append(
        [(texts.MENU_LOG, MenuCB(act="log")), (texts.MENU_ENTRIES, MenuCB(act="entries"))]
    )
    await reply(target, "\n".join(lines), reply_markup=keyboard(buttons))
    # The hours and the red/amber/green criteria map as a picture under the text.
    png = await asyncio.to_thread(_picture, snapshot, registry)
    await target.answer_photo(BufferedInputFile(png, filename="progress.png"))


def _picture(snapshot: PortfolioSnapshot, registry: Registry) -> bytes:
    found = summary(export_view(snapshot, registry))
    hours = [
        (f"{fw.id} {u.unit_code}", u.minutes, u.confirmed_minutes, u.minimum_minutes)
        for fw in (registry.get(i) for i in snapshot.framework_ids)
        if fw
        for u in units_in_use(unit_hours(snapshot, fw), fw)
    ]
    return progress_png(found, hours)


def build_router() -> Router:
    router = Router(name="progress")

    @router.message(Command("progress"))
    async def progress(
        message: Message,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
        registry: Registry,
        files: FileStore,
        now: datetime,
        confirmed_hours_units: tuple[str, ...] | None = None,
    ) -> None:
        if portfolio is None:
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        await send_progress(
            message, sessions, portfolio, registry, files.root, now, confirmed_hours_units
        )

    return router
