"""The ST1379 gateway portfolio's selection as rules, without Telegram or a database
(journal.epa_selection): what may be picked, the range warning, KSB lines, themes, the
discussion's KSBs without a piece, readiness, and the view the export shows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from journal.entries import Kind
from journal.epa_selection import (
    OTHER_THEME,
    Range,
    Refusal,
    by_theme,
    candidates,
    discussion_gaps,
    gateway_view,
    one_line,
    page_of,
    portfolio_ready,
    range_warning,
    refusal,
    selection,
    without_grades,
)
from journal.frameworks.registry import load_registry
from journal.portfolio_rules import apply_rules, check_portfolio
from journal.rule_checks import Status
from journal.snapshot import EpaPieceRecord, MarkRecord, PortfolioSnapshot
from tests.snapshots import ASSESSOR, MENTEES, entry, st1379_snapshot, when

REGISTRY = load_registry()
ST1379 = REGISTRY.get("st1379")
assert ST1379 is not None


def extras(snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
    """The snapshot with an employer's opinion, a witness testimony, a mentee rating the bot
    tagged by rule and an off-the-job training entry."""
    more = (
        entry(
            60,
            Kind.FEEDBACK,
            50,
            {"source": "supervisor", "from_name": "Maria Jones", "text": "Anna is great"},
            tags=("st1379:B3",),
        ),
        entry(
            61,
            Kind.EVIDENCE,
            51,
            {"evidence_type": "witness", "caption": "I watched Anna run the review"},
            tags=("st1379:S6",),
        ),
        replace(
            entry(62, Kind.FEEDBACK, 52, {"source": "mentee", "rating": 4}),
            auto_tags=("st1379:S12",),
        ),
        entry(63, Kind.OTJ, 53, {"learned": "Questioning"}, minutes=180, tags=("st1379:K14",)),
    )
    return replace(snapshot, entries=snapshot.entries + more)


def pick(snapshot: PortfolioSnapshot, refs: list[str], **observed: str) -> PortfolioSnapshot:
    """Select `refs` with a line for every KSB each is mapped to."""
    by_ref = {e.ref: e for e in snapshot.entries}
    pieces = tuple(
        EpaPieceRecord(
            ref,
            {t: f"{ref} shows {t}" for t in by_ref[ref].tags},
            observed.get(ref.replace("-", "_")),
        )
        for ref in refs
    )
    return replace(snapshot, epa_pieces=pieces)


def test_rule_tagged_ratings_reflections_the_statement_and_training_are_not_offered():
    snapshot = extras(st1379_snapshot(pieces=12))
    offered = {e.ref for e in candidates(snapshot)}
    kinds = {e.ref: e for e in snapshot.entries}
    assert "E-0062" not in offered  # a mentee rating tagged by rule only: no claim
    assert refusal(kinds["E-0062"]) is Refusal.NO_CLAIM
    assert refusal(kinds["E-0013"]) is Refusal.REFLECTIVE  # the reflection
    assert refusal(kinds["E-0014"]) is Refusal.REFLECTIVE  # the self-assessment
    assert refusal(kinds["E-0015"]) is Refusal.STATEMENT
    assert refusal(kinds["E-0063"]) is Refusal.TRAINING
    assert refusal(None) is Refusal.GONE
    # Sessions, the contract and the employer's contributions are offered.
    assert {f"E-{n:04d}" for n in range(1, 13)} | {"E-0060", "E-0061"} == offered


def test_an_employer_opinion_is_refused_and_a_witness_statement_of_what_was_seen_accepted():
    snapshot = extras(st1379_snapshot())
    by_ref = {e.ref: e for e in snapshot.entries}
    assert refusal(by_ref["E-0060"]) is Refusal.OPINION
    assert refusal(by_ref["E-0060"], observed="   ") is Refusal.OPINION
    assert refusal(by_ref["E-0061"]) is Refusal.OPINION  # testimony not marked as observation
    assert refusal(by_ref["E-0061"], observed="Watched Anna agree goals with Mentee A") is None


@pytest.mark.parametrize(
    ("count", "warning"),
    [(9, Range.FEW), (10, None), (16, None), (17, Range.MANY), (0, Range.FEW)],
)
def test_fewer_than_ten_or_more_than_sixteen_pieces_is_a_warning(count, warning):
    assert range_warning(count) is warning


def test_a_selection_of_nine_is_still_exported_with_the_pieces_check_to_look_at():
    snapshot = st1379_snapshot(pieces=12)
    chosen = pick(snapshot, [f"E-{n:04d}" for n in range(1, 10)])
    checks = {c.rule: c for c in check_portfolio(chosen, REGISTRY)}
    assert checks["pieces"].status == Status.CHECK
    assert checks["pieces"].message.startswith("9 pieces of evidence selected")
    assert checks["selection"].status == Status.PASSED
    ready = portfolio_ready(apply_rules(chosen), ST1379)
    assert "9 pieces selected; the plan expects typically 10-16" in ready.warnings


def test_each_ksb_a_piece_is_mapped_to_needs_its_line():
    snapshot = st1379_snapshot(pieces=12)
    chosen = pick(snapshot, ["E-0001", "E-0002"])
    first = chosen.epa_pieces[0]
    lines = dict(first.lines)
    missing_ksb = next(iter(lines))
    del lines[missing_ksb]
    chosen = replace(chosen, epa_pieces=(replace(first, lines=lines), chosen.epa_pieces[1]))
    found = selection(chosen)
    assert found.chosen[0].missing == (missing_ksb,)
    code = missing_ksb.split(":")[1]
    ready = portfolio_ready(chosen, ST1379)
    assert f"E-0001 has no line on how it shows {code}" in ready.missing
    checks = {c.rule: c for c in check_portfolio(chosen, REGISTRY)}
    assert checks["ksb_lines"].status == Status.FAILED
    assert f"E-0001 ({code})" in checks["ksb_lines"].message


def test_a_line_is_one_line_and_not_empty():
    assert one_line("  Agreed the\ncontract   boundaries ") == "Agreed the contract boundaries"
    with pytest.raises(ValueError):
        one_line("  \n ")
    with pytest.raises(ValueError):
        one_line("x" * 301)


def test_pieces_are_grouped_by_the_discussions_themes_with_the_lines_of_each_theme():
    snapshot = st1379_snapshot(pieces=12)
    chosen = pick(snapshot, ["E-0001", "E-0002", "E-0012"])
    groups = {g.theme: g for g in by_theme(ST1379, selection(chosen).chosen)}
    themes = ["Professional practice", "Communication", "Assessment", "Monitoring"]
    assert list(groups)[:4] == themes
    # E-0002 is mapped to K2 (Communication) and K15 (Monitoring): under both.
    communication = {i.chosen.entry.ref: i.lines for i in groups["Communication"].items}
    monitoring = {i.chosen.entry.ref: i.lines for i in groups["Monitoring"].items}
    assert communication["E-0002"] == (("st1379:K2", "E-0002 shows st1379:K2"),)
    assert monitoring["E-0002"] == (("st1379:K15", "E-0002 shows st1379:K15"),)
    assert "E-0001" not in communication  # K1 and K14: Professional practice only
    assert OTHER_THEME not in groups  # no piece is mapped to a KSB of the observation


def test_a_ksb_of_the_observation_is_grouped_apart():
    snapshot = st1379_snapshot(pieces=12)
    one = replace(snapshot.entries[0], tags=("st1379:K1", "st1379:S12"))
    chosen = pick(replace(snapshot, entries=(one, *snapshot.entries[1:])), ["E-0001"])
    groups = {g.theme: g for g in by_theme(ST1379, selection(chosen).chosen)}
    assert groups[OTHER_THEME].items[0].lines == (("st1379:S12", "E-0001 shows st1379:S12"),)


def test_the_discussions_ksbs_without_a_selected_piece_are_named():
    snapshot = st1379_snapshot(pieces=12)
    chosen = pick(snapshot, ["E-0001"])  # K1 and K14
    gaps = discussion_gaps(ST1379, selection(chosen).chosen)
    assert "K1" not in gaps and "K14" not in gaps
    assert {"K2", "K3", "S2", "B5"} <= set(gaps)
    checks = {c.rule: c for c in check_portfolio(chosen, REGISTRY)}
    assert "without a selected piece: K2" in checks["discussion_ksbs"].message


def test_portfolio_ready_says_ready_or_what_is_missing():
    snapshot = st1379_snapshot(pieces=12)
    nothing = portfolio_ready(snapshot, ST1379)
    assert not nothing.ready
    assert nothing.missing == ("no pieces of evidence selected for the EPA portfolio (/epa)",)
    few = portfolio_ready(pick(snapshot, ["E-0001", "E-0002", "E-0003"]), ST1379)
    assert not few.ready
    assert [m for m in few.missing if m.startswith("KSBs of the professional discussion")]
    # Eleven sessions and the contract cover the discussion's 17 KSBs and both mentees.
    ready = portfolio_ready(pick(snapshot, [f"E-{n:04d}" for n in range(1, 13)]), ST1379)
    assert ready.ready, ready.missing
    assert ready.warnings == ()


def test_a_selected_entry_that_is_no_longer_a_piece_is_dropped_and_named():
    snapshot = st1379_snapshot(pieces=12)
    chosen = pick(snapshot, ["E-0001", "E-0002"])
    gone = replace(chosen, entries=tuple(e for e in chosen.entries if e.ref != "E-0002"))
    found = selection(gone)
    assert [c.entry.ref for c in found.chosen] == ["E-0001"]
    assert found.dropped == (("E-0002", Refusal.GONE),)
    assert "E-0002 was selected but is no longer a piece (deleted)" in (
        portfolio_ready(gone, ST1379).warnings
    )


def test_the_gateway_view_is_the_selection_and_the_statement_with_anonymised_lines():
    snapshot = st1379_snapshot(pieces=12)
    chosen = pick(snapshot, ["E-0001", "E-0003"])
    jon = MENTEES[0]
    line = f"{jon} agreed the boundaries; J. Baker wrote from jon.baker@example.test"
    piece = replace(chosen.epa_pieces[0], lines={"st1379:K1": line})
    chosen = replace(chosen, epa_pieces=(piece, chosen.epa_pieces[1]))
    view = gateway_view(chosen, apply_rules(chosen))
    assert [e.ref for e in view.entries] == ["E-0001", "E-0003", "E-0015"]
    assert view.goals == ()
    text = repr(view.epa_pieces)
    assert "Jon" not in text and "Baker" not in text and "example.test" not in text
    assert "Mentee A agreed the boundaries; Mentee A wrote from [email]" in text
    # Without a selection the view is what it was.
    plain = apply_rules(snapshot)
    assert gateway_view(snapshot, plain) is plain


def test_the_gateway_portfolio_carries_no_st1379_grade_but_keeps_other_marks():
    grades = (
        MarkRecord("st1379", "grades", "observation", "Pass", ASSESSOR, when(90)),
        MarkRecord("st1379", "grades", "discussion", "Distinction", ASSESSOR, when(90)),
    )
    snapshot = replace(st1379_snapshot(), marks=grades)
    assert without_grades(snapshot).marks == ()
    ilm = MarkRecord("ilm", "D3.06", "1", "30", ASSESSOR, when(80))
    both = replace(snapshot, framework_ids=("ilm", "st1379"), marks=(*grades, ilm))
    assert without_grades(both).marks == (ilm,)


def test_candidates_come_in_pages():
    items = candidates(st1379_snapshot(pieces=20))
    first, page, pages = page_of(items, 0)
    assert (len(first), page, pages) == (8, 0, 3)
    last, page, _ = page_of(items, 9)  # a page past the end shows the last
    assert page == 2 and last == items[16:]
