"""The ST1379 gateway checklist as a plain domain function (no Telegram, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from journal.apprenticeship import Plan
from journal.gateway import (
    ALTERNATIVES,
    ITEMS,
    GatewayFacts,
    Item,
    Recorded,
    basis_allowed,
    checklist,
    pieces_readiness,
)
from journal.snapshot import StatementRecord
from journal.statement import statement_state, statement_text
from tests.seed_text import seed_text

PLAN = Plan(date(2025, 12, 1), date(2026, 12, 7), 318, 187)
AT = datetime(2026, 12, 1, 10, tzinfo=UTC)


def signed(fp: str) -> list[StatementRecord]:
    return [
        StatementRecord(p, who, statement_text("Anna"), fp, AT)
        for p, who in (("apprentice", "Anna"), ("employer", "Ella"))
    ]


def nothing_yet() -> GatewayFacts:
    return GatewayFacts(
        plan=PLAN,
        today=date(2026, 11, 30),
        confirmed_minutes=0,
        english=None,
        maths=None,
        decision=None,
        statement=statement_state([], "f" * 64),
        portfolio=pieces_readiness(3),
    )


def test_the_checklist_goes_from_not_ready_to_ready_item_by_item() -> None:
    facts = nothing_yet()
    assert checklist(facts).missing == ITEMS
    steps = [
        (Item.ON_PROGRAMME, dict(today=date(2026, 12, 1))),
        (Item.OTJ, dict(confirmed_minutes=187 * 60)),
        (
            Item.ENGLISH_MATHS,
            dict(
                english=Recorded("Anna", "apprentice", AT, "bsl"),
                maths=Recorded("Ella", "employer", AT, "level2"),
            ),
        ),
        (Item.DECISION, dict(decision=Recorded("Ella", "employer", AT))),
        (Item.STATEMENT, dict(statement=statement_state(signed("f" * 64), "f" * 64))),
        (Item.PORTFOLIO, dict(portfolio=pieces_readiness(12))),
    ]
    for item, change in steps:
        before = checklist(facts)
        assert not before.met[item] and not before.ready
        facts = replace(facts, **change)
        assert checklist(facts).met[item]
    assert checklist(facts).ready and checklist(facts).missing == ()


def test_english_alone_is_not_english_and_maths() -> None:
    facts = replace(nothing_yet(), english=Recorded("Anna", "apprentice", AT, "level2"))
    assert not checklist(facts).met[Item.ENGLISH_MATHS]


def test_off_the_job_hours_count_only_when_the_employer_confirmed_the_minimum() -> None:
    assert not checklist(replace(nothing_yet(), confirmed_minutes=187 * 60 - 1)).met[Item.OTJ]
    no_plan = replace(nothing_yet(), plan=None, confirmed_minutes=400 * 60)
    assert not checklist(no_plan).met[Item.OTJ]
    assert not checklist(no_plan).met[Item.ON_PROGRAMME]


def test_twelve_months_are_met_on_the_anniversary_and_not_the_day_before() -> None:
    assert not checklist(nothing_yet()).met[Item.ON_PROGRAMME]  # 30 Nov 2026
    assert checklist(replace(nothing_yet(), today=date(2026, 12, 1))).met[Item.ON_PROGRAMME]
    assert checklist(nothing_yet()).on_programme_from == date(2026, 12, 1)


def test_a_statement_confirmed_before_the_evidence_changed_does_not_count() -> None:
    stale = statement_state(signed("a" * 64), "b" * 64)
    assert not checklist(replace(nothing_yet(), statement=stale)).met[Item.STATEMENT]


def test_the_portfolio_is_ready_within_ten_to_sixteen_pieces() -> None:
    assert [pieces_readiness(n).ready for n in (9, 10, 16, 17)] == [False, True, True, False]


def test_the_english_and_maths_alternatives_are_the_seeds_words() -> None:
    seed = seed_text()
    for text in ALTERNATIVES.values():
        assert text in seed
    assert basis_allowed("english", "bsl") and not basis_allowed("maths", "bsl")
    assert not basis_allowed("science", "level2")


def test_evidence_changed_after_the_gateway_shows_what_is_no_longer_met() -> None:
    ready = replace(
        nothing_yet(),
        today=date(2026, 12, 2),
        confirmed_minutes=187 * 60,
        english=Recorded("Anna", "apprentice", AT, "level2"),
        maths=Recorded("Anna", "apprentice", AT, "level2"),
        decision=Recorded("Ella", "employer", AT),
        statement=statement_state(signed("f" * 64), "f" * 64),
        portfolio=pieces_readiness(12),
    )
    assert checklist(ready).changed_since == ()  # not confirmed: nothing to compare with
    confirmed = replace(ready, gateway=Recorded("Ella", "employer", AT), gateway_on=AT.date())
    assert checklist(confirmed).changed_since == ()
    edited = replace(confirmed, statement=statement_state(signed("f" * 64), "e" * 64))
    assert checklist(edited).changed_since == (Item.STATEMENT,)
