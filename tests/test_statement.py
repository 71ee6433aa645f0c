"""The employer and apprentice statement as plain rules: its text, the evidence fingerprint and
when a confirmation is out of date; never a piece of evidence, never a reflective account."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from journal.gateway import evidence_fingerprint, evidence_pieces
from journal.portfolio_rules import apply_rules
from journal.snapshot import AttachmentRecord, StatementRecord
from journal.st1379_rules import is_reflective
from journal.statement import (
    SEED_WORDING,
    Party,
    fingerprint,
    may_confirm,
    short,
    statement_state,
    statement_text,
)
from tests.seed_text import seed_text
from tests.snapshots import st1379_snapshot

AT = datetime(2026, 11, 23, 9, tzinfo=UTC)


def record(party: str, fp: str, at: datetime = AT) -> StatementRecord:
    return StatementRecord(party, party.title(), statement_text("Anna"), fp, at)


def test_the_statement_answers_the_seeds_words() -> None:
    seed = seed_text()
    assert SEED_WORDING in seed
    text = statement_text("Anna Kowalska")
    assert "valid and attributable to the apprentice, Anna Kowalska" in text
    assert "the employer and the apprentice" in text


def test_the_fingerprint_changes_with_a_revision_an_attachment_or_a_piece() -> None:
    snapshot = st1379_snapshot()
    pieces = evidence_pieces(snapshot)
    base = fingerprint(pieces)
    assert base == fingerprint(reversed(pieces)) and len(base) == 64
    edited = [replace(pieces[0], revision=2), *pieces[1:]]
    assert fingerprint(edited) != base
    attached = AttachmentRecord(pieces[0].ref, "photo", Path("x.jpg"), None, 1, "c" * 64)
    assert fingerprint([replace(pieces[0], attachments=(attached,)), *pieces[1:]]) != base
    assert fingerprint(pieces[1:]) != base


def test_anonymising_the_export_keeps_the_fingerprint() -> None:
    snapshot = st1379_snapshot()
    assert evidence_fingerprint(apply_rules(snapshot)) == evidence_fingerprint(snapshot)


def test_both_must_confirm_the_evidence_as_it_is_now() -> None:
    state = statement_state([record("apprentice", "a" * 64)], "a" * 64)
    assert state.missing == [Party.EMPLOYER] and not state.complete
    both = statement_state([record("apprentice", "a" * 64), record("employer", "a" * 64)], "a" * 64)
    assert both.complete
    changed = statement_state(
        [record("apprentice", "a" * 64), record("employer", "a" * 64)], "b" * 64
    )
    assert changed.out_of_date == [Party.APPRENTICE, Party.EMPLOYER] and not changed.complete


def test_the_newest_confirmation_of_each_party_counts() -> None:
    later = AT + timedelta(days=1)
    state = statement_state(
        [record("employer", "b" * 64, later), record("employer", "a" * 64)], "b" * 64
    )
    assert state.current(Party.EMPLOYER)


def test_a_button_made_for_other_evidence_or_confirmed_already_does_not_confirm() -> None:
    state = statement_state([record("apprentice", "a" * 64)], "a" * 64)
    assert not may_confirm(state, Party.APPRENTICE, short("a" * 64))  # confirmed already
    assert may_confirm(state, Party.EMPLOYER, short("a" * 64))
    assert not may_confirm(state, Party.EMPLOYER, short("b" * 64))  # stale button


def test_statement_never_counts_as_a_reflective_account_or_a_piece() -> None:
    snapshot = replace(st1379_snapshot(), statements=(record("apprentice", "a" * 64),))
    view = apply_rules(snapshot)
    assert view.statements == snapshot.statements
    assert not any(is_reflective(e) for e in evidence_pieces(snapshot))
    assert len(evidence_pieces(snapshot)) == len(evidence_pieces(replace(snapshot, statements=())))
