"""The ST1379 gateway as stored: who recorded English and maths, the employer's decision and
the gateway itself (gateway_records), the recordings after gateway, and the facts the checklist
of journal.gateway is kept from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from journal import gateway as rules
from journal.apprenticeship import FRAMEWORK
from journal.frameworks.model import Framework
from journal.recordings import Recording, problems
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


async def newest(session: AsyncSession, portfolio_id: int, kind: str) -> rules.Recorded | None:
    row = await session.execute(
        select(GatewayRecord, Person)
        .outerjoin(Person, Person.id == GatewayRecord.person_id)
        .where(GatewayRecord.portfolio_id == portfolio_id, GatewayRecord.kind == kind)
        .order_by(GatewayRecord.recorded_at.desc(), GatewayRecord.id.desc())
        .limit(1)
    )
    found = row.first()
    if found is None:
        return None
    record, person = found
    return rules.Recorded(display(person), record.role, record.recorded_at, record.value)


async def gateway_on(session: AsyncSession, portfolio_id: int) -> date | None:
    return await session.scalar(
        select(GatewayRecord.on_date)
        .where(GatewayRecord.portfolio_id == portfolio_id, GatewayRecord.kind == Kind.GATEWAY)
        .order_by(GatewayRecord.recorded_at.desc(), GatewayRecord.id.desc())
        .limit(1)
    )


async def record(
    session: AsyncSession,
    *,
    portfolio_id: int,
    kind: str,
    person: Person,
    role: str,
    now: datetime,
    value: str = "",
    on_date: date | None = None,
) -> None:
    session.add(
        GatewayRecord(
            portfolio_id=portfolio_id,
            kind=kind,
            value=value,
            person_id=person.id,
            role=role,
            on_date=on_date,
            recorded_at=now,
        )
    )
    await session.flush()


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
    videos = tuple(
        RecordingRecord(
            recorded_on=r.recorded_on,
            seconds=r.seconds,
            visible=r.visible,
            format=r.format,
            problems=tuple(p.value for p in problems(r, facts.gateway_on)),
        )
        for r, _ in await recordings(session, snapshot.portfolio_id)
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
    return Recording(row.recorded_on, row.seconds, row.visible, row.format)


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
