"""Recordings after the ST1379 gateway through the real Dispatcher (issue 11): a voice note is
refused as a recording (saying why), a video recorded before the gateway date is flagged, a
video over the Bot API's download limit keeps its details, and erasure takes the files."""

from __future__ import annotations

from datetime import date

import pytest
from aiogram.types import Document, User, Video, VideoNote
from sqlalchemy import select

from bot.app import build_dispatcher, build_services
from storage import gateway as gateway_repo
from storage.models import Person, RecordingRow
from storage.uow import writing
from tests.botkit import ChatClient, offline_bot, onboard_mentor
from tests.test_gateway_chat import apprentice, employer  # noqa: F401 (fixtures)

MB = 1024 * 1024


async def send_video(client, *, seconds: int | None, size: int, kind: str = "video", name="v1"):
    # The bytes Telegram would hand over (a file over the limit is never asked for); each
    # video its own (the same bytes twice are the same video).
    head = b"\x00\x00\x00\x18ftypmp42" + name.encode()
    client.session.files[name] = head.ljust(min(size, 30 * MB), b"v")
    if kind == "video":
        media = {
            "video": Video(
                file_id=name,
                file_unique_id=name,
                width=1280,
                height=720,
                duration=seconds,
                file_size=size,
                mime_type="video/mp4",
            )
        }
    elif kind == "video_note":
        media = {
            "video_note": VideoNote(
                file_id=name, file_unique_id=name, length=240, duration=seconds, file_size=size
            )
        }
    else:
        media = {
            "document": Document(
                file_id=name,
                file_unique_id=name,
                file_name="session.mp4",
                mime_type="video/mp4",
                file_size=size,
            )
        }
    return await client.feed(client.update(message=client._message(**media)))


async def gateway_on(services, day: date) -> None:
    """The gateway as the employer's tap records it (tests/test_gateway_chat.py plays that)."""
    async with writing(services.sessions) as session:
        ella = await session.scalar(select(Person).where(Person.name == "Ella"))
        await gateway_repo.record(
            session,
            portfolio_id=1,
            kind=gateway_repo.Kind.GATEWAY,
            person=ella,
            role="employer",
            now=services.clock(),
            on_date=day,
        )


async def recordings(services) -> list[RecordingRow]:
    async with services.sessions() as session:
        return list(await session.scalars(select(RecordingRow).order_by(RecordingRow.id)))


async def answer(client, when: str, fmt: str = "One-to-one", visible: str = "Yes, both visible"):
    await (client.click(when) if when in {"Today", "Yesterday"} else client.send(when))
    await client.click(fmt)
    return await client.click(visible)


@pytest.fixture
async def after_gateway(apprentice, employer, services):  # noqa: F811
    await gateway_on(services, date(2026, 11, 20))
    return apprentice


async def test_a_voice_note_is_refused_as_a_recording(after_gateway, services):
    asked = await after_gateway.send("/recording")
    assert "audio only isn't accepted" in asked.text
    refused = await after_gateway.send_voice(b"OggS voice")
    assert "That's audio only, so it can't be a recording" in refused.text
    assert "mentor and mentee visible" in refused.text
    assert await recordings(services) == []
    # Still waiting for the video: one sent now is taken.
    await send_video(after_gateway, seconds=31 * 60, size=2 * MB)
    saved = await answer(after_gateway, "Today")
    assert "✅ It counts for the observation." in saved.text


async def test_a_video_recorded_before_the_gateway_date_is_flagged(after_gateway, services):
    await after_gateway.send("/recording")
    await send_video(after_gateway, seconds=32 * 60, size=3 * MB)
    saved = await answer(after_gateway, "18 Nov")
    assert "Saved the recording: 32 min, recorded 18 Nov 2026, one-to-one." in saved.text
    assert "Recorded before the gateway date (20 Nov 2026)" in saved.text
    assert "Recordings after gateway: 0 of 2 accepted" in saved.text

    await after_gateway.send("/recording")
    await send_video(after_gateway, seconds=31 * 60, size=MB, kind="video_note", name="n1")
    saved = await answer(after_gateway, "Today", fmt="Group")
    assert "✅ It counts" in saved.text and "1 of 2 accepted" in saved.text

    await after_gateway.send("/recording")
    await send_video(after_gateway, seconds=20 * 60, size=MB, name="v3")
    saved = await answer(after_gateway, "Yesterday", visible="No")
    assert "Under 30 minutes" in saved.text and "must both be visible" in saved.text
    rows = await recordings(services)
    assert [(r.recorded_on, r.seconds, r.format, r.visible, r.media) for r in rows] == [
        (date(2026, 11, 18), 1920, "one_to_one", True, "video"),
        (date(2026, 11, 23), 1860, "group", True, "video_note"),
        (date(2026, 11, 22), 1200, "one_to_one", False, "video"),
    ]
    assert all(r.path and r.sha256 for r in rows)
    gateway = await after_gateway.send("/gateway")
    assert "Recordings after gateway: 1 of 2 accepted" in gateway.text
    assert "2 flagged" in gateway.text


async def test_a_video_over_the_download_limit_keeps_its_details(after_gateway, services):
    await after_gateway.send("/recording")
    big = await send_video(after_gateway, seconds=35 * 60, size=180 * MB, name="big")
    assert "This video is 180 MB, over the 20 MB" in big.text
    assert "TELEGRAM_API_BASE" in big.text and "local Bot API server" in big.text
    saved = await answer(after_gateway, "Today")
    assert "The file itself isn't stored" in saved.text and "✅ It counts" in saved.text
    [row] = await recordings(services)
    assert (row.seconds, row.size, row.path, row.file_id) == (2100, 180 * MB, None, "big")


async def test_a_video_file_without_a_length_is_asked_for_it(after_gateway, services):
    await after_gateway.send("/recording")
    asked = await send_video(after_gateway, seconds=None, size=MB, kind="document", name="d1")
    assert "How many minutes is the recording?" in asked.text
    bad = await after_gateway.send("half an hour")
    assert "whole minutes" in bad.text
    await after_gateway.send("34")
    saved = await answer(after_gateway, "Today")
    assert "34 min" in saved.text
    [row] = await recordings(services)
    assert (row.seconds, row.media, row.mime_type) == (34 * 60, "document", "video/mp4")


async def test_before_the_gateway_a_recording_is_kept_and_flagged(
    apprentice,  # noqa: F811
    services,
):
    await apprentice.send("/recording")
    await send_video(apprentice, seconds=40 * 60, size=MB)
    saved = await answer(apprentice, "Today")
    assert "The gateway isn't confirmed yet" in saved.text
    assert len(await recordings(services)) == 1


async def test_forgetting_the_apprentice_erases_the_recordings_and_their_files(
    after_gateway, services
):
    await after_gateway.send("/recording")
    await send_video(after_gateway, seconds=31 * 60, size=MB)
    await answer(after_gateway, "Today")
    [row] = await recordings(services)
    stored = services.files.absolute(row.path)
    assert stored.exists()
    await after_gateway.send("/forget")
    await after_gateway.click("Erase everything")
    assert await recordings(services) == []
    assert not stored.exists()


async def test_recording_is_for_st1379_apprentices(mentor):
    reply = await mentor.send("/recording")
    assert "for ST1379 apprentices" in reply.text


async def test_with_a_local_bot_api_server_a_video_over_20_mb_is_stored(settings, clock):
    local = settings.model_copy(update={"telegram_api_base": "http://127.0.0.1:8081"})
    services = build_services(local, clock=clock)
    try:
        dp = build_dispatcher(services)
        anna = ChatClient(
            dp=dp, bot=offline_bot(), user=User(id=4242, is_bot=False, first_name="Anna")
        )
        await onboard_mentor(anna, frameworks=("ST1379",))
        await anna.send("/recording")
        big = await send_video(anna, seconds=31 * 60, size=25 * MB, name="big")
        assert "over the 20 MB" not in big.text
        saved = await answer(anna, "Today")
        assert "The file itself isn't stored" not in saved.text
        [row] = await recordings(services)
        assert row.size == 25 * MB and services.files.absolute(row.path).stat().st_size == 25 * MB
    finally:
        await services.engine.dispose()
