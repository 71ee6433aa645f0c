"""The three files (workbook, diary, bundle) as buttons and as a sent document: built off the
event loop, refused plainly when too big, and held back when an anonymised export would still
name someone. Used by assessors, quality assurers, the mentor's /export and /mydata."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from aiogram import Bot
from aiogram.types import FSInputFile
from aiogram.utils.chat_action import ChatActionSender

from handlers import texts
from handlers.held_back import tell_held_back
from handlers.keyboards import Button
from journal.anonymity_rules import NamesFound
from journal.frameworks.registry import Registry

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
