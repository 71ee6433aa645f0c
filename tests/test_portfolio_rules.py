"""Framework rules: anonymisation, what an ST1379 export leaves out, and the rule checks."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from journal.anonymisation import anonymise, mentee_label, mentee_labels
from journal.entries import Kind
from journal.frameworks.registry import load_registry
from journal.gateway import evidence_fingerprint
from journal.portfolio_rules import apply_rules, check_portfolio
from journal.rule_checks import Status
from journal.snapshot import PortfolioSnapshot, StatementRecord
from journal.st1379_rules import PIECES, st1379_pieces
from journal.statement import statement_text
from tests.snapshots import (
    GENERATED,
    MENTEES,
    ecomentor_snapshot,
    entry,
    ilm_snapshot,
    session,
    st1379_snapshot,
)

REGISTRY = load_registry(None)
REAL_NAMES = re.compile(r"\b(jon|baker|ola|nowak)\b", re.IGNORECASE)


def strings(value: Any) -> Iterator[str]:
    """Every string anywhere inside a snapshot."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from strings(getattr(value, f.name))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings(v)


def checks(snapshot: PortfolioSnapshot) -> dict[str, Any]:
    return {c.rule: c for c in check_portfolio(snapshot, REGISTRY)}


def with_text(text: str, *, mentees: tuple[str, ...] = MENTEES) -> PortfolioSnapshot:
    return PortfolioSnapshot(
        1,
        "Anna",
        ("st1379",),
        GENERATED,
        entries=(session(1, 1, 60, summary=text),),
        mentees=mentees,
    )


def summary(snapshot: PortfolioSnapshot) -> str:
    return anonymise(snapshot).entries[0].data["summary"]


def test_labels_run_a_to_z_then_aa() -> None:
    assert [mentee_label(i) for i in (0, 1, 25, 26, 27)] == [
        "Mentee A",
        "Mentee B",
        "Mentee Z",
        "Mentee AA",
        "Mentee AB",
    ]


def test_no_real_mentee_name_is_left_anywhere_in_an_anonymised_st1379_snapshot() -> None:
    snapshot = st1379_snapshot()
    assert any(REAL_NAMES.search(s) for s in strings(snapshot))  # the test data does name them
    leaks = [s for s in strings(anonymise(snapshot)) if REAL_NAMES.search(s)]
    assert leaks == []


def test_each_mentee_keeps_one_label_everywhere() -> None:
    anonymous = anonymise(st1379_snapshot())
    assert anonymous.mentees == ("Mentee A", "Mentee B")
    assert anonymous.entries[0].mentees == ("Mentee A",)
    assert anonymous.entries[1].mentees == ("Mentee B",)
    assert anonymous.goals[0].owner == "Mentee B"
    assert anonymous.anonymised


def test_names_in_free_text_are_replaced_whole_in_any_case_and_possessive() -> None:
    text = "Jon Baker met Ola; JON's rota, ola’s notes and baker's list."
    assert summary(with_text(text)) == (
        "Mentee A met Mentee B; Mentee A's rota, Mentee B’s notes and Mentee A's list."
    )


def test_a_name_inside_another_word_is_left_alone() -> None:
    assert summary(with_text("Jonathan and Olaf read the Bakery notes")) == (
        "Jonathan and Olaf read the Bakery notes"
    )


def test_a_name_part_two_mentees_share_becomes_a_neutral_word() -> None:
    snapshot = with_text("Smith was late; Ann Smith was not.", mentees=("Ann Smith", "Bob Smith"))
    assert summary(snapshot) == "[mentee] was late; Mentee A was not."


def test_the_bots_pseudonyms_are_kept_and_erased_mentees_stay_as_they_are() -> None:
    snapshot = replace(
        with_text("Jon and Ola", mentees=("Mentee A", "Jon Baker", "Ola Nowak")),
        pseudonyms={"Ola Nowak": "Mentee B"},
    )
    assert mentee_labels(snapshot) == {
        "Mentee A": "Mentee A",
        "Jon Baker": "Mentee C",
        "Ola Nowak": "Mentee B",
    }
    assert summary(snapshot) == "Mentee C and Mentee B"


def test_an_st1379_export_leaves_out_reflective_accounts_and_self_assessment() -> None:
    view = apply_rules(st1379_snapshot())
    kinds = {e.kind for e in view.entries}
    assert Kind.REFLECTION not in kinds
    captions = [e.data.get("caption", "") for e in view.entries]
    assert not any("self-assessment" in c for c in captions)
    assert any("Employer and apprentice statement" in c for c in captions)
    assert not any("reflection" in e.data for e in view.entries if e.kind == Kind.SESSION)


def test_other_portfolios_are_exported_as_they_are() -> None:
    snapshot = ilm_snapshot()
    assert apply_rules(snapshot) is snapshot


@pytest.mark.parametrize(("pieces", "ok"), [(9, False), (10, True), (16, True), (17, False)])
def test_st1379_expects_ten_to_sixteen_pieces_of_evidence(pieces: int, ok: bool) -> None:
    snapshot = st1379_snapshot(pieces=pieces)
    assert len(st1379_pieces(snapshot)) == pieces
    check = checks(snapshot)["pieces"]
    assert check.failed is not ok
    assert check.message.startswith(f"{pieces} pieces of evidence")


def test_the_piece_limits_are_the_ones_in_the_framework_data() -> None:
    rules = " ".join(REGISTRY.frameworks["st1379"].extra["portfolio"])
    assert f"{PIECES[0]}-{PIECES[1]} discrete pieces of evidence" in rules


def test_reflections_and_the_statement_are_not_pieces_of_evidence() -> None:
    refs = {e.ref for e in st1379_pieces(st1379_snapshot())}
    assert refs == {f"E-{n:04d}" for n in range(1, 13)}  # 11 sessions and the contract


def test_evidence_of_one_mentee_only_fails_the_two_mentee_rule() -> None:
    snapshot = st1379_snapshot()
    one = replace(
        snapshot, entries=tuple(replace(e, mentees=MENTEES[:1]) for e in snapshot.entries)
    )
    assert not checks(snapshot)["mentees"].failed
    assert checks(one)["mentees"].failed
    assert "1 mentee" in checks(one)["mentees"].message


def test_the_statement_check_reads_the_confirmations_not_an_evidence_item() -> None:
    snapshot = st1379_snapshot()  # holds an evidence item captioned as the statement
    check = checks(snapshot)["statement"]
    assert check.failed
    assert "not yet confirmed by the apprentice or the employer" in check.message
    current = evidence_fingerprint(snapshot)
    signed = replace(
        snapshot,
        statements=tuple(
            StatementRecord(party, who, statement_text("Anna"), current, GENERATED)
            for party, who in (("apprentice", "Anna"), ("employer", "Ella"))
        ),
    )
    check = checks(signed)["statement"]
    assert not check.failed
    assert "confirmed by Anna (apprentice" in check.message and "Ella (employer" in check.message


def test_discussion_ksbs_without_evidence_are_listed() -> None:
    check = checks(st1379_snapshot(pieces=3))["discussion_ksbs"]
    assert check.failed
    assert "K16" in check.message and "K4" not in check.message  # K4 is observed, not discussed


def test_left_out_entries_are_counted_and_attachments_flagged_for_a_person(
    tmp_path: Path,
) -> None:
    found = checks(st1379_snapshot(tmp_path))
    assert found["reflective"].message.startswith("2 reflective")
    assert found["attachments"].status == Status.CHECK


def test_ilm_hours_are_checked_against_six_and_twenty_hours() -> None:
    found = checks(ilm_snapshot())
    assert not found["hours:D3.06"].failed
    assert found["hours:D3.07"].failed
    # D3.07 is supervised practice: the supervisor's confirmed hours are said beside.
    assert found["hours:D3.07"].message == (
        "D3.07: only 10 h logged of the 20 h minimum (10 h to go); "
        "1 h 15 confirmed by the supervisor (18 h 45 to confirm)"
    )
    assert found["hours:D3.04"].failed  # no coaching logged toward D3.04: a gap


def test_ecomentor_lists_every_criterion_still_without_evidence() -> None:
    check = checks(ecomentor_snapshot(covered=3))["criteria_evidenced"]
    assert check.failed
    assert check.message.startswith("103 of 106 criteria without enough evidence: M1_JM_01 1.4,")
    assert "M1_JM_01 1.1," not in check.message
    assert check.message.endswith("M3_JM_07 5.4")


def test_ecomentor_with_every_criterion_evidenced_passes() -> None:
    found = checks(ecomentor_snapshot(covered=106))
    assert found["criteria_evidenced"].status == Status.PASSED
    assert found["criteria_met"].status == Status.CHECK  # the assessor has not decided yet


def test_an_unknown_framework_is_a_failed_check_not_a_crash() -> None:
    snapshot = replace(ilm_snapshot(), framework_ids=("ilm", "nosuch"))
    assert checks(snapshot)["framework"].failed


def test_an_empty_portfolio_of_every_framework_is_checked_without_error() -> None:
    empty = PortfolioSnapshot(1, "Anna", ("ilm", "st1379", "ecomentor"), GENERATED)
    found = check_portfolio(empty, REGISTRY)
    assert {c.framework_id for c in found if c.failed} == {"ilm", "st1379", "ecomentor"}


def test_a_feedback_author_who_is_a_mentee_is_anonymised() -> None:
    feedback = entry(
        1,
        Kind.FEEDBACK,
        1,
        {"source": "mentee", "from_name": "Zoë Ray", "text": "Thanks"},
        author="Zoë Ray",
    )
    snapshot = PortfolioSnapshot(1, "Anna", ("st1379",), GENERATED, entries=(feedback,))
    anonymous = anonymise(snapshot).entries[0]
    assert (anonymous.author, anonymous.data["from_name"]) == ("Mentee A", "Mentee A")


def test_the_candidates_name_as_author_stays_when_a_mentee_shares_the_surname() -> None:
    written = session(1, 1, 60, mentees=("Jon Kowalska",), summary="Jon did well")
    written = replace(written, author="Anna Kowalska")
    snapshot = PortfolioSnapshot(1, "Anna Kowalska", ("st1379",), GENERATED, entries=(written,))
    anonymous = anonymise(snapshot).entries[0]
    assert (anonymous.author, anonymous.data["summary"]) == ("Anna Kowalska", "Mentee A did well")
