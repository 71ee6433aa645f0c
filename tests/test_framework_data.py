"""The three built-in frameworks: exact texts from the seeds, the right counts, stable ids."""

from pathlib import Path

import pytest

from journal.frameworks.registry import load_registry
from journal.textnorm import normalise

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
REGISTRY = load_registry(None)


@pytest.mark.parametrize("framework_id", ["ecomentor", "ilm", "st1379"])
def test_every_criterion_and_outcome_text_appears_word_for_word_in_its_seed(framework_id: str):
    fw = REGISTRY.get(framework_id)
    seed = SEEDS / fw.source
    if not seed.is_file():
        pytest.skip(f"seed {fw.source} is not beside the checkout (expected in {SEEDS})")
    seed_text = normalise(seed.read_text(encoding="utf-8"))
    texts = [(c.id, c.text) for c in fw.criteria]
    texts += [(f"{u.code} outcome {o.code}", o.text) for u in fw.units for o in u.outcomes]
    missing = [name for name, text in texts if normalise(text) not in seed_text]
    assert missing == []


@pytest.mark.parametrize(
    ("framework_id", "count"), [("ecomentor", 106), ("ilm", 55), ("st1379", 35)]
)
def test_framework_has_the_number_of_criteria_of_its_qualification(framework_id: str, count: int):
    fw = REGISTRY.get(framework_id)
    assert len(fw.criteria) == count
    assert len({c.id for c in fw.criteria}) == count


def test_criterion_ids_read_as_in_the_design():
    assert REGISTRY.criterion("ilm:D3.06/2.1").text == (
        "Undertake mentoring in the workplace for at least six hours"
    )
    assert REGISTRY.criterion("st1379:K15").text == (
        "The role of supervision in supporting the mentor"
    )
    assert REGISTRY.criterion("ecomentor:M2_JM_05/4.4") is not None


def test_ilm_units_carry_the_diary_hours_minimums():
    ilm = REGISTRY.get("ilm")
    hours = {u.code: u.min_hours for u in ilm.units if u.min_hours}
    assert hours == {"D3.03": 6, "D3.04": 30, "D3.06": 6, "D3.07": 20}


def test_ilm_mark_sheets_total_100_with_a_minimum_per_section():
    for sheet in REGISTRY.get("ilm").extra["mark_sheets"]:
        assert sum(s["max"] for s in sheet["sections"]) == 100
        assert sheet["pass_total"] == 50
        assert all(0 < s["min"] <= s["max"] for s in sheet["sections"])


def test_st1379_duties_name_all_35_ksbs_and_each_ksb_has_one_assessment_method():
    st = REGISTRY.get("st1379")
    assert len(st.extra["duties"]) == 9
    named = {k for duty in st.extra["duties"] for k in duty["ksbs"]}
    assert named == {c.code for c in st.criteria}
    assert all(len(c.methods) == 1 for c in st.criteria)


def test_ecomentor_modules_belong_to_units_one_to_three():
    eco = REGISTRY.get("ecomentor")
    assert [u.code for u in eco.units] == [
        "M1_JM_01",
        "M1_JM_02",
        "M2_JM_03",
        "M2_JM_04",
        "M2_JM_05",
        "M3_JM_06",
        "M3_JM_07",
    ]
    assert {u.group for u in eco.units} == {"1", "2", "3"}
