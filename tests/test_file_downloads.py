"""Attachments fetched from Telegram: all or nothing on disk, and the truth told when it fails.

A full disk is an OSError(ENOSPC) from the file store's own stream (a tmpfs is not at hand);
a network failure is a download that breaks off or ends early. Real SQLite throughout.
"""

from __future__ import annotations

import errno
import io
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from aiohttp import ClientPayloadError
from sqlalchemy import select

from bot.app import Services
from bot.settings import Settings
from handlers import texts
from storage.files import FileStore
from storage.models import Attachment, Entry
from tests.botkit import ChatClient, OfflineSession, offline_bot

PHOTO = b"\xff\xd8\xff" + b"whiteboard after the session " * 4000  # about 116 KB


class FullDisk(io.FileIO):
    """A file on a disk that fills up after the first 64 KB."""

    room = 65536

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


class FullDiskStore(FileStore):
    def open_part(self, path: Path) -> io.RawIOBase:
        return FullDisk(path, "wb")


class BreaksOff(OfflineSession):
    """Telegram's file server drops the connection after the first chunk."""

    async def stream_content(self, url: str, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes]:
        yield self.files[url.rsplit("/", 1)[-1]][:1000]
        raise ClientPayloadError("Response payload is not completed")


class EndsEarly(OfflineSession):
    """The connection closes cleanly after half the file (a proxy timing out, say)."""

    async def stream_content(self, url: str, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes]:
        content = self.files[url.rsplit("/", 1)[-1]]
        yield content[: len(content) // 2]


def files_on_disk(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.files_dir.rglob("*") if p.is_file())


async def saved_evidence(services: Services) -> list[tuple[dict[str, Any], list[Attachment]]]:
    async with services.sessions() as session:
        entries = list(await session.scalars(select(Entry).where(Entry.kind == "evidence")))
        return [(e.data, list(await session.scalars(select(Attachment)))) for e in entries]


async def test_a_full_disk_is_told_as_such_and_the_photo_with_its_caption_is_kept_for_later(
    mentor: ChatClient, services: Services, settings: Settings
) -> None:
    asked = await mentor.send_photo(PHOTO, caption="Whiteboard of the action plan")
    mentor.dp["files"] = FullDiskStore(settings.files_dir)
    reply = await mentor.click("Evidence", asked)
    assert reply.text == texts.DISK_FULL
    assert files_on_disk(settings) == []
    # Space freed: the same tap goes on with the caption the photo came with.
    mentor.dp["files"] = FileStore(settings.files_dir)
    assert "What kind of evidence" in (await mentor.click("Evidence", asked)).text
    await mentor.click("Product evidence")
    assert "Saved as <b>E-0001</b>" in (await mentor.click("Today")).text
    [(data, [attachment])] = await saved_evidence(services)
    assert data["caption"] == "Whiteboard of the action plan"
    assert (settings.files_dir / attachment.path).read_bytes() == PHOTO
    assert files_on_disk(settings) == [settings.files_dir / attachment.path]


async def test_a_full_disk_mid_log_keeps_the_draft(
    mentor: ChatClient, mentee: ChatClient, services: Services, settings: Settings
) -> None:
    await mentor.send("/log")
    await mentor.click("Jon")
    asking = await mentor.click("Today")
    mentor.dp["files"] = FullDiskStore(settings.files_dir)
    reply = await mentor.send_document(PHOTO, "observation.pdf")
    assert reply.text == texts.DISK_FULL
    assert files_on_disk(settings) == []
    mentor.dp["files"] = FileStore(settings.files_dir)
    # The draft is where it was: the duration asked before the file is still the next step.
    await mentor.click("45 min", asking)
    await mentor.click("In person")
    await mentor.send("Observation feedback")
    await mentor.send("Went through the observation notes together.")
    for _ in range(3):
        reply = await mentor.click("Skip")
    assert "Saved as <b>E-0001</b>" in reply.text


async def test_a_download_that_breaks_off_asks_for_the_file_again_and_leaves_nothing(
    mentor: ChatClient, dp: Any, settings: Settings
) -> None:
    cut = ChatClient(dp=dp, bot=offline_bot(BreaksOff()), user=mentor.user)
    asked = await cut.send_photo(PHOTO, caption="Signed contract")
    reply = await cut.click("Evidence", asked)
    assert reply.text == texts.FILE_FAILED
    assert files_on_disk(settings) == []


async def test_a_download_that_ends_early_is_not_kept_as_if_whole(
    mentor: ChatClient, dp: Any, services: Services, settings: Settings
) -> None:
    short = ChatClient(dp=dp, bot=offline_bot(EndsEarly()), user=mentor.user)
    asked = await short.send_photo(PHOTO, caption="Signed contract")
    reply = await short.click("Evidence", asked)
    assert reply.text == texts.FILE_FAILED
    assert files_on_disk(settings) == []
    assert await saved_evidence(services) == []
