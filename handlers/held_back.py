"""An anonymised export held back because it would still name someone: what the apprentice is
told (which file, which name, what to do) and the buttons that fix it: remove the file from
its entry, or clean its metadata (a picture's EXIF, a PDF's document information), which is
read again before it replaces the file.

The reading is exports.attachment_check; what counts as a name, journal.anonymity_rules.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import datetime
from pathlib import Path

from aiogram import Bot, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exports.attachment_check import cleaned_copy, read_all
from handlers import texts
from handlers.keyboards import Button, keyboard
from handlers.replies import reply
from journal.anonymity_rules import NamesFound, attachment_hits, document_finder
from journal.permissions import may_change
from journal.portfolio_rules import one_qualification
from journal.st1379_rules import ST1379
from journal.textnorm import shorten, split_html
from storage.db import snapshot_session
from storage.files import FileStore, sha256_of
from storage.models import Attachment, Entry, Person, Portfolio
from storage.snapshots import load_snapshot
from storage.uow import writing

log = logging.getLogger(__name__)
BUTTON_FILE_CHARS = 28
MAX_FILE_BUTTONS = 8  # a keyboard of more is hard to read; the rest are listed in the text
HASH_CHARS = 16  # of the file's sha256 in a button: callback data stays under 64 bytes


class HeldCB(CallbackData, prefix="hb"):
    act: str  # "rm" remove the file from its entry, "cl" clean its metadata
    r: str  # the entry's ref
    h: str  # the start of the file's sha256


def held_back_text(refused: NamesFound) -> str:
    lines = [texts.EXPORT_HELD_BACK]
    for problem in refused.files:
        file, ref = texts.escape(problem.file), problem.entry_ref
        if problem.problem is not None:
            lines.append(
                texts.EXPORT_HELD_UNREADABLE.format(
                    file=file, ref=ref, problem=texts.escape(problem.problem)
                )
            )
        else:
            found = texts.escape(", ".join(problem.found))
            lines.append(texts.EXPORT_HELD_FILE.format(file=file, ref=ref, found=found))
    for where, name in refused.texts:
        lines.append(
            texts.EXPORT_HELD_TEXT.format(where=texts.escape(where), name=texts.escape(name))
        )
    if refused.files:
        lines += ["", texts.EXPORT_HELD_FILES_WHAT]
    if refused.texts:
        lines += ["", texts.EXPORT_HELD_TEXTS_WHAT]
    return "\n".join(lines)


def held_back_keyboard(refused: NamesFound) -> InlineKeyboardMarkup | None:
    rows: list[list[Button]] = []
    for problem in refused.files[:MAX_FILE_BUTTONS]:
        file = shorten(problem.file, BUTTON_FILE_CHARS)
        cb = {"r": problem.entry_ref, "h": problem.sha256[:HASH_CHARS]}
        row: list[Button] = [(texts.ANON_REMOVE.format(file=file), HeldCB(act="rm", **cb))]
        if problem.cleanable:
            row.append((texts.ANON_CLEAN.format(file=file), HeldCB(act="cl", **cb)))
        rows.append(row)
    return keyboard(rows) if rows else None


async def tell_held_back(bot: Bot, chat_id: int, refused: NamesFound, *, owner: bool) -> None:
    """The apprentice (`owner`) is told which file and which name, with the buttons; anyone
    else (an assessor downloading) only that the export is held back."""
    if not owner:
        await bot.send_message(chat_id, texts.EXPORT_HELD_READER)
        return
    *first, last = split_html(held_back_text(refused))  # many files: several messages
    for part in first:
        await bot.send_message(chat_id, part)
    await bot.send_message(chat_id, last, reply_markup=held_back_keyboard(refused))


async def _attachment(
    session: AsyncSession, portfolio_id: int, cb: HeldCB
) -> tuple[Entry | None, Attachment | None]:
    entry = await session.scalar(
        select(Entry).where(
            Entry.portfolio_id == portfolio_id, Entry.ref == cb.r, Entry.deleted_at.is_(None)
        )
    )
    if entry is None:
        return None, None
    found = next((a for a in entry.attachments if a.sha256.startswith(cb.h)), None)
    return entry, found


def _name(attachment: Attachment, ref: str) -> str:
    return texts.escape(attachment.original_name or f"the {attachment.kind} of {ref}")


async def _still_names(
    sessions: async_sessionmaker[AsyncSession],
    portfolio_id: int,
    files: FileStore,
    path: Path,
    now: datetime,
) -> str | None:
    """What a cleaned file still names, read as the export reads it; None when nothing."""
    async with snapshot_session(sessions) as session:
        snapshot = await load_snapshot(session, portfolio_id, files.root, now)
    if ST1379 in snapshot.framework_ids:
        snapshot = one_qualification(snapshot, ST1379)
    [reading] = await asyncio.to_thread(read_all, [path])
    if reading.problem is not None:
        return reading.problem
    found = [
        f"“{leak.hit.written}” ({leak.where})"
        for leak in attachment_hits(reading.pieces, document_finder(snapshot))
    ]
    if reading.located:
        found.append("a GPS position")
    return ", ".join(found) or None


def build_router() -> Router:
    router = Router(name="held_back")

    @router.callback_query(HeldCB.filter())
    async def fix(
        query: CallbackQuery,
        callback_data: HeldCB,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        files: FileStore,
        now: datetime,
        update_id: int | None,
    ) -> None:
        target = query.message
        if portfolio is None or person is None or target is None:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        async with sessions() as session:
            entry, attachment = await _attachment(session, portfolio.id, callback_data)
            if entry is not None and not may_change(entry.author_id, person.id):
                await query.answer(texts.NOT_AUTHOR, show_alert=True)
                return
            if entry is None or attachment is None:
                await query.answer(texts.ANON_GONE, show_alert=True)
                return
            name, old_path, kind = _name(attachment, entry.ref), attachment.path, attachment.kind
        await query.answer()
        if callback_data.act == "rm":
            async with writing(sessions, update_id) as session:
                entry, attachment = await _attachment(session, portfolio.id, callback_data)
                if attachment is not None:
                    await session.delete(attachment)
            files.remove(old_path)  # after the commit: the row no longer points at it
            await reply(target, texts.ANON_REMOVED.format(file=name, ref=callback_data.r))
            return
        if callback_data.act != "cl":
            await reply(target, texts.STALE_BUTTON)
            return
        try:
            cleaned = await asyncio.to_thread(cleaned_copy, files.absolute(old_path))
        except Exception as error:  # a file that cannot be rewritten here is replaced by hand
            # The type only: a message could carry words from the file.
            log.warning("an attachment could not be cleaned (%s)", type(error).__name__)
            cleaned = None
        if cleaned is None:
            await reply(target, texts.ANON_CANT_CLEAN.format(file=name))
            return
        relative = f"{portfolio.id}/{secrets.token_hex(12)}{Path(old_path).suffix[:10]}"
        new_path = files.absolute(relative)
        await asyncio.to_thread(new_path.write_bytes, cleaned)
        still = await _still_names(sessions, portfolio.id, files, new_path, now)
        if still is not None:
            new_path.unlink(missing_ok=True)
            await reply(
                target, texts.ANON_CLEAN_NOT_ENOUGH.format(file=name, found=texts.escape(still))
            )
            return
        digest = await asyncio.to_thread(sha256_of, new_path)
        async with writing(sessions, update_id) as session:
            entry, attachment = await _attachment(session, portfolio.id, callback_data)
            if attachment is not None and attachment.kind == kind:
                attachment.path, attachment.sha256 = relative, digest
                attachment.size = len(cleaned)
        if attachment is None:
            new_path.unlink(missing_ok=True)
            await reply(target, texts.ANON_GONE)
            return
        files.remove(old_path)
        await reply(target, texts.ANON_CLEANED.format(file=name))

    return router
