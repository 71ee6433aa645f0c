"""The ST1379 gateway as stored: who recorded English and maths, the employer's decision and
the gateway itself (gateway_records), the recordings after gateway, and the facts the checklist
of journal.gateway is kept from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal import gateway as rules
from journal.apprenticeship import FRAMEWORK
from journal.frameworks.model import Framework
from journal.recordings import Recording, every_problem
from journal.snapshot import (
    GatewayFactRecord,
    GatewayItemRecord,
    PortfolioSnapshot,
    RecordingRecord,
)
from journal.statement import StatementState, statement_state
from storage import apprenticeships
from storage.models import GatewayRecord, Membership, Person, Portfolio, RecordingRow
from storage.people import Role, members
from storage.snapshots import load_snapshot
from storage.statements import display


class Kind:
    ENGLISH = "english"
    MATHS = "maths"
    DECISION = "decision"
    GATEWAY = "gateway"
    REOPENED = (
        "reopened"  # the centre corrected the plan after the gateway (bot.cli_apprenticeship)
    )


# Who reopens a gateway: the centre, from the command line (no person of the chat).
CENTRE = "centre"


async def _newest_row(session: AsyncSession, portfolio_id: int, kind: str) -> GatewayRecord | None:
    return await session.scalar(
        select(GatewayRecord)
        .where(GatewayRecord.portfolio_id == portfolio_id, GatewayRecord.kind == kind)
        .order_by(GatewayRecord.recorded_at.desc(), GatewayRecord.id.desc())
        .limit(1)
    )


async def _gateway_row(session: AsyncSession, portfolio_id: int) -> GatewayRecord | None:
    """The gateway confirmed now: the newest, unless the centre reopened it after."""
    found = await _newest_row(session, portfolio_id, Kind.GATEWAY)
    reopened = await _newest_row(session, portfolio_id, Kind.REOPENED)
    if found is None or (reopened is not None and reopened.id > found.id):
        return None
    return found


async def _as_recorded(session: AsyncSession, row: GatewayRecord | None) -> rules.Recorded | None:
    if row is None:
        return None
    person = await session.get(Person, row.person_id) if row.person_id else None
    return rules.Recorded(display(person), row.role, row.recorded_at, row.value)


async def newest(session: AsyncSession, portfolio_id: int, kind: str) -> rules.Recorded | None:
    if kind == Kind.GATEWAY:
        return await _as_recorded(session, await _gateway_row(session, portfolio_id))
    return await _as_recorded(session, await _newest_row(session, portfolio_id, kind))


async def gateway_on(session: AsyncSession, portfolio_id: int) -> date | None:
    found = await _gateway_row(session, portfolio_id)
    return found.on_date if found else None


async def gateway_at(session: AsyncSession, portfolio_id: int) -> datetime | None:
    """When the employer confirmed the gateway in force (recordings saved before do not count)."""
    found = await _gateway_row(session, portfolio_id)
    return found.recorded_at if found else None


async def record(
    session: AsyncSession,
    *,
    portfolio_id: int,
    kind: str,
    person: Person | None,
    role: str,
    now: datetime,
    value: str = "",
    on_date: date | None = None,
) -> GatewayRecord | None:
    """Record a fact; in the write transaction, the decision and the gateway only when there is
    none yet (None when there was: the other employer's tap came first). The unique `seq`
    stops a second row where two transactions run side by side (PostgreSQL): the loser's
    IntegrityError means the same."""
    seq: int | None = None
    if kind == Kind.DECISION:
        if await _newest_row(session, portfolio_id, Kind.DECISION) is not None:
            return None
        seq = 1
    elif kind == Kind.GATEWAY:
        if await _gateway_row(session, portfolio_id) is not None:
            return None
        reopened = await session.scalar(
            select(func.count())
            .select_from(GatewayRecord)
            .where(GatewayRecord.portfolio_id == portfolio_id, GatewayRecord.kind == Kind.REOPENED)
        )
        seq = int(reopened or 0) + 1
    elif kind == Kind.REOPENED:
        confirmed = await _gateway_row(session, portfolio_id)
        if confirmed is None:
            return None
        seq = confirmed.seq
    row = GatewayRecord(
        portfolio_id=portfolio_id,
        kind=kind,
        value=value,
        person_id=person.id if person else None,
        role=role,
        on_date=on_date,
        seq=seq,
        recorded_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def reopen(
    session: AsyncSession, portfolio_id: int, old_start: date, now: datetime
) -> GatewayRecord | None:
    """The centre corrected the plan after the gateway: the gateway must be confirmed again
    against the corrected plan. Keeps the start date it was confirmed against (`value`)."""
    return await record(
        session,
        portfolio_id=portfolio_id,
        kind=Kind.REOPENED,
        person=None,
        role=CENTRE,
        now=now,
        value=old_start.isoformat(),
    )


async def employers(session: AsyncSession, portfolio_id: int) -> list[Person]:
    """The employers who joined the portfolio (the gateway's decision is theirs alone)."""
    return [m.person for m in await members(session, portfolio_id, Role.EMPLOYER)]


async def employed(session: AsyncSession, person: Person) -> list[Portfolio]:
    """The ST1379 portfolios a person is the employer of."""
    found = await session.scalars(
        select(Portfolio)
        .join(Membership, Membership.portfolio_id == Portfolio.id)
        .where(Membership.person_id == person.id, Membership.role == Role.EMPLOYER)
        .order_by(Portfolio.id)
    )
    return [p for p in found.unique() if any(f.framework_id == FRAMEWORK for f in p.frameworks)]


@dataclass(frozen=True)
class Gateway:
    """What /gateway and the employer's buttons show: the checklist, the statement against the
    evidence as it is now, the portfolio's apprentice and the recordings after gateway."""

    checklist: rules.Checklist
    statement: StatementState
    pieces: int
    apprentice: str
    recordings: tuple[Recording, ...]
    snapshot: PortfolioSnapshot

    @property
    def fingerprint(self) -> str:
        return self.statement.fingerprint


def readiness(
    snapshot: PortfolioSnapshot, framework: Framework | None, pieces: int
) -> rules.PortfolioReadiness:
    """The portfolio's readiness: the EPA selection's (its KSB lines, the discussion's KSBs,
    two mentees), or without the ST1379 framework loaded the count of pieces in range."""
    if framework is None:
        return rules.pieces_readiness(pieces)
    return rules.selection_readiness(snapshot, framework)


async def kept(
    session: AsyncSession, snapshot: PortfolioSnapshot, today: date, framework: Framework | None
) -> tuple[rules.Checklist, int]:
    """The checklist kept from the data on `today`, and the pieces the statement covers: what
    /gateway shows and what the exports carry (`with_gateway`)."""
    portfolio_id = snapshot.portfolio_id
    pieces = rules.evidence_pieces(snapshot)
    statement = statement_state(snapshot.statements, rules.fingerprint(pieces))
    _, confirmed = await apprenticeships.otj_totals(session, portfolio_id)
    gateway = await newest(session, portfolio_id, Kind.GATEWAY)
    facts = rules.GatewayFacts(
        plan=await apprenticeships.get_plan(session, portfolio_id),
        today=today,
        confirmed_minutes=confirmed,
        english=await newest(session, portfolio_id, Kind.ENGLISH),
        maths=await newest(session, portfolio_id, Kind.MATHS),
        decision=await newest(session, portfolio_id, Kind.DECISION),
        statement=statement,
        portfolio=readiness(snapshot, framework, len(pieces)),
        gateway=gateway,
        gateway_on=await gateway_on(session, portfolio_id) if gateway else None,
        reopened=None if gateway else await newest(session, portfolio_id, Kind.REOPENED),
    )
    return rules.checklist(facts), len(pieces)


async def load(
    session: AsyncSession,
    portfolio: Portfolio,
    files_root: Path,
    now: datetime,
    today: date,
    framework: Framework | None,
) -> Gateway:
    # The checklist is kept here for the viewer's day: the snapshot need not keep its own.
    snapshot = await load_snapshot(session, portfolio.id, files_root, now, gateway=False)
    checklist, pieces = await kept(session, snapshot, today, framework)
    return Gateway(
        checklist=checklist,
        statement=checklist.facts.statement,
        pieces=pieces,
        apprentice=snapshot.candidate,
        recordings=tuple(r for r, _ in await recordings(session, portfolio.id)),
        snapshot=snapshot,
    )


async def with_gateway(
    session: AsyncSession, snapshot: PortfolioSnapshot, today: date, framework: Framework | None
) -> PortfolioSnapshot:
    """`snapshot` with its gateway checklist, what was recorded for it and the recordings with
    their problems against the gateway date, as plain data for the exports."""
    checklist, _ = await kept(session, snapshot, today, framework)
    facts = checklist.facts
    counts = {rules.Item.OTJ: facts.confirmed_minutes, rules.Item.PORTFOLIO: facts.portfolio.pieces}
    items = tuple(
        GatewayItemRecord(
            item=item.value,
            met=checklist.met[item],
            count=counts.get(item),
            missing=facts.portfolio.missing if item == rules.Item.PORTFOLIO else (),
        )
        for item in rules.ITEMS
    )
    recorded = {
        Kind.ENGLISH: facts.english,
        Kind.MATHS: facts.maths,
        Kind.DECISION: facts.decision,
        Kind.GATEWAY: facts.gateway,
    }
    found = tuple(
        GatewayFactRecord(
            kind=kind,
            person=r.who,
            role=r.role,
            recorded_at=r.at,
            value=r.value,
            on_date=facts.gateway_on if kind == Kind.GATEWAY else None,
        )
        for kind, r in recorded.items()
        if r is not None
    )
    every = [r for r, _ in await recordings(session, snapshot.portfolio_id)]
    at = facts.gateway.at if facts.gateway else None
    videos = tuple(
        RecordingRecord(
            recorded_on=r.recorded_on,
            seconds=r.seconds,
            visible=r.visible,
            format=r.format,
            problems=tuple(p.value for p in found),
        )
        for r, found in zip(every, every_problem(every, facts.gateway_on, at), strict=True)
    )
    return replace(snapshot, gateway_items=items, gateway_facts=found, recordings=videos)


# --- Recordings after gateway ------------------------------------------------------------------


async def recordings(
    session: AsyncSession, portfolio_id: int
) -> list[tuple[Recording, RecordingRow]]:
    rows = await session.scalars(
        select(RecordingRow)
        .where(RecordingRow.portfolio_id == portfolio_id)
        .order_by(RecordingRow.recorded_on, RecordingRow.id)
    )
    return [(as_recording(r), r) for r in rows]


def as_recording(row: RecordingRow) -> Recording:
    return Recording(
        row.recorded_on,
        row.seconds,
        row.visible,
        row.format,
        saved_at=row.created_at,
        file_key=row.file_unique_id,
        sha256=row.sha256,
    )


async def same_video(
    session: AsyncSession,
    portfolio_id: int,
    *,
    file_unique_id: str | None = None,
    sha256: str | None = None,
) -> RecordingRow | None:
    """An earlier recording of the portfolio that is this very video (Telegram's id of the
    file, or the same bytes), if any."""
    keys = [
        column == value
        for column, value in (
            (RecordingRow.file_unique_id, file_unique_id),
            (RecordingRow.sha256, sha256),
        )
        if value
    ]
    if not keys:
        return None
    return await session.scalar(
        select(RecordingRow)
        .where(RecordingRow.portfolio_id == portfolio_id, or_(*keys))
        .order_by(RecordingRow.id)
        .limit(1)
    )


async def add_recording(
    session: AsyncSession,
    *,
    portfolio_id: int,
    author: Person,
    details: dict[str, Any],
    stored: dict[str, Any] | None,
    now: datetime,
) -> RecordingRow:
    """A recording from the answers of /recording (`details`) and the stored file, if any."""
    row = RecordingRow(
        portfolio_id=portfolio_id,
        author_id=author.id,
        recorded_on=date.fromisoformat(details["recorded_on"]),
        seconds=details.get("seconds"),
        format=details["format"],
        visible=bool(details["visible"]),
        media=details["media"],
        file_id=details["file_id"],
        file_unique_id=details.get("file_unique_id"),
        size=details.get("size"),
        mime_type=details.get("mime"),
        original_name=details.get("name"),
        path=stored["path"] if stored else None,
        sha256=stored["sha256"] if stored else None,
        caption=details.get("caption"),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row
