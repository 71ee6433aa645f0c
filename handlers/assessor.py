"""Assessors: their candidates, the three files, decisions per criterion, ILM marks, ST1379 grades.

Assessors read and decide; nothing here can change evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, FSInputFile, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import AssessCB, QaCB
from handlers.criteria import criterion_from_key, criterion_key, short_code
from handlers.filters import TypedText
from handlers.held_back import tell_held_back
from handlers.keyboards import Button, chunked, keyboard
from handlers.marksheet import details_text
from journal.anonymity_rules import NamesFound
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
from journal.ecomentor_record import (
    ECOMENTOR,
    ELIGIBILITY,
    ELIGIBILITY_KIND,
    ELIGIBILITY_OUTCOMES,
    FEEDBACK_KIND,
    PLAN_KIND,
    QUALITIES,
    STAGE_KIND,
    STAGE_OUTCOMES,
    STAGES,
    evidence_refs,
    picked,
    qualities_text,
    record_summary,
)
from journal.frameworks.registry import Registry
from journal.grading import (
    STRENGTHS,
    WEAKNESSES,
    MarkError,
    ilm_outcome,
    mark_sheet,
    mark_sheets,
    method_grades,
    section_mark,
    st1379_overall,
)
from journal.hours import format_minutes
from journal.parsing import InputError, clean_text
from storage import assessment
from storage.db import snapshot_session
from storage.models import Person
from storage.people import Role
from storage.snapshots import load_snapshot
from storage.uow import writing

UPLOAD_LIMIT = 50 * 1024 * 1024
FORMATS = {"xlsx": texts.EXPORT_XLSX, "pdf": texts.EXPORT_PDF, "zip": texts.EXPORT_ZIP}


DOWNLOAD_SEPARATOR = "|"  # "zip|ilm": the bundle of the ILM qualification


class BuildsExports(Protocol):
    async def build(
        self,
        portfolio_id: int,
        fmt: str,
        now: datetime,
        *,
        framework: str | None = None,
        assessor: bool = False,
    ) -> Path: ...

    async def forget(self, portfolio_id: int) -> None: ...

    async def refusal(
        self, portfolio_id: int, now: datetime, framework: str | None = None
    ) -> NamesFound | None: ...


class AssessState(StatesGroup):
    comment = State()
    mark = State()
    note = State()
    detail = State()
    judge = State()
    record_text = State()


async def send_export(
    bot: Bot,
    chat_id: int,
    exporter: BuildsExports,
    portfolio_id: int,
    fmt: str,
    now: datetime,
    upload_limit: int | None,
    framework: str | None = None,
    *,
    assessor: bool = False,
    owner: bool = False,
) -> None:
    """Build one file (off the event loop) and send it; say plainly when it is too big.
    An anonymised export that would still name someone is not sent: the portfolio's
    `owner` is told which file and name (handlers.held_back), anyone else that it waits.

    `framework` is the qualification it is for (None: the portfolio's only one); `assessor`:
    the assessor's own download, with the ST1379 grades (the gateway portfolio has none)."""
    try:
        async with ChatActionSender.upload_document(bot=bot, chat_id=chat_id):
            path = await exporter.build(
                portfolio_id, fmt, now, framework=framework, assessor=assessor
            )
    except NamesFound as refused:
        await tell_held_back(bot, chat_id, refused, owner=owner)
        return
    except LookupError:  # a qualification the portfolio no longer follows, or none chosen
        await bot.send_message(chat_id, texts.STALE_BUTTON)
        return
    size = path.stat().st_size
    if upload_limit and size > upload_limit:
        await bot.send_message(
            chat_id,
            texts.EXPORT_TOO_BIG.format(
                size=round(size / 1048576),
                portfolio=portfolio_id,
                fmt=fmt,
                framework=f" --framework {framework}" if framework else "",
            ),
        )
        return
    await bot.send_document(chat_id, FSInputFile(path, filename=path.name))


def qualification_label(registry: Registry, framework_id: str) -> str:
    """A qualification as a button names it: the first word of its title ("ILM", "ST1379")."""
    framework = registry.get(framework_id)
    words = framework.title.split() if framework else []
    return words[0] if words and len(words[0]) <= 12 else framework_id


def download_rows(
    framework_ids: tuple[str, ...], registry: Registry, button: Callable[[str], Any]
) -> list[list[Button]]:
    """The three files' buttons: one row for a portfolio of one qualification, one row per
    qualification ("ILM workbook", "ILM diary", "ILM bundle") when it follows several.
    `button` makes the callback data from "xlsx" or "xlsx|ilm"."""
    if len(framework_ids) <= 1:
        return [[(label, button(fmt)) for fmt, label in FORMATS.items()]]
    return [
        [
            (
                texts.EXPORT_FOR.format(
                    qualification=qualification_label(registry, fid), file=texts.EXPORT_FILES[fmt]
                ),
                button(f"{fmt}{DOWNLOAD_SEPARATOR}{fid}"),
            )
            for fmt in FORMATS
        ]
        for fid in framework_ids
    ]


def download_choice(value: str) -> tuple[str, str | None] | None:
    """("xlsx", "ilm") from "xlsx|ilm", ("xlsx", None) from "xlsx"; None if not a download."""
    fmt, _, framework = value.partition(DOWNLOAD_SEPARATOR)
    return (fmt, framework or None) if fmt in FORMATS else None


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
            await query.answer(await _refusal(sessions, callback_data.p), show_alert=True)
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
        elif act == "sheets":
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
                return
            await state.set_state(AssessState.note)
            await state.set_data({"p": pid, "sheet": sheet["key"], "step": 0})
            await _ask_note(target, sheet, 0, pid)
        elif act == "nskip":
            await _next_note(target, state, registry, pid)
        elif act in ECO_ACTS:
            if "ecomentor" not in framework_ids:
                await target.answer(texts.STALE_BUTTON)
                return
            await _eco(target, state, sessions, person, pid, act, value, files_root, now, update_id)
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
                return
            await state.set_state(AssessState.mark)
            await state.set_data({"p": pid, "sheet": sheet["key"], "marks": {}})
            await _ask_mark(target, sheet, {})
        elif act == "grade":
            table = registry.get("st1379").extra["overall_grades"]
            buttons = [
                (g, AssessCB(p=pid, act="go", v=g)) for g in method_grades(table, "observation")
            ]
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
                return
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
            await message.answer(await _refusal(sessions, data.get("p", 0)))
            return
        sheet = mark_sheet(registry.get("ilm"), data["sheet"])
        sections = sheet["sections"]
        current = sections[len(data["marks"])]
        try:
            mark = section_mark(current, message.text or "")
        except MarkError:
            await message.answer(texts.MARK_BAD.format(max=current["max"]))
            return
        data["marks"][current["title"]] = mark
        if len(data["marks"]) < len(sections):
            await state.set_data(data)
            await _ask_mark(message, sheet, data["marks"])
            return
        result = ilm_outcome(sheet, data["marks"])
        async with writing(sessions, update_id) as session:
            assessment.record_sheet_marks(
                session,
                portfolio_id=data["p"],
                sheet=data["sheet"],
                marks=data["marks"],
                marker_id=person.id,
                now=now,
            )
        await state.clear()
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
        allowed = await _still_assessor(message, state, sessions, person, data.get("p", 0))
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
        allowed = await _still_assessor(message, state, sessions, person, data.get("p", 0))
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

    @router.message(StateFilter(AssessState.judge), TypedText())
    async def judgement_comment(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        data = await state.get_data()
        allowed = await _still_assessor(message, state, sessions, person, data.get("p", 0))
        if allowed is None or person is None:
            return
        if not data.get("asking"):
            await message.answer(texts.ECO_QUALITIES.format(ref=data.get("ref", "")))
            return
        try:
            text = clean_text(message.text or "", limit=1000)
        except InputError as err:
            await message.answer(texts.escape(err.message))
            return
        await _save_judgement(message, state, sessions, person, text, now, update_id)

    @router.message(StateFilter(AssessState.record_text), TypedText())
    async def record_text(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        data = await state.get_data()
        allowed = await _still_assessor(message, state, sessions, person, data.get("p", 0))
        if allowed is None or person is None:
            return
        kind = data.get("kind", "")
        if kind not in ECO_TEXTS:
            await state.clear()
            await message.answer(texts.STALE_BUTTON)
            return
        try:
            text = clean_text(message.text or "", limit=3000)
        except InputError as err:
            await message.answer(texts.escape(err.message))
            return
        async with writing(sessions, update_id) as session:
            assessment.record_assessment(
                session,
                portfolio_id=allowed.id,
                framework_id=ECOMENTOR,
                kind=kind,
                text=text,
                person_id=person.id,
                now=now,
            )
        await state.clear()
        await message.answer(
            texts.ECO_TEXT_SAVED.format(what=ECO_TEXTS[kind], text=texts.escape(text))
        )

    return router


NOTE_FIELDS = (STRENGTHS, WEAKNESSES)
# EcoMentor record: the menu, judging an item (list, entry, toggle a quality, save, no comment),
# eligibility (menu, value), a typed record (plan, feedback), stages (list, stage, outcome).
ECO_ACTS = {"eco", "jl", "je", "jq", "js", "jn", "el", "ev", "rt", "sl", "sg", "so"}
ECO_TEXTS = {PLAN_KIND: texts.ECO_PLAN, FEEDBACK_KIND: texts.ECO_FEEDBACK}
ENTRIES_LISTED = 10


def _qualities_keyboard(pid: int, qualities: dict[str, bool]) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [
        [(f"{'✓' if qualities.get(q) else '✗'} {q}", AssessCB(p=pid, act="jq", v=q))]
        for q in QUALITIES
    ]
    rows.append([(texts.SAVE, AssessCB(p=pid, act="js"))])
    return keyboard(rows)


async def _eco(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person: Person | None,
    pid: int,
    act: str,
    value: str,
    files_root: Path,
    now: datetime,
    update_id: int | None,
) -> None:
    """EcoMentor's record (journal.ecomentor_record): judgements, eligibility, plan, feedback,
    validation stages. The caller has checked that `person` assesses portfolio `pid`."""
    assert person is not None
    if act == "eco":
        async with snapshot_session(sessions) as session:
            snapshot = await load_snapshot(session, pid, files_root, now)
        lines = [texts.ECO_RECORD_HEAD] + [
            f"{texts.escape(label)}: {texts.escape(text)}"
            for label, text in record_summary(snapshot)
        ]
        rows: list[list[Button]] = [
            [(texts.ECO_JUDGE, AssessCB(p=pid, act="jl"))],
            [(texts.ECO_ELIGIBILITY, AssessCB(p=pid, act="el"))],
            [(texts.ECO_PLAN, AssessCB(p=pid, act="rt", v=PLAN_KIND))],
            [(texts.ECO_FEEDBACK, AssessCB(p=pid, act="rt", v=FEEDBACK_KIND))],
            [(texts.ECO_STAGES, AssessCB(p=pid, act="sl"))],
        ]
        await target.answer("\n".join(lines), reply_markup=keyboard(rows))
    elif act == "jl":
        async with snapshot_session(sessions) as session:
            snapshot = await load_snapshot(session, pid, files_root, now)
            ids = await assessment.entry_ids(session, pid)
        claimed = set(evidence_refs(snapshot))
        entries = sorted(snapshot.entries, key=lambda e: (e.ref not in claimed, e.ref))
        rows = [
            [
                (
                    f"{e.ref} · {e.kind} · {e.occurred_on.day} {e.occurred_on:%b}",
                    AssessCB(p=pid, act="je", v=str(ids[e.ref])),
                )
            ]
            for e in entries[:ENTRIES_LISTED]
            if e.ref in ids
        ]
        if not rows:
            await target.answer(texts.ECO_NO_ENTRIES)
            return
        await target.answer(texts.ECO_PICK_ENTRY, reply_markup=keyboard(rows))
    elif act == "je":
        async with sessions() as session:
            entry = await assessment.live_entry(session, pid, int(value) if value.isdigit() else 0)
        if entry is None:
            await target.answer(texts.STALE_BUTTON)
            return
        qualities = dict.fromkeys(QUALITIES, True)
        await state.set_state(AssessState.judge)
        await state.set_data({"p": pid, "entry": entry.id, "ref": entry.ref, "q": qualities})
        await target.answer(
            texts.ECO_QUALITIES.format(ref=entry.ref),
            reply_markup=_qualities_keyboard(pid, qualities),
        )
    elif act in {"jq", "js", "jn"}:
        data = await state.get_data()
        if await state.get_state() != AssessState.judge.state or data.get("p") != pid:
            await target.answer(texts.STALE_BUTTON)
            return
        if act == "jq" and value in QUALITIES:
            data["q"][value] = not data["q"][value]
            await state.set_data(data)
            await target.answer(
                texts.ECO_QUALITIES.format(ref=data["ref"]),
                reply_markup=_qualities_keyboard(pid, data["q"]),
            )
        elif act == "js":
            await state.update_data(asking=True)
            await target.answer(
                texts.ECO_JUDGE_COMMENT.format(ref=data["ref"]),
                reply_markup=keyboard([[(texts.SKIP, AssessCB(p=pid, act="jn"))]]),
            )
        elif act == "jn" and data.get("asking"):
            await _save_judgement(target, state, sessions, person, None, now, update_id)
        else:
            await target.answer(texts.STALE_BUTTON)
    elif act == "el":
        items = "\n".join(f"{r.key}. {texts.escape(r.text)}" for r in ELIGIBILITY)
        rows = [
            [
                (f"{r.key} {outcome}", AssessCB(p=pid, act="ev", v=f"{r.key}|{i}"))
                for i, outcome in enumerate(ELIGIBILITY_OUTCOMES)
            ]
            for r in ELIGIBILITY
        ]
        await target.answer(
            texts.ECO_ELIGIBILITY_ASK.format(items=items), reply_markup=keyboard(rows)
        )
    elif act == "ev" and (
        chosen := picked(value, (r.key for r in ELIGIBILITY), ELIGIBILITY_OUTCOMES)
    ):
        key, outcome = chosen
        await _record_outcome(sessions, update_id, pid, ELIGIBILITY_KIND, chosen, person, now)
        await target.answer(texts.ECO_ELIGIBILITY_SAVED.format(key=key, outcome=outcome))
    elif act == "rt" and value in ECO_TEXTS:
        await state.set_state(AssessState.record_text)
        await state.set_data({"p": pid, "kind": value})
        await target.answer(texts.ECO_TEXT_ASK.format(what=ECO_TEXTS[value].lower()))
    elif act == "sl":
        rows = [[(s.title, AssessCB(p=pid, act="sg", v=s.key))] for s in STAGES]
        await target.answer(texts.ECO_STAGE_PICK, reply_markup=keyboard(rows))
    elif act == "sg" and (stage := next((s for s in STAGES if s.key == value), None)):
        rows = [
            [
                (o.capitalize(), AssessCB(p=pid, act="so", v=f"{stage.key}|{i}"))
                for i, o in enumerate(STAGE_OUTCOMES)
            ]
        ]
        await target.answer(
            texts.ECO_STAGE_ASK.format(
                stage=stage.title, description=texts.escape(stage.description)
            ),
            reply_markup=keyboard(rows),
        )
    elif act == "so" and (chosen := picked(value, (s.key for s in STAGES), STAGE_OUTCOMES)):
        key, outcome = chosen
        title = next(s.title for s in STAGES if s.key == key)
        await _record_outcome(sessions, update_id, pid, STAGE_KIND, chosen, person, now)
        await target.answer(texts.ECO_STAGE_SAVED.format(stage=title, outcome=outcome))
    else:
        await target.answer(texts.STALE_BUTTON)


async def _record_outcome(
    sessions: async_sessionmaker[AsyncSession],
    update_id: int | None,
    pid: int,
    kind: str,
    chosen: tuple[str, str],
    person: Person,
    now: datetime,
) -> None:
    """An EcoMentor eligibility requirement or validation stage with its outcome."""
    key, outcome = chosen
    async with writing(sessions, update_id) as session:
        assessment.record_assessment(
            session,
            portfolio_id=pid,
            framework_id=ECOMENTOR,
            kind=kind,
            key=key,
            outcome=outcome,
            person_id=person.id,
            now=now,
        )


async def _save_judgement(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person: Person,
    comment: str | None,
    now: datetime,
    update_id: int | None,
) -> None:
    data = await state.get_data()
    async with writing(sessions, update_id) as session:
        entry = await assessment.live_entry(session, data["p"], data["entry"])
        if entry is not None:
            assessment.record_judgement(
                session,
                portfolio_id=data["p"],
                entry_id=entry.id,
                assessor_id=person.id,
                qualities=data["q"],
                comment=comment,
                now=now,
            )
    await state.clear()
    if entry is None:
        await target.answer(texts.STALE_BUTTON)
        return
    await target.answer(
        texts.ECO_JUDGED.format(ref=data["ref"], qualities=qualities_text(data["q"]))
    )


async def _still_assessor(
    message: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person: Person | None,
    portfolio_id: int,
) -> Any:
    """The portfolio if this person still assesses it; otherwise says why and ends the step."""
    if person is None:
        await state.clear()
        await message.answer(texts.NEEDS_START)
        return None
    async with sessions() as session:
        allowed = await assessment.assessed_portfolio(session, portfolio_id, person.id)
    if allowed is None:
        await state.clear()
        await message.answer(await _refusal(sessions, portfolio_id))
    return allowed


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


def _decide_keyboard(pid: int, key: str, *, met: bool = True) -> InlineKeyboardMarkup:
    buttons = [(texts.MET, AssessCB(p=pid, act="dec", v=f"{MET}|{key}"))] if met else []
    buttons.append((texts.NOT_YET, AssessCB(p=pid, act="dec", v=f"{NOT_YET}|{key}")))
    return keyboard([buttons])


async def _refusal(sessions: async_sessionmaker[AsyncSession], portfolio_id: int) -> str:
    """Why an assessor's tap or answer is refused: the portfolio is gone, or not theirs."""
    async with sessions() as session:
        exists = await assessment.portfolio_exists(session, portfolio_id)
    return texts.NOT_ASSESSOR if exists else texts.PORTFOLIO_GONE


async def _ask_mark(target: Message, sheet: dict[str, Any], marks: dict[str, int]) -> None:
    section = sheet["sections"][len(marks)]
    await target.answer(
        texts.MARK_ASK.format(
            sheet=texts.escape(sheet["unit"]),
            section=texts.escape(section["title"]),
            max=section["max"],
            min=section["min"],
        )
    )


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
        await target.answer(await _refusal(sessions, data["p"]))
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
