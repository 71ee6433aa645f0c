"""The ST1379 employer and apprentice statement as the exports show it (workbook cover, diary
front page and declarations): the exact text each party confirmed, who, when, and whether
their confirmation is for the evidence as exported (its fingerprint) or out of date.

Never a piece and never a reflective account: these lines stand beside the evidence.
"""

from __future__ import annotations

from datetime import UTC

from exports import ExportView
from journal.gateway import evidence_pieces
from journal.st1379_rules import ST1379
from journal.statement import Party, fingerprint, statement_state, statement_text

TITLE = "Employer and apprentice statement"
PARTY_LABELS = {Party.APPRENTICE: "Apprentice", Party.EMPLOYER: "Employer"}


def statement_lines(view: ExportView) -> list[tuple[str, str]]:
    """(label, text) lines of the statement, or none when the portfolio doesn't follow ST1379."""
    s = view.snapshot
    if ST1379 not in s.framework_ids:
        return []
    pieces = evidence_pieces(s)
    current = fingerprint(pieces)
    state = statement_state(s.statements, current)
    confirmed = [r for r in (state.apprentice, state.employer) if r is not None]
    text = confirmed[0].text if confirmed else statement_text(s.candidate)
    lines = [("Statement", f"“{text}”")]
    for party in Party:
        found = state.of(party)
        if found is None:
            value = "not confirmed"
        else:
            at = f"{found.confirmed_at.astimezone(UTC):%d %b %Y %H:%M} UTC"
            value = f"confirmed by {found.person}, {at}"
            if not state.current(party):
                value += " (OUT OF DATE: the evidence changed after this confirmation)"
        lines.append((PARTY_LABELS[party], value))
    lines.append(("Evidence fingerprint", f"SHA-256 {current} over {len(pieces)} pieces"))
    return lines
