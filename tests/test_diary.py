"""The diary read as the task asks: every entry kind in date order, criteria with their words,
blocks kept on one page, no empty heading, a contents page, the signature blocks."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from exports.pdf import build_diary
from journal.frameworks.registry import load_registry
from tests.snapshots import ilm_snapshot, session, st1379_snapshot

REGISTRY = load_registry(None)
TITLE = re.compile(r"^(\S[^·\n]*) · (E-\d{4}) · ", re.MULTILINE)


def pages_of(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def ilm_pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("diary")
    base = ilm_snapshot(folder / "files")
    # Forty long sessions more, so that blocks meet page ends.
    more = tuple(
        session(100 + n, 62 + n, 60, tags=("ilm:D3.06/2.1",), summary="Long notes. " * (20 + n))
        for n in range(40)
    )
    return pages_of(build_diary(replace(base, entries=base.entries + more), REGISTRY, folder / "d"))


def test_every_entry_kind_appears_as_an_item(ilm_pages: list[str]) -> None:
    text = "\n".join(ilm_pages)
    kinds = {m.group(1) for m in TITLE.finditer(text)}
    assert {"Session", "Contract and plan", "Reflection", "Supervision", "CPD"} <= kinds
    assert "Product evidence" in kinds  # the photo, with its caption and file reference
    assert "Caption Signed handover checklist" in text
    assert "attachments/E-0016-1.jpg (photo" in text
    assert "Goal · E-0014 · Jon Baker" in text and "Review E-0017" in text


def test_criteria_show_their_code_and_their_words(ilm_pages: list[str]) -> None:
    text = "\n".join(ilm_pages)
    assert "ilm:D3.06/2.1" not in text
    assert re.search(r"Criteria D3\.06 1\.2 Establish a mentoring contract", text)


def test_no_entry_block_is_split_across_two_pages(ilm_pages: list[str]) -> None:
    # Each session block ends with its criteria: on the same page as its title.
    for page_text in ilm_pages:
        for found in TITLE.finditer(page_text):
            if found.group(1) != "Session":
                continue
            rest = page_text[found.end() :]
            following = TITLE.search(rest)
            block = rest[: following.start()] if following else rest
            assert "Criteria" in block, f"{found.group(2)} runs on to the next page"


def test_a_contents_page_follows_the_summary(ilm_pages: list[str]) -> None:
    assert "summary" in ilm_pages[0] and "Criteria map" in ilm_pages[0]
    contents = ilm_pages[1]
    assert "Contents" in contents
    assert re.search(r"D3\.06 Organise and undertake supervised mentoring.* \d+", contents)
    assert "Declarations and signatures" in contents


def test_the_declaration_and_signature_blocks_name_who_is_recorded(ilm_pages: list[str]) -> None:
    last = ilm_pages[-1]
    assert "Declarations and signatures" in last and "my own work" in last
    for who in ("Candidate", "Supervisor", "Assessor", "Internal quality assurer"):
        assert f"\n{who}\n" in last
    assert "Maria Jones" in last and "Peter Grant" in last and "last decision" in last


def test_the_summary_gives_hours_confirmed_coverage_and_what_to_do(ilm_pages: list[str]) -> None:
    first = ilm_pages[0]
    assert "Centre" in first and "Qualification" in first
    assert "confirmed by the supervisor" in first
    assert re.search(r"D3\.06: \d+ of 8 criteria evidenced", first)
    assert "What to do:" in first


def test_no_heading_is_printed_over_nothing(tmp_path: Path) -> None:
    text = "\n".join(pages_of(build_diary(st1379_snapshot(), REGISTRY, tmp_path / "st.pdf")))
    body = text.split("Contents", 1)[1]
    # ST1379 leaves out reflective accounts: its plain headings come once each, with entries.
    assert body.count("Mentoring diary entries") == 2  # contents line and the part title
    assert "Reflections" not in body.split("Mentoring sessions", 1)[0]
