"""What the ST1379 gateway fixes once the employer confirmed it (issue 11): the plan's dates and
the EPA selection are locked in the chat, the centre's correction from the command line reopens
the gateway; the decision, the gateway and the statement are written once however many taps
arrive; an employer's journal commands point to what is theirs."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from handlers.callbacks import ApprenticeshipCB
from journal.statement import Party
from storage import epa_selection
from storage import gateway as gateway_repo
from storage import statements as statement_repo
from storage.apprenticeships import get_plan
from storage.models import GatewayRecord, Person, StatementConfirmation
from storage.uow import writing
from tests.conftest import invite_and_join
from tests.test_gateway_chat import apprentice, curate, employer, mentees  # noqa: F401
from tests.test_otj import set_plan
from tests.test_recordings_chat import gateway_on


@pytest.fixture
async def confirmed(apprentice, employer, mentees, services, clock):  # noqa: F811
    await set_plan(apprentice)
    await curate(services, clock)
    await gateway_on(services, date(2026, 11, 20))
    return apprentice


async def test_after_the_gateway_the_plan_cannot_be_changed_in_the_chat(confirmed, services):
    shown = await confirmed.send("/apprenticeship")
    assert "Start: 01 Dec 2025" in shown.text
    assert "confirmed your gateway on 20 Nov 2026" in shown.text
    assert "ask your centre" in shown.text and "reopens the gateway" in shown.text
    assert "Set dates and hours" not in shown.buttons()
    # The button of a message from before the gateway starts nothing either.
    refused = await confirmed.press(ApprenticeshipCB(act="set").pack())
    assert "can't be changed here any more" in refused.text
    moved = await confirmed.send("1 Jun 2026")
    assert "When is it planned to end?" not in moved.text
    async with services.sessions() as session:
        assert (await get_plan(session, 1)).start_on == date(2025, 12, 1)


async def test_after_the_gateway_the_epa_selection_cannot_be_changed(confirmed, services):
    async with services.sessions() as session:
        before = await epa_selection.selected_ids(session, 1)
    shown = await confirmed.send("/epa")
    assert "confirmed your gateway on 20 Nov 2026 with this selection" in shown.text
    refused = await confirmed.click(lambda t: t.startswith("✅"))
    assert "pieces and their KSB lines can't be changed any more" in refused.text
    assert "--reopen-gateway" in refused.text
    async with services.sessions() as session:
        assert await epa_selection.selected_ids(session, 1) == before


async def test_the_centre_corrects_the_start_date_and_the_gateway_is_reopened(
    confirmed,
    employer,  # noqa: F811
    settings,
    monkeypatch,
    capsys,
):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(settings.files_dir))
    monkeypatch.setenv("FRAMEWORKS_DIR", str(settings.frameworks_dir))
    done = await asyncio.to_thread(
        main, ["apprenticeship", "--portfolio", "1", "--start", "2025-11-01"]
    )
    assert done == 0
    out = capsys.readouterr().out
    assert "Start: 01 Nov 2025" in out and "The gateway confirmed before is reopened" in out
    seen = await employer.send("/gateway")
    assert "Gateway: not confirmed yet" in seen.text and "Confirm gateway" in seen.buttons()
    assert "The centre reopened the gateway" in seen.text
    # Reopened, the plan can be changed in the chat again; nothing is left to reopen.
    assert "Set dates and hours" in (await confirmed.send("/apprenticeship")).buttons()
    again = await asyncio.to_thread(
        main, ["apprenticeship", "--portfolio", "1", "--reopen-gateway"]
    )
    assert again == 2
    assert "gateway isn't confirmed" in capsys.readouterr().err


async def test_the_decision_the_gateway_and_a_statement_are_written_once(confirmed, services):
    async with services.sessions() as session:
        ella = await session.scalar(select(Person).where(Person.name == "Ella"))
    for kind in (gateway_repo.Kind.DECISION, gateway_repo.Kind.GATEWAY):
        for _ in range(2):  # the second tap, queued behind the first (SQLite's one writer)
            async with writing(services.sessions) as session:
                again = await gateway_repo.record(
                    session,
                    portfolio_id=1,
                    kind=kind,
                    person=ella,
                    role="employer",
                    now=services.clock(),
                    on_date=date(2026, 11, 23),
                )
        assert again is None
    for _ in range(2):
        async with writing(services.sessions) as session:
            row = await statement_repo.confirm(
                session,
                portfolio_id=1,
                party=Party.EMPLOYER,
                person=ella,
                text="the text",
                fingerprint="f" * 64,
                pieces=10,
                now=services.clock(),
            )
    assert row is None
    async with services.sessions() as session:
        kinds = list(await session.scalars(select(GatewayRecord.kind).order_by(GatewayRecord.id)))
        statements = await session.scalar(select(func.count()).select_from(StatementConfirmation))
    assert kinds.count("decision") == 1 and kinds.count("gateway") == 1
    assert statements == 1
    # Two transactions side by side (PostgreSQL) both pass the check: the constraint refuses
    # the second row.
    for duplicate in (
        GatewayRecord(portfolio_id=1, kind="gateway", role="employer", seq=1),
        StatementConfirmation(
            portfolio_id=1, party="employer", text="t", fingerprint="e" * 64, pieces=1, follows=0
        ),
    ):
        with pytest.raises(IntegrityError):
            async with writing(services.sessions) as session:
                session.add(duplicate)


@pytest.mark.parametrize("command", ["/otj", "/epa", "/names", "/apprenticeship", "/progress"])
async def test_an_employer_is_pointed_to_the_gateway_and_the_statement(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    make_client,
    command,
):
    told = await employer.send(command)
    assert "As Anna's employer, yours are /gateway" in told.text and "/statement" in told.text
    mentee = make_client("Jon")
    await invite_and_join(apprentice, mentee)
    assert (await mentee.send(command)).text.startswith("This needs a mentor's journal.")
