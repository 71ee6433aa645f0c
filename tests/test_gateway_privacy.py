"""The gateway, the statement and the recordings belong to the apprentice's portfolio: /mydata
holds them (the employer's copy what they recorded and confirmed), erasing the employer keeps
the apprentice's record without their name, and they count as activity for retention."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import GatewayRecord, StatementConfirmation
from storage.retention import portfolio_activity
from tests.test_gateway_chat import apprentice, employer  # noqa: F401 (fixtures)
from tests.test_privacy import copy_of


async def employer_records_and_confirms(apprentice, employer) -> None:  # noqa: F811
    theirs = await employer.send("/gateway")
    await employer.click("Anna works at or above the standard", theirs)
    await employer.send("/statement")
    await employer.click("I confirm")
    await apprentice.send("/gateway")
    await apprentice.click("Record English and maths")
    await apprentice.click("English: British Sign Language (BSL) qualification")


async def test_mydata_holds_the_gateway_and_statement_records(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
):
    await employer_records_and_confirms(apprentice, employer)
    theirs = await copy_of(employer)
    assert [r["kind"] for r in theirs["gateway_records"]] == ["decision"]
    [statement] = theirs["statement_confirmations"]
    assert statement["party"] == "employer" and "valid and attributable" in statement["text"]
    mine = await copy_of(apprentice)
    assert [r["kind"] for r in mine["gateway_records"]] == ["decision", "english"]
    assert mine["gateway_records"][1]["value"] == "bsl"
    assert [s["party"] for s in mine["statement_confirmations"]] == ["employer"]
    assert mine["recordings"] == []


async def test_erasing_the_employer_keeps_the_apprentices_record_without_their_name(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    services,
):
    await employer_records_and_confirms(apprentice, employer)
    await employer.send("/forget")
    await employer.click("Erase everything")
    async with services.sessions() as session:
        assert len(list(await session.scalars(select(GatewayRecord)))) == 2
        assert len(list(await session.scalars(select(StatementConfirmation)))) == 1
    shown = await apprentice.send("/statement")
    assert "Employer: confirmed by Former member" in shown.text
    checklist = await apprentice.send("/gateway")
    assert "standard: Former member" in checklist.text


async def test_erasing_the_apprentice_erases_the_gateway_and_the_statement(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    services,
):
    await employer_records_and_confirms(apprentice, employer)
    await apprentice.send("/forget")
    await apprentice.click("Erase everything")
    async with services.sessions() as session:
        assert list(await session.scalars(select(GatewayRecord))) == []
        assert list(await session.scalars(select(StatementConfirmation))) == []


async def test_a_gateway_record_is_activity_for_retention(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    services,
    clock,
):
    clock.advance(days=30)
    theirs = await employer.send("/gateway")
    await employer.click("Anna works at or above the standard", theirs)
    async with services.sessions() as session:
        [activity] = await portfolio_activity(session)
    assert clock() in activity.latest
