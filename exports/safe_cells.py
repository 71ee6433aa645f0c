"""Worksheet cells that never run user text as a formula, and tables with print settings.

openpyxl turns a string starting with "=" into a formula and "#N/A" into an error value.
Every string here is forced to a text cell (`data_type = "s"`, stored as an inline string),
and text that a spreadsheet would take for a formula when someone edits the cell (starting
with = + - @, tab or CR) also gets the quotePrefix style, which Excel and LibreOffice show as
the apostrophe prefix: the value stays exactly what the user wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HOURS_FORMAT = "0.00"


def clean_text(value: str) -> str:
    """Drop the control characters an xlsx file cannot hold and cut to Excel's cell limit.

    Line ends become "\n": a bare CR would come back as LF from any XML reader anyway.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]


def needs_quote(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # "hours": numbers shown with two decimals; others follow the value


class CellMaker:
    """Builds styled cells for a write-only sheet from one prepared style array per kind.

    Assigning style objects to each cell costs lookups in the workbook's style tables;
    passing a prepared style array to the cell is a plain copy, which matters at 50,000 cells.
    """

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self.styles: dict[str, StyleArray] = {
            "text": self._template(alignment=WRAP),
            "quoted": self._template(alignment=WRAP, quote=True),
            "header": self._template(alignment=WRAP, font=HEADER_FONT, fill=HEADER_FILL),
            "date": self._template(alignment=WRAP, number_format=DATE_FORMAT),
            "datetime": self._template(alignment=WRAP, number_format=DATETIME_FORMAT),
            "number": self._template(alignment=WRAP),
            "hours": self._template(alignment=WRAP, number_format=HOURS_FORMAT),
        }

    def _template(
        self,
        *,
        alignment: Alignment,
        font: Font | None = None,
        fill: PatternFill | None = None,
        number_format: str | None = None,
        quote: bool = False,
    ) -> StyleArray:
        cell = WriteOnlyCell(self.ws)
        cell.alignment = alignment
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        if number_format:
            cell.number_format = number_format
        if quote:
            cell.quotePrefix = True
        return cell._style

    def _styled(self, style: str, value: Any) -> Cell:
        return Cell(self.ws, row=1, column=1, value=value, style_array=self.styles[style])

    def text(self, value: str, style: str = "text") -> Cell:
        cell = self._styled("quoted" if needs_quote(value) else style, None)
        cell.value = clean_text(value)
        cell.data_type = "s"  # "=..." would otherwise be a formula, "#N/A" an error
        return cell

    def make(self, value: Any, kind: str) -> Cell | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, datetime):
            # Excel has no time zones: times are written in UTC and the headers say so.
            if value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return self._styled("datetime", value)
        if isinstance(value, date):
            return self._styled("date", value)
        return self._styled("hours" if kind == "hours" else "number", value)


def setup_print(ws: WriteOnlyWorksheet, title_rows: str | None = "1:1") -> None:
    """A4 landscape, one page wide, header row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def write_table(
    wb: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
) -> int:
    """A sheet with a frozen, filtered header row; returns the number of data rows."""
    ws = wb.create_sheet(title)
    for i, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"  # written before the rows in write-only mode, so set it first
    setup_print(ws)
    cells = CellMaker(ws)
    ws.append([cells.text(c.header, "header") for c in columns])
    kinds = [c.kind for c in columns]
    count = 0
    for row in rows:
        ws.append([cells.make(v, k) for v, k in zip(row, kinds, strict=True)])
        count += 1
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{count + 1}"
    return count
