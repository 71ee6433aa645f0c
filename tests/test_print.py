"""The workbook as printed: rows as tall as their wrapped text, A4 at a legible scale, and the
demo's workbook converted by a real spreadsheet program with every reference and code whole."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from exports.safe_cells import Column
from exports.sheets import header_width
from exports.sizing import LINE_POINTS, line_count, print_scale, row_height, text_width
from exports.xlsx import (
    CRITERIA_COLUMNS,
    CRITERIA_PRINTED,
    DIARY_COLUMNS,
    DIARY_PRINTED,
    EVIDENCE_COLUMNS,
    EVIDENCE_PRINTED,
    FEEDBACK_COLUMNS,
    GOAL_COLUMNS,
)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
LONG = " ".join(["Walked the site induction route and talked through the spill kits."] * 12)


def test_one_short_line_keeps_the_default_height() -> None:
    assert row_height(["E-0001", "Short text"], [8, 40]) is None


def test_a_long_text_gets_a_line_for_every_wrapped_line() -> None:
    lines = line_count(LONG, 40)
    # 803 characters in a column 40 "0"s wide: LibreOffice fits about 50 of this text a line
    # (Carlito or DejaVu at 11 pt); the estimate errs taller, never shorter.
    assert len(LONG) / 50 <= lines <= len(LONG) / 30
    assert row_height([LONG, "x"], [40, 10]) == pytest.approx(lines * LINE_POINTS + 3)


def test_line_breaks_wider_columns_and_long_words_count() -> None:
    assert line_count("a\nb\nc", 30) == 3
    assert line_count(LONG, 80) < line_count(LONG, 40)
    word = "x" * 300  # no space: broken over lines as a spreadsheet does
    assert line_count(word, 20) >= 300 * text_width("x") / 20
    assert line_count("ilm:D3.06/2.1\nilm:D3.07/2.3", 24) == 2


@pytest.mark.parametrize(
    ("columns", "printed", "least"),
    [
        (CRITERIA_COLUMNS, CRITERIA_PRINTED, 0.75),
        (EVIDENCE_COLUMNS, EVIDENCE_PRINTED, 0.70),
        (DIARY_COLUMNS, DIARY_PRINTED, 0.70),
        (GOAL_COLUMNS, len(GOAL_COLUMNS), 0.70),
        (FEEDBACK_COLUMNS, len(FEEDBACK_COLUMNS), 0.70),
    ],
)
def test_each_table_prints_on_a4_landscape_at_70_percent_or_more(
    columns: tuple[Column, ...], printed: int, least: float
) -> None:
    assert print_scale([header_width(c) for c in columns[:printed]]) >= least


def test_every_header_word_fits_its_column_whole() -> None:
    for column in (*CRITERIA_COLUMNS, *EVIDENCE_COLUMNS, *DIARY_COLUMNS, *FEEDBACK_COLUMNS):
        longest = max(text_width(w) for w in column.header.split())
        assert header_width(column) > longest


@pytest.fixture(scope="module")
def demo_book(demo_out: tuple[Path, list[Path]]) -> Path:
    return next(p for p in demo_out[1] if p.name.startswith("anna-kowalska-ilm-portfolio"))


def test_the_demo_workbook_has_heights_print_areas_breaks_and_footers(demo_book: Path) -> None:
    book = load_workbook(demo_book)
    criteria = book["Criteria map"]
    assert criteria.print_area == f"'Criteria map'!$A$1:$K${criteria.max_row}"
    units = [r[0] for r in criteria.iter_rows(min_row=2, values_only=True)]
    starts = [i + 2 for i in range(1, len(units)) if units[i] != units[i - 1]]
    assert [b.id + 1 for b in criteria.row_breaks.brk] == starts
    tall = [d.height for d in criteria.row_dimensions.values() if d.height]
    assert tall and max(tall) >= 3 * LINE_POINTS
    for ws in book:
        assert "Anna Kowalska" in ws.oddFooter.left.text
        assert ws.oddFooter.center.text == "Page &P of &N"
    fills = {c.fill.fgColor.rgb for c in criteria["H"][1:]}
    assert {"00F4C7C3", "00B7E1CD"} <= fills  # red and green coverage cells


def _printed_texts(book_path: Path) -> tuple[set[str], set[str]]:
    """Every evidence reference and criterion code in the printed columns of the workbook."""
    book = load_workbook(book_path, read_only=True)
    refs: set[str] = set()
    codes: set[str] = set()
    widths = {"Criteria map": CRITERIA_PRINTED, "Evidence index": EVIDENCE_PRINTED}
    for ws in book:
        if ws.title == "Cover":
            continue
        printed = widths.get(ws.title, DIARY_PRINTED if ws.title == "Mentoring diary" else 99)
        for n, row in enumerate(ws.iter_rows(values_only=True)):
            for i, value in enumerate(row[:printed]):
                text = str(value or "")
                refs |= set(re.findall(r"\bE-\d{4}\b", text))
                codes |= set(re.findall(r"\bilm:D3\.\d\d/\d\.\d\b", text))
                if ws.title == "Criteria map" and n and i in (0, 1):
                    codes.add(text)
    book.close()
    return refs, codes


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed here")
def test_libreoffice_prints_every_reference_and_criterion_code_whole(
    demo_book: Path, tmp_path: Path
) -> None:
    subprocess.run(  # noqa: S603 a fixed program and our own files
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(demo_book),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = PdfReader(tmp_path / demo_book.with_suffix(".pdf").name)
    text = "\n".join(page.extract_text() for page in pdf.pages)
    words = set(re.split(r"[\s,;()]+", text))
    refs, codes = _printed_texts(demo_book)
    assert len(refs) > 50 and len(codes) > 20
    assert sorted(refs - words) == []
    assert sorted(c for c in codes if c not in words and c not in text) == []
    assert "Page 1 of" in text and "Anna Kowalska" in text


def test_the_cover_is_a_summary_with_coverage_per_unit_in_colour(tmp_path: Path) -> None:
    from exports.xlsx import build_workbook
    from journal.frameworks.registry import load_registry
    from tests.snapshots import ilm_snapshot

    path = build_workbook(ilm_snapshot(), load_registry(None), tmp_path / "c.xlsx")
    ws = load_workbook(path)["Cover"]
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value}
    assert rows["Centre"][1].value == "not recorded"
    assert rows["Confirmed: ilm D3.06"][1].value == "1 h 15 by the supervisor"
    coverage = [r for r in ws.iter_rows() if str(r[0].value).startswith("Coverage ") and r[1].value]
    assert any(re.match(r"D3\.06: \d+ of 8 criteria evidenced", r[1].value) for r in coverage)
    assert {r[0].fill.fgColor.rgb for r in coverage} <= {"00F4C7C3", "00FCE8B2", "00B7E1CD"}
    failed = rows["Failed"][1].value
    assert "What to do: log more sessions tagged to this unit" in failed
