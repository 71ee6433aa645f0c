"""Anonymisation that is checked (issue 11): every form of a name is replaced, the names the
apprentice adds too, and the checks fail when something survives or would reach the export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from journal.anonymisation import added_label, anonymise
from journal.anonymity_rules import (
    FileReading,
    NamesFound,
    document_finder,
    file_problems,
    name_leaks,
)
from journal.entries import Kind
from journal.frameworks.registry import load_registry
from journal.left_out import why_left_out
from journal.name_variants import Named, NameFinder
from journal.portfolio_rules import apply_rules, check_portfolio
from journal.rule_checks import Status
from journal.snapshot import (
    AddedNameRecord,
    AttachmentRecord,
    EpaPieceRecord,
    PortfolioSnapshot,
    StatementRecord,
)
from journal.st1379_rules import st1379_checks
from tests.snapshots import GENERATED, entry, session, st1379_snapshot

REGISTRY = load_registry(None)
ST1379 = REGISTRY.frameworks["st1379"]


def portfolio(text: str, **fields) -> PortfolioSnapshot:
    return PortfolioSnapshot(
        1,
        "Anna",
        ("st1379",),
        GENERATED,
        entries=(session(1, 1, 60, summary=text, mentees=("Jon Baker",)),),
        mentees=("Jon Baker", "Ola Nowak"),
        **fields,
    )


def summary(snapshot: PortfolioSnapshot) -> str:
    return anonymise(snapshot).entries[0].data["summary"]


def checks(snapshot: PortfolioSnapshot) -> dict:
    return {c.rule: c for c in check_portfolio(snapshot, REGISTRY)}


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("J. Baker signed in", "Mentee A signed in"),
        ("J Baker signed in", "Mentee A signed in"),
        ("j.baker signed in", "Mentee A signed in"),
        ("ask @jbaker first", "ask Mentee A first"),
        ("t.me/jbaker", "t.me/Mentee A"),
        ("write to jon.baker@example.com today", "write to [email] today"),
        ("or JON.BAKER@Example.COM", "or [email]"),
        ("the office is office@northside.example.org", "the office is [email]"),
        ("jon led it", "Mentee A led it"),
        ("notes_jon_baker.txt", "notes_Mentee A.txt"),
    ],
)
def test_every_common_form_of_a_mentees_name_is_replaced(written: str, shown: str) -> None:
    assert summary(portfolio(written, usernames={"Jon Baker": "jbaker"})) == shown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Coached Ms O\u2019Brien on feedback", "Coached Ms Mentee A on feedback"),  # ’ phone
        ("\u2018o\u2019brien\u2019 agreed", "\u2018Mentee A\u2019 agreed"),  # quotes kept
        ("siobhan o\u02bcbrien came", "Mentee A came"),  # ʼ modifier letter
        ("O\u2032BRIEN came", "Mentee A came"),  # ′ prime, from a PDF's text
        ("Mary\u2011Jane Ng led", "Mentee B led"),  # non-breaking hyphen, Word
        ("mary\u2013jane came \u2013 late", "Mentee B came \u2013 late"),  # en dash
        ("Mary\u2010Jane", "Mentee B"),
        ("Siob\u00adhan came", "Mentee A came"),  # a soft hyphen hidden inside the name
    ],
)
def test_a_name_typed_with_a_look_alike_apostrophe_or_hyphen_is_replaced(
    written: str, shown: str
) -> None:
    snapshot = replace(portfolio(written), mentees=("Siobhan O'Brien", "Mary-Jane Ng"))
    assert summary(snapshot) == shown


def test_a_name_recorded_with_a_curly_apostrophe_is_found_typed_with_a_straight_one() -> None:
    finder = NameFinder([Named("Siobhan O\u2019Brien", "Mentee A")], capitals_only_for_parts=True)
    hits = finder.hits("Ms O'Brien-Kelly and SiobhanO\u2019Brien.pdf")
    assert [h.written for h in hits] == ["O'Brien", "SiobhanO\u2019Brien"]


def test_initials_of_two_mentees_sharing_a_surname_become_a_neutral_word() -> None:
    snapshot = replace(portfolio("J. Smith came"), mentees=("Jan Smith", "Joe Smith"))
    assert summary(snapshot) == "[mentee] came"


def test_a_colleague_and_a_manager_the_apprentice_added_are_replaced_by_their_labels() -> None:
    added = (
        AddedNameRecord("Priya Shah", "colleague", "Colleague A"),
        AddedNameRecord("Tom Reed", "manager", "Manager A"),
        AddedNameRecord("Northside Academy", "site", "Site A"),
    )
    text = "Priya observed; P. Shah and TOM agreed at Northside Academy (a good academy)."
    assert summary(portfolio(text, added_names=added)) == (
        "Colleague A observed; Colleague A and Manager A agreed at Site A (a good academy)."
    )


def test_a_part_shared_by_a_mentee_and_a_colleague_names_neither() -> None:
    added = (AddedNameRecord("Ola Smith", "colleague", "Colleague A"),)
    assert summary(portfolio("Ola came", added_names=added)) == "[name] came"


def test_an_added_username_is_replaced_with_or_without_its_at_sign() -> None:
    added = (AddedNameRecord("@pshah_tutor", "colleague", "Colleague A"),)
    assert summary(portfolio("cc @pshah_tutor and pshah_tutor", added_names=added)) == (
        "cc Colleague A and Colleague A"
    )


def test_labels_of_added_names_take_the_first_letter_nobody_had() -> None:
    assert added_label("colleague", ["Colleague A", "Colleague C", "Site B"]) == "Colleague B"
    assert added_label("site", []) == "Site A"


def test_the_anonymised_view_keeps_no_real_name_behind_its_labels() -> None:
    snapshot = portfolio(
        "x",
        usernames={"Jon Baker": "jbaker"},
        pseudonyms={"Jon Baker": "Mentee A"},
        added_names=(AddedNameRecord("Priya Shah", "colleague", "Colleague A"),),
    )
    view = anonymise(snapshot)
    assert view.usernames == {} and view.pseudonyms == {}
    assert [a.name for a in view.added_names] == ["Colleague A"]


def with_attachment(original_name: str) -> PortfolioSnapshot:
    snapshot = portfolio("Contract agreed")
    files = (AttachmentRecord("E-0001", "document", Path("x.pdf"), original_name, 10, "ab"),)
    return replace(snapshot, entries=(replace(snapshot.entries[0], attachments=files),))


def test_the_anonymised_check_fails_naming_where_a_run_together_name_survives() -> None:
    found = checks(with_attachment("JonBaker_contract.pdf"))["anonymised"]
    assert found.status == Status.FAILED
    assert "E-0001 attachment name (Mentee A, run-together)" in found.message
    assert "jon" not in found.message.casefold()  # the cover never shows the name itself


def test_the_anonymised_check_passes_when_the_file_name_is_replaced() -> None:
    found = checks(with_attachment("jon-baker-contract.pdf"))["anonymised"]
    assert found.status == Status.PASSED, found.message


def test_a_file_whose_name_names_a_mentee_is_a_file_problem_said_once() -> None:
    original = with_attachment("JonBaker.pdf")
    view = anonymise(original)
    read = {"ab": FileReading("read", (("page 1 text", "Planning notes"),))}
    [problem] = file_problems(original, view, read)
    assert (problem.file, problem.found) == ("JonBaker.pdf", ("“JonBaker” (its file name)",))
    assert not problem.cleanable  # cleaning metadata leaves the file's name
    texts = tuple((leak.where, leak.hit.written) for leak in name_leaks(original, view))
    assert texts == (("E-0001 attachment name", "JonBaker"),)
    assert NamesFound((problem,), texts).texts == ()  # said with the file, which has a button
    assert file_problems(original, anonymise(with_attachment("Plan.pdf")), read) == []


def test_a_name_in_a_field_the_anonymisation_missed_is_reported_by_the_check() -> None:
    # The check reads the view as the exports show it, whatever produced it.
    original = portfolio("Jon Baker led it")
    leaks = name_leaks(original, original)
    assert [(leak.where, leak.hit.labels) for leak in leaks] == [
        ("E-0001 summary", ("Mentee A",)),
        ("E-0001 mentees", ("Mentee A",)),
        ("mentees", ("Mentee A",)),
        ("mentees", ("Mentee B",)),
    ]
    found = {c.rule: c for c in st1379_checks(original, original, ST1379)}["anonymised"]
    assert found.failed and "E-0001 summary (Mentee A, full name)" in found.message


def test_a_name_with_a_typo_is_not_claimed_but_what_is_found_is_reported() -> None:
    # "Jn Bakr" is no form of Jon Baker: the check reports the real names it finds (here in
    # the mentee fields of an unanonymised view), and not the typo.
    leaks = name_leaks(portfolio("x"), portfolio("Jn Bakr came"))
    assert [leak.where for leak in leaks] == ["E-0001 mentees", "mentees", "mentees"]


def test_documents_count_a_first_name_alone_only_with_its_capital() -> None:
    finder = NameFinder([Named("Will Smith", "Mentee A")], capitals_only_for_parts=True)
    assert finder.hits("we will meet") == []
    assert [h.written for h in finder.hits("Will said; will smith")] == ["Will", "will smith"]


CPD_SELF = {"activity": "Self-assessment against the KSBs", "learning": "I rated myself 4/5"}


def test_a_cpd_self_assessment_and_a_personal_statement_are_left_out_and_listed() -> None:
    snapshot = replace(
        st1379_snapshot(),
        entries=(
            *st1379_snapshot().entries,
            entry(30, Kind.CPD, 50, CPD_SELF),
            entry(31, Kind.CPD, 51, {"activity": "Safeguarding course", "learning": "Reporting"}),
        ),
    )
    view = apply_rules(snapshot)
    refs = {e.ref for e in view.entries}
    assert "E-0030" not in refs and "E-0031" in refs
    assert "E-0014" not in refs  # the personal statement ("My self-assessment ...")
    found = checks(snapshot)["reflective"]
    assert found.status == Status.PASSED
    assert "E-0030 CPD self-assessment" in found.message
    assert "E-0013 reflective account" in found.message
    assert "E-0014 personal statement" in found.message


def test_the_reflective_check_fails_when_a_self_assessment_would_reach_the_export() -> None:
    snapshot = replace(st1379_snapshot(), entries=(entry(30, Kind.CPD, 50, CPD_SELF),))
    found = {c.rule: c for c in st1379_checks(snapshot, snapshot, ST1379)}["reflective"]
    assert found.failed
    assert found.message.startswith("would reach the export: E-0030 CPD self-assessment")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"caption": "Personal statement", "evidence_type": "product"}, "personal statement"),
        (
            {"caption": "Reflective account of week 3", "evidence_type": "product"},
            "reflective account",
        ),
        ({"caption": "Mentee reflective log", "evidence_type": "product"}, None),
        ({"caption": "Witness statement from my manager", "evidence_type": "witness"}, None),
    ],
)
def test_what_evidence_says_it_is_decides_whether_it_is_left_out(data, why) -> None:
    assert why_left_out(entry(1, Kind.EVIDENCE, 1, data)) == why


def test_a_single_name_inside_a_longer_word_is_no_leak() -> None:
    added = (AddedNameRecord("Priya", "colleague", "Colleague A"),)
    snapshot = portfolio("Priyanka came", added_names=added)
    assert checks(snapshot)["anonymised"].status == Status.PASSED


def test_the_candidates_own_name_is_not_a_mentee_sharing_their_surname() -> None:
    snapshot = replace(portfolio("x"), candidate="Anna Baker")
    finder = document_finder(snapshot)
    assert finder.hits("Written by Anna Baker") == []
    assert [h.written for h in finder.hits("Anna Baker met Baker")] == ["Baker"]


def test_records_other_parts_of_the_bot_add_are_redacted_their_signatories_kept() -> None:
    piece = EpaPieceRecord("E-0001", {"st1379:K1": "Jon planned it"}, observed="J. Baker led")
    signed = StatementRecord(
        "employer", "Ella Jones", "Anna's own work, Jon agrees", "f", GENERATED
    )
    view = anonymise(replace(portfolio("x"), epa_pieces=(piece,), statements=(signed,)))
    assert view.epa_pieces[0].lines == {"st1379:K1": "Mentee A planned it"}
    assert view.epa_pieces[0].observed == "Mentee A led"
    assert view.statements[0].person == "Ella Jones"
    assert view.statements[0].text == "Anna's own work, Mentee A agrees"
    assert name_leaks(portfolio("x"), view) == []


def test_with_an_epa_selection_only_the_selected_pieces_are_searched() -> None:
    files = (AttachmentRecord("E-0002", "document", Path("x.pdf"), "JonBaker.pdf", 10, "ab"),)
    snapshot = replace(
        portfolio("x"),
        entries=(
            session(1, 1, 60, summary="Planned", mentees=("Jon Baker",), tags=("st1379:K1",)),
            replace(session(2, 2, 60, summary="Met", tags=("st1379:K2",)), attachments=files),
        ),
    )

    def anonymised(selected: str) -> Status:
        chosen = (EpaPieceRecord(selected, {"st1379:K1": "x", "st1379:K2": "y"}),)
        return checks(replace(snapshot, epa_pieces=chosen))["anonymised"].status

    assert anonymised("E-0001") == Status.PASSED
    assert anonymised("E-0002") == Status.FAILED
