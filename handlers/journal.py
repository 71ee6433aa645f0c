"""Commands that start a guided entry (/log, /goal ...) and the save at the end of a flow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.apprenticeship import otj_tags
from handlers.flow import build_router as build_flow_router
from handlers.flow_steps import begin, resume
from handlers.flows import FLOWS
from handlers.replies import reply
from handlers.tagging import send_suggestions
from journal.entries import Kind
from journal.flow import draft_from
from journal.frameworks.registry import Registry
from journal.prompting import FEEDBACK_DELAY
from journal.tagging import Tagger
from storage import apprenticeships
from storage import entries as entry_repo
from storage import prompts as prompt_repo
from storage.files import FileStore, StoredFile
from storage.models import Entry, Person, Portfolio
from storage.uow import writing

# Each of these commands starts the flow of the same name.
COMMAND_FLOWS = ("log", "goal", "review", "reflect", "feedback", "supervision", "contract", "cpd")


async def save_answers(
    sessions: async_sessionmaker[AsyncSession],
    *,
    flow: str,
    answers: dict[str, Any],
    person: Person,
    portfolio: Portfolio,
    today: date,
    now: datetime,
    update_id: int | None,
    files: Sequence[StoredFile] = (),
    tags: Sequence[str] = (),
    feedback_delay: timedelta = FEEDBACK_DELAY,
) -> Entry:
    """Write the entry of a finished flow in one short transaction (replay-safe)."""
    spec = FLOWS[flow]
    draft = draft_from(spec, answers)
    occurred_on = date.fromisoformat(draft.occurred_on_iso) if draft.occurred_on_iso else today
    async with writing(sessions, update_id) as session:
        data = dict(draft.data)
        related = None
        if draft.goal_id is not None:
            goal_entry = await entry_repo.review_goal(
                session, draft.goal_id, portfolio.id, data.get("status")
            )
            if goal_entry is not None:
                related, data["goal_ref"] = goal_entry.id, goal_entry.ref
        entry = await entry_repo.create_entry(
            session,
            portfolio_id=portfolio.id,
            author_id=person.id,
            kind=spec.kind,
            occurred_on=occurred_on,
            data=data,
            now=now,
            duration_minutes=draft.duration_minutes,
            mentee_ids=draft.mentee_ids,
            related_entry_id=related,
        )
        for stored in files:
            entry_repo.add_attachment(
                entry,
                kind=stored.kind,
                path=stored.path,
                size=stored.size,
                sha256=stored.sha256,
                now=now,
                original_name=stored.original_name,
                mime_type=stored.mime_type,
            )
        for criterion_id in tags:
            await entry_repo.toggle_tag(session, entry, criterion_id, person.id, now)
        if spec.kind == Kind.SESSION:
            await prompt_repo.schedule_session_feedback(session, entry, now, feedback_delay)
        if spec.kind == Kind.OTJ:
            await apprenticeships.request_confirmation(session, entry, now)
    return entry


def build_router() -> Router:
    router = Router(name="journal")

    async def finish(
        target: Message,
        state: FSMContext,
        data: dict[str, Any],
        *,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio,
        person: Person,
        today: date,
        now: datetime,
        update_id: int | None,
        registry: Registry,
        tagger: Tagger,
        files: FileStore,
        bot: Bot,
        feedback_delay: timedelta,
        **_: Any,
    ) -> None:
        stored = [StoredFile(**f) for f in data.get("files", [])]
        entry = await save_answers(
            sessions,
            flow=data["flow"],
            answers=data["answers"],
            person=person,
            portfolio=portfolio,
            today=today,
            now=now,
            update_id=update_id,
            files=stored,
            tags=[*data.get("tags", []), *otj_tags(data["flow"], data["answers"], registry)],
            feedback_delay=feedback_delay,
        )
        await state.clear()
        await send_suggestions(target, entry, sessions, portfolio, registry, tagger)

    router.include_router(build_flow_router(finish))

    @router.message(Command(*COMMAND_FLOWS))
    async def start(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        portfolio: Portfolio | None,
    ) -> None:
        if portfolio is None:
            await reply(message, texts.NEEDS_PORTFOLIO)
            return
        if await resume(message, state, sessions, portfolio):
            return
        await begin(message, state, sessions, portfolio, command.command)

    @router.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        await state.clear()
        await reply(message, texts.CANCELLED)

    return router
