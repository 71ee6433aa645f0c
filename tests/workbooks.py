"""Reading a workbook the tests wrote: openpyxl's read-only mode keeps the file open until the
workbook is closed, and an open file found by the garbage collector fails the suite."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    book = load_workbook(path, read_only=True)
    try:
        return list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
