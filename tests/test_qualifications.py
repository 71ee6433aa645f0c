"""One export per qualification: a portfolio on ILM and ST1379 gives an ILM export with its
reflections and names, and an ST1379 export without reflections, anonymised, named apart."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.exporting import Format, QualificationNeeded, choose_qualification, file_name
from exports.bundle import build_bundle, member_names, verify_bundle
from exports.pdf import build_diary
from exports.xlsx import build_workbook
from journal.entries import Kind
from journal.frameworks.registry import load_registry
from journal.portfolio_rules import one_qualification
from journal.snapshot import PortfolioSnapshot
from tests.snapshots import ilm_snapshot, session

REGISTRY = load_registry(None)
KEY = Ed25519PrivateKey.generate()
REFLECTION = "Fewer prompts."  # the ILM snapshot's reflective account ("what to do differently")
JON = re.compile(r"\bJon\b")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> PortfolioSnapshot:
    ilm = ilm_snapshot(tmp_path_factory.mktemp("files"))
    ksb = tuple(
        session(30 + n, 70 + n, 60, tags=("st1379:K15", "st1379:S6"), summary=f"Jon session {n}")
        for n in range(3)
    )
    return replace(ilm, framework_ids=("ilm", "st1379"), entries=ilm.entries + ksb)


def text_of(book_path: Path) -> str:
    book = load_workbook(book_path, read_only=True)
    try:
        return "\n".join(
            str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
        )
    finally:
        book.close()


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_an_ilm_and_st1379_portfolio_gives_an_ilm_export_with_reflections_and_an_st1379_one_without(
    both: PortfolioSnapshot, tmp_path: Path
) -> None:
    ilm, st = one_qualification(both, "ilm"), one_qualification(both, "st1379")
    assert ilm.framework_ids == ("ilm",) and st.framework_ids == ("st1379",)
    assert all(t.startswith("ilm:") for e in ilm.entries for t in e.tags)
    assert all(t.startswith("st1379:") for e in st.entries for t in e.tags)

    ilm_book = text_of(build_workbook(ilm, REGISTRY, tmp_path / file_name(ilm, Format.XLSX)))
    st_book = text_of(build_workbook(st, REGISTRY, tmp_path / file_name(st, Format.XLSX)))
    # E-0011 is the reflective account: listed in the ILM evidence index, left out of ST1379.
    assert "Letting Jon lead." in ilm_book and "E-0011" in ilm_book and "Jon Baker" in ilm_book
    # ST1379: only the "reflective" check names it, as left out (journal.left_out).
    assert st_book.count("E-0011") == st_book.count("E-0011 reflective account") == 1
    assert "Letting Jon lead." not in st_book
    assert not JON.search(st_book) and "Mentee A" in st_book
    assert "ilm:D3.06" in ilm_book and "st1379:" not in ilm_book
    assert "st1379:K15" in st_book and "ilm:D3.06" not in st_book

    ilm_diary = pdf_text(build_diary(ilm, REGISTRY, tmp_path / file_name(ilm, Format.PDF)))
    st_diary = pdf_text(build_diary(st, REGISTRY, tmp_path / file_name(st, Format.PDF)))
    assert REFLECTION in ilm_diary
    assert REFLECTION not in st_diary and not JON.search(st_diary)

    names = {file_name(s, f) for s in (ilm, st) for f in Format}
    assert len(names) == 6
    assert file_name(ilm, Format.PDF) == "anna-kowalska-ilm-diary-2026-11-22.pdf"
    assert file_name(st, Format.ZIP) == "anna-kowalska-st1379-bundle-2026-11-22.zip"


def test_each_qualifications_bundle_names_its_files_and_holds_only_its_own_entries(
    both: PortfolioSnapshot, tmp_path: Path
) -> None:
    found = {}
    for fid in ("ilm", "st1379"):
        snapshot = one_qualification(both, fid)
        path = build_bundle(snapshot, REGISTRY, tmp_path / file_name(snapshot, Format.ZIP), key=KEY)
        assert verify_bundle(path, KEY.public_key()) == []
        with zipfile.ZipFile(path) as zf:
            found[fid] = [n for n in zf.namelist() if "/" not in n and n.endswith(("xlsx", "pdf"))]
        assert found[fid] == list(member_names(snapshot))
    assert found["ilm"] == [
        "anna-kowalska-ilm-portfolio-2026-11-22.xlsx",
        "anna-kowalska-ilm-diary-2026-11-22.pdf",
    ]
    assert set(found["ilm"]).isdisjoint(found["st1379"])


def test_one_qualification_keeps_only_its_decisions_and_marks(both: PortfolioSnapshot) -> None:
    st = one_qualification(both, "st1379")
    assert st.decisions == () and st.marks == ()
    assert one_qualification(both, "ilm").decisions == both.decisions
    # Entries tagged only to the other qualification stay, without its tags.
    reflection = next(e for e in one_qualification(both, "st1379").entries if e.tags == ())
    assert reflection.kind in {Kind.SESSION, Kind.CPD, Kind.CONTRACT, Kind.REFLECTION, Kind.GOAL}


def test_the_qualification_is_chosen_or_asked_for() -> None:
    assert choose_qualification(("ilm",), None) == "ilm"
    assert choose_qualification(("ilm", "st1379"), "ST1379") == "st1379"
    assert choose_qualification((), None) is None
    with pytest.raises(QualificationNeeded, match="choose one of: ilm, st1379"):
        choose_qualification(("ilm", "st1379"), None)
    with pytest.raises(QualificationNeeded, match="does not follow 'ecomentor'"):
        choose_qualification(("ilm", "st1379"), "ecomentor")
