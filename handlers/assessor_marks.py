"""The assessor's ILM mark sheets (marks per section, strengths and weaknesses, the sheet's
details) and ST1379 method grades."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.assessor_common import AssessState, refusal, still_assessor
from handlers.callbacks import AssessCB
from handlers.filters import TypedText
from handlers.keyboards import chunked, keyboard
from handlers.marksheet import details_text
from journal.frameworks.registry import Registry
from journal.grading import MarkError
from journal.ilm_marks import IlmResult, ilm_outcome, mark_sheet, mark_sheets, section_mark
from journal.ilm_sheet_forms import STRENGTHS, WEAKNESSES
from journal.parsing import InputError, clean_text
from journal.st1379_grades import method_grades, st1379_overall
from storage import assessment
from storage.models import Person
from storage.uow import writing

NOTE_FIELDS = (STRENGTHS, WEAKNESSES)


async def marks_tapped(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person: Person,
    registry: Registry,
    pid: int,
    act: str,
    value: str,
    files_root: Path,
    now: datetime,
    update_id: int | None,
) -> bool:
    """An assessor's tap on the marks, notes, details or grades of portfolio `pid` (which the
    caller has checked they assess); False when `act` is none of those."""
    if act == "sheets":
        # The sheets as printed: one button for the joint D3.01 and D3.02 sheet.
        buttons = [
            (str(sheet["unit"]), AssessCB(p=pid, act="sheet", v=sheet["key"]))
            for sheet in mark_sheets(registry.get("ilm"))
        ]
        await target.answer(texts.MARK_SHEET, reply_markup=keyboard(chunked(buttons, 3)))
    elif act == "notes":
        try:
            sheet = mark_sheet(registry.get("ilm"), value)
        except MarkError:
            await target.answer(texts.STALE_BUTTON)
            return True
        await state.set_state(AssessState.note)
        await state.set_data({"p": pid, "sheet": sheet["key"], "step": 0})
        await _ask_note(target, sheet, 0, pid)
    elif act == "nskip":
        await _next_note(target, state, registry, pid)
    elif act == "det":
        await _show_details(target, sessions, pid, files_root, now)
    elif act == "setf" and value in texts.DETAIL_LABELS:
        await state.set_state(AssessState.detail)
        await state.set_data({"p": pid, "field": value})
        label = texts.DETAIL_LABELS[value].lower()
        await target.answer(texts.DETAIL_ASK.format(label=label))
    elif act == "sheet":
        ilm = registry.get("ilm")
        try:
            sheet = mark_sheet(ilm, value)
        except (KeyError, ValueError, AttributeError):
            await target.answer(texts.STALE_BUTTON)
            return True
        await state.set_state(AssessState.mark)
        await state.set_data({"p": pid, "sheet": sheet["key"], "marks": {}})
        await ask_mark(target, sheet, {}, "assessor")
    elif act == "grade":
        table = registry.get("st1379").extra["overall_grades"]
        buttons = [(g, AssessCB(p=pid, act="go", v=g)) for g in method_grades(table, "observation")]
        await target.answer(
            texts.GRADE_ASK.format(method="the observation with questioning"),
            reply_markup=keyboard([buttons]),
        )
    elif act == "go":
        table = registry.get("st1379").extra["overall_grades"]
        buttons = [
            (g, AssessCB(p=pid, act="gd", v=f"{value}|{g}"))
            for g in method_grades(table, "discussion")
        ]
        await target.answer(
            texts.GRADE_ASK.format(method="the professional discussion"),
            reply_markup=keyboard([buttons]),
        )
    elif act == "gd":
        table = registry.get("st1379").extra["overall_grades"]
        observation, _, discussion = value.partition("|")
        try:
            overall = st1379_overall(observation, discussion, table)
        except MarkError:
            await target.answer(texts.STALE_BUTTON)
            return True
        async with writing(sessions, update_id) as session:
            for method, grade in (("observation", observation), ("discussion", discussion)):
                assessment.record_mark(
                    session,
                    portfolio_id=pid,
                    framework_id="st1379",
                    sheet="EPA",
                    section=method,
                    value=grade,
                    assessor_id=person.id,
                    now=now,
                )
        await target.answer(
            texts.GRADE_RESULT.format(
                overall=texts.escape(overall),
                observation=texts.escape(observation),
                discussion=texts.escape(discussion),
            )
        )
    else:
        return False
    return True


def build_router() -> Router:
    router = Router(name="assessor_marks")

    @router.message(StateFilter(AssessState.mark), TypedText())
    async def mark(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
        now: datetime,
        update_id: int | None,
    ) -> None:
        if person is None:
            await state.clear()
            await message.answer(texts.NEEDS_START)
            return
        data = await state.get_data()
        async with sessions() as session:
            allowed = await assessment.assessed_portfolio(session, data.get("p", 0), person.id)
        if allowed is None:
            await state.clear()
            await message.answer(await refusal(sessions, data.get("p", 0)))
            return
        sheet = mark_sheet(registry.get("ilm"), data["sheet"])
        result = await take_section_mark(
            message, state, sessions, sheet, data, person, now, update_id, role="assessor"
        )
        if result is None:
            return
        await message.answer(
            texts.MARK_RESULT.format(
                sheet=texts.escape(str(sheet["unit"])), summary=texts.escape(result.summary())
            ),
            reply_markup=keyboard(
                [[(texts.SHEET_NOTES, AssessCB(p=data["p"], act="notes", v=sheet["key"]))]]
            ),
        )

    @router.message(StateFilter(AssessState.note), TypedText())
    async def note(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        registry: Registry,
        now: datetime,
        update_id: int | None,
    ) -> None:
        data = await state.get_data()
        allowed = await still_assessor(message, state, sessions, person, data.get("p", 0))
        if allowed is None or person is None:
            return
        try:
            text = clean_text(message.text or "", limit=1000)
        except InputError as err:
            await message.answer(texts.escape(err.message))
            return
        step = int(data.get("step", 0))
        field = NOTE_FIELDS[step % len(NOTE_FIELDS)]
        async with writing(sessions, update_id) as session:
            assessment.record_sheet_note(
                session,
                portfolio_id=allowed.id,
                framework_id="ilm",
                sheet=data["sheet"],
                field=field,
                section=str(step // len(NOTE_FIELDS) + 1),
                text=text,
                person_id=person.id,
                now=now,
            )
        await _next_note(message, state, registry, allowed.id)

    @router.message(StateFilter(AssessState.detail), TypedText())
    async def detail(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        now: datetime,
        update_id: int | None,
        files_root: Path,
    ) -> None:
        data = await state.get_data()
        allowed = await still_assessor(message, state, sessions, person, data.get("p", 0))
        field = data.get("field", "")
        if allowed is None:
            return
        if field not in assessment.DETAIL_FIELDS:
            await state.clear()
            await message.answer(texts.STALE_BUTTON)
            return
        try:
            value = clean_text(message.text or "", limit=assessment.DETAIL_FIELDS[field])
        except InputError as err:
            await message.answer(texts.escape(err.message))
            return
        async with writing(sessions, update_id) as session:
            await assessment.set_detail(session, allowed.id, field, value)
        await state.clear()
        await _show_details(message, sessions, allowed.id, files_root, now)

    return router


async def _ask_note(target: Message, sheet: Any, step: int, pid: int) -> None:
    section = sheet["sections"][step // len(NOTE_FIELDS)]
    field = NOTE_FIELDS[step % len(NOTE_FIELDS)]
    await target.answer(
        texts.SHEET_NOTE_ASK.format(
            sheet=texts.escape(str(sheet["unit"])),
            section=texts.escape(section["title"]),
            field=texts.SHEET_NOTE_FIELDS[field],
        ),
        reply_markup=keyboard([[(texts.SKIP, AssessCB(p=pid, act="nskip"))]]),
    )


async def _next_note(target: Message, state: FSMContext, registry: Registry, pid: int) -> None:
    data = await state.get_data()
    if await state.get_state() != AssessState.note.state or data.get("p") != pid:
        await target.answer(texts.STALE_BUTTON)
        return
    sheet = mark_sheet(registry.get("ilm"), data["sheet"])
    step = int(data.get("step", 0)) + 1
    if step >= len(sheet["sections"]) * len(NOTE_FIELDS):
        await state.clear()
        await target.answer(texts.SHEET_NOTES_KEPT.format(sheet=texts.escape(str(sheet["unit"]))))
        return
    await state.update_data(step=step)
    await _ask_note(target, sheet, step, pid)


async def _show_details(
    target: Message,
    sessions: async_sessionmaker[AsyncSession],
    pid: int,
    files_root: Path,
    now: datetime,
) -> None:
    """The mark-sheet details; an assessor sets the centre and numbers, never authenticity."""
    text, _ = await details_text(sessions, pid, files_root, now)
    rows = [
        [(label, AssessCB(p=pid, act="setf", v=field))]
        for field, label in texts.DETAIL_LABELS.items()
    ]
    await target.answer(text, reply_markup=keyboard(rows))


ASK_MARK = {"assessor": texts.MARK_ASK, "qa": texts.QA_MARK_ASK}


async def ask_mark(
    target: Message, sheet: dict[str, Any], marks: dict[str, int], role: str
) -> None:
    """The next section's mark, for the assessor's or (role "qa") the quality assurer's column."""
    section = sheet["sections"][len(marks)]
    await target.answer(
        ASK_MARK[role].format(
            sheet=texts.escape(str(sheet["unit"])),
            section=texts.escape(section["title"]),
            max=section["max"],
            min=section["min"],
        )
    )


async def take_section_mark(
    message: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    sheet: dict[str, Any],
    data: dict[str, Any],
    person: Person,
    now: datetime,
    update_id: int | None,
    *,
    role: str,
) -> IlmResult | None:
    """One typed section mark of a sheet: asks again when it is out of range, asks the next
    section, or records the whole sheet and returns its outcome (the step then ends)."""
    current = sheet["sections"][len(data["marks"])]
    try:
        data["marks"][current["title"]] = section_mark(current, message.text or "")
    except MarkError:
        await message.answer(texts.MARK_BAD.format(max=current["max"]))
        return None
    if len(data["marks"]) < len(sheet["sections"]):
        await state.set_data(data)
        await ask_mark(message, sheet, data["marks"], role)
        return None
    async with writing(sessions, update_id) as session:
        assessment.record_sheet_marks(
            session,
            portfolio_id=data["p"],
            sheet=sheet["key"],
            marks=data["marks"],
            marker_id=person.id,
            now=now,
            role=role,
        )
    await state.clear()
    return ilm_outcome(sheet, data["marks"])
