"""How tall a worksheet row must be for its wrapped text: openpyxl cannot auto-fit.

A spreadsheet column's width is counted in widths of the digit "0" of the default font, so
the text of a cell is measured in the same unit: each character's advance width divided by
the "0"'s, read once from the DejaVu Sans metrics shipped in exports/fonts (fontTools comes
with fpdf2). The ratios of the proportional fonts a spreadsheet uses (Calibri, Carlito,
Liberation Sans, DejaVu Sans) are close; DejaVu's are a little wider, so the estimate errs
on the side of a taller row rather than a cut line. Text is wrapped greedily at spaces, as
Excel and LibreOffice do, and a word longer than the column is broken across lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

FONT = Path(__file__).parent / "fonts" / "DejaVuSans.ttf"
LINE_POINTS = 15.0  # one line of 11 pt text, as Excel's and LibreOffice's default row
PADDING_POINTS = 3.0  # above and below the text of a cell
CELL_MARGIN = 1.0  # of a column's width (in "0" widths) lost to the cell's side margins
SAFETY = 1.06  # measured text is taken this much wider than the table says
BOLD = 1.08  # bold text (headers) is this much wider
WIDE = 2.0  # a character the table does not know (CJK, emoji) counts as two "0"s
MAX_LINES = 409 // 15  # Excel's highest row is 409 points


@lru_cache(maxsize=1)
def _ratios() -> dict[str, float]:
    font = TTFont(FONT, lazy=True)
    try:
        cmap = font.getBestCmap()
        advances = font["hmtx"].metrics
        zero = advances[cmap[ord("0")]][0]
        return {
            chr(code): advances[glyph][0] / zero * SAFETY
            for code, glyph in cmap.items()
            if code < 0x3000 and glyph in advances
        }
    finally:
        font.close()


@lru_cache(maxsize=65536)
def text_width(word: str) -> float:
    """The width of `word` in "0" widths (words repeat: measured once each)."""
    ratios = _ratios()
    return sum(ratios.get(c, WIDE) for c in word)


def line_count(text: str, width: float, bold: bool = False) -> int:
    """How many lines `text` takes in a wrapping cell `width` "0"s wide."""
    room = max(width - CELL_MARGIN, 1.0)
    if bold:
        room /= BOLD
    space = text_width(" ")
    lines = 0
    for paragraph in text.split("\n"):
        if len(paragraph) * 0.5 <= room and text_width(paragraph) <= room:
            lines += 1  # most cells: one short line
            continue
        used, count = 0.0, 1
        for word in paragraph.split(" "):
            w = text_width(word)
            if used and used + space + w <= room:
                used += space + w
                continue
            if used:
                count += 1
            if w > room:  # a word longer than the column is broken over lines
                count += math.ceil(w / room) - 1
                w = w % room or room
            used = w
        lines += count
    return lines


def row_height(values: Sequence[Any], widths: Sequence[float], bold: bool = False) -> float | None:
    """The height in points a row needs so that no wrapped line is hidden; None when one line
    is enough (the default height, nothing to write)."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if isinstance(value, str) and value:
            lines = max(lines, line_count(value, width, bold))
    if lines == 1:
        return None
    return min(lines, MAX_LINES) * LINE_POINTS + PADDING_POINTS


def print_scale(
    widths: Sequence[float], landscape: bool = True, margins_inch: float = 1.0
) -> float:
    """The scale a sheet of these column widths prints at when fitted to one A4 page wide.

    A column `w` "0"s wide is w * 7 + 5 pixels at 96 dpi with the default font (Calibri 11),
    as Excel and LibreOffice lay it out."""
    page_inch = (297 if landscape else 210) / 25.4 - margins_inch
    needed_inch = sum(w * 7 + 5 for w in widths) / 96
    return min(1.0, page_inch / needed_inch)
