"""Assessors: their candidates, the three files and decisions per criterion; the ILM marks and
ST1379 grades are in handlers.assessor_marks, the EcoMentor record in handlers.assessor_ecomentor.

Assessors read and decide; nothing here can change evidence.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.assessor_common import AssessState, refusal
from handlers.assessor_ecomentor import ECO_ACTS, eco
from handlers.assessor_marks import marks_tapped
from handlers.callbacks import AssessCB, QaCB
from handlers.criteria import criterion_from_key, criterion_key, short_code
from handlers.downloads import BuildsExports, download_choice, download_rows, send_export
from handlers.filters import TypedText
from handlers.keyboards import Button, keyboard
from journal.assessment import (
    MET,
    NOT_YET,
    OUTCOMES,
    CriterionDecisions,
    decision_problem,
    decision_trail,
    trail_text,
)
from journal.coverage import latest_decisions, tagged_refs
from journal.frameworks.registry import Registry
from journal.hours import format_minutes
from journal.parsing import InputError, clean_text
from storage import assessment
from storage.db import snapshot_session
from storage.models import Person
from storage.people import Role
from storage.snapshots import load_snapshot
from storage.uow import writing


def _menu(
    portfolio_id: int, framework_ids: tuple[str, ...], registry: Registry
) -> InlineKeyboardMarkup:
    rows = download_rows(framework_ids, registry, lambda v: AssessCB(p=portfolio_id, act="x", v=v))
    more: list[Button] = [(texts.DECISIONS, AssessCB(p=portfolio_id, act="units"))]
    rows.append([(texts.DETAILS, AssessCB(p=portfolio_id, act="det"))])
    if "ilm" in framework_ids:
        more.append((texts.MARKS, AssessCB(p=portfolio_id, act="sheets")))
    if "st1379" in framework_ids:
        more.append((texts.GRADES, AssessCB(p=portfolio_id, act="grade")))
    rows.append(more)
    if "ecomentor" in framework_ids:
        rows.append([(texts.ECO_RECORD, AssessCB(p=portfolio_id, act="eco"))])
    return keyboard(rows)


def build_router() -> Router:
    router = Router(name="assessor")

    @router.message(Command("candidates"))
    async def candidates(
        message: Message,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
    ) -> None:
        if person is None:
            await message.answer(texts.NEEDS_START)
            return
        async with sessions() as session:
            found = await assessment.candidates(session, person.id)
        if not found:
            await message.answer(texts.CANDIDATES_NONE)
            return
        for c in found:
            frameworks = [f for f in (registry.get(i) for i in c.framework_ids) if f]
            line = texts.CANDIDATE_LINE.format(
                name=texts.escape(c.name),
                frameworks=", ".join(
                    texts.escape(f.title.split(" Certificate")[0]) for f in frameworks
                ),
                entries=texts.count_of(c.entries, "entry", "entries"),
                hours=format_minutes(c.minutes),
                covered=c.tagged_criteria,
                total=sum(len(f.criteria) for f in frameworks),
            )
            opening = (texts.OPEN, AssessCB(p=c.portfolio_id, act="open"))
            if c.role == Role.IQA:  # read-only: the quality assurer's own menu (handlers.qa)
                line += texts.QA_ROLE
                opening = (texts.OPEN, QaCB(p=c.portfolio_id, act="open"))
            await message.answer(line, reply_markup=keyboard([[opening]]))

    @router.callback_query(AssessCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: AssessCB,
        state: FSMContext,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
        exporter: BuildsExports,
        upload_limit: int | None,
        now: datetime,
        files_root: Path,
        update_id: int | None,
    ) -> None:
        async with sessions() as session:
            portfolio = (
                await assessment.assessed_portfolio(session, callback_data.p, person.id)
                if person
                else None
            )
        if portfolio is None or query.message is None:
            await query.answer(await refusal(sessions, callback_data.p), show_alert=True)
            return
        await query.answer()
        target, act, value, pid = query.message, callback_data.act, callback_data.v, portfolio.id
        framework_ids = tuple(pf.framework_id for pf in portfolio.frameworks)
        needs = {"sheets": "ilm", "sheet": "ilm", "grade": "st1379", "go": "st1379", "gd": "st1379"}
        if act in needs and (needs[act] not in framework_ids or registry.get(needs[act]) is None):
            await target.answer(texts.STALE_BUTTON)
            return
        if act == "open":
            async with sessions() as session:
                mentor = await session.get(Person, portfolio.mentor_id)
            await target.answer(
                texts.PORTFOLIO_MENU.format(name=texts.escape(mentor.name)),
                reply_markup=_menu(pid, framework_ids, registry),
            )
        elif act == "x" and (choice := download_choice(value)):
            fmt, framework = choice
            await target.answer(texts.EXPORT_BUILDING)
            await send_export(
                bot, target.chat.id, exporter, pid, fmt, now, upload_limit, framework, assessor=True
            )
        elif act == "units":
            rows = [
                [(f"{u.code} {u.title}"[:48], AssessCB(p=pid, act="unit", v=f"{fw.id}.{n}"))]
                for fw in (registry.get(i) for i in framework_ids)
                if fw
                for n, u in enumerate(fw.units)
            ]
            await target.answer(texts.DECIDE_UNIT, reply_markup=keyboard(rows))
        elif act == "unit":
            await _show_unit(target, sessions, registry, pid, value, framework_ids, files_root, now)
        elif act == "crit":
            criterion = criterion_from_key(registry, value, framework_ids)
            if criterion is None:
                await target.answer(texts.STALE_BUTTON)
                return
            async with snapshot_session(sessions) as session:
                snapshot = await load_snapshot(session, pid, files_root, now)
            refs = ", ".join(tagged_refs(snapshot.entries).get(criterion.id, ())) or "none yet"
            trail = decision_trail(snapshot.decisions).get(criterion.id, ())
            history = (
                texts.DECISION_NOW.format(
                    trail=texts.escape(
                        trail_text(CriterionDecisions(criterion.id, trail[-1], trail[:-1]))
                    )
                )
                if trail
                else ""
            )
            await target.answer(
                texts.DECIDE_ONE.format(
                    code=texts.escape(short_code(criterion)),
                    text=texts.escape(criterion.text),
                    refs=refs,
                )
                + history,
                reply_markup=_decide_keyboard(pid, value),
            )
        elif act == "dec":
            outcome, _, key = value.partition("|")
            criterion = criterion_from_key(registry, key, framework_ids)
            if outcome not in OUTCOMES or criterion is None:
                await target.answer(texts.STALE_BUTTON)
                return
            async with snapshot_session(sessions) as session:
                snapshot = await load_snapshot(session, pid, files_root, now)
            problem = decision_problem(outcome, tagged_refs(snapshot.entries).get(criterion.id, ()))
            if problem:
                await target.answer(
                    texts.escape(problem), reply_markup=_decide_keyboard(pid, key, met=False)
                )
                return
            await state.set_state(AssessState.comment)
            await state.set_data({"p": pid, "criterion": criterion.id, "outcome": outcome})
            await target.answer(
                texts.DECISION_COMMENT,
                reply_markup=keyboard([[(texts.SKIP, AssessCB(p=pid, act="nocomment"))]]),
            )
        elif act == "nocomment":
            await _save_decision(
                target, state, sessions, person, registry, None, now, update_id, files_root
            )
        elif act in ECO_ACTS:
            if "ecomentor" not in framework_ids:
                await target.answer(texts.STALE_BUTTON)
                return
            await eco(target, state, sessions, person, pid, act, value, files_root, now, update_id)
        elif not await marks_tapped(
            target, state, sessions, person, registry, pid, act, value, files_root, now, update_id
        ):
            await target.answer(texts.STALE_BUTTON)

    @router.message(StateFilter(AssessState.comment), TypedText())
    async def comment(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
        now: datetime,
        update_id: int | None,
        files_root: Path,
    ) -> None:
        try:
            text = clean_text(message.text or "", limit=1000)
        except InputError as err:
            await message.answer(texts.escape(err.message))
            return
        await _save_decision(
            message, state, sessions, person, registry, text, now, update_id, files_root
        )

    return router


def _decide_keyboard(pid: int, key: str, *, met: bool = True) -> InlineKeyboardMarkup:
    buttons = [(texts.MET, AssessCB(p=pid, act="dec", v=f"{MET}|{key}"))] if met else []
    buttons.append((texts.NOT_YET, AssessCB(p=pid, act="dec", v=f"{NOT_YET}|{key}")))
    return keyboard([buttons])


async def _show_unit(
    target: Message,
    sessions: async_sessionmaker[AsyncSession],
    registry: Registry,
    pid: int,
    value: str,
    framework_ids: tuple[str, ...],
    files_root: Path,
    now: datetime,
) -> None:
    framework_id, _, index = value.partition(".")
    framework = registry.get(framework_id) if framework_id in framework_ids else None
    if framework is None or not index.isdigit() or int(index) >= len(framework.units):
        await target.answer(texts.STALE_BUTTON)
        return
    unit = framework.units[int(index)]
    async with snapshot_session(sessions) as session:
        snapshot = await load_snapshot(session, pid, files_root, now)
    decisions = latest_decisions(snapshot.decisions)
    refs = tagged_refs(snapshot.entries)
    rows = []
    for criterion in unit.criteria:
        decision = decisions.get(criterion.id)
        mark = {"met": "✓ ", "not_yet": "✗ "}.get(decision.outcome, "") if decision else ""
        label = (
            f"{mark}{short_code(criterion)} ({len(refs.get(criterion.id, ()))}) {criterion.text}"[
                :60
            ]
        )
        rows.append([(label, AssessCB(p=pid, act="crit", v=criterion_key(registry, criterion.id)))])
    await target.answer(
        texts.DECIDE_CRITERIA.format(unit=texts.escape(unit.code)), reply_markup=keyboard(rows)
    )


async def _save_decision(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person: Person | None,
    registry: Registry,
    comment: str | None,
    now: datetime,
    update_id: int | None,
    files_root: Path,
) -> None:
    data = await state.get_data()
    if (
        person is None
        or await state.get_state() != AssessState.comment.state
        or "criterion" not in data
    ):
        await target.answer(texts.STALE_BUTTON)
        return
    async with sessions() as session:
        allowed = await assessment.assessed_portfolio(session, data["p"], person.id)
    if allowed is None:
        await state.clear()
        await target.answer(await refusal(sessions, data["p"]))
        return
    async with snapshot_session(sessions) as session:
        snapshot = await load_snapshot(session, data["p"], files_root, now)
    problem = decision_problem(
        data["outcome"], tagged_refs(snapshot.entries).get(data["criterion"], ())
    )
    if problem:  # the evidence went between the tap and the comment
        await state.clear()
        await target.answer(texts.escape(problem))
        return
    async with writing(sessions, update_id) as session:
        assessment.record_decision(
            session,
            portfolio_id=data["p"],
            criterion_id=data["criterion"],
            assessor_id=person.id,
            outcome=data["outcome"],
            comment=comment,
            now=now,
        )
    await state.clear()
    criterion = registry.criterion(data["criterion"])
    outcome = texts.MET if data["outcome"] == "met" else texts.NOT_YET
    await target.answer(
        texts.DECISION_SAVED.format(
            code=texts.escape(short_code(criterion)), outcome=outcome.lower()
        )
    )
    framework = registry.get(criterion.id.split(":")[0])
    index = next(i for i, u in enumerate(framework.units) if u.code == criterion.unit_code)
    frameworks = tuple(pf.framework_id for pf in allowed.frameworks)
    await _show_unit(
        target,
        sessions,
        registry,
        data["p"],
        f"{framework.id}.{index}",
        frameworks,
        files_root,
        now,
    )
