"""Anonymised exports: a mentee's name goes in any letter case, and no name breaks the export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from exports.xlsx import build_workbook
from journal.anonymisation import anonymise, fold_case
from journal.frameworks.registry import load_registry
from journal.snapshot import PortfolioSnapshot
from tests.snapshots import GENERATED, session

REGISTRY = load_registry(None)
CASES = (str, str.upper, str.lower, str.title, str.casefold, str.swapcase, str.capitalize)


def with_text(text: str, *mentees: str) -> PortfolioSnapshot:
    return PortfolioSnapshot(
        1,
        "Anna",
        ("st1379",),
        GENERATED,
        entries=(session(1, 1, 60, summary=text, mentees=mentees),),
        mentees=mentees,
    )


def summary(text: str, *mentees: str) -> str:
    return anonymise(with_text(text, *mentees)).entries[0].data["summary"]


def survives(name: str, text: str) -> bool:
    """Whether `name` is still in `text` as a word of its own, in any letter case."""
    words = r"\s+".join(map(re.escape, fold_case(name).split()))
    return re.search(rf"(?<!\w){words}(?!\w)", fold_case(text)) is not None


@pytest.mark.parametrize(
    "text",
    ["Işık and ışık", "işık and ışık", "işık and IŞIK", "IŞIK came", "ışık came alone", "İŞIK"],
)
def test_a_turkish_name_is_replaced_in_every_spelling_of_its_case(text: str) -> None:
    anonymous = summary(text, "Işık Yılmaz")
    assert not survives("Işık", anonymous), anonymous
    assert "Mentee A" in anonymous


@pytest.mark.parametrize("text", ["ſam and sam", "Sam and SAM", "ſam"])
def test_a_name_with_a_long_s_is_replaced_written_with_either_s(text: str) -> None:
    assert summary(text, "ſam") == re.sub(r"(?i)ſam|sam", "Mentee A", text)
    assert summary(text, "Sam") == re.sub(r"(?i)ſam|sam", "Mentee A", text)


def test_a_name_whose_capitals_are_longer_is_replaced_in_capitals() -> None:
    assert summary("STRAUSS and Strauß, strauss", "Gustav Strauß") == (
        "Mentee A and Mentee A, Mentee A"
    )


def test_a_name_typed_without_its_accent_is_replaced_too() -> None:
    assert summary("ZOË and zoe; Zoe's notes", "Zoë") == "Mentee A and Mentee A; Mentee A's notes"


def test_names_differing_only_in_case_folding_are_one_mentee() -> None:
    anonymous = anonymise(with_text("Işık and IŞIK", "Işık", "IŞIK", "ışık"))
    assert anonymous.mentees == ("Mentee A",)
    assert anonymous.entries[0].mentees == ("Mentee A", "Mentee A", "Mentee A")


def test_an_st1379_workbook_with_a_turkish_mentee_is_built_without_the_name(
    tmp_path: Path,
) -> None:
    snapshot = with_text("Işık led it; IŞIK and ışık again.", "Işık")
    book = load_workbook(build_workbook(snapshot, REGISTRY, tmp_path / "st.xlsx"))
    texts = [c.value for ws in book for row in ws.iter_rows() for c in row if c.value]
    assert not [t for t in texts if isinstance(t, str) and survives("Işık", t)]


NAMES = st.text(
    alphabet=st.characters(categories=("L", "M", "Nd", "Pd", "Zs"), exclude_characters="\x00"),
    min_size=1,
    max_size=12,
).filter(lambda n: any(c.isalpha() for c in n))
TEXTS = st.text(max_size=40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(name=NAMES, before=TEXTS, after=TEXTS, case=st.sampled_from(CASES))
def test_any_name_in_any_case_in_any_text_is_replaced_without_failing(
    name: str, before: str, after: str, case
) -> None:
    # A name that is a word of the label itself ("Mentee A") cannot be told from it.
    assume(fold_case(name).strip())
    assume(not any(survives(word, "Mentee A") for word in name.split()))
    text = f"{before} {case(name)} {after}"
    anonymous = anonymise(with_text(text, name))
    written = anonymous.entries[0].data["summary"]
    assert not survives(name, written), written
    assert anonymous.entries[0].mentees == ("Mentee A",)
