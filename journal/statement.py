"""The ST1379 employer and apprentice statement (seed 002, "Portfolio of evidence requirements").

"The evidence provided should be valid and attributable to the apprentice; the portfolio of
evidence should contain a statement from the employer and apprentice confirming this."

Each party confirms the same text in the chat. Each confirmation keeps the exact text, who,
when and the fingerprint of the evidence confirmed: a SHA-256 over the canonical list of the
pieces' references, revisions and attachment hashes. Evidence changed afterwards (an edit, a
piece added, deleted or its file replaced) gives another fingerprint, and the statement is out
of date until the party confirms it again. The statement is never a piece of evidence and never
a reflective account: it is a record beside the entries, not an entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from journal.snapshot import EntryRecord, StatementRecord

# The seed's sentence the statement answers, word for word.
SEED_WORDING = (
    "The evidence provided should be valid and attributable to the apprentice; the portfolio "
    "of evidence should contain a statement from the employer and apprentice confirming this."
)
# What both parties confirm: the seed's wording in the first person plural.
STATEMENT_TEXT = (
    "We, the employer and the apprentice, confirm that the evidence provided in this portfolio "
    "of evidence is valid and attributable to the apprentice, {apprentice}."
)
# How many hex digits of the fingerprint a button carries (a button older than the evidence
# is recognised as stale) and people are shown.
SHORT = 12


class Party(StrEnum):
    APPRENTICE = "apprentice"
    EMPLOYER = "employer"


def statement_text(apprentice: str) -> str:
    return STATEMENT_TEXT.format(apprentice=apprentice.strip() or "named on this portfolio")


def fingerprint(pieces: Iterable[EntryRecord]) -> str:
    """SHA-256 of the pieces as canonical JSON: [[ref, revision, [attachment sha256 ...]] ...]
    sorted by reference, attachment hashes sorted; independent of order and of anonymisation."""
    canonical = sorted([e.ref, e.revision, sorted(a.sha256 for a in e.attachments)] for e in pieces)
    text = json.dumps(canonical, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def short(value: str) -> str:
    return value[:SHORT]


@dataclass(frozen=True)
class StatementState:
    """The newest confirmation of each party, against the evidence as it is now."""

    fingerprint: str
    apprentice: StatementRecord | None
    employer: StatementRecord | None

    def of(self, party: Party) -> StatementRecord | None:
        return self.apprentice if party == Party.APPRENTICE else self.employer

    def current(self, party: Party) -> bool:
        found = self.of(party)
        return found is not None and found.fingerprint == self.fingerprint

    @property
    def missing(self) -> list[Party]:
        """Parties who never confirmed."""
        return [p for p in Party if self.of(p) is None]

    @property
    def out_of_date(self) -> list[Party]:
        """Parties who confirmed evidence that has changed since."""
        return [p for p in Party if self.of(p) is not None and not self.current(p)]

    @property
    def complete(self) -> bool:
        """Both parties confirmed the evidence as it is now."""
        return all(self.current(p) for p in Party)


def statement_state(records: Sequence[StatementRecord], current: str) -> StatementState:
    """`records` in the order they were made; the newest of each party counts."""
    newest: dict[str, StatementRecord] = {}
    for record in sorted(records, key=lambda r: r.confirmed_at):
        newest[record.party] = record
    return StatementState(
        fingerprint=current,
        apprentice=newest.get(Party.APPRENTICE),
        employer=newest.get(Party.EMPLOYER),
    )


def may_confirm(state: StatementState, party: Party, shown: str) -> bool:
    """Whether a tap confirms: the button was made for the evidence as it is now (`shown` is
    the short fingerprint it carries) and this party's current confirmation is not there yet."""
    return shown == short(state.fingerprint) and not state.current(party)
