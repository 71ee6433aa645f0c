"""The three exports of a portfolio, built off the event loop: for the chat, CLI and demo."""

from __future__ import annotations

import asyncio
import functools
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exports import export_file_name
from exports.attachment_check import read_all
from exports.bundle import build_bundle
from exports.pdf import build_diary
from exports.signing import load_or_create_key
from exports.xlsx import build_workbook
from journal.anonymity_rules import NamesFound, exported, file_problems, name_leaks
from journal.epa_selection import without_grades
from journal.frameworks.registry import Registry
from journal.portfolio_rules import apply_rules, one_qualification
from journal.snapshot import PortfolioSnapshot
from storage.db import snapshot_session
from storage.snapshots import load_snapshot


class Format(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"
    ZIP = "zip"


Builder = Callable[[PortfolioSnapshot, Registry, Path], Path]
BUILDERS: dict[Format, Builder] = {Format.XLSX: build_workbook, Format.PDF: build_diary}


class QualificationNeeded(LookupError):
    """The portfolio follows several qualifications (or not the one asked): say which."""

    def __init__(self, framework_ids: tuple[str, ...], asked: str | None) -> None:
        self.framework_ids = framework_ids
        self.asked = asked
        choices = ", ".join(framework_ids)
        if asked:
            message = f"The portfolio does not follow {asked!r}; it follows: {choices}."
        else:
            message = f"The portfolio follows several qualifications; choose one of: {choices}."
        super().__init__(message)


def choose_qualification(framework_ids: tuple[str, ...], asked: str | None) -> str | None:
    """The qualification an export is for: the one asked (by id, in any letter case), or the
    portfolio's only one; None for a portfolio that follows none."""
    if asked:
        found = [f for f in framework_ids if f.casefold() == asked.strip().casefold()]
        if not found:
            raise QualificationNeeded(framework_ids, asked)
        return found[0]
    if len(framework_ids) > 1:
        raise QualificationNeeded(framework_ids, None)
    return framework_ids[0] if framework_ids else None


def file_name(snapshot: PortfolioSnapshot, fmt: Format) -> str:
    """`anna-kowalska-ilm-portfolio-2026-11-22.xlsx`: what an assessor files it under."""
    return export_file_name(snapshot, fmt.value)


class Exporter:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        registry: Registry,
        files_root: Path,
        out_dir: Path,
        *,
        signing_key_file: Path,
        confirmed_hours_units: tuple[str, ...] | None = None,
        check_names: bool = True,
    ) -> None:
        self.confirmed_hours_units = confirmed_hours_units  # the centre's CONFIRMED_HOURS_UNITS
        # Anonymised exports are refused while they name someone (`screened`); the centre's
        # own retention archive is not an export for an assessor and is never held back.
        self.check_names = check_names
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
            return await load_snapshot(
                session,
                portfolio_id,
                self._files_root,
                now,
                confirmed_hours_units=self.confirmed_hours_units,
            )

    async def qualification(
        self, portfolio_id: int, now: datetime, framework: str | None
    ) -> PortfolioSnapshot:
        snapshot = await self.snapshot(portfolio_id, now)
        chosen = choose_qualification(snapshot.framework_ids, framework)
        return snapshot if chosen is None else one_qualification(snapshot, chosen)

    async def screened(self, snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
        """The snapshot with what reading its attachments found (`attachment_scans`), when
        its export is anonymised; NamesFound when it would still name someone."""
        view = apply_rules(snapshot)
        if not view.anonymised:
            return snapshot
        view = exported(snapshot, view)  # what the export holds (an EPA selection)
        attachments = {a.sha256: a for e in view.entries for a in e.attachments}
        found = await asyncio.to_thread(read_all, [a.path for a in attachments.values()])
        readings = dict(zip(attachments, found, strict=True))
        files = file_problems(snapshot, view, readings)
        texts = tuple((leak.where, leak.hit.written) for leak in name_leaks(snapshot, view))
        if files or texts:
            raise NamesFound(tuple(files), texts)
        return replace(snapshot, attachment_scans={k: r.outcome for k, r in readings.items()})

    async def refusal(
        self, portfolio_id: int, now: datetime, framework: str | None = None
    ) -> NamesFound | None:
        """Why an export of the portfolio would be refused, before anything is built or
        sent (the mentor sending to assessors is told, not the assessors)."""
        try:
            await self.screened(await self.qualification(portfolio_id, now, framework))
        except NamesFound as refused:
            return refused
        return None

    async def build(
        self,
        portfolio_id: int,
        fmt: str,
        now: datetime,
        out: Path | None = None,
        framework: str | None = None,
        *,
        assessor: bool = False,
    ) -> Path:
        """Read the portfolio, then build in a worker thread so other chats keep being answered.

        Every export is for one qualification (`framework`, which a portfolio following only
        one needs not name): its rules, anonymisation and sections, and its name in the file
        name. QualificationNeeded when it is missing for several or not followed. `out` is
        the file to write, or a folder to write it into under its export name.

        `assessor`: the assessor's own download, which keeps the ST1379 method grades and the
        overall grade; every other export is the gateway portfolio, which carries none
        (journal.epa_selection.without_grades)."""
        fmt = Format(fmt)
        snapshot = await self.qualification(portfolio_id, now, framework)
        if self.check_names:
            snapshot = await self.screened(snapshot)
        if not assessor:
            snapshot = without_grades(snapshot)
        if out is None:
            out = self._out_dir / str(portfolio_id)
            out.mkdir(parents=True, exist_ok=True)
        if out.is_dir():  # a folder: the file goes in under its export name
            out = out / file_name(snapshot, fmt)
        out.parent.mkdir(parents=True, exist_ok=True)

        def build() -> Path:  # the key file is read in the worker thread too
            return self._builder(fmt)(snapshot, self._registry, out)

        return await asyncio.to_thread(build)
