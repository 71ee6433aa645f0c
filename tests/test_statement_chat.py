"""The employer and apprentice statement through the real Dispatcher and into the exports: both
confirm it in the chat, it shows on the workbook's cover and in the diary, the ST1379 check
passes, and once the evidence changes it shows as out of date until both confirm it again."""

from __future__ import annotations

from pypdf import PdfReader
from sqlalchemy import select

from exports.pdf import build_diary
from exports.xlsx import build_workbook
from journal.portfolio_rules import check_portfolio
from storage import entries as entry_repo
from storage.models import Entry, StatementConfirmation
from storage.snapshots import load_snapshot
from storage.uow import writing
from tests.test_gateway_chat import (  # noqa: F401 (fixtures)
    apprentice,
    both_confirm_the_statement,
    curate,
    employer,
    mentees,
)
from tests.workbooks import sheet_rows


async def exports_of(services, clock, folder):
    async with services.sessions() as session:
        snapshot = await load_snapshot(session, 1, services.files.root, clock())
    workbook = build_workbook(snapshot, services.registry, folder / "p.xlsx")
    cover = {row[0]: row[1] for row in sheet_rows(workbook, "Cover") if len(row) > 1 and row[0]}
    diary = build_diary(snapshot, services.registry, folder / "d.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(diary).pages)
    checks = {c.rule: c for c in check_portfolio(snapshot, services.registry)}
    return cover, text, checks


async def test_the_statement_confirmed_by_both_is_in_the_exports_and_goes_out_of_date(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    mentees,  # noqa: F811
    services,
    clock,
    tmp_path,
):
    refs = await curate(services, clock)
    cover, diary, checks = await exports_of(services, clock, tmp_path)
    assert checks["statement"].failed
    assert cover["Apprentice"] == "not confirmed"

    await both_confirm_the_statement(apprentice, employer)
    cover, diary, checks = await exports_of(services, clock, tmp_path)
    assert not checks["statement"].failed
    assert "We, the employer and the apprentice, confirm" in cover["Statement"]
    assert "valid and attributable to the apprentice, Anna" in cover["Statement"]
    assert cover["Apprentice"].startswith("confirmed by Anna, 23 Nov 2026")
    assert cover["Employer"].startswith("confirmed by Ella, 23 Nov 2026")
    assert "over 10 pieces" in cover["Evidence fingerprint"]
    assert "Employer and apprentice statement" in diary
    assert "confirmed by Ella" in diary and "valid and attributable to the apprentice" in diary
    async with services.sessions() as session:
        rows = list(await session.scalars(select(StatementConfirmation)))
    assert [(r.party, r.pieces) for r in rows] == [("apprentice", 10), ("employer", 10)]
    assert rows[0].fingerprint == rows[1].fingerprint and len(rows[0].fingerprint) == 64
    assert rows[0].text.startswith("We, the employer and the apprentice, confirm")

    # A selected piece is edited: what they confirmed is no longer what is exported.
    clock.advance(hours=1)
    async with writing(services.sessions) as session:
        entry = await session.scalar(select(Entry).where(Entry.ref == refs[0]))
        await entry_repo.revise_entry(
            session,
            entry,
            author_id=entry.author_id,
            now=clock(),
            changes={"summary": "Session 1 on goal setting, with the plan agreed"},
        )
    cover, diary, checks = await exports_of(services, clock, tmp_path)
    assert checks["statement"].failed
    assert "out of date: the evidence changed" in checks["statement"].message
    assert "OUT OF DATE" in cover["Apprentice"] and "OUT OF DATE" in cover["Employer"]
    shown = await apprentice.send("/statement")
    assert "Apprentice: ⚠️ out of date, the evidence changed after Anna confirmed it" in shown.text
    assert shown.buttons() == ["I confirm", "Ask Ella to confirm"]
    gateway = await apprentice.send("/gateway")
    assert "⬜ Employer and apprentice statement: out of date" in gateway.text

    await both_confirm_the_statement(apprentice, employer)
    cover, diary, checks = await exports_of(services, clock, tmp_path)
    assert not checks["statement"].failed


async def test_the_statement_is_never_a_piece_nor_a_reflective_account(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    mentees,  # noqa: F811
    services,
    clock,
    tmp_path,
):
    await curate(services, clock)
    await both_confirm_the_statement(apprentice, employer)
    async with services.sessions() as session:
        snapshot = await load_snapshot(session, 1, services.files.root, clock())
        kinds = set(await session.scalars(select(Entry.kind)))
    assert kinds == {"session"}  # the statement is a record beside the entries, not one
    workbook = build_workbook(snapshot, services.registry, tmp_path / "p.xlsx")
    for sheet in ("Evidence index", "Mentoring diary"):
        cells = " ".join(str(c) for row in sheet_rows(workbook, sheet) for c in row if c)
        assert "valid and attributable" not in cells
    checks = {c.rule: c for c in check_portfolio(snapshot, services.registry)}
    assert "statement" not in checks["reflective"].message.lower()
