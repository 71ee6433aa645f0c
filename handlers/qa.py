"""Internal quality assurers: read a portfolio (its three files), sample the assessor's
decisions and agree or disagree with a comment (journal.quality). Nothing here changes
evidence, decisions or marks; every tap and answer is checked against the IQA membership."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.assessor_marks import ask_mark, take_section_mark
from handlers.callbacks import QaCB
from handlers.criteria import short_code
from handlers.downloads import BuildsExports, download_choice, download_rows, send_export
from handlers.filters import TypedText
from handlers.keyboards import Button, chunked, keyboard
from journal.assessment import CriterionDecisions, decision_trail, trail_text
from journal.coverage import tagged_refs
from journal.frameworks.registry import Registry
from journal.grading import MarkError
from journal.ilm_marks import mark_sheet, mark_sheets
from journal.parsing import InputError, clean_text
from journal.quality import AGREE, QA_OUTCOMES, sample_problem
from journal.textnorm import shorten
from storage import assessment
from storage.db import snapshot_session
from storage.models import Person
from storage.snapshots import load_snapshot
from storage.uow import writing


class QaState(StatesGroup):
    comment = State()
    mark = State()


def open_button(portfolio_id: int) -> Button:
    return (texts.OPEN, QaCB(p=portfolio_id, act="open"))


def _menu(pid: int, framework_ids: tuple[str, ...], registry: Registry) -> InlineKeyboardMarkup:
    rows = download_rows(framework_ids, registry, lambda v: QaCB(p=pid, act="x", v=v))
    more: list[Button] = [(texts.QA_SAMPLE, QaCB(p=pid, act="list"))]
    if "ilm" in framework_ids and registry.get("ilm") is not None:
        more.append((texts.QA_MARKS, QaCB(p=pid, act="sheets")))
    rows.append(more)
    return keyboard(rows)


async def _allowed(
    sessions: async_sessionmaker[AsyncSession], person: Person | None, pid: int
) -> tuple[bool, tuple[str, ...]]:
    if person is None:
        return False, ()
    async with sessions() as session:
        portfolio = await assessment.sampled_portfolio(session, pid, person.id)
        return portfolio is not None, tuple(
            pf.framework_id for pf in (portfolio.frameworks if portfolio else ())
        )


def build_router() -> Router:
    router = Router(name="qa")

    @router.callback_query(QaCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: QaCB,
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
        pid, act, value = callback_data.p, callback_data.act, callback_data.v
        allowed, framework_ids = await _allowed(sessions, person, pid)
        if not allowed or not isinstance(query.message, Message) or person is None:
            async with sessions() as session:
                exists = await assessment.portfolio_exists(session, pid)
            await query.answer(texts.NOT_IQA if exists else texts.PORTFOLIO_GONE, show_alert=True)
            return
        await query.answer()
        target = query.message
        if act == "open":
            async with sessions() as session:
                portfolio = await assessment.sampled_portfolio(session, pid, person.id)
                mentor = await session.get(Person, portfolio.mentor_id) if portfolio else None
            name = texts.escape(mentor.name if mentor else "")
            await target.answer(
                texts.PORTFOLIO_MENU.format(name=name),
                reply_markup=_menu(pid, framework_ids, registry),
            )
        elif act == "x" and (choice := download_choice(value)):
            fmt, framework = choice
            await target.answer(texts.EXPORT_BUILDING)
            await send_export(bot, target.chat.id, exporter, pid, fmt, now, upload_limit, framework)
        elif act == "list":
            async with sessions() as session:
                decisions = await assessment.current_decisions(session, pid)
            rows: list[list[Button]] = []
            for d in decisions:
                criterion = registry.criterion(d.criterion_id)
                if criterion is None:
                    continue
                mark = "✓" if d.outcome == "met" else "✗"
                label = shorten(f"{mark} {short_code(criterion)} {criterion.text}", 48)
                rows.append([(label, QaCB(p=pid, act="one", v=str(d.id)))])
            if not rows:
                await target.answer(texts.QA_NONE)
                return
            await target.answer(texts.QA_PICK, reply_markup=keyboard(rows))
        elif act == "one" and value.isdigit():
            async with sessions() as session:
                decision = await assessment.decision_in(session, pid, int(value))
            criterion = registry.criterion(decision.criterion_id) if decision else None
            if decision is None or criterion is None:
                await target.answer(texts.STALE_BUTTON)
                return
            async with snapshot_session(sessions) as session:
                snapshot = await load_snapshot(session, pid, files_root, now)
            trail = decision_trail(snapshot.decisions).get(criterion.id, ())
            refs = ", ".join(tagged_refs(snapshot.entries).get(criterion.id, ())) or "none"
            history = (
                trail_text(CriterionDecisions(criterion.id, trail[-1], trail[:-1])) if trail else ""
            )
            await target.answer(
                texts.QA_ONE.format(
                    code=texts.escape(short_code(criterion)),
                    text=texts.escape(criterion.text),
                    refs=refs,
                    trail=texts.escape(history),
                ),
                reply_markup=keyboard(
                    [
                        [
                            (texts.QA_AGREE, QaCB(p=pid, act="so", v=f"{decision.id}|0")),
                            (texts.QA_DISAGREE, QaCB(p=pid, act="so", v=f"{decision.id}|1")),
                        ]
                    ]
                ),
            )
        elif act == "so":
            decision_id, _, index = value.partition("|")
            if not decision_id.isdigit() or index not in {"0", "1"}:
                await target.answer(texts.STALE_BUTTON)
                return
            outcome = QA_OUTCOMES[int(index)]
            await state.set_state(QaState.comment)
            await state.set_data({"p": pid, "decision": int(decision_id), "outcome": outcome})
            skip = keyboard([[(texts.SKIP, QaCB(p=pid, act="skip"))]]) if outcome == AGREE else None
            await target.answer(
                texts.QA_COMMENT.format(optional=texts.QA_OPTIONAL if skip else ""),
                reply_markup=skip,
            )
        elif act == "sheets" and "ilm" in framework_ids:
            buttons = [
                (str(sheet["unit"]), QaCB(p=pid, act="sheet", v=sheet["key"]))
                for sheet in mark_sheets(registry.get("ilm"))
            ]
            await target.answer(texts.MARK_SHEET, reply_markup=keyboard(chunked(buttons, 3)))
        elif act == "sheet" and "ilm" in framework_ids:
            try:
                sheet = mark_sheet(registry.get("ilm"), value)
            except MarkError:
                await target.answer(texts.STALE_BUTTON)
                return
            await state.set_state(QaState.mark)
            await state.set_data({"p": pid, "sheet": sheet["key"], "marks": {}})
            await ask_mark(target, sheet, {}, "qa")
        elif act == "skip":
            await _save(target, state, sessions, person, registry, None, now, update_id, pid)
        else:
            await target.answer(texts.STALE_BUTTON)

    @router.message(StateFilter(QaState.comment), TypedText())
    async def comment(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
        now: datetime,
        update_id: int | None,
    ) -> None:
        pid = int((await state.get_data()).get("p", 0))
        allowed, _ = await _allowed(sessions, person, pid)
        if not allowed or person is None:
            await state.clear()
            await message.answer(texts.NOT_IQA)
            return
        try:
            text = clean_text(message.text or "", limit=1000)
        except InputError as err:
            await message.answer(texts.escape(err.message))
            return
        await _save(message, state, sessions, person, registry, text, now, update_id, pid)

    @router.message(StateFilter(QaState.mark), TypedText())
    async def qa_mark(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
        now: datetime,
        update_id: int | None,
    ) -> None:
        """The QA mark column of a mark sheet, section by section (role "qa")."""
        data = await state.get_data()
        allowed, _ = await _allowed(sessions, person, int(data.get("p", 0)))
        if not allowed or person is None:
            await state.clear()
            await message.answer(texts.NOT_IQA)
            return
        sheet = mark_sheet(registry.get("ilm"), data["sheet"])
        result = await take_section_mark(
            message, state, sessions, sheet, data, person, now, update_id, role="qa"
        )
        if result is None:
            return
        await message.answer(
            texts.QA_MARK_RESULT.format(
                sheet=texts.escape(str(sheet["unit"])), summary=texts.escape(result.summary())
            )
        )

    return router


async def _save(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person: Person,
    registry: Registry,
    comment: str | None,
    now: datetime,
    update_id: int | None,
    pid: int,
) -> None:
    data = await state.get_data()
    if await state.get_state() != QaState.comment.state or data.get("p") != pid:
        await target.answer(texts.STALE_BUTTON)
        return
    problem = sample_problem(data["outcome"], comment)
    if problem:
        await target.answer(texts.escape(problem))
        return
    async with writing(sessions, update_id) as session:
        decision = await assessment.decision_in(session, pid, data["decision"])
        if decision is not None:
            assessment.record_sample(
                session,
                portfolio_id=pid,
                decision_id=decision.id,
                iqa_id=person.id,
                outcome=data["outcome"],
                comment=comment,
                now=now,
            )
            criterion_id = decision.criterion_id
    await state.clear()
    if decision is None:
        await target.answer(texts.STALE_BUTTON)
        return
    criterion = registry.criterion(criterion_id)
    code = short_code(criterion) if criterion else criterion_id
    await target.answer(texts.QA_SAVED.format(code=texts.escape(code), outcome=data["outcome"]))
