"""The assessor's EcoMentor record (journal.ecomentor_record): each evidence item judged on the
five qualities with a comment, the candidate's eligibility, the assessment plan, feedback and
the validation stages with their outcomes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.assessor_common import AssessState, still_assessor
from handlers.callbacks import AssessCB
from handlers.filters import TypedText
from handlers.keyboards import Button, keyboard
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
from journal.parsing import InputError, clean_text
from storage import assessment
from storage.db import snapshot_session
from storage.models import Person
from storage.snapshots import load_snapshot
from storage.uow import writing

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


async def eco(
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


def build_router() -> Router:
    router = Router(name="assessor_ecomentor")

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
        allowed = await still_assessor(message, state, sessions, person, data.get("p", 0))
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
        allowed = await still_assessor(message, state, sessions, person, data.get("p", 0))
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
