"""The file store: attachments downloaded from Telegram, named by a random id, with SHA-256."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from aiogram import Bot

CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024


class FileTooBig(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


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
        """Download one Telegram file; refuse what the cloud Bot API would not hand over."""
        if self.download_limit and size and size > self.download_limit:
            raise FileTooBig(size)
        relative = f"{portfolio_id}/{secrets.token_hex(12)}{suffix[:10]}"
        target = self.absolute(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        await bot.download(file_id, destination=target)
        digest = await asyncio.to_thread(sha256_of, target)
        return StoredFile(
            kind=kind,
            path=relative,
            size=target.stat().st_size,
            sha256=digest,
            original_name=original_name,
            mime_type=mime_type,
        )

    def remove(self, relative: str) -> None:
        self.absolute(relative).unlink(missing_ok=True)
