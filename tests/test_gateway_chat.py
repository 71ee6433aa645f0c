"""The ST1379 gateway through the real Dispatcher (issue 11): the checklist goes from not ready
to ready item by item, the employer's gateway confirmation is refused until then and recorded
with the date, the statement is confirmed by both, and buttons from anyone else write nothing."""

from __future__ import annotations

from datetime import date

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select

from handlers.gateway_view import GatewayCB, StatementCB
from journal.entries import Kind
from journal.epa_selection import discussion_ksbs
from storage import entries as entry_repo
from storage import epa_selection
from storage.models import GatewayRecord, Membership, Portfolio, StatementConfirmation
from storage.uow import writing
from tests.botkit import onboard_mentor
from tests.conftest import invite_and_join
from tests.test_otj import set_plan
from tests.test_prompts import buttons, deliver, outbox, sent  # noqa: F401 (fixture)


@pytest.fixture
async def apprentice(make_client):
    client = make_client("Anna")
    await onboard_mentor(client, frameworks=("ST1379",))
    return client


@pytest.fixture
async def employer(make_client, apprentice):
    client = make_client("Ella")
    await invite_and_join(apprentice, client, role="Employer")
    return client


@pytest.fixture
async def mentees(make_client, apprentice):
    found = []
    for name in ("Jon", "Ola"):
        client = make_client(name)
        await invite_and_join(apprentice, client)
        found.append(client)
    return found


def met(text: str) -> int:
    return text.count("✅")


def received(client, since: int = 0) -> list[SendMessage]:
    """What the bot sent to `client`'s chat of its own accord (another party's tap)."""
    return [
        c
        for c in client.session.calls[since:]
        if isinstance(c, SendMessage) and c.chat_id == client.user.id
    ]


async def curate(services, clock, pieces: int = 10) -> list[str]:
    """An EPA selection ready for the gateway, through the repositories the /epa journey uses:
    `pieces` sessions with both mentees, the professional discussion's KSBs spread over them,
    each selected with a line for each of its KSBs."""
    ksbs = list(discussion_ksbs(services.registry.get("st1379")))
    refs = []
    async with writing(services.sessions) as session:
        portfolio = await session.get(Portfolio, 1)
        mentee_ids = list(
            await session.scalars(
                select(Membership.id).where(
                    Membership.portfolio_id == 1, Membership.role == "mentee"
                )
            )
        )
        for n in range(pieces):
            entry = await entry_repo.create_entry(
                session,
                portfolio_id=1,
                author_id=portfolio.mentor_id,
                kind=Kind.SESSION,
                occurred_on=date(2026, 11, 1 + n),
                data={"summary": f"Session {n + 1} on goal setting", "format": "one_to_one"},
                now=clock(),
                duration_minutes=60,
                mentee_ids=[mentee_ids[n % 2]],
            )
            mine = ksbs[n::pieces] or [ksbs[0]]
            for ksb in mine:
                await entry_repo.toggle_tag(session, entry, ksb, portfolio.mentor_id, clock())
            await epa_selection.add(session, entry, portfolio.mentor_id, clock())
            for ksb in mine:
                await epa_selection.set_line(
                    session, entry, ksb, f"Shows {ksb} in practice", portfolio.mentor_id, clock()
                )
            refs.append(entry.ref)
    return refs


async def log_and_confirm_otj(apprentice, employer, services, clock, outbox, times: int):  # noqa: F811
    for _ in range(times):
        await apprentice.send("/otj")
        await apprentice.click("Today")
        await apprentice.send("12h")
        await apprentice.send("Workshop on mentoring conversations")
        await apprentice.send("K14")
    await deliver(services, outbox, clock)
    for request in sent(outbox, employer.user.id):
        await employer.press(buttons(request)["Confirm"])


async def both_confirm_the_statement(apprentice, employer) -> None:
    shown = await apprentice.send("/statement")
    assert "valid and attributable to the apprentice, Anna" in shown.text
    mark = len(employer.session.calls)
    done = await apprentice.click("I confirm")
    assert "Confirmed, thank you" in done.text
    assert "Apprentice: confirmed by Anna" in done.text
    [asked] = [m for m in received(employer, mark) if "statement" in m.text]
    assert "Anna confirmed the employer and apprentice statement." in asked.text
    confirmed = await employer.press(buttons(asked)["I confirm"])
    assert "Employer: confirmed by Ella" in confirmed.text


async def test_the_gateway_checklist_goes_from_not_ready_to_ready_item_by_item(
    apprentice,
    employer,
    mentees,
    services,
    clock,
    outbox,  # noqa: F811
):
    checklist = await apprentice.send("/gateway")
    assert met(checklist.text) == 0
    assert "12 months on programme: set the start date" in checklist.text
    assert set(checklist.buttons()) >= {
        "Set dates and hours",
        "Record English and maths",
        "Ask Ella for the decision",
        "Confirm the statement",
        "Choose the EPA pieces",
    }
    epa = await apprentice.click("Choose the EPA pieces", checklist)
    assert "<b>EPA portfolio</b>: 0 pieces selected" in epa.text
    await set_plan(apprentice)
    checklist = await apprentice.send("/gateway")
    assert "12 months on programme: from 01 Dec 2026" in checklist.text
    assert met(checklist.text) == 0

    # English and maths: the apprentice records one, the employer the other.
    routes = await apprentice.click("Record English and maths")
    assert "Entry Level 3" in routes.text and "British Sign Language (BSL)" in routes.text
    english = await apprentice.click("English: Level 2")
    assert "English Level 2 (recorded by Anna)" in english.text and met(english.text) == 0
    theirs = await employer.send("/gateway")
    assert "Anna's gateway checklist" in theirs.text
    await employer.click("Record English and maths")
    maths = await employer.click("Maths: Entry Level 3")
    assert "maths Entry Level 3 (recorded by Ella)" in maths.text
    assert met(maths.text) == 1

    refused = await employer.click("Confirm gateway", theirs)
    assert "Not yet: the gateway needs every item met" in refused.text
    assert "the employer's decision" in refused.text and "12 months on programme" in refused.text

    decided = await employer.click("Anna works at or above the standard", theirs)
    assert "Recorded: your decision that Anna works at or above the standard." in decided.text
    assert "Employer's decision, working at or above the standard: Ella" in decided.text
    assert met(decided.text) == 2

    await log_and_confirm_otj(apprentice, employer, services, clock, outbox, times=16)
    checklist = await apprentice.send("/gateway")
    assert "✅ Off-the-job training: 192 h of the 187 h minimum confirmed" in checklist.text
    assert met(checklist.text) == 3

    await curate(services, clock)
    checklist = await apprentice.send("/gateway")
    assert "✅ EPA portfolio: 10 pieces selected" in checklist.text
    assert met(checklist.text) == 4

    await both_confirm_the_statement(apprentice, employer)
    checklist = await apprentice.send("/gateway")
    assert "✅ Employer and apprentice statement: confirmed by both" in checklist.text
    assert met(checklist.text) == 5

    early = await employer.send("/gateway")
    refused = await employer.click("Confirm gateway", early)
    assert "Still missing:\n• 12 months on programme" in refused.text
    async with services.sessions() as session:
        assert list(
            await session.scalars(select(GatewayRecord.kind).order_by(GatewayRecord.id))
        ) == [
            "english",
            "maths",
            "decision",
        ]

    clock.advance(days=8)  # 1 Dec 2026: twelve months since 1 Dec 2025
    ready = await employer.send("/gateway")
    assert met(ready.text) == 6
    mark = len(apprentice.session.calls)
    confirmed = await employer.click("Confirm gateway", ready)
    assert confirmed.text == "Gateway confirmed on 01 Dec 2026. I'll let Anna know."
    [notice] = received(apprentice, mark)
    assert "Ella confirmed your gateway on 01 Dec 2026" in notice.text
    again = await employer.click("Confirm gateway", ready)
    assert again.alerts == ["The gateway was confirmed already, on 01 Dec 2026."]
    async with services.sessions() as session:
        [gateway] = await session.scalars(
            select(GatewayRecord).where(GatewayRecord.kind == "gateway")
        )
    assert (gateway.on_date, gateway.role) == (date(2026, 12, 1), "employer")
    progress = await apprentice.send("/progress")
    assert "Gateway</b>: confirmed on 01 Dec 2026" in progress.text


async def test_a_forged_or_stale_gateway_or_statement_button_writes_nothing(
    apprentice, employer, mentees, services
):
    jon = mentees[0]
    for who, data in (
        (jon, GatewayCB(p=1, act="ok").pack()),
        (jon, GatewayCB(p=1, act="dec").pack()),
        (jon, StatementCB(p=1, act="ok", f="0" * 12).pack()),
        (apprentice, GatewayCB(p=1, act="dec").pack()),
        (apprentice, GatewayCB(p=1, act="ok").pack()),
        (employer, GatewayCB(p=2, act="dec").pack()),
        (employer, GatewayCB(p=1, act="ask").pack()),
    ):
        refused = await who.press(data)
        assert refused.alerts == ["That button isn't for you."], data
    forged = await employer.press(GatewayCB(p=1, act="en", v="gcse").pack())
    assert forged.alerts == ["That button is out of date. Send /help to see what you can do."]

    shown = await employer.send("/statement")
    stale = StatementCB(p=1, act="ok", f="f" * 12).pack()  # made for other evidence
    changed = await employer.press(stale)
    assert "The evidence changed since that was shown" in changed.text
    assert shown.buttons() == ["I confirm"]
    async with services.sessions() as session:
        assert list(await session.scalars(select(GatewayRecord))) == []
        assert list(await session.scalars(select(StatementConfirmation))) == []


async def test_the_gateway_is_for_st1379_and_needs_a_journal(mentor, make_client):
    reply = await mentor.send("/gateway")
    assert "for ST1379 apprentices" in reply.text
    stranger = make_client("Sam")
    reply = await stranger.send("/gateway")
    assert "send /start" in reply.text.lower()


async def test_names_are_escaped_in_the_checklist_and_plain_on_buttons(apprentice, make_client):
    boss = make_client("Ella & <Co>")
    await invite_and_join(apprentice, boss, role="Employer")
    theirs = await boss.send("/gateway")
    decided = await boss.click("Anna works at or above the standard", theirs)
    assert "standard: Ella &amp; &lt;Co&gt;" in decided.text
    mine = await apprentice.send("/statement")
    assert "Ask Ella & <Co> to confirm" in mine.buttons()
