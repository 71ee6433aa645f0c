"""The ST1379 gateway portfolio in the exports (issue 11): the apprentice's selected pieces
grouped by the professional discussion's grading themes, each with its line on how it shows
every KSB it is mapped to, and the discussion's KSBs still without a selected piece
(journal.epa_selection). A sheet of the workbook, a section of the diary and a cover line.

The independent assessor reads this to prepare the discussion's questions; the pieces appear
under every theme whose KSBs they show, so each theme reads on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from exports import entry_title, kind_label
from exports.safe_cells import Column
from exports.sheets import write_sheet
from journal.epa_selection import ThemeGroup, by_theme, discussion_gaps, selection
from journal.frameworks.model import Framework
from journal.st1379_rules import ST1379

if TYPE_CHECKING:
    from openpyxl import Workbook

    from exports import ExportView

SHEET = "EPA portfolio"
WITHOUT = "Without a selected piece"
COLUMNS = (
    Column("Theme", 18),
    Column("Ref", 8),
    Column("Date", 11),
    Column("Piece", 34),
    Column("KSB", 7),
    Column("How it shows the KSB", 48),
    Column("Observed by the employer (witness statement)", 30),
    Column("KSB text", 40),
)
PRINTED = 7


def _framework(view: ExportView) -> Framework | None:
    return next((f for f in view.frameworks if f.id == ST1379), None)


def groups(view: ExportView) -> list[ThemeGroup] | None:
    """The themes with their pieces, or None when the export holds no selection."""
    framework = _framework(view)
    found = selection(view.snapshot)
    if framework is None or not found.exists:
        return None
    return by_theme(framework, found.chosen)


def gaps(view: ExportView) -> tuple[str, ...]:
    framework = _framework(view)
    if framework is None:
        return ()
    return discussion_gaps(framework, selection(view.snapshot).chosen)


def cover_line(view: ExportView) -> str | None:
    """'12 pieces selected by the apprentice ...', or None without a selection (the cover's
    failed check says so)."""
    themes = groups(view)
    if themes is None:
        return None
    count = len(selection(view.snapshot).chosen)
    without = gaps(view)
    tail = f"; KSBs of the discussion without a piece: {', '.join(without)}" if without else ""
    return (
        f"{count} piece(s) selected by the apprentice, grouped by the professional "
        f"discussion's themes (sheet “{SHEET}”){tail}; no grades: the EPAO does not assess "
        "the portfolio"
    )


def _code(criterion_id: str) -> str:
    return criterion_id.split(":", 1)[-1]


def _rows(view: ExportView, themes: list[ThemeGroup]) -> Iterator[list[Any]]:
    framework = _framework(view)
    words = {c.id: c.text for c in framework.criteria} if framework else {}
    for group in themes:
        for item in group.items:
            e = item.chosen.entry
            title = f"{kind_label(e.kind)}: {entry_title(e)}"
            for ksb, line in item.lines:
                yield [
                    group.theme,
                    e.ref,
                    e.occurred_on,
                    title,
                    _code(ksb),
                    line or "(no line yet)",
                    item.chosen.piece.observed,
                    words.get(ksb, ""),
                ]
    codes = {c.code: c.text for c in framework.criteria} if framework else {}
    for code in gaps(view):
        yield [WITHOUT, None, None, None, code, None, None, codes.get(code, "")]


def write_epa_sheet(wb: Workbook, view: ExportView, *, candidate: str, qualification: str) -> None:
    themes = groups(view)
    if themes is None:
        return
    write_sheet(
        wb,
        SHEET,
        COLUMNS,
        _rows(view, themes),
        candidate=candidate,
        qualification=qualification,
        printed=PRINTED,
    )


def write_epa_section(writer: Any, view: ExportView) -> None:
    """The diary's section: each theme, its pieces and their lines, then the gaps."""
    themes = groups(view)
    if themes is None:
        return
    writer.new_page()
    writer.heading(f"{SHEET}: pieces by the professional discussion's themes", 14, 0)
    count = len(selection(view.snapshot).chosen)
    writer.paragraph(
        f"{count} piece(s) selected by the apprentice. Each says how it shows the KSBs it is "
        "mapped to."
    )
    for group in themes:
        codes = ", ".join(_code(k) for k in group.ksbs)
        writer.heading(f"{group.theme} ({codes})" if codes else group.theme, 11.5, 1)
        if not group.items:
            writer.paragraph("No selected piece under this theme.")
        for item in group.items:
            e = item.chosen.entry
            writer.paragraph(
                f"{e.ref} · {e.occurred_on:%d %b %Y} · {kind_label(e.kind)}: {entry_title(e)}",
                "B",
            )
            for ksb, line in item.lines:
                writer.paragraph(f"{_code(ksb)}: {line or '(no line yet)'}", indent=3)
            if item.chosen.piece.observed:
                writer.paragraph(
                    f"Observed by the employer: {item.chosen.piece.observed}", indent=3
                )
    without = gaps(view)
    writer.heading(WITHOUT, 11.5, 1)
    writer.paragraph(
        "KSBs of the professional discussion without a selected piece: " + ", ".join(without)
        if without
        else "Every KSB of the professional discussion has a selected piece."
    )
    writer.gap()
