"""What a message carries (text, photo, document, voice ...) and fetching its file."""

from __future__ import annotations

import mimetypes
from typing import Any

from aiogram import Bot
from aiogram.types import Message

from journal.parsing import clean_text
from storage.files import FileStore
from storage.models import Portfolio


def pending_from(message: Message) -> dict[str, Any] | None:
    """What a message holds, as plain data for the conversation state (no bytes).

    Its text or caption is cleaned and checked for length: InputError says what to do.
    """
    caption = clean_text(message.caption) if message.caption else None
    if message.photo:
        photo = message.photo[-1]
        return {
            "file": {
                "file_id": photo.file_id,
                "kind": "photo",
                "size": photo.file_size,
                "suffix": ".jpg",
                "name": None,
                "mime": "image/jpeg",
            },
            "text": caption,
        }
    for kind, media in (
        ("document", message.document),
        ("voice", message.voice),
        ("video", message.video),
        ("video_note", message.video_note),
        ("audio", message.audio),
    ):
        if media is not None:
            name = getattr(media, "file_name", None)
            # A round video message has no type of its own: Telegram sends them as MPEG-4.
            mime = getattr(media, "mime_type", None) or (
                "video/mp4" if kind == "video_note" else None
            )
            suffix = (
                f".{name.rsplit('.', 1)[-1]}"
                if name and "." in name
                else mimetypes.guess_extension(mime or "") or ".bin"
            )
            return {
                "file": {
                    "file_id": media.file_id,
                    "kind": kind,
                    "size": media.file_size,
                    "suffix": suffix,
                    "name": name,
                    "mime": mime,
                    # Seconds, as Telegram gives them for video, voice and audio (a recording's
                    # length; a document has none).
                    "duration": getattr(media, "duration", None),
                },
                "text": caption,
            }
    if message.text:
        return {"file": None, "text": clean_text(message.text)}
    return None


async def fetch_files(
    bot: Bot, files: FileStore, portfolio: Portfolio, pending: dict[str, Any]
) -> list[dict[str, Any]]:
    """The message's file, whole on disk, or nothing on disk and an exception saying why.

    FileTooBig: over the Bot API's limit. TelegramAPIError, ClientError or another OSError:
    the download failed, sending the file again may work. FileNotStored: this server could not
    write it (a full disk); not caught by the flows, it reaches `handlers.errors`, which tells
    the user so while their draft and caption stay as they were.
    """
    item = pending.get("file")
    if not item:
        return []
    stored = await files.fetch(
        bot,
        portfolio_id=portfolio.id,
        file_id=item["file_id"],
        kind=item["kind"],
        size=item["size"],
        suffix=item["suffix"],
        original_name=item["name"],
        mime_type=item["mime"],
    )
    return [stored.as_dict()]
