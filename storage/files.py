"""The file store: attachments downloaded from Telegram, named by a random id, with SHA-256."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from aiogram import Bot
from aiohttp import ClientPayloadError

CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024


class FileTooBig(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class FileNotStored(Exception):
    """The file came from Telegram but this server could not write it (a full disk, say).

    Not an OSError: callers that tell the user to send the file again (a network failure)
    do not catch it, and the user is told it is the server's trouble (`handlers.errors`).
    """

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.errno)
        self.disk_full = cause.errno in (errno.ENOSPC, errno.EDQUOT)


class _Part:
    """What aiogram writes the download into: the part file, hashed and counted on the way.

    Errors of the disk are kept apart from those of the network, which arrive at the same place.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0
        self.disk_error: OSError | None = None

    def write(self, chunk: bytes) -> int:
        self.digest.update(chunk)
        self.size += len(chunk)
        try:
            # A raw stream may take part of a chunk: write until all of it is down.
            view = memoryview(chunk)
            while view:
                written = self.handle.write(view)
                view = view[written if written is not None else len(view) :]
        except OSError as error:
            self.disk_error = error
            raise
        return len(chunk)

    def flush(self) -> None:
        try:
            self.handle.flush()
        except OSError as error:
            self.disk_error = error
            raise

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)


@dataclass(frozen=True)
class StoredFile:
    kind: str
    path: str
    size: int
    sha256: str
    original_name: str | None = None
    mime_type: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _settle(handle: BinaryIO, part: Path, target: Path, digest: str) -> None:
    """On disk for good, and what is on disk is what was received; then under its own name."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    if sha256_of(part) != digest:
        raise OSError(errno.EIO, "the stored file differs from the download")
    os.replace(part, target)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class FileStore:
    def __init__(self, root: Path, *, download_limit: int | None = CLOUD_DOWNLOAD_LIMIT) -> None:
        self.root = root
        self.download_limit = download_limit

    def absolute(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("path outside the file store")
        return path

    def open_part(self, path: Path) -> BinaryIO:
        """The stream a download is written to (unbuffered: a full disk shows at the write)."""
        return path.open("xb", buffering=0)

    async def fetch(
        self,
        bot: Bot,
        *,
        portfolio_id: int,
        file_id: str,
        kind: str,
        size: int | None,
        suffix: str,
        original_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Download one Telegram file; refuse what the cloud Bot API would not hand over.

        The bytes go to a part file beside the target, renamed only once the whole file is on
        disk with the size Telegram announced and the SHA-256 of what was received; on any
        failure the part file is deleted. A full or failing disk raises `FileNotStored`; a
        download cut short raises ClientPayloadError, like the network's other failures.
        """
        if self.download_limit and size and size > self.download_limit:
            raise FileTooBig(size)
        relative = f"{portfolio_id}/{secrets.token_hex(12)}{suffix[:10]}"
        target = self.absolute(relative)
        part_path = target.with_name(f".{target.name}.part")
        part: _Part | None = None
        try:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                part = _Part(self.open_part(part_path))
            except OSError as error:
                raise FileNotStored(error) from error
            try:
                await bot.download(file_id, destination=part, seek=False)  # type: ignore[arg-type]
            except OSError:
                if part.disk_error is not None:
                    raise FileNotStored(part.disk_error) from part.disk_error
                raise
            digest = part.digest.hexdigest()
            if size and part.size != size:
                raise ClientPayloadError(f"download ended at {part.size} of {size} bytes")
            try:
                await asyncio.to_thread(_settle, part.handle, part_path, target, digest)
            except OSError as error:
                raise FileNotStored(error) from error
        except BaseException:
            if part is not None:
                part.handle.close()
            part_path.unlink(missing_ok=True)
            raise
        return StoredFile(
            kind=kind,
            path=relative,
            size=part.size,
            sha256=digest,
            original_name=original_name,
            mime_type=mime_type,
        )

    def remove(self, relative: str) -> None:
        self.absolute(relative).unlink(missing_ok=True)
