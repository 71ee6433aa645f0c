"""What an assessor has marked or graded in a framework, as (label, text) lines: each ILM mark
sheet's outcome or what it still lacks, and the ST1379 method grades with the overall grade.

It reads both rule sets (journal.ilm_marks, journal.st1379_grades), so it is neither's; the
workbook's cover shows them under "Assessor's marks".
"""

from __future__ import annotations

from collections.abc import Iterable

from journal.frameworks.model import Framework
from journal.grading import MarkError
from journal.ilm_marks import ilm_statuses
from journal.snapshot import MarkRecord
from journal.st1379_grades import st1379_method_grades, st1379_overall


def assessment_lines(framework: Framework, records: Iterable[MarkRecord]) -> list[tuple[str, str]]:
    """(label, text) lines of what an assessor has marked or graded in this framework."""
    records = list(records)
    lines = [
        (f"Marks: {s.unit} {s.title}", s.result.summary() if s.result else s.problem or "")
        for s in ilm_statuses(framework, records)
    ]
    table = framework.extra.get("overall_grades")
    grades = st1379_method_grades(records) if table else {}
    if grades:
        given = "; ".join(f"{method}: {grade}" for method, grade in grades.items())
        try:
            overall = st1379_overall(grades["observation"], grades["discussion"], table)
        except KeyError:
            overall = "not yet graded (both methods are needed)"
        except MarkError as exc:
            overall = str(exc)
        lines.append((f"Grades: {framework.id}", f"{given}; overall: {overall}"))
    return lines
