"""The workbook, the diary and the bundle, opened again and read as an assessor would."""

from __future__ import annotations

import json
import random
import re
import string
import time
import zipfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from pypdf import PdfReader

from exports.bundle import MANIFEST, SIGNATURE, build_bundle, verify_bundle
from exports.pdf import _Writer, build_diary
from exports.xlsx import build_workbook
from journal.entries import Kind
from journal.frameworks.registry import Registry, load_registry
from journal.snapshot import PortfolioSnapshot
from tests.snapshots import FORMULA_TEXT, ilm_snapshot, session, st1379_snapshot

REGISTRY: Registry = load_registry(None)
KEY = Ed25519PrivateKey.generate()  # the centre's key in these tests
PUBLIC = KEY.public_key()
REAL_NAMES = re.compile(r"\b(jon|baker|ola|nowak)\b", re.IGNORECASE)
SHEETS = [
    "Cover",
    "Criteria map",
    "Evidence index",
    "Mentoring diary",
    "Goals",
    "Feedback",
    "Hours",
    "Task elements",
    "Assessment record",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="module")
def ilm(folder: Path) -> PortfolioSnapshot:
    return ilm_snapshot(folder / "files-ilm")


@pytest.fixture(scope="module")
def ilm_book(ilm: PortfolioSnapshot, folder: Path) -> Workbook:
    return load_workbook(build_workbook(ilm, REGISTRY, folder / "ilm.xlsx"))


@pytest.fixture(scope="module")
def ilm_pdf(ilm: PortfolioSnapshot, folder: Path) -> list[str]:
    return pdf_pages(build_diary(ilm, REGISTRY, folder / "ilm.pdf"))


@pytest.fixture(scope="module")
def st1379(folder: Path) -> PortfolioSnapshot:
    return st1379_snapshot(folder / "files-st1379")


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def table(book: Workbook, sheet: str) -> list[dict[str, Any]]:
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def cell_texts(book: Workbook) -> list[str]:
    return [
        c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]


def cover(book: Workbook) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for label, value in book["Cover"].iter_rows(values_only=True):
        found.setdefault(label, []).append(value)
    return found


def test_the_workbook_has_its_sheets_in_order(ilm_book: Workbook) -> None:
    assert ilm_book.sheetnames == SHEETS


@pytest.mark.parametrize("sheet", SHEETS[1:])
def test_tables_have_frozen_filtered_headers_and_print_one_page_wide(
    ilm_book: Workbook, sheet: str
) -> None:
    ws = ilm_book[sheet]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["A2"].alignment.wrap_text and ws["A1"].font.bold
    assert ws.column_dimensions["A"].width > 5


def test_the_criteria_map_lists_all_55_ilm_criteria(ilm_book: Workbook) -> None:
    rows = table(ilm_book, "Criteria map")
    assert len(rows) == 55
    assert [r["Criterion id"] for r in rows] == [c.id for c in REGISTRY.frameworks["ilm"].criteria]


def test_the_criteria_map_shows_claimed_evidence_apart_from_the_assessors_decision(
    ilm_book: Workbook,
) -> None:
    rows = {r["Criterion id"]: r for r in table(ilm_book, "Criteria map")}
    contract = rows["ilm:D3.06/1.2"]
    assert contract["Mentor's claim: evidence refs"] == "E-0001"
    assert (contract["Evidence count"], contract["Target"], contract["Coverage"]) == (
        1,
        1,
        "Covered",
    )
    assert contract["Assessor decision"] == "Met"
    assert contract["Assessor comment"] == "Contract now attached"
    assert contract["Assessor"] == "Peter Grant"
    hours = rows["ilm:D3.06/2.1"]
    assert hours["Mentor's claim: evidence refs"] == ", ".join(f"E-{n:04d}" for n in range(2, 10))
    assert hours["Assessor decision"] is None
    assert rows["ilm:D3.01/1.1"]["Coverage"] == "No evidence"


def test_the_evidence_index_lists_every_entry_with_its_attachment_fingerprint(
    ilm: PortfolioSnapshot, ilm_book: Workbook
) -> None:
    rows = {r["Ref"]: r for r in table(ilm_book, "Evidence index")}
    assert set(rows) == {e.ref for e in ilm.entries}
    photo = next(e for e in ilm.entries if e.attachments).attachments[0]
    evidence = rows["E-0016"]
    assert evidence["Attachments (in the bundle)"] == "attachments/E-0016-1.jpg"
    assert evidence["SHA-256"] == photo.sha256
    assert evidence["Title / caption"] == "Signed handover checklist"
    assert evidence["Evidence type"] == "Product evidence"


def test_diary_goals_and_feedback_sheets_carry_the_logged_fields(ilm_book: Workbook) -> None:
    diary = {r["Ref"]: r for r in table(ilm_book, "Mentoring diary")}
    assert len(diary) == 9
    assert diary["E-0002"]["Feedback"].startswith("E-0012 Jon Baker, 4/5: Doing it for real")
    assert diary["E-0002"]["Supervisor confirmation"].startswith("Maria Jones")
    assert diary["E-0003"]["Reflection"].startswith("I talked too much")
    [goal] = table(ilm_book, "Goals")
    assert (goal["Goal"], goal["Status"], goal["Progress"]) == ("E-0014", "On track", "Halfway")
    [feedback] = table(ilm_book, "Feedback")
    assert (feedback["About"], feedback["Rating (1-5)"]) == ("E-0002", 4)


def test_the_hours_sheet_runs_each_unit_against_its_minimum(ilm_book: Workbook) -> None:
    rows = table(ilm_book, "Hours")
    d306, d307 = "D3.06 running (h), minimum 6 h", "D3.07 running (h), minimum 20 h"
    assert d306 in rows[0] and d307 in rows[0]
    assert [r[d306] for r in rows if r[d306] is not None][-1] == 10.0
    reached = [r["Session"] for r in rows if "D3.06" in (r["Minimum reached"] or "")]
    assert reached == ["E-0006"]  # 5 x 1 h 15 = 6 h 15
    coaching = next(r for r in rows if r["Session"] == "E-0010")
    assert coaching["D3.03 running (h), minimum 6 h"] == 1.5 and coaching[d306] is None


def test_the_cover_has_identity_totals_failed_checks_marks_and_the_declaration(
    ilm_book: Workbook,
) -> None:
    found = cover(ilm_book)
    assert found["Candidate"][0] == "Anna Kowalska"
    assert "ILM Level 3 Certificate" in found["Frameworks"][0]
    assert found["Period"] == ["2 Feb 2026 – 4 Apr 2026"]
    assert found["Session hours"] == ["11 h 30"]
    assert "D3.07: only 10 h logged of the 20 h minimum (10 h to go)" in " ".join(found["Failed"])
    assert found["Marks: D3.06 Mentoring Diary"][0].startswith("REFERRAL")
    assert "Declaration of authenticity" in found
    assert "my own work" in found["Candidate's declaration"][0]


def test_user_text_starting_with_equals_is_stored_as_text(ilm_book: Workbook) -> None:
    [cell] = [
        c for row in ilm_book["Mentoring diary"].iter_rows() for c in row if c.value == FORMULA_TEXT
    ]
    assert cell.data_type == "s"
    assert cell.quotePrefix


@pytest.mark.parametrize(
    "text", ["=1+2", "+44 20 7946 0000", "-5 points", "@SUM(A1)", "\tTab", "#N/A"]
)
def test_no_user_text_becomes_a_formula_or_an_error(text: str, folder: Path) -> None:
    snapshot = replace(ilm_snapshot(), entries=(session(1, 1, 60, summary=text),))
    path = build_workbook(snapshot, REGISTRY, folder / "risky.xlsx")
    ws = load_workbook(path)["Mentoring diary"]
    cell = ws["H2"]
    assert (cell.value, cell.data_type) == (text, "s")
    with zipfile.ZipFile(path) as zf:
        assert not any(b"<f>" in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets"))


def test_an_st1379_workbook_and_diary_never_name_a_mentee(
    st1379: PortfolioSnapshot, folder: Path
) -> None:
    book = load_workbook(build_workbook(st1379, REGISTRY, folder / "st.xlsx"))
    texts = cell_texts(book) + pdf_pages(build_diary(st1379, REGISTRY, folder / "st.pdf"))
    assert [t for t in texts if REAL_NAMES.search(t)] == []
    assert any("Mentee A" in t for t in texts) and any("Mentee B" in t for t in texts)


def test_an_st1379_export_leaves_out_reflections_and_reports_failed_rules(folder: Path) -> None:
    short = st1379_snapshot(pieces=5)
    book = load_workbook(build_workbook(short, REGISTRY, folder / "short.xlsx"))
    refs = {r["Ref"] for r in table(book, "Evidence index")}
    assert refs.isdisjoint({"E-0006", "E-0007"})  # the reflection and the self-assessment
    failed = " ".join(cover(book)["Failed"])
    assert "5 pieces of evidence" in failed
    pages = " ".join(pdf_pages(build_diary(short, REGISTRY, folder / "short.pdf")))
    assert "Reflective account" not in pages and "5 pieces of evidence" in pages


def test_the_diary_puts_sessions_in_order_under_the_ilm_task_headings(ilm_pdf: list[str]) -> None:
    text = "\n".join(ilm_pdf[2:])  # after the summary and the contents, which name them too
    d306 = text.index("D3.06 Organise and undertake supervised mentoring")
    planning = text.index("Planning and organising mentoring sessions", d306)
    reflections = text.index("Reflections on the effectiveness of coaching activity", planning)
    positions = [text.index(f"E-{n:04d} · ", planning) for n in range(2, 10)]
    assert (
        planning < positions[0] and positions == sorted(positions) and positions[-1] < reflections
    )
    d307 = text.index("D3.07 Undertaking an extended period", reflections)
    assert text.index("Planning and undertaking coaching sessions", d307)
    assert text.index("Reflections on your development as a mentor", d307)


def test_each_session_shows_its_running_hours_against_the_unit_minimum(ilm_pdf: list[str]) -> None:
    text = "\n".join(ilm_pdf)
    assert "E-0006 · 9 Mar 2026 · 1 h 15 · running 6 h 15 of 6 h (minimum reached)" in text
    assert "running 6 h 15 of 20 h" in text
    assert "running 1 h 30 of 6 h" in text  # the coaching session, in D3.03
    assert "The minimum of 20 h is not reached: 10 h to go." in text


def test_each_session_shows_its_fields_feedback_confirmation_and_reflection(
    ilm_pdf: list[str],
) -> None:
    text = "\n".join(ilm_pdf)
    block = text[text.index("E-0002 · ") : text.index("E-0003 · ")]
    for expected in (
        "Mentees Jon Baker · One-to-one · In person",
        f"Planned {FORMULA_TEXT}",
        "Covered Went through the checklist twice",
        "Progress Needed two prompts",
        "Next steps Lead the handover alone",
        "Feedback E-0012 Jon Baker, 4/5",
        "Confirmed Maria Jones",
    ):
        assert expected in block
    assert "I talked too much — next time I’ll ask “what would you do?”" in text  # emoji dropped


def test_every_diary_page_has_the_running_head_and_its_number(ilm_pdf: list[str]) -> None:
    for number, page in enumerate(ilm_pdf, 1):
        assert page.startswith("Mentoring diary · Anna Kowalska · ILM Level 3")
        assert f"Page {number} of {len(ilm_pdf)}" in page


def test_text_the_font_cannot_draw_is_dropped_not_fatal(folder: Path) -> None:
    text = "Great 🎉 session\x00\x07 with “quotes” – ok ✓ 日本"
    snapshot = replace(ilm_snapshot(), entries=(session(1, 1, 60, summary=text),))
    pages = pdf_pages(build_diary(snapshot, REGISTRY, folder / "odd.pdf"))
    assert "Covered Great session with “quotes” – ok ✓" in "\n".join(pages)


def test_a_portfolio_without_hours_units_gets_plain_headings(
    st1379: PortfolioSnapshot, folder: Path
) -> None:
    text = "\n".join(pdf_pages(build_diary(st1379, REGISTRY, folder / "plain.pdf")))
    assert "Mentoring sessions" in text and "Reflections, supervision and feedback" in text


def long_word(length: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters) for _ in range(length))


class CountingWidths(defaultdict):
    """A font's width table that counts how many characters are looked up in it."""

    looked_up = 0

    def __getitem__(self, key: int) -> int:
        CountingWidths.looked_up += 1
        return super().__getitem__(key)


def test_a_word_longer_than_a_line_is_cut_measuring_each_character_a_few_times() -> None:
    writer = _Writer("head")
    font = writer.fonts[""]
    font.cw = CountingWidths(font.cw.default_factory, font.cw)
    CountingWidths.looked_up = 0
    word = long_word(1500, 1)
    lines = writer.wrap(word, "", 9.5, writer.pdf.epw)
    writer.close()
    assert "".join(lines) == word and len(lines) > 10
    assert all(writer.width(line, "", 9.5) <= writer.pdf.epw for line in lines)
    # Cutting by shortening one character at a time measured each prefix again: 10^6 and more.
    assert CountingWidths.looked_up <= 4 * len(word)


def test_a_diary_of_forty_sessions_of_3000_character_words_builds_in_seconds(folder: Path) -> None:
    entries = tuple(session(n, n, 60, summary=long_word(3000, n)) for n in range(1, 41))
    snapshot = replace(ilm_snapshot(), entries=entries)
    started = time.perf_counter()
    pages = pdf_pages(build_diary(snapshot, REGISTRY, folder / "long-words.pdf"))
    assert time.perf_counter() - started < 10  # it took a minute and a gigabyte
    assert entries[0].data["summary"][:40] in "".join(pages).replace("\n", "")


@pytest.fixture()
def bundle(ilm: PortfolioSnapshot, tmp_path: Path) -> Path:
    return build_bundle(ilm, REGISTRY, tmp_path / "bundle.zip", key=KEY)


def rewrite(
    source: Path, target: Path, change: dict[str, bytes | None], add: dict[str, bytes]
) -> Path:
    """A copy of a zip with members replaced (bytes), removed (None) or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change.get(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info, data)
        for name, data in add.items():
            new.writestr(name, data)
    return target


def test_the_bundle_holds_both_files_every_attachment_and_a_manifest(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read(MANIFEST))
    assert names == [
        "anna-kowalska-ilm-portfolio-2026-11-22.xlsx",
        "anna-kowalska-ilm-diary-2026-11-22.pdf",
        "attachments/E-0016-1.jpg",
        MANIFEST,
        SIGNATURE,
    ]
    assert [f["path"] for f in manifest["files"]] == names[:-2]
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"])
    assert verify_bundle(bundle, PUBLIC) == []


def test_verify_bundle_names_a_file_with_one_changed_byte(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        photo = bytearray(zf.read("attachments/E-0016-1.jpg"))
    photo[100] ^= 1
    changed = rewrite(
        bundle, tmp_path / "changed.zip", {"attachments/E-0016-1.jpg": bytes(photo)}, {}
    )
    assert verify_bundle(changed, PUBLIC) == ["changed: attachments/E-0016-1.jpg"]


def test_verify_bundle_names_a_file_whose_stored_bytes_were_flipped_in_place(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo("attachments/E-0016-1.jpg")
    assert info.compress_type == zipfile.ZIP_STORED  # photos are not compressed again
    raw = bytearray(bundle.read_bytes())
    raw[info.header_offset + 30 + len(info.filename.encode()) + 500] ^= 0xFF
    bundle.write_bytes(bytes(raw))
    [problem] = verify_bundle(bundle, PUBLIC)
    assert problem.startswith("changed: attachments/E-0016-1.jpg")


def test_verify_bundle_names_a_missing_and_an_added_file(bundle: Path, tmp_path: Path) -> None:
    diary = "anna-kowalska-ilm-diary-2026-11-22.pdf"
    missing = rewrite(bundle, tmp_path / "missing.zip", {diary: None}, {})
    assert verify_bundle(missing, PUBLIC) == [f"missing: {diary}"]
    added = rewrite(bundle, tmp_path / "added.zip", {}, {"attachments/extra.jpg": b"x"})
    assert verify_bundle(added, PUBLIC) == ["added: attachments/extra.jpg"]


def test_verify_bundle_reports_a_file_that_is_not_a_bundle(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert verify_bundle(junk, PUBLIC)[0].startswith("not a readable zip file")


def test_a_missing_attachment_file_is_listed_in_the_manifest(
    ilm: PortfolioSnapshot, tmp_path: Path
) -> None:
    entries = tuple(
        replace(e, attachments=tuple(replace(a, path=tmp_path / "gone.jpg") for a in e.attachments))
        for e in ilm.entries
    )
    path = build_bundle(replace(ilm, entries=entries), REGISTRY, tmp_path / "gone.zip", key=KEY)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
    assert manifest["not_included"] == [
        {"path": "attachments/E-0016-1.jpg", "reason": "the file is missing"}
    ]
    assert verify_bundle(path, PUBLIC) == []


def test_an_st1379_bundle_leaves_out_the_attachments_of_left_out_entries(
    st1379: PortfolioSnapshot, tmp_path: Path
) -> None:
    reflection = next(e for e in st1379.entries if e.kind == Kind.REFLECTION)
    contract = next(e for e in st1379.entries if e.attachments)
    with_photo = replace(reflection, attachments=contract.attachments)
    snapshot = replace(
        st1379, entries=tuple(with_photo if e is reflection else e for e in st1379.entries)
    )
    with zipfile.ZipFile(build_bundle(snapshot, REGISTRY, tmp_path / "st.zip", key=KEY)) as zf:
        attachments = [n for n in zf.namelist() if n.startswith("attachments/")]
        manifest = json.loads(zf.read(MANIFEST))
    assert attachments == [f"attachments/{contract.ref}-1.pdf"]
    assert manifest["anonymised"] is True
