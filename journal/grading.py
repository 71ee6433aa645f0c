"""What the assessors' grading rules share: how marks are stored, and the error a mark or grade
the rules cannot accept raises.

Marks as stored (`MarkRecord`) serve both rule sets: ILM marks of a mark sheet
(journal.ilm_marks, printed by journal.ilm_sheet_forms) and ST1379 method grades
(journal.st1379_grades). Of several records of the same thing the newest counts, so each rule
set reads them through `newest_last`; what an assessor has marked or graded, both rule sets
together, is journal.assessment_lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from journal.snapshot import MarkRecord


class MarkError(ValueError):
    """A mark or grade the rules cannot accept; the message says which and why."""


def newest_last(records: Iterable[MarkRecord]) -> list[MarkRecord]:
    """Oldest first, so that read in order the newest record of each thing is the one kept."""
    return sorted(records, key=lambda r: r.decided_at)
