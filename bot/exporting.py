"""The three exports of a portfolio, built off the event loop: for the chat, CLI and demo."""

from __future__ import annotations

import asyncio
import functools
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exports.bundle import build_bundle
from exports.pdf import build_diary
from exports.signing import load_or_create_key
from exports.xlsx import build_workbook
from journal.frameworks.registry import Registry
from journal.snapshot import PortfolioSnapshot
from storage.db import snapshot_session
from storage.snapshots import load_snapshot


class Format(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"
    ZIP = "zip"


Builder = Callable[[PortfolioSnapshot, Registry, Path], Path]
BUILDERS: dict[Format, Builder] = {Format.XLSX: build_workbook, Format.PDF: build_diary}
NAMES = {Format.XLSX: "portfolio", Format.PDF: "diary", Format.ZIP: "bundle"}


def file_name(candidate: str, framework_ids: tuple[str, ...], fmt: Format, day: datetime) -> str:
    """`anna-kowalska-ilm-portfolio-2026-11-22.xlsx`: what an assessor files it under."""
    slug = re.sub(r"[^a-z0-9]+", "-", candidate.lower()).strip("-") or "candidate"
    return f"{slug}-{'-'.join(framework_ids)}-{NAMES[fmt]}-{day:%Y-%m-%d}.{fmt.value}"


class Exporter:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        registry: Registry,
        files_root: Path,
        out_dir: Path,
        *,
        signing_key_file: Path,
    ) -> None:
        self._sessions = sessions
        self._registry = registry
        self._files_root = files_root
        self._out_dir = out_dir
        self._signing_key_file = signing_key_file
        self._signing_key: Ed25519PrivateKey | None = None

    def signing_key(self) -> Ed25519PrivateKey:
        """The centre's key that signs bundles, read (or created) on the first bundle."""
        if self._signing_key is None:
            self._signing_key = load_or_create_key(self._signing_key_file)
        return self._signing_key

    def _builder(self, fmt: Format) -> Builder:
        if fmt == Format.ZIP:
            return functools.partial(build_bundle, key=self.signing_key())
        return BUILDERS[fmt]

    async def forget(self, portfolio_id: int) -> None:
        """Delete every export file built for a portfolio (erasure)."""
        await asyncio.to_thread(shutil.rmtree, self._out_dir / str(portfolio_id), True)

    async def snapshot(self, portfolio_id: int, now: datetime) -> PortfolioSnapshot:
        async with snapshot_session(self._sessions) as session:
            return await load_snapshot(session, portfolio_id, self._files_root, now)

    async def build(
        self, portfolio_id: int, fmt: str, now: datetime, out: Path | None = None
    ) -> Path:
        """Read the portfolio, then build in a worker thread so other chats keep being answered."""
        fmt = Format(fmt)
        snapshot = await self.snapshot(portfolio_id, now)
        if out is None:
            folder = self._out_dir / str(portfolio_id)
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / file_name(snapshot.candidate, snapshot.framework_ids, fmt, now)
        out.parent.mkdir(parents=True, exist_ok=True)

        def build() -> Path:  # the key file is read in the worker thread too
            return self._builder(fmt)(snapshot, self._registry, out)

        return await asyncio.to_thread(build)
