"""/progress: hours against each unit minimum, criteria covered per unit, the biggest gaps."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exports import export_view
from exports.picture import progress_png
from exports.summary import summary
from handlers import texts
from handlers.apprenticeship import otj_progress_lines
from handlers.callbacks import GapCB, MenuCB, TaskCB
from handlers.criteria import criterion_key, short_code
from handlers.flow_steps import begin, resume
from handlers.gateway_view import progress_lines as gateway_progress_lines
from handlers.keyboards import Button, keyboard
from handlers.replies import reply
from handlers.st1379_access import employer_text
from journal.bars import bar
from journal.clock import utcnow
from journal.coverage import biggest_gaps, coverage, tagged_refs, unit_counts
from journal.frameworks.registry import Registry
from journal.hours import format_minutes, unit_hours, units_in_use
from journal.snapshot import EntryRecord, PortfolioSnapshot
from journal.tasks import STARTS, TaskStatus, first_missing_flow, statuses
from journal.textnorm import shorten
from storage import entries as entry_repo
from storage.db import snapshot_session
from storage.files import FileStore
from storage.models import Person, Portfolio
from storage.snapshots import load_snapshot

GAPS_SHOWN = 5
# A task with more elements than this (EcoMentor's 56 and 50 criteria) is shown by its counts
# and first missing elements in /progress, not element by element.
ELEMENTS_LISTED = 12
MISSING_NAMED = 3  # elements named in one "still needs" line
TASK_BUTTONS = 4


def _needs_line(status: TaskStatus) -> str:
    missing = status.missing
    items = "; ".join(texts.escape(m.element.short) for m in missing[:MISSING_NAMED])
    if len(missing) > MISSING_NAMED:
        items += texts.TASK_MORE.format(count=len(missing) - MISSING_NAMED)
    return texts.TASK_NEEDS.format(task=texts.escape(status.task.code), items=items)


def _task_button(status: TaskStatus) -> list[Button]:
    """A button starting the flow of the task's first missing element that has one."""
    start = first_missing_flow(status)
    if start is None:
        return []
    element = next(m.element for m in status.missing if m.element.flow == start)
    label = shorten(f"{status.task.code}: {texts.TASK_BUTTON.format(item=element.short)}", 48)
    return [(label, TaskCB(s=start))]


def task_progress_lines(found: list[TaskStatus]) -> tuple[list[str], list[list[Button]]]:
    """/progress: each task's elements met (with the refs that meet them) and still missing."""
    if not found:
        return [], []
    lines = [texts.TASKS_HEAD]
    for status in found:
        lines.append(
            texts.TASK_LINE.format(
                task=texts.escape(status.task.code),
                title=texts.escape(status.task.title),
                met=len(status.met),
                total=len(status.elements),
            )
        )
        if len(status.elements) <= ELEMENTS_LISTED:
            for element in status.elements:
                item = texts.escape(element.element.short)
                if element.met:
                    lines.append(texts.TASK_MET.format(item=item, refs=", ".join(element.refs)))
                else:
                    lines.append(texts.TASK_MISSING.format(item=item))
        elif status.missing:
            lines.append(_needs_line(status))
    buttons = [b for b in (_task_button(s) for s in found if s.missing) if b][:TASK_BUTTONS]
    return lines, buttons


def saved_task_lines(
    found: list[TaskStatus], entry: EntryRecord
) -> tuple[list[str], list[list[Button]]]:
    """After a save: the task elements the entry meets, and what those tasks (or, when it
    meets none, the tasks its kind can serve) still need, with a button for the next one."""
    counted = [s for s in found if any(entry.ref in e.refs for e in s.elements)]
    served = counted or [
        s
        for s in found
        if s.missing
        and any(entry.kind in m.element.kinds and not m.element.tagged for m in s.missing)
    ]
    lines = [
        texts.TASK_COUNTS_FOR.format(
            task=texts.escape(s.task.code),
            items="; ".join(
                texts.escape(e.element.short) for e in s.elements if entry.ref in e.refs
            ),
        )
        for s in counted
    ]
    shown = served[:2]
    lines += [
        _needs_line(s) if s.missing else texts.TASK_ALL_MET.format(task=texts.escape(s.task.code))
        for s in shown
    ]
    buttons = [b for b in (_task_button(s) for s in shown if s.missing) if b][:1]
    return lines, buttons


async def task_statuses(
    sessions: async_sessionmaker[AsyncSession], portfolio: Portfolio, registry: Registry
) -> tuple[list[TaskStatus], dict[str, EntryRecord]]:
    """Every task of the portfolio's frameworks with the entries that meet its elements."""
    frameworks = [f for f in (registry.get(pf.framework_id) for pf in portfolio.frameworks) if f]
    if not any(f.tasks for f in frameworks):
        return [], {}
    async with snapshot_session(sessions) as session:
        snapshot = await load_snapshot(session, portfolio.id, Path("."), utcnow())
    return statuses(frameworks, snapshot.entries), {e.ref: e for e in snapshot.entries}


async def after_save_task_lines(
    sessions: async_sessionmaker[AsyncSession],
    portfolio: Portfolio,
    registry: Registry,
    entry_ref: str,
) -> tuple[list[str], list[list[Button]]]:
    """What a saved entry counts for, and what its tasks still need (handlers.tagging)."""
    found, records = await task_statuses(sessions, portfolio, registry)
    record = records.get(entry_ref)
    if record is None:
        return [], []
    return saved_task_lines(found, record)


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
    lines += await otj_progress_lines(sessions, portfolio, now)
    lines += await gateway_progress_lines(sessions, portfolio, files_root, now, registry)
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
    task_lines, task_buttons = task_progress_lines(statuses(frameworks, snapshot.entries))
    lines += task_lines
    buttons: list[list[Button]] = [
        [(shorten(f"{short_code(c)} {c.text}", 48), GapCB(c=criterion_key(registry, c.id)))]
        for c in biggest_gaps(covered, GAPS_SHOWN)
    ]
    if buttons:
        lines.append(f"\n{texts.PROGRESS_GAPS}")
    buttons = [*task_buttons, *buttons]
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
        person: Person | None,
        portfolio: Portfolio | None,
        registry: Registry,
        files: FileStore,
        now: datetime,
        confirmed_hours_units: tuple[str, ...] | None = None,
    ) -> None:
        if portfolio is None:
            # An apprentice's employer is pointed to what is theirs (/gateway, /statement).
            await reply(message, await employer_text(sessions, person) or texts.NEEDS_PORTFOLIO)
            return
        await send_progress(
            message, sessions, portfolio, registry, files.root, now, confirmed_hours_units
        )

    @router.callback_query(TaskCB.filter())
    async def fill_task(
        query: CallbackQuery,
        callback_data: TaskCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
    ) -> None:
        """A "D3.06: Add ..." button: the flow that fills that element."""
        if portfolio is None or query.message is None or callback_data.s not in STARTS:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        flow, answers = STARTS[callback_data.s]
        if not await resume(query.message, state, sessions, portfolio):
            await begin(query.message, state, sessions, portfolio, flow, dict(answers))

    return router
