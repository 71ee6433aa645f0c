"""The workbook and the diary show every task element with its evidence refs, or as missing."""

from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from exports.pdf import build_diary
from exports.tasks_sheet import MISSING, SHEET
from exports.xlsx import build_workbook
from journal.entries import Kind
from journal.frameworks.registry import load_registry
from tests.snapshots import entry, ilm_snapshot
from tests.workbooks import sheet_rows

REGISTRY = load_registry(None)
ILM = REGISTRY.get("ilm")
SAFE = (
    "Explain how you planned and organised for a safe environment in which to undertake mentoring"
)


def _with_safe_environment(snapshot):
    safe = entry(90, Kind.CONTRACT, 1, {"environment": "The training room, booked, door closed"})
    return replace(snapshot, entries=(*snapshot.entries, safe)), safe.ref


def _rows(path: Path) -> list[tuple]:
    return sheet_rows(path, SHEET)


def test_workbook_lists_every_d306_and_d307_element_with_its_refs_or_missing(tmp_path: Path):
    base = ilm_snapshot(tmp_path / "files")
    rows = _rows(build_workbook(base, REGISTRY, tmp_path / "before.xlsx"))
    for code in ("D3.06", "D3.07"):
        task = ILM.task(code)
        shown = [r for r in rows if str(r[0]).startswith(code)]
        assert len(shown) == len(task.elements)
        assert {r[2] for r in shown} == {
            f"{e.lead} {e.text}" if e.lead else e.text for e in task.elements
        }
    safe_row = next(r for r in rows if r[0].startswith("D3.06") and r[2] == SAFE)
    assert (safe_row[5], safe_row[6]) == (MISSING, "missing")

    snapshot, ref = _with_safe_environment(base)
    rows = _rows(build_workbook(snapshot, REGISTRY, tmp_path / "after.xlsx"))
    safe_row = next(r for r in rows if r[0].startswith("D3.06") and r[2] == SAFE)
    assert (safe_row[5], safe_row[6]) == (ref, "evidenced")
    assert safe_row[3] == "D3.06 1.3"
    assert safe_row[4] == "Planning and organising mentoring sessions"


def test_diary_shows_each_d306_element_with_its_evidence_or_missing(tmp_path: Path):
    snapshot, ref = _with_safe_environment(ilm_snapshot(tmp_path / "files"))
    path = build_diary(snapshot, REGISTRY, tmp_path / "diary.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)
    section = text[text.rindex("Task elements and their evidence") :]  # past the contents
    d306 = section[section.index("D3.06 Mentoring Diary") : section.index("D3.07 Personal")]
    assert f"{SAFE} Evidence: {ref}" in d306
    clarify = (
        "Clarify what is required from the mentoring sessions and the mentoring programme overall"
    )
    assert f"✗ {clarify} Evidence: {MISSING}" in d306
    d307 = section[section.index("D3.07 Personal") :]
    for element in ILM.task("D3.07").elements:
        assert " ".join(element.text.split()[:6]) in d307
