"""Every element of each assessed task with the entries that evidence it, or as missing: a
sheet of the workbook and a section of the diary (issue 10). Derived from the entries by
journal.tasks, as the chat's /progress is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from exports.safe_cells import Column
from exports.sheets import write_sheet
from journal.tasks import TaskStatus, statuses

if TYPE_CHECKING:
    from openpyxl import Workbook

    from exports import ExportView

MISSING = "missing: no evidence yet"
SHEET = "Task elements"
COLUMNS = [
    Column("Task", 9),
    Column("Heading", 24),
    Column("Element (as the task asks)", 52),
    Column("Criteria", 14),
    Column("Mark-sheet section", 22),
    Column("Evidence", 18),
    Column("Status", 10),
]


def task_statuses(view: ExportView) -> list[TaskStatus]:
    return statuses(view.frameworks, view.snapshot.entries)


def _short_criteria(criterion_ids: tuple[str, ...]) -> str:
    return ", ".join(c.split(":", 1)[1].replace("/", " ") for c in criterion_ids)


def task_rows(view: ExportView) -> Iterator[list[Any]]:
    for status in task_statuses(view):
        for heading in status.task.headings:
            for element in heading.elements:
                found = next(e for e in status.elements if e.element is element)
                text = f"{element.lead} {element.text}" if element.lead else element.text
                yield [
                    status.task.label,
                    heading.title,
                    text,
                    _short_criteria(element.criteria),
                    element.section or "",
                    ", ".join(found.refs) if found.met else MISSING,
                    "evidenced" if found.met else "missing",
                ]


def write_tasks_sheet(
    wb: Workbook, view: ExportView, *, candidate: str, qualification: str
) -> None:
    """The 'Task elements' sheet, when a framework of the export has tasks."""
    if any(f.tasks for f in view.frameworks):
        write_sheet(
            wb, SHEET, COLUMNS, task_rows(view), candidate=candidate, qualification=qualification
        )


def write_tasks_section(writer: Any, view: ExportView) -> None:
    """The diary's section: per task, each heading's elements with their evidence or missing.
    `writer` is exports.pdf's page writer (heading, paragraph, gap, new_page)."""
    found = task_statuses(view)
    if not found:
        return
    writer.new_page()
    writer.heading("Task elements and their evidence", 14, 0)
    for status in found:
        met = len(status.met)
        writer.heading(
            f"{status.task.label}: {met} of {len(status.elements)} evidenced",
            11.5,
            1,
        )
        by_element = {id(e.element): e for e in status.elements}
        for heading in status.task.headings:
            writer.paragraph(heading.title, "B")
            for element in heading.elements:
                state = by_element[id(element)]
                mark = "✓" if state.met else "✗"
                text = f"{element.lead} {element.text}" if element.lead else element.text
                writer.paragraph(f"{mark} {text}", indent=3)
                evidence = (
                    f"Evidence: {', '.join(state.refs)}" if state.met else f"Evidence: {MISSING}"
                )
                writer.paragraph(evidence, "B" if not state.met else "", indent=7)
            writer.gap()
