"""Worksheets that print legibly on A4: rows as tall as their wrapped text, headers whole,
a print area, page breaks between units, the candidate and page numbers in the footer.

Still openpyxl's write-only mode: a row's height is estimated (exports.sizing) and written
with the row, a page break is noted before it, and nothing is kept once a row is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from exports.safe_cells import WRAP, CellMaker, Column, clean_text, setup_print
from exports.sizing import BOLD, CELL_MARGIN, row_height, text_width

# Red, amber, green: no evidence, some, enough (the fills of the criteria map).
RAG_FILLS = {"red": "F4C7C3", "amber": "FCE8B2", "green": "B7E1CD"}
TITLE_FONT = Font(bold=True, size=14)
TITLE_POINTS = 22.0


@dataclass(frozen=True)
class Row:
    """A data row with cells styled apart (by column index) or a page break before it."""

    values: Sequence[Any]
    styles: Mapping[int, str] = field(default_factory=dict)
    break_before: bool = False


def footer(ws: WriteOnlyWorksheet, candidate: str, qualification: str) -> None:
    """Candidate and qualification on the left, "Page 2 of 5" in the middle, the sheet right."""
    text = clean_text(f"{candidate} · {qualification}").replace("&", "&&")
    ws.oddFooter.left.text = text[:120]
    ws.oddFooter.left.size = 8
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = "&A"
    ws.oddFooter.right.size = 8
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


def styled_cells(ws: WriteOnlyWorksheet) -> CellMaker:
    """A CellMaker with the red/amber/green fills and a title style besides its own."""
    cells = CellMaker(ws)
    for name, colour in RAG_FILLS.items():
        cells.styles[name] = cells._template(
            alignment=WRAP, fill=PatternFill("solid", fgColor=colour)
        )
    cells.styles["title"] = cells._template(alignment=Alignment(vertical="center"), font=TITLE_FONT)
    cells.styles["left"] = cells._template(alignment=Alignment(horizontal="left", wrap_text=True))
    return cells


def header_width(column: Column) -> float:
    """The column's width, widened where a word of its (bold) header would not fit whole."""
    longest = max((text_width(w) for w in column.header.split()), default=0.0)
    return max(column.width, round(longest * BOLD + CELL_MARGIN + 0.5, 1))


def set_height(ws: WriteOnlyWorksheet, index: int, height: float | None) -> None:
    if height is not None:
        ws.row_dimensions[index] = RowDimension(ws, index=index, ht=height, customHeight=True)


def write_sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any] | Row],
    *,
    candidate: str,
    qualification: str,
    printed: int | None = None,
) -> int:
    """A table with a frozen, filtered header row, printed one A4 page wide (landscape) with
    the header repeated; the first `printed` columns are the print area (all by default), the
    others are for filtering and machines. Returns the number of data rows."""
    ws = wb.create_sheet(title)
    widths = [header_width(c) for c in columns]
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"  # written before the rows in write-only mode, so set it first
    setup_print(ws)
    footer(ws, candidate, qualification)
    cells = styled_cells(ws)
    headers = [c.header for c in columns]
    set_height(ws, 1, row_height(headers, widths, bold=True))
    ws.append([cells.text(h, "header") for h in headers])
    kinds = [c.kind for c in columns]
    count = 0
    for row in rows:
        count += 1
        index = count + 1
        if isinstance(row, Row):
            values, styles = row.values, row.styles
            if row.break_before and count > 1:
                ws.row_breaks.append(Break(id=index - 1))
        else:
            values, styles = row, {}
        made = [cells.make(v, k) for v, k in zip(values, kinds, strict=True)]
        for column, style in styles.items():
            cell = made[column]
            if cell is None:
                made[column] = cell = cells.text("", style)
            cell._style = cells.styles[style]  # the prepared style array, as CellMaker shares it
        set_height(ws, index, row_height(values, widths))
        ws.append(made)
        ws.row_dimensions.pop(index, None)  # written: nothing kept
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{count + 1}"
    shown = get_column_letter(printed or len(columns))
    ws.print_area = f"A1:{shown}{count + 1}"
    return count


def page_setup_portrait(ws: WriteOnlyWorksheet) -> None:
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
